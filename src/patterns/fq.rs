//! `Fq`: fair-queueing over the readers of a socket, one whole message from
//! each pipe in turn (PULL, SUB, DEALER, REQ, ROUTER, REP).

use super::array::PipeArray;
use crate::err::{Result, EAGAIN};
use crate::msg::Msg;
use crate::pipe::{PipeId, Read, Reader};

#[derive(Default)]
pub struct Fq {
    pipes: PipeArray<Reader>,
    /// Pipes `[0, active)` may have messages.
    active: usize,
    /// The pipe whose turn it is.
    current: usize,
    /// A message is half read from `current`.
    more: bool,
}

impl Fq {
    pub fn attach(&mut self, r: Reader) {
        self.pipes.push(r);
        let last = self.pipes.len() - 1;
        self.pipes.swap(self.active, last);
        self.active += 1;
    }

    pub fn len(&self) -> usize {
        self.pipes.len()
    }

    /// ActivateReader for one of ours; false if the id is not ours.
    pub fn activated(&mut self, id: PipeId) -> bool {
        let Some(i) = self.pipes.index_of(id) else { return false };
        if self.pipes.get_mut(i).activate() {
            self.pipes.swap(i, self.active);
            self.active += 1;
        }
        true
    }

    /// PipeTermAck for one of ours: the reader is removed.
    pub fn terminated(&mut self, id: PipeId) -> bool {
        let Some(i) = self.pipes.index_of(id) else { return false };
        if i == self.current && self.more {
            self.more = false;
        }
        if i < self.active {
            self.active -= 1;
            self.pipes.swap(i, self.active);
            if self.current == self.active {
                self.current = 0;
            }
        }
        let last = self.pipes.len() - 1;
        let idx = self.pipes.index_of(id).unwrap_or(last);
        drop(self.pipes.swap_remove(idx));
        if self.current >= self.pipes.len() {
            self.current = 0;
        }
        true
    }

    /// Starts termination of every reader.
    pub fn terminate_all(&mut self) {
        for r in self.pipes.iter_mut() {
            r.terminate();
        }
        self.active = 0;
        self.current = 0;
    }

    fn deactivate_current(&mut self) {
        self.active -= 1;
        self.pipes.swap(self.current, self.active);
        if self.current == self.active {
            self.current = 0;
        }
    }

    /// Receives the next part; returns the index of the pipe it came from
    /// (valid until the pipe set changes).  EAGAIN when nothing is queued.
    pub fn recv(&mut self, msg: &mut Msg) -> Result<usize> {
        let mut count = self.active;
        while count > 0 {
            match self.pipes.get_mut(self.current).read() {
                Read::Msg(m) => {
                    *msg = m;
                    let from = self.current;
                    self.more = msg.more();
                    if !self.more {
                        self.current += 1;
                        if self.current >= self.active {
                            self.current = 0;
                        }
                    }
                    return Ok(from);
                }
                Read::Empty | Read::Delimited => {
                    // A half-read message can't lose its tail: parts are
                    // published together.  Be safe anyway.
                    self.more = false;
                    self.deactivate_current();
                }
            }
            count -= 1;
        }
        *msg = Msg::new();
        Err(EAGAIN)
    }

    pub fn has_in(&mut self) -> bool {
        if self.more {
            return true;
        }
        let mut count = self.active;
        while count > 0 {
            if self.pipes.get_mut(self.current).check_read() {
                return true;
            }
            self.deactivate_current();
            count -= 1;
        }
        false
    }

    /// The reader at an index returned by `recv`.
    pub fn pipe(&self, i: usize) -> &Reader {
        self.pipes.get(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailbox::Mailbox;
    use crate::pipe::{pipe, Writer};

    fn part(s: &[u8], more: bool) -> Msg {
        let mut m = Msg::from_slice(s).unwrap();
        m.set_more(more);
        m
    }

    #[test]
    fn alternates_per_whole_message_and_keeps_parts_together() {
        let mb = Mailbox::new().unwrap();
        let mut fq = Fq::default();
        let mut writers: Vec<Writer> = Vec::new();
        for _ in 0..2 {
            let (r, w) = pipe(&mb.sender(), &mb.sender(), 0);
            fq.attach(r);
            writers.push(w);
        }
        for (i, w) in writers.iter_mut().enumerate() {
            for k in 0..2u8 {
                let tag = b'a' + i as u8;
                w.write(part(&[tag, k], true)).ok().unwrap();
                w.write(part(&[tag, k, 0], false)).ok().unwrap();
            }
            w.flush();
        }
        let mut order = Vec::new();
        let mut m = Msg::new();
        while fq.recv(&mut m).is_ok() {
            let first = m.data().to_vec();
            assert!(m.more());
            fq.recv(&mut m).unwrap();
            assert_eq!(&m.data()[..2], &first[..], "second part follows its first");
            assert!(!m.more());
            order.push(first[0]);
        }
        assert_eq!(order.len(), 4);
        assert!(order.windows(2).all(|w| w[0] != w[1]), "alternates: {order:?}");
    }
}
