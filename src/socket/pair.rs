//! PAIR: exactly one peer at a time, one pipe each way.  A second peer is
//! refused while the first is there (2.2 aborts the process); a new peer
//! is accepted once the old one's pipes are terminating.

use super::{Refused, SocketType};
use crate::err::{Result, EAGAIN};
use crate::msg::Msg;
use crate::pipe::{PipeId, Reader, Writer};

#[derive(Default)]
pub struct Pair {
    inpipe: Option<Reader>,
    outpipe: Option<Writer>,
    /// Pipes of a previous peer, finishing their termination handshake.
    old_in: Vec<Reader>,
    old_out: Vec<Writer>,
}

impl Pair {
    /// Whether the current peer is still there.
    fn has_peer(&self) -> bool {
        self.inpipe.as_ref().is_some_and(|r| !r.is_terminating()) || self.outpipe.as_ref().is_some_and(|w| !w.is_terminating())
    }
}

impl SocketType for Pair {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, _identity: Vec<u8>) -> Refused {
        if self.has_peer() {
            return Some((reader, writer));
        }
        if let Some(mut r) = self.inpipe.take() {
            r.terminate();
            self.old_in.push(r);
        }
        if let Some(mut w) = self.outpipe.take() {
            w.terminate();
            self.old_out.push(w);
        }
        self.inpipe = reader;
        self.outpipe = writer;
        None
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        let Some(w) = self.outpipe.as_mut() else { return Err(EAGAIN) };
        let more = msg.more();
        match w.write(msg.take()) {
            Ok(()) => {
                if !more {
                    w.flush();
                }
                Ok(())
            }
            Err(back) => {
                *msg = back;
                Err(EAGAIN)
            }
        }
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        match self.inpipe.as_mut().and_then(|r| r.read_msg()) {
            Some(m) => {
                *msg = m;
                Ok(())
            }
            None => {
                *msg = Msg::new();
                Err(EAGAIN)
            }
        }
    }

    fn has_in(&mut self) -> bool {
        self.inpipe.as_mut().is_some_and(|r| r.check_read())
    }

    fn has_out(&mut self) -> bool {
        self.outpipe.as_mut().is_some_and(|w| w.check_write())
    }

    fn reader_activated(&mut self, id: PipeId) -> bool {
        match self.inpipe.as_mut() {
            Some(r) if r.id() == id => {
                r.activate();
                true
            }
            _ => false,
        }
    }

    fn writer_activated(&mut self, id: PipeId, n: u64) -> bool {
        match self.outpipe.as_mut() {
            Some(w) if w.id() == id => {
                w.activate(n);
                true
            }
            _ => self.old_out.iter().any(|w| w.id() == id),
        }
    }

    fn reader_terminated(&mut self, id: PipeId) -> bool {
        if self.inpipe.as_ref().is_some_and(|r| r.id() == id) {
            self.inpipe = None;
            return true;
        }
        if let Some(i) = self.old_in.iter().position(|r| r.id() == id) {
            self.old_in.swap_remove(i);
            return true;
        }
        false
    }

    fn writer_terminated(&mut self, id: PipeId) -> bool {
        if self.outpipe.as_ref().is_some_and(|w| w.id() == id) {
            if let Some(w) = self.outpipe.take() {
                w.ack_term();
            }
            return true;
        }
        if let Some(i) = self.old_out.iter().position(|w| w.id() == id) {
            self.old_out.swap_remove(i).ack_term();
            return true;
        }
        false
    }

    fn terminate_pipes(&mut self) {
        if let Some(r) = self.inpipe.as_mut() {
            r.terminate();
        }
        if let Some(w) = self.outpipe.as_mut() {
            w.terminate();
        }
    }

    fn pipe_count(&self) -> usize {
        self.inpipe.is_some() as usize + self.outpipe.is_some() as usize + self.old_in.len() + self.old_out.len()
    }
}
