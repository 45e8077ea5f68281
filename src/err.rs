//! Error numbers: the native Linux errno values plus the four 0MQ-specific
//! codes, and `zmq_strerror`'s texts.  The core returns `Result<T, Errno>`;
//! only `capi/` writes `errno`.

use std::ffi::CStr;
use std::os::raw::c_char;

/// An errno value as the C API reports it.
pub type Errno = i32;

/// Result of every fallible core operation.
pub type Result<T> = std::result::Result<T, Errno>;

/// Base of 0MQ's own error numbers (keep in sync with include/zmq.h).
pub const HAUSNUMERO: i32 = 156_384_712;
pub const EFSM: Errno = HAUSNUMERO + 51;
pub const ENOCOMPATPROTO: Errno = HAUSNUMERO + 52;
pub const ETERM: Errno = HAUSNUMERO + 53;
pub const EMTHREAD: Errno = HAUSNUMERO + 54;

pub use libc::{
    EACCES, EADDRINUSE, EADDRNOTAVAIL, EAGAIN, ECONNREFUSED, EFAULT, EINPROGRESS, EINTR, EINVAL, EMFILE,
    ENAMETOOLONG, ENODEV, ENOMEM, ENOTSOCK, ENOTSUP, EPROTONOSUPPORT,
};

/// The text for an error number: 0MQ's own codes get fixed texts, native
/// codes go through `strerror`.
pub fn strerror(errnum: i32) -> *const c_char {
    let text: &'static [u8] = match errnum {
        EFSM => b"Operation cannot be accomplished in current state\0",
        ENOCOMPATPROTO => b"The protocol is not compatible with the socket type\0",
        ETERM => b"Context was terminated\0",
        EMTHREAD => b"No thread available\0",
        // SAFETY: strerror always returns a valid NUL-terminated string.
        _ => return unsafe { libc::strerror(errnum) },
    };
    CStr::from_bytes_with_nul(text).map_or(std::ptr::null(), |s| s.as_ptr())
}

/// The calling thread's errno.
pub fn errno() -> Errno {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Sets the calling thread's errno.
pub fn set_errno(e: Errno) {
    // SAFETY: __errno_location returns the calling thread's errno slot.
    unsafe { *libc::__errno_location() = e };
}

/// Aborts loudly when an internal invariant is broken (never for anything a
/// caller or a peer can cause).
#[macro_export]
macro_rules! zmq_assert {
    ($cond:expr) => {
        if !$cond {
            eprintln!("Assertion failed: {} ({}:{})", stringify!($cond), file!(), line!());
            std::process::abort();
        }
    };
}
