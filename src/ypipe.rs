//! The lock-free single-producer/single-consumer pipe (libzmq's `yqueue_t`
//! + `ypipe_t`), split into a writer half and a reader half.
//!
//! Items live in chunks of `N` slots; the reader hands its finished chunk
//! back through a one-slot `spare` so a steady stream allocates nothing.
//! The writer publishes complete runs of items with `flush`; the shared
//! pointer `c` tells both sides whether the reader went to sleep: `flush`
//! returns false exactly when the reader had found the pipe empty (and
//! must be woken by a command), so a busy pipe costs no system call.
//! The writer half and the reader half may live in different threads.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Arc;

/// A chunk of `cap` slots: this header followed by the slots.  A pipe's
/// first chunk is small (an idle or short-lived pipe costs little); each
/// next one doubles, up to `N` slots.
#[repr(C)]
struct Chunk<T, const N: usize> {
    /// Previous chunk (writer-only: used by `unwrite`).
    prev: *mut Chunk<T, N>,
    /// Next chunk, set by the writer before any item in it is published.
    next: AtomicPtr<Chunk<T, N>>,
    /// Number of slots.
    cap: usize,
    /// The slots start here (the allocation extends past the header).
    values: [UnsafeCell<MaybeUninit<T>>; 0],
}

/// Slots in a pipe's first chunk.
const FIRST_CHUNK: usize = 4;

impl<T, const N: usize> Chunk<T, N> {
    fn layout(cap: usize) -> std::alloc::Layout {
        let header = std::alloc::Layout::new::<Self>();
        let values = std::alloc::Layout::array::<T>(cap).expect("chunk size");
        // The slots begin at the header's end, which is aligned for T
        // (the zero-length `values` field carries T's alignment).
        std::alloc::Layout::from_size_align(header.size() + values.size(), header.align()).expect("chunk size")
    }

    fn alloc(cap: usize) -> *mut Self {
        let layout = Self::layout(cap);
        // SAFETY: the layout has non-zero size; the result is checked.
        let p = unsafe { std::alloc::alloc(layout) } as *mut Self;
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: p is valid for writes of the header fields; the values
        // are MaybeUninit and need no initialisation.
        unsafe {
            ptr::addr_of_mut!((*p).prev).write(ptr::null_mut());
            ptr::addr_of_mut!((*p).next).write(AtomicPtr::new(ptr::null_mut()));
            ptr::addr_of_mut!((*p).cap).write(cap);
        }
        p
    }

    /// # Safety
    /// p must come from `alloc` and hold no live values.
    unsafe fn free(p: *mut Self) {
        std::alloc::dealloc(p as *mut u8, Self::layout((*p).cap));
    }

    #[inline]
    fn cap(p: *mut Self) -> usize {
        // SAFETY: p is a live chunk; cap is written once at allocation.
        unsafe { (*p).cap }
    }

    #[inline]
    fn slot(p: *mut Self, pos: usize) -> *mut T {
        // SAFETY: pos <= cap; the address stays inside (or one past the
        // end of) the chunk's allocation, whose provenance p carries.
        unsafe { (ptr::addr_of_mut!((*p).values) as *mut T).add(pos) }
    }
}

/// Writer-side positions (touched only by the writer half).
struct WState<T, const N: usize> {
    back_chunk: *mut Chunk<T, N>,
    back_pos: usize,
    end_chunk: *mut Chunk<T, N>,
    end_pos: usize,
    /// First item not yet flushed.
    w: *mut T,
    /// First item not yet complete (end of the last complete run).
    f: *mut T,
}

/// Reader-side positions (touched only by the reader half).
struct RState<T, const N: usize> {
    begin_chunk: *mut Chunk<T, N>,
    begin_pos: usize,
    /// Items before `r` are known to be readable without synchronisation.
    r: *mut T,
}

struct Shared<T, const N: usize> {
    /// Last flushed position as seen by the reader; NULL while it sleeps.
    c: AtomicPtr<T>,
    /// One recycled chunk, handed from the reader to the writer.
    spare: AtomicPtr<Chunk<T, N>>,
    w: UnsafeCell<WState<T, N>>,
    r: UnsafeCell<RState<T, N>>,
}

