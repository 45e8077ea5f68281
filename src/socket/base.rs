//! `SocketBase`: what every socket type shares — the blocking loops of
//! send and recv (NOBLOCK, SNDTIMEO/RCVTIMEO, ETERM, EINTR), command
//! processing, options, inproc bind/connect and the start of closing.
//!
//! A socket is passive: it processes its commands only inside calls made
//! by its owning application thread, and after `zmq_close` inside the
//! reaper thread, which drives it until all its pipes are gone.

use super::{SocketType, ZMQ_NOBLOCK, ZMQ_SNDMORE};
use crate::clock::now_ms;
use crate::command::{Attach, Command};
use crate::ctx::{Ctx, Endpoint};
use crate::err::*;
use crate::mailbox::{Mailbox, MailboxSender};
use crate::msg::Msg;
use crate::options::*;
use crate::io::thread::{IoObject, ObjId};
use crate::pipe::{pipe_pair, PipeId, Reader, Writer};
use crate::session::Session;
use crate::transport::address::{self, Address};
use crate::transport::listener::Listener;
use std::sync::Arc;

/// Commands are processed on every this many receives even when messages
/// keep coming, so a busy socket still notices new peers.
const INBOUND_POLL_RATE: u32 = 100;

pub struct SocketBase {
    pub ctx: Arc<Ctx>,
    /// Unique id (key in the context's socket table).
    pub id: u64,
    /// False for the context's internal log publisher.
    pub user: bool,
    mailbox: Mailbox,
    sender: MailboxSender,
    pub options: Options,
    kind: Box<dyn SocketType>,
    /// Whether the last received part had MORE.
    rcvmore: bool,
    ticks: u32,
    /// In the reaper: closing.
    closing: bool,
    /// Pipes refused or left over, waiting for their termination handshake.
    orphan_readers: Vec<Reader>,
    orphan_writers: Vec<Writer>,
    /// inproc names this socket bound (unregistered at close).
    endpoints: Vec<String>,
    /// Listeners and connect sessions in io threads: (their thread, id).
    owned: Vec<(MailboxSender, ObjId)>,
    /// Owned objects told to terminate that haven't acknowledged yet.
    term_pending: usize,
}

impl SocketBase {
    pub fn new(ctx: Arc<Ctx>, id: u64, user: bool, mailbox: Mailbox, socket_type: i32) -> Result<Box<SocketBase>> {
        let mut options = Options::new(socket_type);
        let kind = super::create(socket_type, &mut options)?;
        let sender = mailbox.sender();
        Ok(Box::new(SocketBase {
            ctx,
            id,
            user,
            mailbox,
            sender,
            options,
            kind,
            rcvmore: false,
            ticks: 0,
            closing: false,
            orphan_readers: Vec::new(),
            orphan_writers: Vec::new(),
            endpoints: Vec::new(),
            owned: Vec::new(),
            term_pending: 0,
        }))
    }

    pub fn sender(&self) -> &MailboxSender {
        &self.sender
    }

    /// The fd `ZMQ_FD` reports and the reaper polls.
    pub fn fd(&self) -> i32 {
        self.mailbox.fd()
    }

    pub fn check_term(&self) -> Result<()> {
        if self.ctx.is_terminating() {
            Err(ETERM)
        } else {
            Ok(())
        }
    }

    // ---- commands ------------------------------------------------------

    /// Processes commands: waits up to `timeout_ms` for the first one (0:
    /// only what is there), then everything pending.  EINTR on a signal,
    /// ETERM once the context is terminating (not while closing).
    pub fn process_commands(&mut self, timeout_ms: i32) -> Result<()> {
        if timeout_ms == 0 && self.mailbox.idle() {
            return if self.closing { Ok(()) } else { self.check_term() };
        }
        let mut r = self.mailbox.recv(timeout_ms);
        loop {
            match r {
                Ok(cmd) => self.process_command(cmd),
                Err(EINTR) => return Err(EINTR),
                Err(_) => break,
            }
            r = self.mailbox.recv(0);
        }
        if !self.closing {
            self.check_term()?;
        }
        Ok(())
    }

