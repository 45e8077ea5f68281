//! `Ctx`: one `zmq_init` context — its io threads, its reaper thread, the
//! table of live sockets (their mailboxes), the inproc endpoint registry,
//! and the termination protocol of `zmq_term`.

use crate::command::Command;
use crate::err::*;
use crate::io::{reaper, thread::IoThread};
use crate::mailbox::{Mailbox, MailboxSender};
use crate::msg::Msg;
use crate::options::Options;
use crate::socket::base::SocketBase;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// User sockets per context (2.2's limit).
pub const MAX_SOCKETS: usize = 512;

/// The name of the context's log publisher.
pub const LOG_ENDPOINT: &str = "sys://log";

/// A bound inproc name: where to send the pipes, and the binder's options
/// as they were at bind time.
#[derive(Clone)]
pub struct Endpoint {
    pub sender: MailboxSender,
    pub options: Options,
}

struct State {
    /// Live sockets (open or being reaped) by id.
    sockets: HashMap<u64, MailboxSender>,
    /// User sockets counted against MAX_SOCKETS.
    user_sockets: usize,
    endpoints: HashMap<String, Endpoint>,
}

pub struct Ctx {
    terminating: AtomicBool,
    state: Mutex<State>,
    /// `zmq_term` waits here for Done from the reaper.
    term_mailbox: Mutex<Mailbox>,
    term_sender: MailboxSender,
    reaper: MailboxSender,
    io_threads: Vec<IoThread>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// The internal publisher behind sys://log.
    log_socket: Mutex<Option<Box<SocketBase>>>,
    next_socket_id: AtomicU64,
}

impl Ctx {
    /// Starts `io_threads` io threads and the reaper.
    pub fn new(io_threads: usize) -> Result<Arc<Ctx>> {
        let term_mailbox = Mailbox::new()?;
        let term_sender = term_mailbox.sender();
        let reaper_mailbox = Mailbox::new()?;
        let mut threads = Vec::new();
        let mut ios = Vec::new();
        for i in 0..io_threads {
            let (io, handle) = IoThread::start(i)?;
            ios.push(io);
            threads.push(handle);
        }
        let ctx = Arc::new(Ctx {
            terminating: AtomicBool::new(false),
            state: Mutex::new(State { sockets: HashMap::new(), user_sockets: 0, endpoints: HashMap::new() }),
            term_mailbox: Mutex::new(term_mailbox),
            term_sender,
            reaper: reaper_mailbox.sender(),
            io_threads: ios,
            threads: Mutex::new(threads),
            log_socket: Mutex::new(None),
            next_socket_id: AtomicU64::new(1),
        });
        let handle = reaper::start(ctx.clone(), reaper_mailbox)?;
        ctx.threads.lock().push(handle);
        // The log publisher (not counted against the user's sockets).
        let mut log = ctx.new_socket(crate::socket::ZMQ_PUB, false)?;
        log.bind(LOG_ENDPOINT)?;
        *ctx.log_socket.lock() = Some(log);
        Ok(ctx)
    }

    pub fn is_terminating(&self) -> bool {
        self.terminating.load(Ordering::Acquire)
    }

    /// `zmq_socket`: ETERM after `zmq_term`, EMFILE past 512 sockets.
    pub fn create_socket(self: &Arc<Self>, socket_type: i32) -> Result<Box<SocketBase>> {
        self.new_socket(socket_type, true)
    }

    fn new_socket(self: &Arc<Self>, socket_type: i32, user: bool) -> Result<Box<SocketBase>> {
        let mut st = self.state.lock();
        if self.is_terminating() {
            return Err(ETERM);
        }
        if user && st.user_sockets >= MAX_SOCKETS {
            return Err(EMFILE);
        }
        if crate::socket::directions(socket_type).is_none() {
            return Err(EINVAL);
        }
        let mailbox = Mailbox::new()?;
        let id = self.next_socket_id.fetch_add(1, Ordering::Relaxed);
        let sock = SocketBase::new(self.clone(), id, user, mailbox, socket_type)?;
        st.sockets.insert(id, sock.sender().clone());
        if user {
            st.user_sockets += 1;
        }
        Ok(sock)
    }

