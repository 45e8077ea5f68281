//! Exports: the zmq_msg_* functions.  The caller's 40 bytes are the
//! message; NULL pointers give EFAULT instead of a crash.

use super::guard;
use crate::err::{set_errno, Result, EFAULT};
use crate::msg::{FreeFn, Msg};
use std::os::raw::{c_int, c_void};
use std::ptr;

/// The caller's message, or EFAULT for NULL.
///
/// # Safety
/// A non-NULL pointer must point to 40 writable bytes.
unsafe fn msg_ref<'a>(p: *mut Msg) -> Result<&'a mut Msg> {
    p.as_mut().ok_or(EFAULT)
}

/// Always 0 (EFAULT for NULL).
#[no_mangle]
pub extern "C" fn zmq_msg_init(msg: *mut Msg) -> c_int {
    guard(|| {
        if msg.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: 40 writable bytes; the old contents are not a message.
        unsafe { Msg::init_inline_at(msg, 0) };
        Ok(0)
    })
}

/// Errors: ENOMEM (allocation failed or size overflows), EFAULT (NULL).
#[no_mangle]
pub extern "C" fn zmq_msg_init_size(msg: *mut Msg, size: usize) -> c_int {
    guard(|| {
        if msg.is_null() {
            return Err(EFAULT);
        }
        if size <= crate::msg::MAX_VSM_SIZE {
            // SAFETY: 40 writable bytes; the old contents are not a message.
            unsafe { Msg::init_inline_at(msg, size) };
            return Ok(0);
        }
        let m = Msg::with_size(size)?;
        // SAFETY: 40 writable bytes; the old contents are not a message.
        unsafe { ptr::write(msg, m) };
        Ok(0)
    })
}

/// Errors: ENOMEM, EFAULT (NULL msg).
#[no_mangle]
pub extern "C" fn zmq_msg_init_data(msg: *mut Msg, data: *mut c_void, size: usize, ffn: Option<FreeFn>, hint: *mut c_void) -> c_int {
    guard(|| {
        if msg.is_null() {
            return Err(EFAULT);
        }
        let m = Msg::with_user_data(data as *mut u8, size, ffn, hint)?;
        // SAFETY: 40 writable bytes; the old contents are not a message.
        unsafe { ptr::write(msg, m) };
        Ok(0)
    })
}

/// Errors: EFAULT (NULL, not initialised, or already closed).
#[no_mangle]
pub extern "C" fn zmq_msg_close(msg: *mut Msg) -> c_int {
    guard(|| {
        // SAFETY: see msg_ref.
        let m = unsafe { msg_ref(msg)? };
        m.check()?;
        m.close();
        Ok(0)
    })
}

/// Closes dest, moves src's content into it, leaves src empty.
/// Errors: EFAULT (NULL).
#[no_mangle]
pub extern "C" fn zmq_msg_move(dest: *mut Msg, src: *mut Msg) -> c_int {
    guard(|| {
        if dest.is_null() || src.is_null() {
            return Err(EFAULT);
        }
        if dest == src {
            return Ok(0);
        }
        // SAFETY: both point to 40 bytes; dest's old content is released
        // (if it is a valid message), then src's bytes move over.
        unsafe {
            (*dest).close();
            ptr::write(dest, ptr::read(src));
            ptr::write(src, Msg::new());
        }
        Ok(0)
    })
}

/// dest shares src's content.  Errors: EFAULT (NULL or invalid message).
#[no_mangle]
pub extern "C" fn zmq_msg_copy(dest: *mut Msg, src: *mut Msg) -> c_int {
    guard(|| {
        // SAFETY: see msg_ref.
        let (d, s) = unsafe { (msg_ref(dest)?, msg_ref(src)?) };
        d.check()?;
        s.check()?;
        if dest == src {
            return Ok(0);
        }
        d.close();
        let copy = s.share();
        // SAFETY: dest was closed just above; overwrite without dropping.
        unsafe { ptr::write(dest, copy) };
        Ok(0)
    })
}

/// The bytes, or NULL (errno EFAULT) for NULL or an invalid message.
#[no_mangle]
pub extern "C" fn zmq_msg_data(msg: *mut Msg) -> *mut c_void {
    // SAFETY: see msg_ref.
    match unsafe { msg_ref(msg) } {
        Ok(m) if m.is_valid() => m.data_ptr() as *mut c_void,
        _ => {
            set_errno(EFAULT);
            ptr::null_mut()
        }
    }
}

#[no_mangle]
pub extern "C" fn zmq_msg_cdata(msg: *const Msg) -> *const c_void {
    zmq_msg_data(msg as *mut Msg)
}

/// The size, or 0 (errno EFAULT) for NULL or an invalid message.
#[no_mangle]
pub extern "C" fn zmq_msg_size(msg: *mut Msg) -> usize {
    // SAFETY: see msg_ref.
    match unsafe { msg_ref(msg) } {
        Ok(m) if m.is_valid() => m.size(),
        _ => {
            set_errno(EFAULT);
            0
        }
    }
}

#[no_mangle]
pub extern "C" fn zmq_msg_csize(msg: *const Msg) -> usize {
    zmq_msg_size(msg as *mut Msg)
}