    fn process_command(&mut self, cmd: Command) {
        match cmd {
            Command::Stop => {}
            Command::ActivateReader(id) => {
                if !self.kind.reader_activated(id) {
                    self.orphan_activate_reader(id);
                }
            }
            Command::ActivateWriter(id, n) => {
                if !self.kind.writer_activated(id, n) {
                    if let Some(w) = self.orphan_writers.iter_mut().find(|w| w.id() == id) {
                        w.activate(n);
                    }
                }
            }
            Command::PipeTerm(id) => {
                if !self.kind.writer_terminated(id) {
                    if let Some(i) = self.orphan_writers.iter().position(|w| w.id() == id) {
                        self.orphan_writers.swap_remove(i).ack_term();
                    }
                }
            }
            Command::PipeTermAck(id) => {
                if !self.kind.reader_terminated(id) {
                    if let Some(i) = self.orphan_readers.iter().position(|r| r.id() == id) {
                        self.orphan_readers.swap_remove(i);
                    }
                }
            }
            Command::Bind(a) => {
                let a = *a;
                self.attach_pipes(a.reader, a.writer, a.identity)
            }
            Command::TermAck(id) => {
                if let Some(i) = self.owned.iter().position(|(_, o)| *o == id) {
                    self.owned.swap_remove(i);
                    self.term_pending = self.term_pending.saturating_sub(1);
                }
            }
            _ => {}
        }
    }

    /// An orphan reader woke up: drain it so it finds the delimiter.
    fn orphan_activate_reader(&mut self, id: PipeId) {
        if let Some(r) = self.orphan_readers.iter_mut().find(|r| r.id() == id) {
            r.activate();
            while r.read_msg().is_some() {}
        }
    }

    /// Hands new pipes to the socket type, or refuses them.
    fn attach_pipes(&mut self, reader: Option<Reader>, writer: Option<Writer>, identity: Vec<u8>) {
        if self.closing {
            self.orphan(reader, writer);
            return;
        }
        if let Some((r, w)) = self.kind.attach(reader, writer, identity) {
            self.orphan(r, w);
        }
    }

    /// Starts the termination of pipes nobody will use.
    fn orphan(&mut self, reader: Option<Reader>, writer: Option<Writer>) {
        if let Some(mut r) = reader {
            r.terminate();
            self.orphan_readers.push(r);
        }
        if let Some(mut w) = writer {
            w.terminate();
            self.orphan_writers.push(w);
        }
    }

    // ---- options -------------------------------------------------------

    pub fn setsockopt(&mut self, option: i32, val: &[u8]) -> Result<()> {
        self.check_term()?;
        if let Some(r) = self.kind.setsockopt(option, val) {
            return r;
        }
        self.options.set(option, val)
    }

    /// Returns the option's bytes; the C layer checks the buffer size.
    pub fn getsockopt(&mut self, option: i32) -> Result<Vec<u8>> {
        self.check_term()?;
        match option {
            ZMQ_RCVMORE => Ok((self.rcvmore as i64).to_ne_bytes().to_vec()),
            ZMQ_FD => Ok(self.fd().to_ne_bytes().to_vec()),
            ZMQ_EVENTS => Ok(self.events()?.to_ne_bytes().to_vec()),
            _ => self.options.get(option),
        }
    }

    /// ZMQ_EVENTS: processes pending commands, then POLLIN | POLLOUT.
    pub fn events(&mut self) -> Result<u32> {
        self.process_commands(0)?;
        let mut ev = 0;
        if self.kind.has_out() {
            ev |= super::ZMQ_POLLOUT;
        }
        if self.kind.has_in() {
            ev |= super::ZMQ_POLLIN;
        }
        Ok(ev)
    }

    // ---- bind / connect ------------------------------------------------

