//! `Session`: one peer of a socket over tcp or ipc, living in an io thread
//! between the socket's pipes and an engine.
//!
//! * Connect side (`zmq_connect`): made by the socket with its pipes (except
//!   for ROUTER/REP, which attach after the handshake); connects, and
//!   reconnects after RECONNECT_IVL (with backoff up to RECONNECT_IVL_MAX)
//!   for as long as the socket lives, keeping its queued messages.
//! * Bind side: made by a listener for each accepted connection.  After the
//!   handshake an anonymous peer gets a transient session (gone with the
//!   connection); a peer with an identity gets a durable one, kept by the
//!   listener and re-joined when the same identity connects again.
//! * Termination (`Term` with the socket's linger): 0 drops what is queued;
//!   > 0 waits that long for the queue to drain to the peer; < 0 waits as
//!   long as it takes.

use crate::command::{Attach, Command};
use crate::engine::stream::{Engine, EngineSink, Status};
use crate::io::thread::{next_obj_id, Action, IoCtx, ObjId};
use crate::mailbox::MailboxSender;
use crate::msg::Msg;
use crate::options::Options;
use crate::pipe::{pipe_pair, Read, Reader, Writer};
use crate::transport::address::{self, Address};
use crate::transport::net::{self, Fd};
use std::sync::Arc;

/// Most parts one inbound message may have: HWM counts whole messages, so
/// without this a peer sending endless MORE frames would grow memory
/// without bound.  Beyond it the connection is dropped.
pub const MAX_PARTS: u64 = 1 << 20;

/// Timer ids.
const RECONNECT_TIMER: u64 = 1;
const LINGER_TIMER: u64 = 2;

enum Role {
    Connect {
        /// The endpoint as given (re-resolved after a disconnect).
        endpoint: String,
        addr: Address,
        /// A connect in progress.
        connecting: Option<Fd>,
        /// The current wait between attempts.
        ivl: u64,
    },
    Bind {
        listener: ObjId,
        /// Kept across disconnections (the peer has an identity).
        durable: bool,
    },
}

pub struct Session {
    id: ObjId,
    role: Role,
    /// The owning socket's mailbox (pipes' other ends, TermAck).
    socket: MailboxSender,
    /// Shared by the sessions of one listener.
    options: Arc<Options>,
    /// socket -> session (to the network).
    reader: Option<Reader>,
    /// session -> socket (from the network).
    writer: Option<Writer>,
    /// Boxed: a session without a connection stays small.
    engine: Option<Box<Engine>>,
    /// Whether the socket has been given its pipe ends.
    attached: bool,
    /// Whether the reader reached the delimiter (all output handed over).
    delimited: bool,
    /// Term received from the owner.
    terminating: bool,
    /// A transient bind session whose connection died.
    closing: bool,
    finished: bool,
    /// Parts of the inbound message being received.
    in_parts: u64,
    /// The peer broke a limit: drop the connection.
    violated: bool,
    /// On the io thread's ready list (the engine's turn ran out of budget).
    queued: bool,
}

impl Session {
    /// A connect-side session; `pipes` are its ends of the socket's pipes
    /// (None for ROUTER/REP, which attach after the handshake).
    pub fn new_connect(endpoint: &str, addr: Address, socket: MailboxSender, options: Options, pipes: Option<(Option<Reader>, Option<Writer>)>) -> Session {
        let attached = pipes.is_some();
        let (reader, writer) = pipes.unwrap_or((None, None));
        let ivl = options.reconnect_ivl.max(0) as u64;
        Session {
            id: next_obj_id(),
            role: Role::Connect { endpoint: endpoint.to_string(), addr, connecting: None, ivl },
            socket,
            options: Arc::new(options),
            reader,
            writer,
            engine: None,
            attached,
            delimited: false,
            terminating: false,
            closing: false,
            finished: false,
            in_parts: 0,
            violated: false,
            queued: false,
        }
    }

