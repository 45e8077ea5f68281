//! `zmq_device`: moves whole messages between two sockets in both
//! directions until an error (normally ETERM).  All three device kinds run
//! the same loop, as in 2.2.

use crate::abi::{zmq_pollitem_t, ZMQ_POLLIN};
use crate::err::{Result, EINVAL};
use crate::handle;
use crate::msg::Msg;
use crate::socket::{ZMQ_SNDMORE};
use std::os::raw::c_void;

pub const ZMQ_STREAMER: i32 = 1;
pub const ZMQ_FORWARDER: i32 = 2;
pub const ZMQ_QUEUE: i32 = 3;

pub fn device(kind: i32, insocket: *mut c_void, outsocket: *mut c_void) -> Result<()> {
    if !(ZMQ_STREAMER..=ZMQ_QUEUE).contains(&kind) {
        return Err(EINVAL);
    }
    let mut msg = Msg::new();
    loop {
        let mut items = [
            zmq_pollitem_t { socket: insocket, fd: 0, events: ZMQ_POLLIN, revents: 0 },
            zmq_pollitem_t { socket: outsocket, fd: 0, events: ZMQ_POLLIN, revents: 0 },
        ];
        crate::poll::poll(&mut items, -1)?;
        if items[0].revents & ZMQ_POLLIN != 0 {
            forward(insocket, outsocket, &mut msg)?;
        }
        if items[1].revents & ZMQ_POLLIN != 0 {
            forward(outsocket, insocket, &mut msg)?;
        }
    }
}

/// Moves one complete message from `from` to `to`.
fn forward(from: *mut c_void, to: *mut c_void, msg: &mut Msg) -> Result<()> {
    loop {
        // SAFETY: both handles were checked by zmq_poll just before; the
        // two sockets are distinct objects, each borrowed in turn.
        let src = unsafe { handle::socket(from)? };
        src.recv(msg, 0)?;
        let more = src.getsockopt(crate::options::ZMQ_RCVMORE)?.iter().any(|&b| b != 0);
        // SAFETY: as above.
        let dst = unsafe { handle::socket(to)? };
        dst.send(msg, if more { ZMQ_SNDMORE } else { 0 })?;
        if !more {
            return Ok(());
        }
    }
}
