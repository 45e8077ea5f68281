//! `IoThread`: a thread with a mailbox and a `Poller`, carrying network
//! objects: listeners and sessions (each session owns its engine).  Objects
//! are addressed by `ObjId`; pipe commands are routed to the session that
//! owns the pipe end.  Work that touches several objects (a bind-side
//! handshake that joins a durable session, an object finishing) is queued
//! as an `Action` and done by the loop.  All signals are blocked here.

pub use super::poller::ObjId;
use super::poller::Poller;
use crate::command::Command;
use crate::err::Result;
use crate::mailbox::{Mailbox, MailboxSender};
use crate::pipe::PipeId;
use crate::session::Session;
use crate::transport::listener::{Listener, Named};
use mio::Events;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

static NEXT_OBJ: AtomicU64 = AtomicU64::new(1);

/// A fresh object id (never 0: that token is the mailbox).
pub fn next_obj_id() -> ObjId {
    NEXT_OBJ.fetch_add(1, Ordering::Relaxed)
}

/// What lives in an io thread.
pub enum IoObject {
    Listener(Listener),
    Session(Session),
}

/// Work for the loop, queued by objects.
pub enum Action {
    /// The object is finished; drop it.
    Remove(ObjId),
    /// Start a new object (an accepted connection).
    Add(Box<IoObject>),
    /// A bind-side session learned its peer's identity.
    Handshake { session: ObjId, listener: ObjId, identity: Vec<u8> },
    /// A session of a listener is gone (terminated or disconnected).
    ChildGone { listener: ObjId, child: ObjId },
    /// Terminate one of a listener's sessions.
    TermChild { id: ObjId, linger: i32 },
    /// The object stopped on its turn's budget with work left: give it
    /// another turn after the others.
    Continue(ObjId),
}

/// What objects may use while handling an event.
pub struct IoCtx<'a> {
    pub poller: &'a mut Poller,
    /// This thread's mailbox (pipe peers send commands here).
    pub mailbox: &'a MailboxSender,
    pub pipe_owner: &'a mut HashMap<PipeId, ObjId>,
    pub actions: &'a mut Vec<Action>,
    /// Number of objects here (for least-loaded placement).
    pub load: &'a AtomicUsize,
}

/// The handle the rest of the library keeps.
pub struct IoThread {
    mailbox: MailboxSender,
    load: Arc<AtomicUsize>,
}

impl IoThread {
    pub fn start(index: usize) -> Result<(IoThread, JoinHandle<()>)> {
        let mailbox = Mailbox::new()?;
        let sender = mailbox.sender();
        let load = Arc::new(AtomicUsize::new(0));
        let poller = Poller::new().map_err(|e| e.raw_os_error().unwrap_or(libc::ENOMEM))?;
        let thread_load = load.clone();
        let handle = std::thread::Builder::new()
            .name(format!("zmq-io-{index}"))
            .spawn(move || {
                block_signals();
                Looper {
                    mailbox,
                    poller,
                    objects: HashMap::new(),
                    pipe_owner: HashMap::new(),
                    actions: Vec::new(),
                    ready: VecDeque::new(),
                    load: thread_load,
                }
                .run();
            })
            .map_err(|_| libc::EAGAIN)?;
        Ok((IoThread { mailbox: sender, load }, handle))
    }

    pub fn stop(&self) {
        self.mailbox.send(Command::Stop);
    }

    pub fn sender(&self) -> &MailboxSender {
        &self.mailbox
    }

    pub fn load(&self) -> usize {
        self.load.load(Ordering::Relaxed)
    }
}

struct Looper {
    mailbox: Mailbox,
    poller: Poller,
    /// Boxed: the table stays compact with thousands of idle sessions.
    objects: HashMap<ObjId, Box<IoObject>>,
    pipe_owner: HashMap<PipeId, ObjId>,
    actions: Vec<Action>,
    /// Objects with work left after their last turn, served in order
    /// between polls (edge-triggered: no new event comes for data already
    /// in the kernel).
    ready: VecDeque<ObjId>,
    load: Arc<AtomicUsize>,
}

macro_rules! with_ctx {
    ($self:ident, $sender:ident, |$ctx:ident| $body:expr) => {{
        let mut $ctx = IoCtx {
            poller: &mut $self.poller,
            mailbox: &$sender,
            pipe_owner: &mut $self.pipe_owner,
            actions: &mut $self.actions,
            load: &$self.load,
        };
        $body
    }};
}

impl Looper {
    fn run(mut self) {
        self.poller.add_fd_in(self.mailbox.fd(), 0);
        let sender = self.mailbox.sender();
        let mut events = Events::with_capacity(256);
        loop {
            if self.drain_mailbox(&sender) {
                return;
            }
            self.do_actions(&sender);
            // With objects waiting for a turn, only look for new events.
            if let Err(e) = self.poller.wait(&mut events, !self.ready.is_empty()) {
                eprintln!("zmq: io thread poll failed: {e}");
                std::process::abort();
            }
            for ev in events.iter() {
                let id = ev.token().0 as ObjId;
                if id == 0 {
                    continue;
                }
                let closed = ev.is_read_closed() || ev.is_error();
                let (r, w) = (ev.is_readable(), ev.is_writable() || ev.is_write_closed());
                if let Some(obj) = self.objects.get_mut(&id) {
                    with_ctx!(self, sender, |ctx| match &mut **obj {
                        IoObject::Listener(l) => l.in_event(&mut ctx),
                        IoObject::Session(s) => s.io_event(&mut ctx, r, w, closed),
                    });
                }
                self.do_actions(&sender);
            }
            while let Some((id, timer)) = self.poller.expired() {
                if let Some(obj) = self.objects.get_mut(&id) {
                    with_ctx!(self, sender, |ctx| match &mut **obj {
                        IoObject::Listener(l) => l.timer_event(&mut ctx, timer),
                        IoObject::Session(s) => s.timer_event(&mut ctx, timer),
                    });
                }
                self.do_actions(&sender);
            }
            // One more turn for each object that had work left (those that
            // still have some queue themselves again, behind the others).
            for _ in 0..self.ready.len() {
                let Some(id) = self.ready.pop_front() else { break };
                if let Some(obj) = self.objects.get_mut(&id) {
                    with_ctx!(self, sender, |ctx| match &mut **obj {
                        IoObject::Listener(l) => l.continue_io(&mut ctx),
                        IoObject::Session(s) => s.continue_io(&mut ctx),
                    });
                }
                self.do_actions(&sender);
            }
        }
    }