    /// A bind-side session for an accepted connection.
    pub fn new_bind(fd: Fd, listener: ObjId, socket: MailboxSender, options: Arc<Options>) -> Session {
        let engine = Box::new(Engine::new(fd, &options.identity));
        Session {
            id: next_obj_id(),
            role: Role::Bind { listener, durable: false },
            socket,
            options,
            reader: None,
            writer: None,
            engine: Some(engine),
            attached: false,
            delimited: false,
            terminating: false,
            closing: false,
            finished: false,
            in_parts: 0,
            violated: false,
            queued: false,
        }
    }

    pub fn id(&self) -> ObjId {
        self.id
    }

    /// Starts in the io thread.
    pub fn plug(&mut self, ctx: &mut IoCtx) {
        self.register_pipes(ctx);
        if let Some(e) = &self.engine {
            ctx.poller.add_fd(e.fd(), self.id);
            self.do_out(ctx);
            self.do_in(ctx);
        } else if matches!(self.role, Role::Connect { .. }) {
            self.start_connecting(ctx);
        }
    }

    fn register_pipes(&self, ctx: &mut IoCtx) {
        if let Some(r) = &self.reader {
            ctx.pipe_owner.insert(r.id(), self.id);
        }
        if let Some(w) = &self.writer {
            ctx.pipe_owner.insert(w.id(), self.id);
        }
    }

    // ---- connecting ----------------------------------------------------

    fn start_connecting(&mut self, ctx: &mut IoCtx) {
        let Role::Connect { addr, connecting, .. } = &mut self.role else { return };
        match net::connect(addr) {
            Ok((fd, true)) => self.connected(ctx, fd),
            Ok((fd, false)) => {
                ctx.poller.add_fd(fd.0, self.id);
                *connecting = Some(fd);
            }
            Err(_) => self.schedule_reconnect(ctx),
        }
    }

    fn connected(&mut self, ctx: &mut IoCtx, fd: Fd) {
        let tcp = matches!(&self.role, Role::Connect { addr: Address::Tcp(_), .. });
        net::tune(fd.0, tcp, self.options.sndbuf, self.options.rcvbuf);
        if let Role::Connect { ivl, .. } = &mut self.role {
            *ivl = self.options.reconnect_ivl.max(0) as u64;
        }
        let engine = Box::new(Engine::new(fd, &self.options.identity));
        ctx.poller.add_fd(engine.fd(), self.id);
        self.engine = Some(engine);
        self.do_out(ctx);
        self.do_in(ctx);
    }

    /// Waits RECONNECT_IVL (+ a per-process jitter, as 2.2) and doubles
    /// the wait up to RECONNECT_IVL_MAX.
    fn schedule_reconnect(&mut self, ctx: &mut IoCtx) {
        let Role::Connect { ivl, .. } = &mut self.role else { return };
        let base = self.options.reconnect_ivl.max(0) as u64;
        let jitter = if base > 0 { (std::process::id() as u64 * 13) % base } else { 0 };
        ctx.poller.add_timer((*ivl + jitter).max(1), self.id, RECONNECT_TIMER);
        let max = self.options.reconnect_ivl_max.max(0) as u64;
        if max > base {
            *ivl = (*ivl * 2).clamp(1, max);
        }
    }

    // ---- events --------------------------------------------------------

    /// A readiness event; `closed` when the peer hung up or an error is
    /// pending (then input is read to the end).
    pub fn io_event(&mut self, ctx: &mut IoCtx, readable: bool, writable: bool, closed: bool) {
        if let Role::Connect { connecting, .. } = &mut self.role {
            if let Some(fd) = connecting.take() {
                ctx.poller.rm_fd(fd.0);
                match net::connect_result(fd.0) {
                    Ok(()) => self.connected(ctx, fd),
                    Err(_) => {
                        drop(fd);
                        self.schedule_reconnect(ctx);
                    }
                }
                return;
            }
        }
        if self.engine.is_none() {
            return;
        }
        if writable {
            self.do_out(ctx);
        }
        if readable || closed {
            self.read_input(ctx, closed);
        }
    }

