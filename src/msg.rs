//! `Msg`: the 40-byte `zmq_msg_t`, used unchanged inside the library.
//!
//! Data of up to 30 bytes lives inline (`content == ZMQ_VSM`); larger data
//! lives in one heap block (a `Content` header followed by the bytes), or in
//! the caller's buffer for `zmq_msg_init_data`.  Heap content is shared by
//! pointer: `flags & SHARED` says the atomic `refcnt` counts the holders.
//! Every state of ownership is inside the 40 bytes, so C callers may move
//! the struct around freely.  Owned by whichever thread holds the struct.

use crate::err::{Errno, Result, EFAULT, ENOMEM};
use std::os::raw::c_void;
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};

pub const MAX_VSM_SIZE: usize = 30;
pub const DELIMITER: usize = 31;
pub const VSM: usize = 32;
pub const MSG_MORE: u8 = 1;
pub const MSG_SHARED: u8 = 128;
pub const MSG_MASK: u8 = 129;
/// The flags of a fresh message: bits 1..6 set, the validity tag.
pub const MSG_TAG: u8 = !MSG_MASK;

/// The user's deallocation function for `zmq_msg_init_data`.
pub type FreeFn = unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void);

/// Heap content of a message larger than 30 bytes.
#[repr(C)]
struct Content {
    /// Start of the bytes (just past this header, or the caller's buffer).
    data: *mut u8,
    /// Length of the bytes.
    size: usize,
    /// Called with (data, hint) when the last reference goes, if set.
    ffn: Option<FreeFn>,
    /// Passed to `ffn`.
    hint: *mut c_void,
    /// Number of holders while the SHARED flag is set.
    refcnt: AtomicU32,
}

/// A message (keep in sync with `zmq_msg_t` in include/zmq.h).
#[repr(C)]
pub struct Msg {
    content: *mut c_void,
    flags: u8,
    vsm_size: u8,
    vsm_data: [u8; MAX_VSM_SIZE],
}

const _: () = assert!(std::mem::size_of::<Msg>() == 40);
const _: () = assert!(std::mem::align_of::<Msg>() == 8);

// SAFETY: a Msg exclusively owns its inline bytes; heap content is only
// shared through the atomic reference count, and the user's free function
// is documented to be callable from any thread.
unsafe impl Send for Msg {}

impl Default for Msg {
    fn default() -> Self {
        Msg::new()
    }
}

impl Msg {
    /// An empty message (what `zmq_msg_init` makes).
    #[inline]
    pub const fn new() -> Msg {
        Msg { content: VSM as *mut c_void, flags: MSG_TAG, vsm_size: 0, vsm_data: [0; MAX_VSM_SIZE] }
    }

    /// Makes `*p` an inline message of `size` (<= 30) unspecified bytes,
    /// writing only the header fields (as 2.2, the data bytes are left as
    /// they were: no 30-byte zeroing on the hot path).
    ///
    /// # Safety
    /// `p` must point to 40 writable bytes that hold no live message.
    #[inline]
    pub unsafe fn init_inline_at(p: *mut Msg, size: usize) {
        debug_assert!(size <= MAX_VSM_SIZE);
        ptr::addr_of_mut!((*p).content).write(VSM as *mut c_void);
        ptr::addr_of_mut!((*p).flags).write(MSG_TAG);
        ptr::addr_of_mut!((*p).vsm_size).write(size as u8);
    }

    /// The pipe terminator (never handed to users).
    pub const fn delimiter() -> Msg {
        Msg { content: DELIMITER as *mut c_void, flags: MSG_TAG, vsm_size: 0, vsm_data: [0; MAX_VSM_SIZE] }
    }

    /// A message of `size` uninitialised (here: unspecified) bytes.
    /// ENOMEM when the allocation fails or the size overflows.
    pub fn with_size(size: usize) -> Result<Msg> {
        if size <= MAX_VSM_SIZE {
            let mut m = Msg::new();
            m.vsm_size = size as u8;
            return Ok(m);
        }
        let total = size.checked_add(std::mem::size_of::<Content>()).ok_or(ENOMEM)?;
        // SAFETY: malloc of a non-zero size; the result is checked for NULL.
        let block = unsafe { libc::malloc(total) } as *mut Content;
        if block.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: block is a fresh allocation large enough for the header
        // followed by `size` bytes.
        unsafe {
            ptr::write(
                block,
                Content {
                    data: (block as *mut u8).add(std::mem::size_of::<Content>()),
                    size,
                    ffn: None,
                    hint: ptr::null_mut(),
                    refcnt: AtomicU32::new(0),
                },
            );
        }
        Ok(Msg { content: block as *mut c_void, flags: MSG_TAG, vsm_size: 0, vsm_data: [0; MAX_VSM_SIZE] })
    }

