//! `Poller`: an io thread's mio poll (edge-triggered) plus its timers.
//! Objects are registered under their object id as the token; timers are
//! (deadline, object, timer id) and stale ones are ignored by the objects.

use crate::clock::now_ms;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::os::fd::RawFd;
use std::time::Duration;

/// Identifies an object living in an io thread (unique in the process).
pub type ObjId = u64;

pub struct Poller {
    poll: Poll,
    timers: BinaryHeap<Reverse<(u64, ObjId, u64)>>,
}

impl Poller {
    pub fn new() -> std::io::Result<Poller> {
        Ok(Poller { poll: Poll::new()?, timers: BinaryHeap::new() })
    }

    /// Watches `fd` for reading and writing (edge-triggered).
    pub fn add_fd(&self, fd: RawFd, owner: ObjId) {
        let interest = Interest::READABLE | Interest::WRITABLE;
        let r = self.poll.registry().register(&mut SourceFd(&fd), Token(owner as usize), interest);
        if r.is_err() {
            let _ = self.poll.registry().reregister(&mut SourceFd(&fd), Token(owner as usize), interest);
        }
    }

    /// Watches `fd` for reading only (mailboxes, listeners).
    pub fn add_fd_in(&self, fd: RawFd, owner: ObjId) {
        let _ = self.poll.registry().register(&mut SourceFd(&fd), Token(owner as usize), Interest::READABLE);
    }

    pub fn rm_fd(&self, fd: RawFd) {
        let _ = self.poll.registry().deregister(&mut SourceFd(&fd));
    }

    /// Calls `owner`'s timer `id` after `delay_ms`.
    pub fn add_timer(&mut self, delay_ms: u64, owner: ObjId, id: u64) {
        self.timers.push(Reverse((now_ms() + delay_ms, owner, id)));
    }

    /// Waits for events until the next timer is due; only looks for
    /// ready ones (no wait) when `nowait`.
    pub fn wait(&mut self, events: &mut Events, nowait: bool) -> std::io::Result<()> {
        let timeout = if nowait {
            Some(Duration::ZERO)
        } else {
            self.timers.peek().map(|Reverse((t, _, _))| Duration::from_millis(t.saturating_sub(now_ms())))
        };
        match self.poll.poll(events, timeout) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(()),
            r => r,
        }
    }

    /// The next expired timer, if any.
    pub fn expired(&mut self) -> Option<(ObjId, u64)> {
        match self.timers.peek() {
            Some(Reverse((t, _, _))) if *t <= now_ms() => self.timers.pop().map(|Reverse((_, o, i))| (o, i)),
            _ => None,
        }
    }
}
