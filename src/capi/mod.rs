//! The C API: every `extern "C"` function of libzmq 2.2 lives here and
//! nowhere else.  Each export validates its pointers, calls one core
//! method, and maps `Result` to the C convention (-1 or NULL plus errno)
//! through the guards below.

mod ctx;
mod msg;
mod socket;
mod utils;

use crate::err::{set_errno, Result};
use std::os::raw::{c_int, c_void};

/// Runs an int-returning export: Ok(v) -> v, Err(e) -> errno = e, -1.
#[inline]
pub(crate) fn guard(f: impl FnOnce() -> Result<c_int>) -> c_int {
    match f() {
        Ok(v) => v,
        Err(e) => {
            set_errno(e);
            -1
        }
    }
}

/// Runs a pointer-returning export: Err(e) -> errno = e, NULL.
#[inline]
pub(crate) fn guard_ptr(f: impl FnOnce() -> Result<*mut c_void>) -> *mut c_void {
    match f() {
        Ok(p) => p,
        Err(e) => {
            set_errno(e);
            std::ptr::null_mut()
        }
    }
}