    /// `zmq_close`: the socket's names go now, the rest in the reaper.
    pub fn close_socket(&self, mut sock: Box<SocketBase>) {
        sock.unregister_endpoints();
        self.reaper.send(Command::Reap(sock));
    }

    /// Called by the reaper when a socket is completely gone.
    pub fn destroy_socket(&self, id: u64, user: bool) {
        let mut st = self.state.lock();
        st.sockets.remove(&id);
        if user {
            st.user_sockets -= 1;
        }
        if self.is_terminating() && st.sockets.is_empty() {
            self.reaper.send(Command::Stop);
        }
    }

    /// `zmq_term`: first call stops every socket; every call then waits for
    /// the reaper's Done.  EINTR leaves it restartable.
    pub fn terminate(&self) -> Result<()> {
        if !self.terminating.swap(true, Ordering::AcqRel) {
            if let Some(log) = self.log_socket.lock().take() {
                self.close_socket(log);
            }
            let st = self.state.lock();
            for s in st.sockets.values() {
                s.send(Command::Stop);
            }
            if st.sockets.is_empty() {
                self.reaper.send(Command::Stop);
            }
        }
        let mut mb = self.term_mailbox.lock();
        loop {
            match mb.recv(-1) {
                Ok(Command::Done) => break,
                Ok(_) => {}
                Err(EINTR) => return Err(EINTR),
                Err(_) => {}
            }
        }
        drop(mb);
        for io in &self.io_threads {
            io.stop();
        }
        let threads: Vec<_> = self.threads.lock().drain(..).collect();
        for t in threads {
            let _ = t.join();
        }
        Ok(())
    }

    /// The reaper's way to tell `zmq_term` it is done.
    pub fn send_done(&self) {
        self.term_sender.send(Command::Done);
    }

    // ---- inproc endpoints ----------------------------------------------

    pub fn register_endpoint(&self, name: &str, ep: Endpoint) -> Result<()> {
        let mut st = self.state.lock();
        if st.endpoints.contains_key(name) {
            return Err(EADDRINUSE);
        }
        st.endpoints.insert(name.to_string(), ep);
        Ok(())
    }

    pub fn unregister_endpoint(&self, name: &str, owner: &MailboxSender) {
        let mut st = self.state.lock();
        if st.endpoints.get(name).is_some_and(|e| e.sender.same(owner)) {
            st.endpoints.remove(name);
        }
    }

    pub fn find_endpoint(&self, name: &str) -> Option<Endpoint> {
        self.state.lock().endpoints.get(name).cloned()
    }

    /// The least loaded io thread allowed by `affinity` (bit i = thread
    /// i + 1 ... as 2.2: bit 0 is the first io thread; 0 = any).  EMTHREAD
    /// without io threads; EINVAL when the mask names none of them (2.2
    /// aborts).
    pub fn choose_io_thread(&self, affinity: u64) -> Result<MailboxSender> {
        if self.io_threads.is_empty() {
            return Err(EMTHREAD);
        }
        self.io_threads
            .iter()
            .enumerate()
            .filter(|(i, _)| affinity == 0 || (*i < 64 && affinity & (1u64 << i) != 0))
            .min_by_key(|(_, t)| t.load())
            .map(|(_, t)| t.sender().clone())
            .ok_or(EINVAL)
    }

    /// Publishes a line on sys://log (NUL-terminated, as 2.2 does).
    pub fn log(&self, text: &str) {
        let mut guard = self.log_socket.lock();
        if let Some(log) = guard.as_mut() {
            let mut bytes = text.as_bytes().to_vec();
            bytes.push(0);
            if let Ok(mut m) = Msg::from_slice(&bytes) {
                let _ = log.send(&mut m, crate::socket::ZMQ_NOBLOCK);
            }
        }
    }
}
