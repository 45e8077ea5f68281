//! PUSH (load-balances, never receives) and PULL (fair-queues, never sends).

use super::{delegate_pipes, Refused, SocketType};
use crate::err::Result;
use crate::msg::Msg;
use crate::patterns::{fq::Fq, lb::Lb};
use crate::pipe::{Reader, Writer};

#[derive(Default)]
pub struct Push {
    lb: Lb,
}

impl SocketType for Push {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, _identity: Vec<u8>) -> Refused {
        if let Some(w) = writer {
            self.lb.attach(w);
        }
        reader.map(|r| (Some(r), None))
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        self.lb.send(msg)
    }

    fn has_out(&mut self) -> bool {
        self.lb.has_out()
    }

    delegate_pipes!(out: lb);
}

#[derive(Default)]
pub struct Pull {
    fq: Fq,
}

impl SocketType for Pull {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, _identity: Vec<u8>) -> Refused {
        if let Some(r) = reader {
            self.fq.attach(r);
        }
        writer.map(|w| (None, Some(w)))
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        self.fq.recv(msg).map(|_| ())
    }

    fn has_in(&mut self) -> bool {
        self.fq.has_in()
    }

    delegate_pipes!(in: fq);
}