    pub fn bind(&mut self, addr: &str) -> Result<()> {
        self.check_term()?;
        let (proto, address) = parse_endpoint(addr)?;
        match proto {
            "inproc" | "sys" => {
                let ep = Endpoint { sender: self.sender.clone(), options: self.options.clone() };
                self.ctx.register_endpoint(addr, ep)?;
                self.endpoints.push(addr.to_string());
                Ok(())
            }
            "tcp" | "ipc" => {
                let io = self.ctx.choose_io_thread(self.options.affinity)?;
                let addr = if proto == "tcp" {
                    Address::Tcp(address::resolve_tcp_bind(address)?)
                } else {
                    Address::Ipc(address::check_ipc(address)?)
                };
                let listener = Listener::bind(addr, self.sender.clone(), self.ctx.clone(), self.options.clone())?;
                self.owned.push((io.clone(), listener.id()));
                io.send(Command::Own(Box::new(IoObject::Listener(listener))));
                Ok(())
            }
            _ => Err(EPROTONOSUPPORT),
        }
    }

    pub fn connect(&mut self, addr: &str) -> Result<()> {
        self.check_term()?;
        let (proto, _address) = parse_endpoint(addr)?;
        match proto {
            "inproc" | "sys" => self.connect_inproc(addr),
            "tcp" | "ipc" => self.connect_net(proto, addr, _address),
            _ => Err(EPROTONOSUPPORT),
        }
    }

    /// tcp/ipc connect: a session in an io thread that connects and
    /// reconnects.  Its pipes exist from now on (except for ROUTER and
    /// REP, which attach after the handshake), so messages queue for a
    /// peer that isn't there yet.
    fn connect_net(&mut self, proto: &str, endpoint: &str, address: &str) -> Result<()> {
        // As 2.2: the address is checked before the io threads.
        let addr = if proto == "tcp" {
            Address::Tcp(address::resolve_tcp_connect(address)?)
        } else {
            Address::Ipc(address::check_ipc(address)?)
        };
        let io = self.ctx.choose_io_thread(self.options.affinity)?;
        let st = self.options.socket_type;
        let pipes = if st == super::ZMQ_ROUTER || st == super::ZMQ_REP {
            None
        } else {
            let o = &self.options;
            let (mine, theirs) = pipe_pair(&self.sender, &io, o.hwm, o.swap as u64, o.requires_in, o.requires_out);
            self.attach_pipes(mine.0, mine.1, Vec::new());
            Some(theirs)
        };
        let session = Session::new_connect(endpoint, addr, self.sender.clone(), self.options.clone(), pipes);
        self.owned.push((io.clone(), session.id()));
        io.send(Command::Own(Box::new(IoObject::Session(session))));
        Ok(())
    }

    fn connect_inproc(&mut self, addr: &str) -> Result<()> {
        let peer = self.ctx.find_endpoint(addr).ok_or(ECONNREFUSED)?;
        let me = &self.options;
        if !super::inproc_compatible(peer.options.socket_type, me.requires_in, me.requires_out) {
            return Err(ENOCOMPATPROTO);
        }
        // The pipe's limit is the sum of both ends' limits, or none if
        // either end has none.
        let hwm = if me.hwm == 0 || peer.options.hwm == 0 { 0 } else { me.hwm.saturating_add(peer.options.hwm) };
        // SWAP likewise: summed when either end has one.
        let swap = if me.swap == 0 && peer.options.swap == 0 { 0 } else { (me.swap as u64).saturating_add(peer.options.swap as u64) };
        let (mine, theirs) = pipe_pair(&self.sender, &peer.sender, hwm, swap, me.requires_in, me.requires_out);
        let my_identity = self.options.identity.clone();
        self.attach_pipes(mine.0, mine.1, peer.options.identity.clone());
        peer.sender.send(Command::Bind(Box::new(Attach { reader: theirs.0, writer: theirs.1, identity: my_identity })));
        Ok(())
    }

    // ---- send / recv ---------------------------------------------------