    pub fn timer_event(&mut self, ctx: &mut IoCtx, timer: u64) {
        match timer {
            RECONNECT_TIMER => {
                if self.engine.is_none() && !self.finished {
                    if let Role::Connect { endpoint, addr, connecting, .. } = &mut self.role {
                        if connecting.is_none() {
                            if let (Address::Tcp(_), Some((_, a))) = (&*addr, endpoint.split_once("://")) {
                                if let Ok(resolved) = address::resolve_tcp_connect(a) {
                                    *addr = Address::Tcp(resolved);
                                }
                            }
                            self.start_connecting(ctx);
                        }
                    }
                }
            }
            LINGER_TIMER => {
                if self.terminating {
                    self.force_close(ctx);
                }
            }
            _ => {}
        }
        self.check_finished(ctx);
    }

    /// Commands for our pipe ends.
    pub fn pipe_command(&mut self, ctx: &mut IoCtx, cmd: Command) {
        match cmd {
            Command::ActivateReader(_) => {
                if let Some(r) = self.reader.as_mut() {
                    r.activate();
                }
                self.do_out(ctx);
                self.reap_delimiter();
            }
            Command::ActivateWriter(_, n) => {
                if let Some(w) = self.writer.as_mut() {
                    w.activate(n);
                }
                if self.engine.as_ref().is_some_and(|e| e.is_stalled()) {
                    self.do_in(ctx);
                }
            }
            Command::PipeTerm(id) => {
                if self.writer.as_ref().is_some_and(|w| w.id() == id) {
                    if let Some(w) = self.writer.take() {
                        w.ack_term();
                    }
                    ctx.pipe_owner.remove(&id);
                    self.peer_pipes_gone(ctx);
                }
            }
            Command::PipeTermAck(id) => {
                if self.reader.as_ref().is_some_and(|r| r.id() == id) {
                    self.reader = None;
                    ctx.pipe_owner.remove(&id);
                    self.peer_pipes_gone(ctx);
                }
            }
            _ => {}
        }
        self.check_finished(ctx);
    }

    /// One of our pipes is gone.  When both are, the socket has closed or
    /// refused this peer (a second PAIR peer, a duplicate identity): the
    /// connection has no purpose any more.
    fn peer_pipes_gone(&mut self, ctx: &mut IoCtx) {
        if let Some(w) = self.writer.as_mut() {
            w.terminate();
        }
        if self.reader.is_some() || self.writer.is_some() || self.terminating {
            return;
        }
        match self.role {
            // Finishes once what the encoder holds is written.
            Role::Bind { .. } => self.closing = true,
            Role::Connect { .. } => {
                if let Some(e) = self.engine.take() {
                    ctx.poller.rm_fd(e.fd());
                }
                let st = self.options.socket_type;
                if st == crate::socket::ZMQ_ROUTER || st == crate::socket::ZMQ_REP {
                    // Try again: the next handshake attaches anew.
                    self.attached = false;
                    self.schedule_reconnect(ctx);
                }
            }
        }
    }

    /// Reads everything the kernel holds (after a stall or a hand-over no
    /// new readiness event may come).
    fn do_in(&mut self, ctx: &mut IoCtx) {
        self.read_input(ctx, true);
    }

    /// A turn on the io thread's ready list: go on where the engine's
    /// budget stopped it.
    pub fn continue_io(&mut self, ctx: &mut IoCtx) {
        self.queued = false;
        let Some(e) = &self.engine else { return };
        let (more_in, more_out) = (e.more_in(), e.more_out());
        if more_out {
            self.do_out(ctx);
        }
        if more_in && self.engine.is_some() && !self.finished {
            self.read_input(ctx, true);
        }
    }

    /// Puts the session on the ready list when its engine stopped on a
    /// budget with work left.
    fn queue_if_busy(&mut self, ctx: &mut IoCtx) {
        if self.queued || self.finished {
            return;
        }
        if self.engine.as_ref().is_some_and(|e| e.more_in() || e.more_out()) {
            self.queued = true;
            ctx.actions.push(Action::Continue(self.id));
        }
    }