    /// Processes commands; true on Stop.
    fn drain_mailbox(&mut self, sender: &MailboxSender) -> bool {
        while let Ok(cmd) = self.mailbox.recv(0) {
            match cmd {
                Command::Stop => return true,
                Command::Own(obj) => self.add(sender, obj),
                Command::Term { id, linger } => {
                    if let Some(obj) = self.objects.get_mut(&id) {
                        with_ctx!(self, sender, |ctx| match &mut **obj {
                            IoObject::Listener(l) => l.term(&mut ctx, linger),
                            IoObject::Session(s) => s.term(&mut ctx, linger),
                        });
                    }
                }
                Command::ActivateReader(p) | Command::PipeTermAck(p) | Command::PipeTerm(p) | Command::ActivateWriter(p, _) => {
                    let Some(&id) = self.pipe_owner.get(&p) else { continue };
                    if let Some(IoObject::Session(s)) = self.objects.get_mut(&id).map(|o| &mut **o) {
                        with_ctx!(self, sender, |ctx| s.pipe_command(&mut ctx, cmd));
                    }
                }
                _ => {}
            }
            self.do_actions(sender);
        }
        false
    }

    fn add(&mut self, sender: &MailboxSender, mut obj: Box<IoObject>) {
        self.load.fetch_add(1, Ordering::Relaxed);
        let id = match &*obj {
            IoObject::Listener(l) => l.id(),
            IoObject::Session(s) => s.id(),
        };
        with_ctx!(self, sender, |ctx| match &mut *obj {
            IoObject::Listener(l) => l.plug(&mut ctx),
            IoObject::Session(s) => s.plug(&mut ctx),
        });
        self.objects.insert(id, obj);
    }

    fn do_actions(&mut self, sender: &MailboxSender) {
        while let Some(action) = self.actions.pop() {
            match action {
                Action::Remove(id) => {
                    if self.objects.remove(&id).is_some() {
                        self.load.fetch_sub(1, Ordering::Relaxed);
                    }
                }
                Action::Add(obj) => self.add(sender, obj),
                Action::ChildGone { listener, child } => {
                    if let Some(IoObject::Listener(l)) = self.objects.get_mut(&listener).map(|o| &mut **o) {
                        with_ctx!(self, sender, |ctx| l.child_gone(&mut ctx, child));
                    }
                }
                Action::Continue(id) => self.ready.push_back(id),
                Action::Handshake { session, listener, identity } => self.handshake(sender, session, listener, identity),
                Action::TermChild { id, linger } => {
                    if let Some(IoObject::Session(s)) = self.objects.get_mut(&id).map(|o| &mut **o) {
                        with_ctx!(self, sender, |ctx| s.term(&mut ctx, linger));
                    }
                }
            }
        }
    }

    /// A bind-side connection presented a durable identity: join the named
    /// session of that identity, refuse a duplicate, or become it.
    fn handshake(&mut self, sender: &MailboxSender, session: ObjId, listener: ObjId, identity: Vec<u8>) {
        let decision = match self.objects.get_mut(&listener).map(|o| &mut **o) {
            Some(IoObject::Listener(l)) => l.named_session(&identity, session),
            _ => Named::Transient,
        };
        match decision {
            Named::Durable | Named::Transient => {
                let durable = matches!(decision, Named::Durable);
                if let Some(IoObject::Session(s)) = self.objects.get_mut(&session).map(|o| &mut **o) {
                    with_ctx!(self, sender, |ctx| {
                        s.attach_pipes_as(&mut ctx, identity, durable);
                        s.resume(&mut ctx)
                    });
                }
            }
            Named::Join(named) => {
                let engine = match self.objects.get_mut(&session).map(|o| &mut **o) {
                    Some(IoObject::Session(s)) => with_ctx!(self, sender, |ctx| s.take_engine(&mut ctx)),
                    _ => None,
                };
                let accepted = match (engine, self.objects.get_mut(&named).map(|o| &mut **o)) {
                    (Some(engine), Some(IoObject::Session(n))) => with_ctx!(self, sender, |ctx| n.adopt_engine(&mut ctx, engine)),
                    _ => false,
                };
                if !accepted {
                    if let Some(IoObject::Listener(l)) = self.objects.get(&listener).map(|o| &**o) {
                        l.ctx.log("DPID: duplicate peer identity - disconnecting peer");
                    }
                }
                // The temporary session is done either way.
                if let Some(IoObject::Session(s)) = self.objects.get_mut(&session).map(|o| &mut **o) {
                    with_ctx!(self, sender, |ctx| s.discard(&mut ctx));
                }
            }
        }
    }
}

/// Blocks every signal in the calling (internal) thread, so signals go to
/// application threads and a SIGPIPE can never hit an internal thread.
pub fn block_signals() {
    // SAFETY: sigfillset initialises the set; pthread_sigmask only affects
    // the calling thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}
