//! PAIR: exactly one peer, one pipe each way.  A second peer is refused
//! (2.2 aborts the process).

use super::{Refused, SocketType};
use crate::err::{Result, EAGAIN};
use crate::msg::Msg;
use crate::pipe::{PipeId, Reader, Writer};

#[derive(Default)]
pub struct Pair {
    inpipe: Option<Reader>,
    outpipe: Option<Writer>,
    /// Whether the peer is attached (one of the pipes may be missing).
    attached: bool,
}

impl SocketType for Pair {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, _identity: Vec<u8>) -> Refused {
        if self.attached || self.inpipe.is_some() || self.outpipe.is_some() {
            return Some((reader, writer));
        }
        self.attached = true;
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
            _ => false,
        }
    }

    fn reader_terminated(&mut self, id: PipeId) -> bool {
        if self.inpipe.as_ref().is_some_and(|r| r.id() == id) {
            self.inpipe = None;
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
        self.inpipe.is_some() as usize + self.outpipe.is_some() as usize
    }
}
