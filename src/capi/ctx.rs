//! Exports: zmq_version, zmq_errno, zmq_strerror, zmq_init, zmq_term.

use super::{guard, guard_ptr};
use crate::ctx::Ctx;
use crate::err::{self, EINVAL};
use crate::handle;
use std::os::raw::{c_char, c_int, c_void};

/// Writes 2, 2, 1.  NULL pointers are skipped.
#[no_mangle]
pub extern "C" fn zmq_version(major: *mut c_int, minor: *mut c_int, patch: *mut c_int) {
    for (p, v) in [(major, 2), (minor, 2), (patch, 1)] {
        if !p.is_null() {
            // SAFETY: non-NULL pointers from the caller point to ints.
            unsafe { *p = v };
        }
    }
}

/// The calling thread's errno.
#[no_mangle]
pub extern "C" fn zmq_errno() -> c_int {
    err::errno()
}

/// A static text for any error number.
#[no_mangle]
pub extern "C" fn zmq_strerror(errnum: c_int) -> *const c_char {
    err::strerror(errnum)
}

/// Errors: EINVAL (io_threads < 0), EMFILE/ENOMEM (no resources).
#[no_mangle]
pub extern "C" fn zmq_init(io_threads: c_int) -> *mut c_void {
    guard_ptr(|| {
        if io_threads < 0 {
            return Err(EINVAL);
        }
        Ok(handle::new_ctx_handle(Ctx::new(io_threads as usize)?))
    })
}

/// Errors: EFAULT (not a live context), EINTR (call again to resume).
#[no_mangle]
pub extern "C" fn zmq_term(context: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the handle is checked by its tag.
        let ctx = unsafe { handle::ctx(context)? };
        ctx.terminate()?;
        // SAFETY: accepted by handle::ctx above.
        unsafe { handle::retire_ctx(context) };
        Ok(0)
    })
}