    pub fn send(&mut self, msg: &mut Msg, flags: i32) -> Result<()> {
        self.check_term()?;
        // Commands first (a new peer, a pipe that has room again), unless
        // the mailbox is plainly empty.
        if !self.mailbox.idle() {
            self.process_commands(0)?;
        }
        if flags & ZMQ_SNDMORE != 0 {
            msg.set_more(true);
        }
        match self.kind.send(msg) {
            Err(EAGAIN) => {}
            r => return r,
        }
        let timeout = self.options.sndtimeo;
        if flags & ZMQ_NOBLOCK != 0 || timeout == 0 {
            return Err(EAGAIN);
        }
        let deadline = if timeout > 0 { now_ms() + timeout as u64 } else { 0 };
        let mut wait = timeout;
        loop {
            self.process_commands(wait)?;
            match self.kind.send(msg) {
                Err(EAGAIN) => {}
                r => return r,
            }
            if timeout > 0 {
                let now = now_ms();
                if now >= deadline {
                    return Err(EAGAIN);
                }
                wait = (deadline - now) as i32;
            }
        }
    }

    pub fn recv(&mut self, msg: &mut Msg, flags: i32) -> Result<()> {
        self.check_term()?;
        let r = self.kind.recv(msg);
        self.ticks += 1;
        if self.ticks == INBOUND_POLL_RATE {
            self.ticks = 0;
            // A received message is delivered even if this fails.
            let pc = self.process_commands(0);
            if r.is_err() {
                pc?;
            }
        }
        match r {
            Ok(()) => return Ok(self.got(msg)),
            Err(EAGAIN) => {}
            Err(e) => return Err(e),
        }
        let timeout = self.options.rcvtimeo;
        if flags & ZMQ_NOBLOCK != 0 || timeout == 0 {
            self.process_commands(0)?;
            self.ticks = 0;
            self.kind.recv(msg)?;
            return Ok(self.got(msg));
        }
        let deadline = if timeout > 0 { now_ms() + timeout as u64 } else { 0 };
        let mut wait = 0;
        loop {
            self.process_commands(wait)?;
            match self.kind.recv(msg) {
                Ok(()) => {
                    self.ticks = 0;
                    return Ok(self.got(msg));
                }
                Err(EAGAIN) => {}
                Err(e) => return Err(e),
            }
            wait = timeout;
            if timeout > 0 {
                let now = now_ms();
                if now >= deadline {
                    return Err(EAGAIN);
                }
                wait = (deadline - now) as i32;
            }
        }
    }

    /// Records RCVMORE and clears MORE from the delivered part.
    #[inline]
    fn got(&mut self, msg: &mut Msg) {
        self.rcvmore = msg.more();
        msg.set_more(false);
    }

    // ---- closing -------------------------------------------------------

    /// `zmq_close`, in the application thread: the socket's names go now.
    pub fn unregister_endpoints(&mut self) {
        for ep in self.endpoints.drain(..) {
            self.ctx.unregister_endpoint(&ep, &self.sender);
        }
    }

    /// In the reaper: start terminating every pipe.
    pub fn start_closing(&mut self) {
        self.closing = true;
        self.kind.terminate_pipes();
        for (io, id) in &self.owned {
            io.send(Command::Term { id: *id, linger: self.options.linger });
        }
        self.term_pending = self.owned.len();
        let _ = self.process_commands(0);
    }

    /// Whether everything the socket owned is gone.
    pub fn is_closed(&self) -> bool {
        self.closing && self.term_pending == 0 && self.kind.pipe_count() == 0 && self.orphan_readers.is_empty() && self.orphan_writers.is_empty()
    }
}

/// Splits "transport://address": EINVAL without "://" or with an empty
/// part.
pub fn parse_endpoint(addr: &str) -> Result<(&str, &str)> {
    let i = addr.find("://").ok_or(EINVAL)?;
    let (proto, rest) = (&addr[..i], &addr[i + 3..]);
    if proto.is_empty() || rest.is_empty() {
        return Err(EINVAL);
    }
    Ok((proto, rest))
}
