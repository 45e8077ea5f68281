//! Sockets: `SocketBase` (base.rs) plus one file per socket type.  Each
//! type implements `SocketType` from the routing strategies in
//! `patterns/`.

pub mod base;
mod pair;
mod pubsub;
mod reqrep;
mod pushpull;

use crate::err::{Result, EINVAL, ENOTSUP};
use crate::msg::Msg;
use crate::options::Options;
use crate::pipe::{PipeId, Reader, Writer};

pub const ZMQ_PAIR: i32 = 0;
pub const ZMQ_PUB: i32 = 1;
pub const ZMQ_SUB: i32 = 2;
pub const ZMQ_REQ: i32 = 3;
pub const ZMQ_REP: i32 = 4;
pub const ZMQ_DEALER: i32 = 5;
pub const ZMQ_ROUTER: i32 = 6;
pub const ZMQ_PULL: i32 = 7;
pub const ZMQ_PUSH: i32 = 8;
pub const ZMQ_XPUB: i32 = 9;
pub const ZMQ_XSUB: i32 = 10;

pub const ZMQ_NOBLOCK: i32 = 1;
pub const ZMQ_SNDMORE: i32 = 2;
pub const ZMQ_POLLIN: u32 = 1;
pub const ZMQ_POLLOUT: u32 = 2;

/// Pipes a socket type refuses to attach (they are terminated).
pub type Refused = Option<(Option<Reader>, Option<Writer>)>;

/// The behaviour of one socket type.  `send` gets the part with its MORE
/// flag set as the caller asked; on success the message is left empty.
pub trait SocketType: Send {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, identity: Vec<u8>) -> Refused;
    fn send(&mut self, _msg: &mut Msg) -> Result<()> {
        Err(ENOTSUP)
    }
    fn recv(&mut self, _msg: &mut Msg) -> Result<()> {
        Err(ENOTSUP)
    }
    fn has_in(&mut self) -> bool {
        false
    }
    fn has_out(&mut self) -> bool {
        false
    }
    /// Type-specific options; None = not handled here.
    fn setsockopt(&mut self, _option: i32, _val: &[u8]) -> Option<Result<()>> {
        None
    }
    /// Pipe events; each returns false when the pipe is not this type's.
    fn reader_activated(&mut self, id: PipeId) -> bool;
    fn writer_activated(&mut self, id: PipeId, msgs_read: u64) -> bool;
    fn reader_terminated(&mut self, id: PipeId) -> bool;
    fn writer_terminated(&mut self, id: PipeId) -> bool;
    fn terminate_pipes(&mut self);
    fn pipe_count(&self) -> usize;
}

/// Implements the pipe-event methods of `SocketType` by delegating to an
/// inbound component (`Fq`) and/or an outbound one (`Lb`, `Dist`, ...).
macro_rules! delegate_pipes {
    (in: $($i:ident).+, out: $($o:ident).+) => {
        fn reader_activated(&mut self, id: crate::pipe::PipeId) -> bool { self.$($i).+.activated(id) }
        fn writer_activated(&mut self, id: crate::pipe::PipeId, n: u64) -> bool { self.$($o).+.activated(id, n) }
        fn reader_terminated(&mut self, id: crate::pipe::PipeId) -> bool { self.$($i).+.terminated(id) }
        fn writer_terminated(&mut self, id: crate::pipe::PipeId) -> bool { self.$($o).+.terminated(id) }
        fn terminate_pipes(&mut self) { self.$($i).+.terminate_all(); self.$($o).+.terminate_all(); }
        fn pipe_count(&self) -> usize { self.$($i).+.len() + self.$($o).+.len() }
    };
    (in: $($i:ident).+) => {
        fn reader_activated(&mut self, id: crate::pipe::PipeId) -> bool { self.$($i).+.activated(id) }
        fn writer_activated(&mut self, _id: crate::pipe::PipeId, _n: u64) -> bool { false }
        fn reader_terminated(&mut self, id: crate::pipe::PipeId) -> bool { self.$($i).+.terminated(id) }
        fn writer_terminated(&mut self, _id: crate::pipe::PipeId) -> bool { false }
        fn terminate_pipes(&mut self) { self.$($i).+.terminate_all(); }
        fn pipe_count(&self) -> usize { self.$($i).+.len() }
    };
    (out: $($o:ident).+) => {
        fn reader_activated(&mut self, _id: crate::pipe::PipeId) -> bool { false }
        fn writer_activated(&mut self, id: crate::pipe::PipeId, n: u64) -> bool { self.$($o).+.activated(id, n) }
        fn reader_terminated(&mut self, _id: crate::pipe::PipeId) -> bool { false }
        fn writer_terminated(&mut self, id: crate::pipe::PipeId) -> bool { self.$($o).+.terminated(id) }
        fn terminate_pipes(&mut self) { self.$($o).+.terminate_all(); }
        fn pipe_count(&self) -> usize { self.$($o).+.len() }
    };
}
pub(crate) use delegate_pipes;

