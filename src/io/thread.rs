//! `IoThread`: a thread with a mailbox and a mio poller.  It will carry the
//! network objects (listeners, connecters, sessions, engines); for now it
//! only answers Stop.  All signals are blocked in it.

use crate::command::Command;
use crate::err::Result;
use crate::mailbox::{Mailbox, MailboxSender};
use std::thread::JoinHandle;

pub struct IoThread {
    mailbox: MailboxSender,
}

impl IoThread {
    pub fn start(index: usize) -> Result<(IoThread, JoinHandle<()>)> {
        let mut mailbox = Mailbox::new()?;
        let sender = mailbox.sender();
        let handle = std::thread::Builder::new()
            .name(format!("zmq-io-{index}"))
            .spawn(move || {
                block_signals();
                loop {
                    match mailbox.recv(-1) {
                        Ok(Command::Stop) => break,
                        Ok(_) | Err(_) => {}
                    }
                }
            })
            .map_err(|_| libc::EAGAIN)?;
        Ok((IoThread { mailbox: sender }, handle))
    }

    pub fn stop(&self) {
        self.mailbox.send(Command::Stop);
    }

    pub fn sender(&self) -> &MailboxSender {
        &self.mailbox
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