    fn read_input(&mut self, ctx: &mut IoCtx, thorough: bool) {
        let Some(mut engine) = self.engine.take() else { return };
        let mut status = engine.in_event(self, thorough);
        self.engine = Some(engine);
        self.queue_if_busy(ctx);
        if self.violated {
            self.violated = false;
            status = Status::Dead;
        }
        match status {
            Status::Alive => {}
            Status::Dead => self.engine_dead(ctx),
            Status::Identity(id) => {
                self.handshake(ctx, id);
                // Continue with what arrived after the identity (once the
                // pipes exist; a durable handshake attaches them later).
                if self.attached && self.engine.is_some() && !self.finished {
                    self.do_out(ctx);
                    self.do_in(ctx);
                }
            }
        }
    }

    fn do_out(&mut self, ctx: &mut IoCtx) {
        let Some(mut engine) = self.engine.take() else { return };
        let status = engine.out_event(self);
        self.engine = Some(engine);
        self.queue_if_busy(ctx);
        if let Status::Dead = status {
            self.engine_dead(ctx);
        }
        self.check_finished(ctx);
    }

    // ---- handshake -----------------------------------------------------

    fn handshake(&mut self, ctx: &mut IoCtx, identity: Vec<u8>) {
        match self.role {
            Role::Connect { .. } => {
                if !self.attached {
                    self.attach_pipes(ctx, identity);
                }
            }
            Role::Bind { listener, .. } => {
                if identity.is_empty() || identity[0] == 0 {
                    self.attach_pipes(ctx, identity);
                } else {
                    ctx.actions.push(Action::Handshake { session: self.id, listener, identity });
                }
            }
        }
    }

    /// Creates the pipes to the socket and sends it its ends.
    pub fn attach_pipes(&mut self, ctx: &mut IoCtx, identity: Vec<u8>) {
        self.attach_pipes_as(ctx, identity, false);
    }

    /// As attach_pipes; `durable` keeps the session after a disconnect.
    pub fn attach_pipes_as(&mut self, ctx: &mut IoCtx, identity: Vec<u8>, durable: bool) {
        if let Role::Bind { durable: d, .. } = &mut self.role {
            *d = durable;
        }
        let o = &self.options;
        let ((sock_r, sock_w), (my_r, my_w)) = pipe_pair(&self.socket, ctx.mailbox, o.hwm, o.swap as u64, o.requires_in, o.requires_out);
        self.reader = my_r;
        self.writer = my_w;
        self.attached = true;
        self.register_pipes(ctx);
        self.socket.send(Command::Bind(Box::new(Attach { reader: sock_r, writer: sock_w, identity })));
    }

    /// After a durable handshake attached the pipes: resume the engine.
    pub fn resume(&mut self, ctx: &mut IoCtx) {
        if self.engine.is_some() {
            self.do_out(ctx);
            self.do_in(ctx);
        }
    }

    /// Gives up the engine (a durable session of the same identity takes it).
    pub fn take_engine(&mut self, ctx: &mut IoCtx) -> Option<Box<Engine>> {
        let e = self.engine.take()?;
        ctx.poller.rm_fd(e.fd());
        Some(e)
    }

    /// A durable session takes a new connection of its peer; false (the
    /// connection is closed) when it still has a live one.
    pub fn adopt_engine(&mut self, ctx: &mut IoCtx, engine: Box<Engine>) -> bool {
        if self.engine.is_some() || self.terminating || self.finished {
            return false;
        }
        ctx.poller.add_fd(engine.fd(), self.id);
        self.engine = Some(engine);
        self.do_out(ctx);
        self.do_in(ctx);
        true
    }

    /// Ends a session that handed its connection over.
    pub fn discard(&mut self, ctx: &mut IoCtx) {
        self.closing = true;
        if let Some(e) = self.engine.take() {
            ctx.poller.rm_fd(e.fd());
        }
        self.check_finished(ctx);
    }

