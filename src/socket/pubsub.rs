//! PUB/XPUB (fan-out, never block, never receive) and SUB/XSUB (fair-queue
//! with prefix filtering at receive time).  In 2.2 subscriptions stay
//! local: nothing is sent upstream.

use super::{delegate_pipes, Refused, SocketType};
use crate::err::{Result, EAGAIN, EINVAL, ENOTSUP};
use crate::msg::Msg;
use crate::options::{ZMQ_SUBSCRIBE, ZMQ_UNSUBSCRIBE};
use crate::patterns::{dist::Dist, fq::Fq, trie::Trie};
use crate::pipe::{Reader, Writer};

#[derive(Default)]
pub struct Pub {
    dist: Dist,
}

impl SocketType for Pub {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, _identity: Vec<u8>) -> Refused {
        if let Some(w) = writer {
            self.dist.attach(w);
        }
        reader.map(|r| (Some(r), None))
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        self.dist.send(msg);
        Ok(())
    }

    /// 2.2 answers EAGAIN (a blocking recv waits forever).
    fn recv(&mut self, _msg: &mut Msg) -> Result<()> {
        Err(EAGAIN)
    }

    fn has_out(&mut self) -> bool {
        true
    }

    delegate_pipes!(out: dist);
}

pub struct Sub {
    fq: Fq,
    subscriptions: Trie,
    /// XSUB: subscriptions come as sent messages, not options.
    raw: bool,
    /// A matching message pre-fetched by has_in.
    prefetched: Option<Msg>,
    /// In the middle of a delivered message.
    more: bool,
}

impl Sub {
    pub fn new(raw: bool) -> Sub {
        Sub { fq: Fq::default(), subscriptions: Trie::new(), raw, prefetched: None, more: false }
    }

    /// Drops the remaining parts of a message whose first part didn't match.
    fn skip_rest(&mut self, mut first: Msg) {
        while first.more() {
            if self.fq.recv(&mut first).is_err() {
                break;
            }
        }
    }

    /// The next first part that matches (its later parts pass unfiltered).
    fn fetch_matching(&mut self, msg: &mut Msg) -> Result<()> {
        loop {
            self.fq.recv(msg)?;
            if self.subscriptions.check(msg.data()) {
                return Ok(());
            }
            let m = msg.take();
            self.skip_rest(m);
        }
    }
}

impl SocketType for Sub {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, _identity: Vec<u8>) -> Refused {
        if let Some(r) = reader {
            self.fq.attach(r);
        }
        writer.map(|w| (None, Some(w)))
    }

    fn setsockopt(&mut self, option: i32, val: &[u8]) -> Option<Result<()>> {
        match option {
            ZMQ_SUBSCRIBE | ZMQ_UNSUBSCRIBE if self.raw => Some(Err(EINVAL)),
            ZMQ_SUBSCRIBE => {
                self.subscriptions.add(val);
                Some(Ok(()))
            }
            ZMQ_UNSUBSCRIBE => {
                self.subscriptions.rm(val);
                Some(Ok(()))
            }
            _ => None,
        }
    }

    /// XSUB: a first byte of 1 subscribes to the rest, 0 unsubscribes;
    /// anything else is ignored.  SUB can't send.
    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if !self.raw {
            return Err(ENOTSUP);
        }
        let data = msg.data();
        match data.first() {
            Some(1) => self.subscriptions.add(&data[1..]),
            Some(0) => {
                self.subscriptions.rm(&data[1..]);
            }
            _ => {}
        }
        *msg = Msg::new();
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        if let Some(m) = self.prefetched.take() {
            *msg = m;
            self.more = msg.more();
            return Ok(());
        }
        if self.more {
            self.fq.recv(msg)?;
        } else {
            self.fetch_matching(msg)?;
        }
        self.more = msg.more();
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        if self.more || self.prefetched.is_some() {
            return true;
        }
        let mut m = Msg::new();
        if self.fetch_matching(&mut m).is_ok() {
            self.prefetched = Some(m);
            return true;
        }
        false
    }

    fn has_out(&mut self) -> bool {
        self.raw
    }

    delegate_pipes!(in: fq);
}
