//! Handles given to C callers for contexts and sockets.
//!
//! A handle is a small block that is never freed: a tag word and the
//! object.  A closed socket's handle keeps the dead tag, so a handle
//! passed back after `zmq_close` or `zmq_term` is recognised (ENOTSOCK /
//! EFAULT) without touching freed memory.  Dead blocks are reused only
//! after many others were freed (a FIFO quarantine), which bounds memory.

use crate::ctx::Ctx;
use crate::err::{Result, EFAULT, ENOTSOCK};
use crate::socket::base::SocketBase;
use parking_lot::Mutex;
use std::cell::UnsafeCell;
use std::collections::VecDeque;
use std::os::raw::c_void;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

const SOCKET_LIVE: u32 = 0xbaddecaf;
const CTX_LIVE: u32 = 0xbadcafe0;
const DEAD: u32 = 0xdeadbeef;
/// Dead handles are reused only once this many are waiting.
const QUARANTINE: usize = 4096;

#[repr(C)]
pub struct SocketHandle {
    tag: AtomicU32,
    sock: UnsafeCell<Option<Box<SocketBase>>>,
}

#[repr(C)]
pub struct CtxHandle {
    tag: AtomicU32,
    ctx: Mutex<Option<Arc<Ctx>>>,
}

// SAFETY: a socket is used by one thread at a time (the API's contract);
// the tag is atomic; the context handle is behind a mutex.
unsafe impl Sync for SocketHandle {}
unsafe impl Sync for CtxHandle {}

static FREE_SOCKETS: Mutex<VecDeque<usize>> = Mutex::new(VecDeque::new());
static FREE_CTXS: Mutex<VecDeque<usize>> = Mutex::new(VecDeque::new());

/// Makes a handle for a new socket.
pub fn new_socket_handle(sock: Box<SocketBase>) -> *mut c_void {
    let reuse = {
        let mut free = FREE_SOCKETS.lock();
        if free.len() > QUARANTINE {
            free.pop_front()
        } else {
            None
        }
    };
    let h: &'static SocketHandle = match reuse {
        // SAFETY: addresses in the free list are leaked, never-freed handles.
        Some(addr) => unsafe { &*(addr as *const SocketHandle) },
        None => Box::leak(Box::new(SocketHandle { tag: AtomicU32::new(DEAD), sock: UnsafeCell::new(None) })),
    };
    // SAFETY: the handle is dead, so no other thread uses its cell.
    unsafe { *h.sock.get() = Some(sock) };
    h.tag.store(SOCKET_LIVE, Ordering::Release);
    h as *const SocketHandle as *mut c_void
}

/// The live socket behind a handle, or ENOTSOCK.
///
/// # Safety
/// `p` must be NULL or point to at least 4 readable bytes (as in 2.2, a
/// wild pointer can't be detected).
pub unsafe fn socket<'a>(p: *mut c_void) -> Result<&'a mut SocketBase> {
    if p.is_null() || (p as usize) % std::mem::align_of::<SocketHandle>() != 0 {
        return Err(ENOTSOCK);
    }
    let h = &*(p as *const SocketHandle);
    if h.tag.load(Ordering::Acquire) != SOCKET_LIVE {
        return Err(ENOTSOCK);
    }
    match (*h.sock.get()).as_deref_mut() {
        Some(s) => Ok(s),
        None => Err(ENOTSOCK),
    }
}

/// `zmq_close`: takes the socket out of its handle (ENOTSOCK if not live).
///
/// # Safety
/// As for `socket`.
pub unsafe fn close_socket(p: *mut c_void) -> Result<Box<SocketBase>> {
    socket(p)?;
    let h = &*(p as *const SocketHandle);
    if h.tag.compare_exchange(SOCKET_LIVE, DEAD, Ordering::AcqRel, Ordering::Acquire).is_err() {
        return Err(ENOTSOCK);
    }
    let sock = (*h.sock.get()).take().ok_or(ENOTSOCK)?;
    FREE_SOCKETS.lock().push_back(p as usize);
    Ok(sock)
}

/// Makes a handle for a new context.
pub fn new_ctx_handle(ctx: Arc<Ctx>) -> *mut c_void {
    let reuse = {
        let mut free = FREE_CTXS.lock();
        if free.len() > QUARANTINE {
            free.pop_front()
        } else {
            None
        }
    };
    let h: &'static CtxHandle = match reuse {
        // SAFETY: addresses in the free list are leaked, never-freed handles.
        Some(addr) => unsafe { &*(addr as *const CtxHandle) },
        None => Box::leak(Box::new(CtxHandle { tag: AtomicU32::new(DEAD), ctx: Mutex::new(None) })),
    };
    *h.ctx.lock() = Some(ctx);
    h.tag.store(CTX_LIVE, Ordering::Release);
    h as *const CtxHandle as *mut c_void
}

/// The live context behind a handle, or EFAULT.
///
/// # Safety
/// As for `socket`.
pub unsafe fn ctx(p: *mut c_void) -> Result<Arc<Ctx>> {
    if p.is_null() || (p as usize) % std::mem::align_of::<CtxHandle>() != 0 {
        return Err(EFAULT);
    }
    let h = &*(p as *const CtxHandle);
    if h.tag.load(Ordering::Acquire) != CTX_LIVE {
        return Err(EFAULT);
    }
    h.ctx.lock().clone().ok_or(EFAULT)
}

/// After a successful `zmq_term`: the handle dies.
///
/// # Safety
/// `p` was accepted by `ctx` just before.
pub unsafe fn retire_ctx(p: *mut c_void) {
    let h = &*(p as *const CtxHandle);
    if h.tag.compare_exchange(CTX_LIVE, DEAD, Ordering::AcqRel, Ordering::Acquire).is_ok() {
        h.ctx.lock().take();
        FREE_CTXS.lock().push_back(p as usize);
    }
}