// SAFETY: the writer state is only touched through the unique YWriter and
// the reader state through the unique YReader; item hand-over is ordered by
// the release/acquire operations on `c`.
unsafe impl<T: Send, const N: usize> Send for Shared<T, N> {}
unsafe impl<T: Send, const N: usize> Sync for Shared<T, N> {}

impl<T, const N: usize> Drop for Shared<T, N> {
    fn drop(&mut self) {
        let w = self.w.get_mut();
        let r = self.r.get_mut();
        // Drop every item still queued (written, flushed or not).
        let (mut chunk, mut pos) = (r.begin_chunk, r.begin_pos);
        while !(chunk == w.back_chunk && pos == w.back_pos) {
            // SAFETY: positions between begin and back hold written items.
            unsafe { ptr::drop_in_place(Chunk::slot(chunk, pos)) };
            pos += 1;
            if pos == Chunk::cap(chunk) {
                // SAFETY: chunk is live; next was set when the writer moved on.
                chunk = unsafe { (*chunk).next.load(Ordering::Relaxed) };
                pos = 0;
            }
        }
        // Free the chunk list and the spare.
        let mut chunk = r.begin_chunk;
        loop {
            // SAFETY: every chunk from begin to end is a live allocation.
            let next = unsafe { (*chunk).next.load(Ordering::Relaxed) };
            let last = chunk == w.end_chunk;
            // SAFETY: its items were dropped above.
            unsafe { Chunk::free(chunk) };
            if last || next.is_null() {
                break;
            }
            chunk = next;
        }
        let spare = self.spare.load(Ordering::Relaxed);
        if !spare.is_null() {
            // SAFETY: the spare chunk holds no items.
            unsafe { Chunk::free(spare) };
        }
    }
}

/// The writing half.
pub struct YWriter<T, const N: usize> {
    s: Arc<Shared<T, N>>,
}

/// The reading half.
pub struct YReader<T, const N: usize> {
    s: Arc<Shared<T, N>>,
}

/// Creates a pipe; the reader starts asleep, so the first flush that
/// publishes something returns false (wake the reader).
pub fn ypipe<T, const N: usize>() -> (YWriter<T, N>, YReader<T, N>) {
    let chunk = Chunk::<T, N>::alloc(FIRST_CHUNK.min(N).max(2));
    let first = Chunk::slot(chunk, 0);
    let s = Arc::new(Shared {
        c: AtomicPtr::new(ptr::null_mut()),
        spare: AtomicPtr::new(ptr::null_mut()),
        w: UnsafeCell::new(WState { back_chunk: chunk, back_pos: 0, end_chunk: chunk, end_pos: 1, w: first, f: first }),
        r: UnsafeCell::new(RState { begin_chunk: chunk, begin_pos: 0, r: first }),
    });
    (YWriter { s: s.clone() }, YReader { s })
}

impl<T, const N: usize> YWriter<T, N> {
    #[inline]
    fn st(&mut self) -> &mut WState<T, N> {
        // SAFETY: only this (unique) writer touches the writer state.
        unsafe { &mut *self.s.w.get() }
    }

    /// Appends an item; with `incomplete` it stays invisible to `flush`
    /// until a later complete item is written.
    #[inline(always)]
    pub fn write(&mut self, value: T, incomplete: bool) {
        let shared: &Shared<T, N> = &self.s;
        let spare = &shared.spare;
        // SAFETY: only this (unique) writer touches the writer state.
        let st = unsafe { &mut *shared.w.get() };
        // SAFETY: the back slot is allocated and empty.
        unsafe { Chunk::slot(st.back_chunk, st.back_pos).write(value) };
        // push: advance back to the next slot, growing the chunk list.
        st.back_chunk = st.end_chunk;
        st.back_pos = st.end_pos;
        st.end_pos += 1;
        if st.end_pos == Chunk::cap(st.end_chunk) {
            let want = (st.end_pos * 2).min(N).max(st.end_pos);
            let mut next = spare.swap(ptr::null_mut(), Ordering::Acquire);
            if !next.is_null() && Chunk::cap(next) < want {
                // A small recycled chunk: the stream has outgrown it.
                // SAFETY: the spare chunk is empty and exclusively ours.
                unsafe { Chunk::free(next) };
                next = ptr::null_mut();
            }
            if next.is_null() {
                next = Chunk::alloc(want);
            } else {
                // SAFETY: a recycled chunk is exclusively ours now.
                unsafe { (*next).next.store(ptr::null_mut(), Ordering::Relaxed) };
            }
            // SAFETY: both chunks are live; the reader follows `next` only
            // after the item that precedes it has been published.
            unsafe {
                (*next).prev = st.end_chunk;
                (*st.end_chunk).next.store(next, Ordering::Relaxed);
            }
            st.end_chunk = next;
            st.end_pos = 0;
        }
        if !incomplete {
            st.f = Chunk::slot(st.back_chunk, st.back_pos);
        }
    }

