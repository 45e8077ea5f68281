//! `Lb`: load-balancing over the writers of a socket, round-robin per whole
//! message, skipping full pipes (PUSH, DEALER, REQ).

use super::array::PipeArray;
use crate::err::{Result, EAGAIN};
use crate::msg::Msg;
use crate::pipe::{PipeId, Writer};

#[derive(Default)]
pub struct Lb {
    pipes: PipeArray<Writer>,
    /// Pipes `[0, active)` can be written to.
    active: usize,
    current: usize,
    /// A message is half written to `current`.
    more: bool,
    /// The pipe died mid-message: drop the remaining parts.
    dropping: bool,
}

impl Lb {
    pub fn attach(&mut self, w: Writer) {
        self.pipes.push(w);
        let last = self.pipes.len() - 1;
        self.pipes.swap(self.active, last);
        self.active += 1;
    }

    pub fn len(&self) -> usize {
        self.pipes.len()
    }

    /// ActivateWriter for one of ours; false if not ours.
    pub fn activated(&mut self, id: PipeId, msgs_read: u64) -> bool {
        let Some(i) = self.pipes.index_of(id) else { return false };
        if self.pipes.get_mut(i).activate(msgs_read) {
            self.pipes.swap(i, self.active);
            self.active += 1;
        }
        true
    }

    /// PipeTerm for one of ours: acknowledged and removed.
    pub fn terminated(&mut self, id: PipeId) -> bool {
        let Some(i) = self.pipes.index_of(id) else { return false };
        if i == self.current && self.more {
            self.dropping = true;
            self.more = false;
        }
        if i < self.active {
            self.active -= 1;
            self.pipes.swap(i, self.active);
            if self.current == self.active {
                self.current = 0;
            }
        }
        let idx = self.pipes.index_of(id).unwrap_or(i);
        self.pipes.swap_remove(idx).ack_term();
        if self.current >= self.pipes.len() {
            self.current = 0;
        }
        true
    }

    pub fn terminate_all(&mut self) {
        for w in self.pipes.iter_mut() {
            w.terminate();
        }
        self.active = 0;
        self.current = 0;
        self.more = false;
    }

    pub fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if self.dropping {
            self.more = msg.more();
            self.dropping = self.more;
            *msg = Msg::new();
            return Ok(());
        }
        let mut m = msg.take();
        let more = m.more();
        while self.active > 0 {
            match self.pipes.get_mut(self.current).write(m) {
                Ok(()) => {
                    self.more = more;
                    if !self.more {
                        self.pipes.get_mut(self.current).flush();
                        self.current += 1;
                        if self.current >= self.active {
                            self.current = 0;
                        }
                    }
                    return Ok(());
                }
                Err(back) => {
                    m = back;
                    self.deactivate_current();
                }
            }
        }
        *msg = m;
        Err(EAGAIN)
    }

    pub fn has_out(&mut self) -> bool {
        if self.more {
            return true;
        }
        while self.active > 0 {
            if self.pipes.get_mut(self.current).check_write() {
                return true;
            }
            self.deactivate_current();
        }
        false
    }

    /// The current pipe is full: move it out of the active set.
    fn deactivate_current(&mut self) {
        self.active -= 1;
        self.pipes.swap(self.current, self.active);
        if self.current >= self.active {
            self.current = 0;
        }
    }

    /// Writers with messages not yet read by their peers.
    pub fn iter(&self) -> impl Iterator<Item = &Writer> {
        self.pipes.iter()
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailbox::Mailbox;
    use crate::pipe::{pipe, Reader};

    fn part(s: &[u8], more: bool) -> Msg {
        let mut m = Msg::from_slice(s).unwrap();
        m.set_more(more);
        m
    }

    fn setup(n: usize, hwm: u64) -> (Lb, Vec<Reader>, Mailbox) {
        let mb = Mailbox::new().unwrap();
        let mut lb = Lb::default();
        let mut readers = Vec::new();
        for _ in 0..n {
            let (r, w) = pipe(&mb.sender(), &mb.sender(), hwm);
            lb.attach(w);
            readers.push(r);
        }
        (lb, readers, mb)
    }

    #[test]
    fn round_robin_per_whole_message() {
        let (mut lb, mut readers, _mb) = setup(3, 0);
        for i in 0..6u8 {
            lb.send(&mut part(&[i], true)).unwrap();
            lb.send(&mut part(&[i, i], false)).unwrap();
        }
        let mut firsts: Vec<Vec<u8>> = Vec::new();
        for r in readers.iter_mut() {
            let mut got = Vec::new();
            while let Some(m) = r.read_msg() {
                got.push(m.data().to_vec());
            }
            assert_eq!(got.len(), 4, "two whole messages of two parts each");
            assert_eq!(got[0].len(), 1);
            assert_eq!(got[1], vec![got[0][0]; 2]);
            firsts.push(got.iter().step_by(2).map(|p| p[0]).collect());
        }
        firsts.sort();
        assert_eq!(firsts, vec![vec![0, 3], vec![1, 4], vec![2, 5]]);
    }

    #[test]
    fn full_pipes_are_skipped_then_eagain() {
        let (mut lb, _readers, _mb) = setup(2, 1);
        assert!(lb.send(&mut part(b"a", false)).is_ok());
        assert!(lb.send(&mut part(b"b", false)).is_ok());
        let mut m = part(b"c", false);
        assert_eq!(lb.send(&mut m), Err(EAGAIN));
        assert_eq!(m.data(), b"c", "the message stays with the caller");
        assert!(!lb.has_out());
    }
}