    /// A message holding a copy of `bytes`.
    pub fn from_slice(bytes: &[u8]) -> Result<Msg> {
        let mut m = Msg::with_size(bytes.len())?;
        m.data_mut().copy_from_slice(bytes);
        Ok(m)
    }

    /// A message over the caller's buffer; `ffn(data, hint)` runs once when
    /// the last reference is released.  ENOMEM if the header can't be had.
    pub fn with_user_data(data: *mut u8, size: usize, ffn: Option<FreeFn>, hint: *mut c_void) -> Result<Msg> {
        // SAFETY: malloc of the header size, checked for NULL.
        let block = unsafe { libc::malloc(std::mem::size_of::<Content>()) } as *mut Content;
        if block.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: block is a fresh allocation of the header's size.
        unsafe { ptr::write(block, Content { data, size, ffn, hint, refcnt: AtomicU32::new(0) }) };
        Ok(Msg { content: block as *mut c_void, flags: MSG_TAG, vsm_size: 0, vsm_data: [0; MAX_VSM_SIZE] })
    }

    /// Whether the flags carry the validity tag (initialised, not closed).
    #[inline]
    pub fn is_valid(&self) -> bool {
        (self.flags | MSG_MASK) == 0xFF
    }

    /// EFAULT unless the message is initialised and not closed.
    #[inline]
    pub fn check(&self) -> Result<()> {
        if self.is_valid() {
            Ok(())
        } else {
            Err(EFAULT)
        }
    }

    #[inline]
    pub fn is_delimiter(&self) -> bool {
        self.content as usize == DELIMITER
    }

    #[inline]
    fn is_vsm(&self) -> bool {
        self.content as usize == VSM
    }

    #[inline]
    fn heap(&self) -> Option<&Content> {
        if self.content as usize <= VSM {
            None
        } else {
            // SAFETY: any other content value is a live Content block owned
            // (or co-owned) by this message.
            Some(unsafe { &*(self.content as *const Content) })
        }
    }

    #[inline]
    pub fn more(&self) -> bool {
        self.flags & MSG_MORE != 0
    }

    #[inline]
    pub fn set_more(&mut self, more: bool) {
        if more {
            self.flags |= MSG_MORE;
        } else {
            self.flags &= !MSG_MORE;
        }
    }

    #[inline]
    pub fn size(&self) -> usize {
        if self.is_vsm() {
            self.vsm_size as usize
        } else {
            self.heap().map_or(0, |c| c.size)
        }
    }

    /// Pointer to the bytes (NULL for the delimiter or a NULL user buffer).
    #[inline]
    pub fn data_ptr(&mut self) -> *mut u8 {
        if self.is_vsm() {
            self.vsm_data.as_mut_ptr()
        } else {
            self.heap().map_or(ptr::null_mut(), |c| c.data)
        }
    }

    #[inline]
    pub fn data(&self) -> &[u8] {
        if self.is_vsm() {
            return &self.vsm_data[..self.vsm_size as usize];
        }
        match self.heap() {
            // SAFETY: data points at `size` readable bytes for the content's life.
            Some(c) if !c.data.is_null() => unsafe { std::slice::from_raw_parts(c.data, c.size) },
            _ => &[],
        }
    }

    #[inline]
    pub fn data_mut(&mut self) -> &mut [u8] {
        let size = self.size();
        let p = self.data_ptr();
        if p.is_null() {
            return &mut [];
        }
        // SAFETY: p points at `size` bytes this message may write (inline,
        // or heap content it holds).
        unsafe { std::slice::from_raw_parts_mut(p, size) }
    }