    /// Takes back the last written item if it has not been completed.
    pub fn unwrite(&mut self) -> Option<T> {
        let st = self.st();
        if st.f == Chunk::slot(st.back_chunk, st.back_pos) {
            return None;
        }
        // unpush: step back and end one slot.
        if st.back_pos > 0 {
            st.back_pos -= 1;
        } else {
            // SAFETY: an incomplete item exists before back, so prev is live.
            st.back_chunk = unsafe { (*st.back_chunk).prev };
            st.back_pos = Chunk::cap(st.back_chunk) - 1;
        }
        if st.end_pos > 0 {
            st.end_pos -= 1;
        } else {
            let old = st.end_chunk;
            // SAFETY: the chunk being dropped holds no items; its prev is live.
            unsafe {
                st.end_chunk = (*old).prev;
                (*st.end_chunk).next.store(ptr::null_mut(), Ordering::Relaxed);
                Chunk::free(old);
            }
            st.end_pos = Chunk::cap(st.end_chunk) - 1;
        }
        // SAFETY: the slot holds the unpublished item we just stepped over.
        Some(unsafe { Chunk::slot(st.back_chunk, st.back_pos).read() })
    }

    /// Publishes complete items.  Returns false when the reader was asleep
    /// and has to be woken up by the caller.
    #[inline]
    pub fn flush(&mut self) -> bool {
        let shared: &Shared<T, N> = &self.s;
        let c = &shared.c;
        // SAFETY: only this (unique) writer touches the writer state.
        let st = unsafe { &mut *shared.w.get() };
        if st.w == st.f {
            return true;
        }
        if c.compare_exchange(st.w, st.f, Ordering::AcqRel, Ordering::Acquire).is_err() {
            // The reader is asleep (c is NULL): publish and ask for a wake-up.
            c.store(st.f, Ordering::Release);
            st.w = st.f;
            return false;
        }
        st.w = st.f;
        true
    }
}

impl<T, const N: usize> YReader<T, N> {
    #[inline]
    fn st(&mut self) -> &mut RState<T, N> {
        // SAFETY: only this (unique) reader touches the reader state.
        unsafe { &mut *self.s.r.get() }
    }

    #[inline]
    fn front(st: &RState<T, N>) -> *mut T {
        Chunk::slot(st.begin_chunk, st.begin_pos)
    }

    /// Whether an item can be read.  When there is none, the reader is
    /// marked asleep: the writer's next flush returns false.
    #[inline]
    pub fn check_read(&mut self) -> bool {
        let c = &self.s.c as *const AtomicPtr<T>;
        let st = self.st();
        let front = Self::front(st);
        if front != st.r && !st.r.is_null() {
            return true;
        }
        // SAFETY: c points into the Arc this reader holds.
        let c = unsafe { &*c };
        // A plain load first: when the writer has published more, no
        // read-modify-write (and no exclusive cache line) is needed.
        let published = c.load(Ordering::Acquire);
        if published != front && !published.is_null() {
            st.r = published;
            return true;
        }
        st.r = match c.compare_exchange(front, ptr::null_mut(), Ordering::AcqRel, Ordering::Acquire) {
            Ok(prev) => prev,
            Err(prev) => prev,
        };
        !(front == st.r || st.r.is_null())
    }

    /// A cheap hint for a reader that went to sleep: false means no writer
    /// has published anything since (no atomic read-modify-write).
    #[inline]
    pub fn maybe_readable(&self) -> bool {
        !self.s.c.load(Ordering::Acquire).is_null()
    }

