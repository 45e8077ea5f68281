//! The reaper thread: takes over closed sockets and processes their
//! commands (pipe termination handshakes) until everything they own is
//! gone, then tells the context.  When `zmq_term` has been called and the
//! last socket is gone, it sends Done to `zmq_term`.

use super::thread::block_signals;
use crate::command::Command;
use crate::ctx::Ctx;
use crate::err::Result;
use crate::mailbox::Mailbox;
use crate::socket::base::SocketBase;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use std::collections::HashMap;
use std::sync::Arc;
use std::thread::JoinHandle;

const MAILBOX: Token = Token(0);

pub fn start(ctx: Arc<Ctx>, mailbox: Mailbox) -> Result<JoinHandle<()>> {
    let poll = Poll::new().map_err(|e| e.raw_os_error().unwrap_or(libc::ENOMEM))?;
    std::thread::Builder::new()
        .name("zmq-reaper".into())
        .spawn(move || {
            block_signals();
            Reaper { ctx, mailbox, poll, sockets: HashMap::new(), stopping: false }.run();
        })
        .map_err(|_| libc::EAGAIN)
}

struct Reaper {
    ctx: Arc<Ctx>,
    mailbox: Mailbox,
    poll: Poll,
    /// Sockets being closed, by their id (= poll token).
    sockets: HashMap<usize, Box<SocketBase>>,
    stopping: bool,
}

impl Reaper {
    fn run(mut self) {
        let fd = self.mailbox.fd();
        if self.poll.registry().register(&mut SourceFd(&fd), MAILBOX, Interest::READABLE).is_err() {
            eprintln!("zmq: reaper cannot poll its mailbox");
            std::process::abort();
        }
        let mut events = Events::with_capacity(64);
        loop {
            self.drain_mailbox();
            if self.stopping && self.sockets.is_empty() {
                self.ctx.send_done();
                return;
            }
            if let Err(e) = self.poll.poll(&mut events, None) {
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                eprintln!("zmq: reaper poll failed: {e}");
                std::process::abort();
            }
            for ev in events.iter() {
                if ev.token() != MAILBOX {
                    self.service(ev.token().0);
                }
            }
        }
    }

    fn drain_mailbox(&mut self) {
        while let Ok(cmd) = self.mailbox.recv(0) {
            match cmd {
                Command::Reap(sock) => self.adopt(sock),
                Command::Stop => self.stopping = true,
                _ => {}
            }
        }
    }

    fn adopt(&mut self, mut sock: Box<SocketBase>) {
        let key = sock.id as usize;
        let fd = sock.fd();
        if self.poll.registry().register(&mut SourceFd(&fd), Token(key), Interest::READABLE).is_err() {
            eprintln!("zmq: reaper cannot poll a socket's mailbox");
            std::process::abort();
        }
        sock.start_closing();
        self.sockets.insert(key, sock);
        self.service(key);
    }

    fn service(&mut self, key: usize) {
        let Some(sock) = self.sockets.get_mut(&key) else { return };
        let _ = sock.process_commands(0);
        if sock.is_closed() {
            let sock = self.sockets.remove(&key).unwrap_or_else(|| std::process::abort());
            let fd = sock.fd();
            let _ = self.poll.registry().deregister(&mut SourceFd(&fd));
            let user = sock.user;
            let id = sock.id;
            drop(sock);
            self.ctx.destroy_socket(id, user);
        }
    }
}
