//! `Mailbox`: the command queue of one object that has its own thread of
//! control (a socket, an io thread, the reaper, `zmq_term`).
//!
//! Any thread may send (the writer half of a ypipe under a mutex); one
//! thread at a time receives, lock-free.  A sender signals the eventfd only
//! when the receiver had gone to sleep; each such wake-up is ended by
//! consuming exactly one signal when the receiver finds the queue empty
//! again.  (A signal may arrive after the next one, so they are counted.)

use crate::command::Command;
use crate::err::{Result, EAGAIN};
use crate::signaler::Signaler;
use crate::ypipe::{ypipe, YReader, YWriter};
use parking_lot::Mutex;
use std::os::fd::RawFd;
use std::sync::Arc;

const CHUNK: usize = 16;

struct Shared {
    writer: Mutex<YWriter<Command, CHUNK>>,
    signaler: Signaler,
}

/// Where commands for one object go; cheap to clone.
#[derive(Clone)]
pub struct MailboxSender {
    s: Arc<Shared>,
}

impl MailboxSender {
    pub fn send(&self, cmd: Command) {
        let ok = {
            let mut w = self.s.writer.lock();
            w.write(cmd, false);
            w.flush()
        };
        if !ok {
            self.s.signaler.send();
        }
    }

    /// Whether two senders reach the same mailbox.
    pub fn same(&self, other: &MailboxSender) -> bool {
        Arc::ptr_eq(&self.s, &other.s)
    }
}

/// The receiving end, owned by the object's current thread.
pub struct Mailbox {
    s: Arc<Shared>,
    reader: YReader<Command, CHUNK>,
    /// Whether the signal of the current wake-up is still unconsumed.
    active: bool,
}

impl Mailbox {
    pub fn new() -> Result<Mailbox> {
        let signaler = Signaler::new()?;
        let (writer, reader) = ypipe();
        Ok(Mailbox { s: Arc::new(Shared { writer: Mutex::new(writer), signaler }), reader, active: false })
    }

    pub fn sender(&self) -> MailboxSender {
        MailboxSender { s: self.s.clone() }
    }

    /// The fd that is readable while commands are pending.
    pub fn fd(&self) -> RawFd {
        self.s.signaler.fd()
    }

    /// True when no command can be pending: asleep, and no sender has
    /// published since (one plain atomic load; for the per-call checks of
    /// send and recv).
    #[inline]
    pub fn idle(&self) -> bool {
        !self.active && !self.reader.maybe_readable()
    }

    /// Next command: timeout in ms, 0 = don't wait, -1 = forever.
    /// EAGAIN when none came in time, EINTR on a signal.
    pub fn recv(&mut self, timeout_ms: i32) -> Result<Command> {
        loop {
            if self.active {
                if let Some(cmd) = self.reader.read() {
                    return Ok(cmd);
                }
                // Empty: the reader is now asleep; consume this wake-up's signal.
                self.active = false;
                self.s.signaler.recv();
            }
            // Asleep.  Cheap check first: a sender that found us asleep has
            // published its command before signalling.
            if timeout_ms == 0 && !self.reader.maybe_readable() {
                return Err(EAGAIN);
            }
            if self.reader.check_read() {
                self.active = true;
                continue;
            }
            if timeout_ms == 0 {
                return Err(EAGAIN);
            }
            self.s.signaler.wait(timeout_ms)?;
            self.active = true;
            // A wake-up without a command (none expected, but harmless):
            // loop; `read` failing consumes the signal and we wait again.
            if let Some(cmd) = self.reader.read() {
                return Ok(cmd);
            }
            self.active = false;
            self.s.signaler.recv();
            if timeout_ms > 0 {
                return Err(EAGAIN);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many senders, one receiver alternating between not waiting and
    /// waiting: every command arrives and the receiver never sleeps through
    /// a pending one (a late signal must not be lost or double-counted).
    #[test]
    fn concurrent_senders_never_lose_a_wakeup() {
        let mut mb = Mailbox::new().unwrap();
        let per = 20_000;
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let s = mb.sender();
                std::thread::spawn(move || {
                    for i in 0..per {
                        s.send(Command::ActivateReader(i));
                        if i % 64 == 0 {
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        let mut got = 0;
        while got < 4 * per {
            let timeout = if got % 3 == 0 { 0 } else { 5000 };
            match mb.recv(timeout) {
                Ok(_) => got += 1,
                Err(EAGAIN) if timeout == 0 => {}
                Err(e) => panic!("recv failed with {e} after {got} commands"),
            }
        }
        for t in threads {
            t.join().unwrap();
        }
        assert!(mb.recv(0).is_err());
    }
}