/// Creates the behaviour of a socket type and records in `options`
/// which directions it needs.  EINVAL for an unknown type.
pub fn create(socket_type: i32, options: &mut Options) -> Result<Box<dyn SocketType>> {
    let (needs_in, needs_out) = directions(socket_type).ok_or(EINVAL)?;
    options.requires_in = needs_in;
    options.requires_out = needs_out;
    Ok(match socket_type {
        ZMQ_PAIR => Box::new(pair::Pair::default()),
        ZMQ_PUB | ZMQ_XPUB => Box::new(pubsub::Pub::default()),
        ZMQ_SUB => Box::new(pubsub::Sub::new(false)),
        ZMQ_XSUB => Box::new(pubsub::Sub::new(true)),
        ZMQ_REQ => Box::new(reqrep::Req::default()),
        ZMQ_REP => Box::new(reqrep::Rep::default()),
        ZMQ_DEALER => Box::new(reqrep::Dealer::default()),
        ZMQ_ROUTER => Box::new(reqrep::Router::default()),
        ZMQ_PULL => Box::new(pushpull::Pull::default()),
        ZMQ_PUSH => Box::new(pushpull::Push::default()),
        _ => return Err(EINVAL),
    })
}

/// (receives, sends) for each type.
pub fn directions(socket_type: i32) -> Option<(bool, bool)> {
    Some(match socket_type {
        ZMQ_PAIR | ZMQ_REQ | ZMQ_REP | ZMQ_DEALER | ZMQ_ROUTER => (true, true),
        ZMQ_PUB | ZMQ_XPUB | ZMQ_PUSH => (false, true),
        ZMQ_SUB | ZMQ_XSUB | ZMQ_PULL => (true, false),
        _ => return None,
    })
}

/// Whether a bound socket of `binder_type` accepts the pipes an inproc
/// connecter with these needs creates (2.2 aborts on a mismatch; we
/// refuse the connect with ENOCOMPATPROTO).
pub fn inproc_compatible(binder_type: i32, conn_in: bool, conn_out: bool) -> bool {
    match binder_type {
        ZMQ_PUB | ZMQ_XPUB | ZMQ_PUSH => conn_in && !conn_out,
        ZMQ_SUB | ZMQ_XSUB | ZMQ_PULL => conn_out && !conn_in,
        ZMQ_DEALER | ZMQ_REQ => conn_in && conn_out,
        _ => true,
    }
}

/// A 17-byte identity for an anonymous peer: 0x00 and 16 random bytes.
pub fn generate_identity() -> Vec<u8> {
    let mut id = vec![0u8; 17];
    let mut filled = 0;
    while filled < 16 {
        // SAFETY: writes at most 16 - filled bytes into the buffer's tail.
        let n = unsafe { libc::getrandom(id[1 + filled..].as_mut_ptr() as *mut libc::c_void, 16 - filled, 0) };
        if n <= 0 {
            // Fall back to a counter mixed with the clock and pid.
            use std::sync::atomic::{AtomicU64, Ordering};
            static SEQ: AtomicU64 = AtomicU64::new(0);
            let v = SEQ.fetch_add(1, Ordering::Relaxed) ^ crate::clock::now_us() ^ (std::process::id() as u64) << 40;
            id[1..9].copy_from_slice(&v.to_ne_bytes());
            id[9..17].copy_from_slice(&v.rotate_left(17).to_ne_bytes());
            break;
        }
        filled += n as usize;
    }
    id
}
