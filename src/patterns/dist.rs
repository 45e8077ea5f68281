//! `Dist`: fan-out of every message to all writers (PUB, XPUB).  A full
//! pipe misses the message and leaves the active set until its reader
//! catches up; pipes that attach mid-message join at the next message.

use super::array::PipeArray;
use crate::msg::Msg;
use crate::pipe::{PipeId, Writer};

#[derive(Default)]
pub struct Dist {
    pipes: PipeArray<Writer>,
    /// `[0, active)` get the current message.
    active: usize,
    /// `[0, eligible)` get the next message.
    eligible: usize,
    /// In the middle of a multipart message.
    more: bool,
}

impl Dist {
    pub fn attach(&mut self, w: Writer) {
        self.pipes.push(w);
        let last = self.pipes.len() - 1;
        self.pipes.swap(self.eligible, last);
        self.eligible += 1;
        if !self.more {
            self.pipes.swap(self.active, self.eligible - 1);
            self.active += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.pipes.len()
    }

    pub fn activated(&mut self, id: PipeId, msgs_read: u64) -> bool {
        let Some(i) = self.pipes.index_of(id) else { return false };
        if self.pipes.get_mut(i).activate(msgs_read) {
            self.pipes.swap(i, self.eligible);
            self.eligible += 1;
            if !self.more {
                self.pipes.swap(self.eligible - 1, self.active);
                self.active += 1;
            }
        }
        true
    }

    pub fn terminated(&mut self, id: PipeId) -> bool {
        let Some(mut i) = self.pipes.index_of(id) else { return false };
        if i < self.active {
            self.active -= 1;
            self.pipes.swap(i, self.active);
            i = self.active;
        }
        if i < self.eligible {
            self.eligible -= 1;
            self.pipes.swap(i, self.eligible);
            i = self.eligible;
        }
        self.pipes.swap_remove(i).ack_term();
        true
    }

    pub fn terminate_all(&mut self) {
        for w in self.pipes.iter_mut() {
            w.terminate();
        }
        self.active = 0;
        self.eligible = 0;
    }

    /// Removes pipe `i` (< active) from the active and eligible sets.
    fn deactivate(&mut self, i: usize) {
        self.active -= 1;
        self.pipes.swap(i, self.active);
        self.eligible -= 1;
        self.pipes.swap(self.active, self.eligible);
    }

    /// Sends to every active pipe; never fails, never blocks.
    pub fn send(&mut self, msg: &mut Msg) {
        let more = msg.more();
        let m = msg.take();
        // Keep only the pipes that can take the message.
        let mut i = 0;
        while i < self.active {
            if self.pipes.get_mut(i).check_write() {
                i += 1;
            } else {
                self.deactivate(i);
            }
        }
        match self.active {
            0 => drop(m),
            1 => self.write(0, m, more),
            n => {
                let mut m = m;
                m.add_refs((n - 1) as u32);
                for i in 1..n {
                    // SAFETY: add_refs reserved one reference per copy.
                    let copy = unsafe { m.raw_copy() };
                    self.write(i, copy, more);
                }
                self.write(0, m, more);
            }
        }
        if self.more && !more {
            self.active = self.eligible;
        }
        self.more = more;
    }

    fn write(&mut self, i: usize, m: Msg, more: bool) {
        let w = self.pipes.get_mut(i);
        // check_write succeeded just before, so the write succeeds.
        if w.write(m).is_ok() && !more {
            w.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailbox::Mailbox;
    use crate::pipe::pipe;

    #[test]
    fn fans_out_shares_content_and_drops_for_full_pipes() {
        let mb = Mailbox::new().unwrap();
        let mut dist = Dist::default();
        let (mut r1, w1) = pipe(&mb.sender(), &mb.sender(), 0);
        let (mut r2, w2) = pipe(&mb.sender(), &mb.sender(), 1);
        dist.attach(w1);
        dist.attach(w2);
        let big = vec![7u8; 100];
        for _ in 0..3 {
            let mut m = Msg::from_slice(&big).unwrap();
            dist.send(&mut m);
            assert_eq!(m.size(), 0, "the caller's message is consumed");
        }
        let mut n1 = 0;
        while let Some(m) = r1.read_msg() {
            assert_eq!(m.data(), &big[..]);
            n1 += 1;
        }
        let mut n2 = 0;
        while r2.read_msg().is_some() {
            n2 += 1;
        }
        assert_eq!((n1, n2), (3, 1), "the HWM-1 pipe got only the first message");
    }
}
