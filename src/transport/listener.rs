//! `Listener`: a bound tcp or ipc endpoint in an io thread.  It accepts
//! connections and gives each a bind-side session; it keeps the durable
//! sessions by peer identity, so a peer that reconnects finds its queue
//! again.  It belongs to the socket; on Term it stops accepting, ends its
//! sessions with the socket's linger and then acknowledges.

use super::address::Address;
use super::net::{self, Fd};
use crate::command::Command;
use crate::ctx::Ctx;
use crate::io::thread::{next_obj_id, Action, IoCtx, IoObject, ObjId};
use crate::mailbox::MailboxSender;
use crate::options::Options;
use crate::session::Session;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Durable sessions per listener; peers beyond this get transient ones.
pub const MAX_DURABLE: usize = 10_000;
/// Wait before accepting again when the process is out of descriptors.
const ACCEPT_BACKOFF_MS: u64 = 100;
const ACCEPT_TIMER: u64 = 1;
/// Connections accepted in one turn; with more waiting, the listener takes
/// another turn after the thread's other objects.
const ACCEPT_TURN: usize = 64;

/// What a connection with a durable identity does.
pub enum Named {
    /// Join this existing session.
    Join(ObjId),
    /// Become the durable session of this identity.
    Durable,
    /// Proceed as a transient session.
    Transient,
}

pub struct Listener {
    id: ObjId,
    fd: Option<Fd>,
    addr: Address,
    socket: MailboxSender,
    pub ctx: Arc<Ctx>,
    /// Shared with every session this listener makes.
    options: Arc<Options>,
    /// Live sessions made by this listener.
    sessions: HashSet<ObjId>,
    /// Durable sessions by peer identity.
    named: HashMap<Vec<u8>, ObjId>,
    terminating: bool,
    paused: bool,
    /// On the io thread's ready list.
    queued: bool,
}

impl Listener {
    /// Binds now, so the caller gets EADDRINUSE and friends synchronously.
    pub fn bind(addr: Address, socket: MailboxSender, ctx: Arc<Ctx>, options: Options) -> crate::err::Result<Listener> {
        let fd = net::listen(&addr, options.backlog)?;
        Ok(Listener {
            id: next_obj_id(),
            fd: Some(fd),
            addr,
            socket,
            ctx,
            options: Arc::new(options),
            sessions: HashSet::new(),
            named: HashMap::new(),
            terminating: false,
            paused: false,
            queued: false,
        })
    }

    pub fn id(&self) -> ObjId {
        self.id
    }

    pub fn plug(&mut self, ctx: &mut IoCtx) {
        if let Some(fd) = &self.fd {
            ctx.poller.add_fd_in(fd.0, self.id);
        }
        self.in_event(ctx);
    }

    pub fn in_event(&mut self, ctx: &mut IoCtx) {
        if self.paused || self.terminating {
            return;
        }
        let Some(lfd) = self.fd.as_ref().map(|f| f.0) else { return };
        for _ in 0..ACCEPT_TURN {
            match net::accept(lfd) {
                Ok(Some(fd)) => {
                    net::tune(fd.0, matches!(self.addr, Address::Tcp(_)), self.options.sndbuf, self.options.rcvbuf);
                    let s = Session::new_bind(fd, self.id, self.socket.clone(), self.options.clone());
                    self.sessions.insert(s.id());
                    ctx.actions.push(Action::Add(Box::new(IoObject::Session(s))));
                }
                Ok(None) => return,
                Err(libc::EMFILE) | Err(libc::ENFILE) | Err(libc::ENOBUFS) | Err(libc::ENOMEM) => {
                    // Out of resources: try again a little later.
                    self.paused = true;
                    ctx.poller.add_timer(ACCEPT_BACKOFF_MS, self.id, ACCEPT_TIMER);
                    return;
                }
                Err(_) => return,
            }
        }
        // Connections may still be waiting: another turn after the others.
        if !self.queued {
            self.queued = true;
            ctx.actions.push(Action::Continue(self.id));
        }
    }

    /// A turn on the io thread's ready list.
    pub fn continue_io(&mut self, ctx: &mut IoCtx) {
        self.queued = false;
        self.in_event(ctx);
    }

    pub fn timer_event(&mut self, ctx: &mut IoCtx, _timer: u64) {
        self.paused = false;
        self.in_event(ctx);
    }

    /// Decides what a connection presenting `identity` does.
    pub fn named_session(&mut self, identity: &[u8], asking: ObjId) -> Named {
        if self.terminating {
            return Named::Transient;
        }
        match self.named.get(identity) {
            Some(&s) if s != asking => Named::Join(s),
            Some(_) => Named::Durable,
            None if self.named.len() >= MAX_DURABLE => Named::Transient,
            None => {
                self.named.insert(identity.to_vec(), asking);
                Named::Durable
            }
        }
    }

    pub fn child_gone(&mut self, ctx: &mut IoCtx, child: ObjId) {
        self.sessions.remove(&child);
        self.named.retain(|_, s| *s != child);
        self.check_finished(ctx);
    }

    pub fn term(&mut self, ctx: &mut IoCtx, linger: i32) {
        self.terminating = true;
        if let Some(fd) = self.fd.take() {
            ctx.poller.rm_fd(fd.0);
            drop(fd);
            if let Address::Ipc(path) = &self.addr {
                if let Ok(c) = std::ffi::CString::new(path.as_str()) {
                    // SAFETY: valid C string.
                    unsafe { libc::unlink(c.as_ptr()) };
                }
            }
        }
        for &s in &self.sessions {
            ctx.actions.push(Action::TermChild { id: s, linger });
        }
        self.check_finished(ctx);
    }

    fn check_finished(&mut self, ctx: &mut IoCtx) {
        if self.terminating && self.sessions.is_empty() {
            self.socket.send(Command::TermAck(self.id));
            ctx.actions.push(Action::Remove(self.id));
            self.sessions.insert(0); // never finish twice
        }
    }
}
