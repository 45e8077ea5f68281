//! C-visible types other than the message (keep in sync with
//! include/zmq.h): `zmq_pollitem_t`.

use std::os::raw::{c_int, c_short, c_void};

pub const ZMQ_POLLIN: c_short = 1;
pub const ZMQ_POLLOUT: c_short = 2;
pub const ZMQ_POLLERR: c_short = 4;

/// One entry of `zmq_poll` (16 bytes on LP64).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct zmq_pollitem_t {
    pub socket: *mut c_void,
    pub fd: c_int,
    pub events: c_short,
    pub revents: c_short,
}

const _: () = assert!(std::mem::size_of::<zmq_pollitem_t>() == 16);