    /// Reads one item, or None (the reader is then asleep).
    #[inline]
    pub fn read(&mut self) -> Option<T> {
        if !self.check_read() {
            return None;
        }
        let spare = &self.s.spare as *const AtomicPtr<Chunk<T, N>>;
        let st = self.st();
        // SAFETY: check_read proved the front slot holds a published item.
        let value = unsafe { Self::front(st).read() };
        st.begin_pos += 1;
        if st.begin_pos == Chunk::cap(st.begin_chunk) {
            let old = st.begin_chunk;
            // SAFETY: the writer set `next` before publishing past the chunk.
            st.begin_chunk = unsafe { (*old).next.load(Ordering::Relaxed) };
            st.begin_pos = 0;
            // SAFETY: spare points into our Arc; the old chunk is empty and
            // no longer referenced by either side.
            let prev = unsafe { (*spare).swap(old, Ordering::AcqRel) };
            if !prev.is_null() {
                // SAFETY: the displaced spare chunk is empty and unreferenced.
                unsafe { Chunk::free(prev) };
            }
        }
        Some(value)
    }

    /// The next item, if any, without removing it.
    #[inline]
    pub fn peek(&mut self) -> Option<&T> {
        if !self.check_read() {
            return None;
        }
        let st = self.st();
        // SAFETY: the front slot holds a published item that stays until read.
        Some(unsafe { &*Self::front(st) })
    }
}

// SAFETY: each half is the unique accessor of its side's state.
unsafe impl<T: Send, const N: usize> Send for YWriter<T, N> {}
unsafe impl<T: Send, const N: usize> Send for YReader<T, N> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_and_wake_protocol() {
        let (mut w, mut r) = ypipe::<u32, 4>();
        assert!(r.read().is_none());
        w.write(1, false);
        assert!(!w.flush(), "reader was asleep: wake it");
        w.write(2, false);
        assert!(w.flush(), "reader awake: no wake-up");
        assert_eq!(r.read(), Some(1));
        assert_eq!(r.read(), Some(2));
        assert_eq!(r.read(), None);
        w.write(3, false);
        assert!(!w.flush());
    }

    #[test]
    fn incomplete_items_are_invisible_and_can_be_unwritten() {
        let (mut w, mut r) = ypipe::<u32, 3>();
        for i in 0..7 {
            w.write(i, true);
        }
        w.flush();
        assert!(r.read().is_none());
        for i in (0..7).rev() {
            assert_eq!(w.unwrite(), Some(i));
        }
        assert_eq!(w.unwrite(), None);
        w.write(10, true);
        w.write(11, false);
        w.flush();
        assert_eq!(r.read(), Some(10));
        assert_eq!(r.read(), Some(11));
    }

    #[test]
    fn chunks_grow_from_small_and_unwrite_across_them() {
        // 4, 8, 16, 32, 64, 64, ... slots: items cross chunks of every size.
        let (mut w, mut r) = ypipe::<u32, 64>();
        for i in 0..1000 {
            w.write(i, true);
        }
        for i in (500..1000).rev() {
            assert_eq!(w.unwrite(), Some(i));
        }
        w.write(500, false);
        w.flush();
        for i in 0..=500 {
            assert_eq!(r.read(), Some(i));
        }
        assert_eq!(r.read(), None);
        // Steady streaming recycles full-size chunks.
        for round in 0..50u32 {
            for i in 0..100 {
                w.write(round * 100 + i, false);
            }
            w.flush();
            for i in 0..100 {
                assert_eq!(r.read(), Some(round * 100 + i));
            }
        }
    }

    #[test]
    fn a_new_pipe_is_small() {
        assert!(Chunk::<[u8; 40], 256>::layout(FIRST_CHUNK).size() <= 40 * FIRST_CHUNK + 32);
    }

    #[test]
    fn drop_releases_queued_items() {
        let marker = Arc::new(());
        let (mut w, r) = ypipe::<Arc<()>, 4>();
        for _ in 0..10 {
            w.write(marker.clone(), false);
        }
        w.write(marker.clone(), true);
        w.flush();
        drop(w);
        drop(r);
        assert_eq!(Arc::strong_count(&marker), 1);
    }

    #[test]
    fn threads_stream_in_order() {
        let (mut w, mut r) = ypipe::<u64, 16>();
        let n = 200_000u64;
        let t = std::thread::spawn(move || {
            for i in 0..n {
                w.write(i, false);
                w.flush();
            }
        });
        let mut next = 0;
        while next < n {
            if let Some(v) = r.read() {
                assert_eq!(v, next);
                next += 1;
            } else {
                std::thread::yield_now();
            }
        }
        t.join().unwrap();
    }
}