    fn engine_dead(&mut self, ctx: &mut IoCtx) {
        if let Some(e) = self.engine.take() {
            ctx.poller.rm_fd(e.fd());
        }
        // A half-received message is dropped.
        if let Some(w) = self.writer.as_mut() {
            w.rollback();
        }
        self.in_parts = 0;
        match self.role {
            Role::Connect { .. } => {
                if !self.finished {
                    self.schedule_reconnect(ctx);
                }
            }
            Role::Bind { durable, .. } => {
                if !durable || !self.attached {
                    self.closing = true;
                    if let Some(r) = self.reader.as_mut() {
                        r.terminate();
                    }
                    if let Some(w) = self.writer.as_mut() {
                        w.terminate();
                    }
                }
            }
        }
        self.check_finished(ctx);
    }

    // ---- termination ---------------------------------------------------

    /// Without a connection, a reader whose next item is the delimiter has
    /// nothing left to deliver: let it finish (2.2 ends sessions with an
    /// empty queue at once, whatever the linger).
    fn reap_delimiter(&mut self) {
        if self.engine.is_none() {
            if let Some(r) = self.reader.as_mut() {
                // Reads and handles the delimiter if it is next.
                r.check_read();
            }
        }
    }

    /// The owner (socket or listener) is closing.
    pub fn term(&mut self, ctx: &mut IoCtx, linger: i32) {
        self.terminating = true;
        if let Some(w) = self.writer.as_mut() {
            w.terminate();
        }
        self.reap_delimiter();
        if linger == 0 || self.reader.is_none() {
            self.force_close(ctx);
        } else if linger > 0 {
            ctx.poller.add_timer(linger as u64, self.id, LINGER_TIMER);
        }
        self.check_finished(ctx);
    }

    /// Drops whatever is still queued.
    fn force_close(&mut self, ctx: &mut IoCtx) {
        if let Some(r) = self.reader.as_mut() {
            r.terminate();
        }
        if let Some(w) = self.writer.as_mut() {
            w.terminate();
        }
        if let Some(e) = self.engine.take() {
            ctx.poller.rm_fd(e.fd());
        }
        if let Role::Connect { connecting, .. } = &mut self.role {
            if let Some(fd) = connecting.take() {
                ctx.poller.rm_fd(fd.0);
            }
        }
    }

    fn check_finished(&mut self, ctx: &mut IoCtx) {
        if self.finished || !(self.terminating || self.closing) {
            return;
        }
        if self.reader.is_some() || self.writer.is_some() {
            return;
        }
        if self.engine.as_ref().is_some_and(|e| !e.out_empty()) {
            return;
        }
        self.finished = true;
        if let Some(e) = self.engine.take() {
            ctx.poller.rm_fd(e.fd());
        }
        if let Role::Connect { connecting, .. } = &mut self.role {
            if let Some(fd) = connecting.take() {
                ctx.poller.rm_fd(fd.0);
            }
        }
        match self.role {
            Role::Connect { .. } => self.socket.send(Command::TermAck(self.id)),
            Role::Bind { listener, .. } => ctx.actions.push(Action::ChildGone { listener, child: self.id }),
        }
        ctx.actions.push(Action::Remove(self.id));
    }
}

impl EngineSink for Session {
    #[inline(always)]
    fn push_in(&mut self, msg: Msg) -> Result<(), Msg> {
        if !self.attached {
            // The handshake isn't finished: hold the part until it is.
            return Err(msg);
        }
        if self.violated {
            return Ok(());
        }
        let more = msg.more();
        if more && self.in_parts >= MAX_PARTS {
            self.violated = true;
            return Ok(());
        }
        if let Some(w) = self.writer.as_mut() {
            w.write(msg)?;
        }
        // (A type that receives nothing, like PUB, discards and reads on.)
        self.in_parts = if more { self.in_parts + 1 } else { 0 };
        Ok(())
    }

    fn flush_in(&mut self) {
        if let Some(w) = self.writer.as_mut() {
            w.flush();
        }
    }

    fn pull_out(&mut self) -> Option<Msg> {
        let r = self.reader.as_mut()?;
        match r.read() {
            Read::Msg(m) => Some(m),
            Read::Empty => None,
            Read::Delimited => {
                self.delimited = true;
                None
            }
        }
    }
}
