//! Exports: zmq_socket, zmq_close, zmq_setsockopt, zmq_getsockopt,
//! zmq_bind, zmq_connect, zmq_send, zmq_recv, zmq_poll, zmq_device.

use super::{guard, guard_ptr};
use crate::abi::zmq_pollitem_t;
use crate::err::{Result, EFAULT, EINVAL};
use crate::handle;
use crate::msg::Msg;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_long, c_void};

/// Errors: EFAULT (bad context), ETERM, EMFILE (512 sockets), EINVAL (type).
#[no_mangle]
pub extern "C" fn zmq_socket(context: *mut c_void, socket_type: c_int) -> *mut c_void {
    guard_ptr(|| {
        // SAFETY: the handle is checked by its tag.
        let ctx = unsafe { handle::ctx(context)? };
        Ok(handle::new_socket_handle(ctx.create_socket(socket_type)?))
    })
}

/// Errors: ENOTSOCK (not a live socket).  Works after zmq_term.
#[no_mangle]
pub extern "C" fn zmq_close(s: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: the handle is checked by its tag.
        let sock = unsafe { handle::close_socket(s)? };
        let ctx = sock.ctx.clone();
        ctx.close_socket(sock);
        Ok(0)
    })
}

/// Errors: ENOTSOCK, ETERM, EINVAL (unknown option, size, value),
/// EFAULT (NULL value with a non-zero length), EACCES (SWAP).
#[no_mangle]
pub extern "C" fn zmq_setsockopt(s: *mut c_void, option: c_int, optval: *const c_void, optvallen: usize) -> c_int {
    guard(|| {
        // SAFETY: the handle is checked by its tag.
        let sock = unsafe { handle::socket(s)? };
        let val: &[u8] = if optvallen == 0 {
            &[]
        } else if optval.is_null() {
            return Err(EFAULT);
        } else {
            // SAFETY: the caller passes optvallen readable bytes.
            unsafe { std::slice::from_raw_parts(optval as *const u8, optvallen) }
        };
        sock.setsockopt(option, val)?;
        Ok(0)
    })
}

/// Errors: ENOTSOCK, ETERM, EINTR (ZMQ_EVENTS), EINVAL (unknown or
/// set-only option, buffer too small), EFAULT (NULL pointers).
#[no_mangle]
pub extern "C" fn zmq_getsockopt(s: *mut c_void, option: c_int, optval: *mut c_void, optvallen: *mut usize) -> c_int {
    guard(|| {
        // SAFETY: the handle is checked by its tag.
        let sock = unsafe { handle::socket(s)? };
        sock.check_term()?;
        if optvallen.is_null() || optval.is_null() {
            return Err(EFAULT);
        }
        let bytes = sock.getsockopt(option)?;
        // SAFETY: non-NULL, points to the caller's size_t.
        let cap = unsafe { *optvallen };
        if cap < bytes.len() {
            return Err(EINVAL);
        }
        if !bytes.is_empty() {
            // SAFETY: the caller's buffer holds at least cap >= len bytes.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), optval as *mut u8, bytes.len()) };
        }
        // SAFETY: as above.
        unsafe { *optvallen = bytes.len() };
        Ok(0)
    })
}

/// The endpoint string, or EFAULT/EINVAL.
fn endpoint<'a>(addr: *const c_char) -> Result<&'a str> {
    if addr.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: the caller passes a NUL-terminated string.
    unsafe { CStr::from_ptr(addr) }.to_str().map_err(|_| EINVAL)
}

/// Errors: ENOTSOCK, ETERM, EINVAL, EPROTONOSUPPORT, EADDRINUSE, EMTHREAD,
/// EFAULT (NULL endpoint).
#[no_mangle]
pub extern "C" fn zmq_bind(s: *mut c_void, addr: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: the handle is checked by its tag.
        let sock = unsafe { handle::socket(s)? };
        sock.check_term()?;
        sock.bind(endpoint(addr)?)?;
        Ok(0)
    })
}

/// Errors: ENOTSOCK, ETERM, EINVAL, EPROTONOSUPPORT, ECONNREFUSED (inproc
/// name not bound), ENOCOMPATPROTO, EMTHREAD, EFAULT (NULL endpoint).
#[no_mangle]
pub extern "C" fn zmq_connect(s: *mut c_void, addr: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: the handle is checked by its tag.
        let sock = unsafe { handle::socket(s)? };
        sock.check_term()?;
        sock.connect(endpoint(addr)?)?;
        Ok(0)
    })
}

/// The caller's message, checked: EFAULT for NULL or invalid.
///
/// # Safety
/// A non-NULL pointer must point to the caller's 40-byte zmq_msg_t.
unsafe fn valid_msg<'a>(msg: *mut Msg) -> Result<&'a mut Msg> {
    let m = msg.as_mut().ok_or(EFAULT)?;
    m.check()?;
    Ok(m)
}

/// Errors: ENOTSOCK, ETERM, EFAULT, EAGAIN, EINTR, EFSM, ENOTSUP.
#[no_mangle]
pub extern "C" fn zmq_send(s: *mut c_void, msg: *mut Msg, flags: c_int) -> c_int {
    guard(|| {
        // SAFETY: the handle is checked by its tag.
        let sock = unsafe { handle::socket(s)? };
        sock.check_term()?;
        // SAFETY: see valid_msg.
        let m = unsafe { valid_msg(msg)? };
        sock.send(m, flags)?;
        Ok(0)
    })
}

/// Errors: ENOTSOCK, ETERM, EFAULT, EAGAIN, EINTR, EFSM, ENOTSUP.
#[no_mangle]
pub extern "C" fn zmq_recv(s: *mut c_void, msg: *mut Msg, flags: c_int) -> c_int {
    guard(|| {
        // SAFETY: the handle is checked by its tag.
        let sock = unsafe { handle::socket(s)? };
        sock.check_term()?;
        // SAFETY: see valid_msg.
        let m = unsafe { valid_msg(msg)? };
        sock.recv(m, flags)?;
        Ok(0)
    })
}

/// Timeout in microseconds.  Errors: EINVAL, EFAULT, EINTR, ETERM, ENOTSOCK.
#[no_mangle]
pub extern "C" fn zmq_poll(items: *mut zmq_pollitem_t, nitems: c_int, timeout: c_long) -> c_int {
    guard(|| {
        if nitems < 0 {
            return Err(EINVAL);
        }
        if nitems > 0 && items.is_null() {
            return Err(EFAULT);
        }
        let items: &mut [zmq_pollitem_t] = if nitems == 0 {
            &mut []
        } else {
            // SAFETY: the caller passes nitems items.
            unsafe { std::slice::from_raw_parts_mut(items, nitems as usize) }
        };
        crate::poll::poll(items, timeout as i64)
    })
}

/// Runs until an error; returns -1 (normally ETERM).  EFAULT for NULL
/// sockets, EINVAL for an unknown device.
#[no_mangle]
pub extern "C" fn zmq_device(device: c_int, insocket: *mut c_void, outsocket: *mut c_void) -> c_int {
    guard(|| {
        if insocket.is_null() || outsocket.is_null() {
            return Err(EFAULT);
        }
        crate::device::device(device, insocket, outsocket)?;
        Ok(0)
    })
}