    /// Releases the content (if this was the last holder) and marks the
    /// message closed.  Nothing happens for an invalid message.
    pub fn close(&mut self) {
        if !self.is_valid() {
            return;
        }
        if let Some(c) = self.heap() {
            let last = self.flags & MSG_SHARED == 0 || c.refcnt.fetch_sub(1, Ordering::AcqRel) == 1;
            if last {
                let block = self.content as *mut Content;
                // SAFETY: we held the last reference to this block, which was
                // allocated with malloc; the user's ffn owns its own buffer.
                unsafe {
                    if let Some(ffn) = (*block).ffn {
                        ffn((*block).data as *mut c_void, (*block).hint);
                    }
                    libc::free(block as *mut c_void);
                }
            }
        }
        self.flags = 0;
    }

    /// A second handle on the same content (`zmq_msg_copy` semantics):
    /// inline data is copied, heap content gains a reference.
    pub fn share(&mut self) -> Msg {
        if let Some(c) = self.heap() {
            if self.flags & MSG_SHARED != 0 {
                c.refcnt.fetch_add(1, Ordering::Relaxed);
            } else {
                c.refcnt.store(2, Ordering::Relaxed);
                self.flags |= MSG_SHARED;
            }
        }
        // SAFETY: a bitwise copy is a valid second owner now that the
        // reference count accounts for it (inline data is plain bytes).
        unsafe { ptr::read(self) }
    }

    /// Adds `n` holders at once (fan-out to n + 1 pipes), returning nothing;
    /// the caller then makes n bitwise copies with `raw_copy`.
    pub(crate) fn add_refs(&mut self, n: u32) {
        if let Some(c) = self.heap() {
            if self.flags & MSG_SHARED != 0 {
                c.refcnt.fetch_add(n, Ordering::Relaxed);
            } else {
                c.refcnt.store(n + 1, Ordering::Relaxed);
                self.flags |= MSG_SHARED;
            }
        }
    }

    /// A bitwise copy; the caller must have accounted for it with add_refs
    /// (or the message is inline).
    ///
    /// # Safety
    /// Heap content must have a reference reserved for the copy.
    pub(crate) unsafe fn raw_copy(&self) -> Msg {
        ptr::read(self)
    }

    /// Takes the message out, leaving an empty one behind.
    #[inline]
    pub fn take(&mut self) -> Msg {
        std::mem::replace(self, Msg::new())
    }

    /// The raw flags byte (for tests and the C layer).
    pub fn flags(&self) -> u8 {
        self.flags
    }

    pub fn content_ptr(&self) -> *mut c_void {
        self.content
    }
}

impl Drop for Msg {
    #[inline]
    fn drop(&mut self) {
        if self.content as usize > VSM {
            self.close();
        }
    }
}

/// EFAULT as a Result, for the C layer's checks.
pub fn efault<T>() -> std::result::Result<T, Errno> {
    Err(EFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    static FREED: AtomicUsize = AtomicUsize::new(0);
    unsafe extern "C" fn count_free(_d: *mut c_void, hint: *mut c_void) {
        assert_eq!(hint as usize, 7);
        FREED.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn vsm_is_inline() {
        let mut m = Msg::from_slice(b"hello").unwrap();
        assert_eq!(m.content_ptr() as usize, VSM);
        assert_eq!(m.flags(), 0x7E);
        assert_eq!(m.data(), b"hello");
        let p = m.data_ptr() as usize;
        let base = &m as *const Msg as usize;
        assert!(p >= base && p < base + 40);
    }

    #[test]
    fn heap_shared_and_freed_once() {
        let mut buf = vec![1u8; 100];
        let mut m = Msg::with_user_data(buf.as_mut_ptr(), 100, Some(count_free), 7 as *mut c_void).unwrap();
        let before = FREED.load(Ordering::SeqCst);
        let c = m.share();
        assert_eq!(m.flags(), 0xFE);
        drop(m);
        assert_eq!(FREED.load(Ordering::SeqCst), before);
        drop(c);
        assert_eq!(FREED.load(Ordering::SeqCst), before + 1);
    }

    #[test]
    fn size_overflow_is_enomem() {
        assert_eq!(Msg::with_size(usize::MAX).err(), Some(ENOMEM));
        assert_eq!(Msg::with_size(usize::MAX - 10).err(), Some(ENOMEM));
    }

    #[test]
    fn close_twice_is_harmless() {
        let mut m = Msg::with_size(1000).unwrap();
        m.close();
        assert!(!m.is_valid());
        m.close();
    }
}
