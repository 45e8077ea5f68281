//! ZMTP/1.0 decoder: turns the bytes a peer sent into message parts.
//!
//! Sits inside a stream engine, in an io thread: the engine reads from the
//! socket fd and feeds the bytes to `decode`, which returns one complete
//! part at a time so the engine can push it into the session's pipe (and
//! stall, keeping the rest of its input, while the pipe is full).  For big
//! bodies the engine may instead `read()` straight into `direct_buf()` and
//! report the count with `direct_advance`.
//!
//! Wire format (SPEC §13.1, §13.4): `[L][flags][body]` with 1 <= L <= 254,
//! or `[0xFF][L: u64 big-endian][flags][body]` for any L >= 1 (a
//! non-canonical long form with L < 255 is accepted, as 4.x peers send one
//! for their greeting, §14.2); body length = L - 1; flags bit 0 = MORE,
//! bits 1..7 ignored.  L = 0, a body over the limit, or a body that can't
//! be allocated are errors after which the connection is closed (2.2).
//!
//! Memory is bounded by what the peer actually sent: bodies up to
//! `WHOLE_MAX` are allocated at once when their header completes; larger
//! ones grow a malloc'd buffer as the data arrives and become a `Msg` over
//! that buffer when complete.  Lengths are checked before any arithmetic,
//! so lengths near 2^64 can't overflow (2.2 corrupts its heap there).

use crate::msg::Msg;
use std::os::raw::c_void;
use std::ptr::NonNull;

/// Bodies at least this large are offered for zero-copy reads (`direct_buf`).
pub const DIRECT_MIN: usize = 8192;
/// Bodies up to this size are allocated in full as soon as the header is read.
pub const WHOLE_MAX: usize = 256 * 1024;
/// Smallest growth step of the buffer of a larger body.
pub const GROW_MIN: usize = 64 * 1024;
/// Largest growth step of the buffer of a larger body (otherwise it doubles).
pub const GROW_MAX: usize = 64 * 1024 * 1024;
/// Bodies above this can't be allocated on any platform (half the address
/// space); they fail with `NoMemory` at once, like 2.2's refused malloc.
pub const MAX_BODY: u64 = (isize::MAX as u64) / 2;

/// Why the decoder gave up; the engine closes the connection on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// A length of 0: first length byte 0x00, or 0xFF with a 64-bit 0.
    ZeroLength,
    /// A body longer than the message-size or frame limit.
    TooLarge,
    /// The body (or its message) could not be allocated.
    NoMemory,
}

/// Where the decoder is within the current frame.
#[derive(Clone, Copy)]
enum State {
    /// Waiting for the first length byte.
    Start,
    /// Reading the 8 length bytes after 0xFF; this many are in `len_buf`.
    LongLen(u8),
    /// Length known; waiting for the flags byte.
    Flags(u64),
    /// Reading the body; the flags said MORE when true.
    Body(bool),
    /// A fatal error happened; every later call reports it again.
    Failed(DecodeError),
}

/// The storage of the body being read.
enum Body {
    /// No body in progress.
    None,
    /// A message allocated in full (bodies up to `WHOLE_MAX`).
    Whole {
        /// The message whose bytes are being filled.
        msg: Msg,
        /// Bytes of the body received so far.
        filled: usize,
    },
    /// A malloc'd buffer grown as data arrives (bodies above `WHOLE_MAX`).
    Growing {
        /// The buffer (None until the first byte arrives).
        ptr: Option<NonNull<u8>>,
        /// Allocated size of the buffer, never above `len`.
        cap: usize,
        /// Bytes of the body received so far.
        filled: usize,
        /// Declared body length.
        len: usize,
    },
}

/// The incremental ZMTP/1.0 frame decoder of one connection.
pub struct Decoder {
    /// Current position in the frame.
    state: State,
    /// The 8-byte length of a long-form header, as it arrives.
    len_buf: [u8; 8],
    /// The body being read.
    body: Body,
    /// Largest body accepted for any frame (u64::MAX = unlimited, as 2.2).
    max_msg_size: u64,
    /// Largest body accepted for the current/next frame (`set_max_frame`).
    max_frame: u64,
}

// SAFETY: the only non-Send field is the pointer of the growing buffer,
// which the decoder owns exclusively (malloc'd here, freed here or handed
// to a Msg); nothing else refers to it, so moving the decoder to another
// thread is sound.
unsafe impl Send for Decoder {}

/// The free function of a message built over a grown body buffer.
unsafe extern "C" fn free_body(data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the buffer this module obtained from malloc/realloc
    // and gave to exactly one Msg, which calls us once.
    unsafe { libc::free(data) }
}

impl Decoder {
    /// A decoder accepting bodies of up to `max_msg_size` bytes
    /// (`u64::MAX` = unlimited, 2.2's behaviour).
    pub fn new(max_msg_size: u64) -> Decoder {
        Decoder { state: State::Start, len_buf: [0; 8], body: Body::None, max_msg_size, max_frame: u64::MAX }
    }

    /// Limits the body of the current (if its length isn't known yet) and
    /// following frames to `max_body` bytes; a longer one is `TooLarge`.
    /// The engine uses 255 while the identity frame is read, then u64::MAX.
    pub fn set_max_frame(&mut self, max_body: u64) {
        self.max_frame = max_body;
    }

    /// Consumes bytes from `input`; returns how many were used and, when a
    /// frame completed, its message part (MORE from the flags' bit 0).  It
    /// stops right after a completed part: call again with the rest.  Any
    /// split of the input works.  After an error every call returns it.
    #[inline(always)]
    pub fn decode(&mut self, input: &[u8]) -> Result<(usize, Option<Msg>), DecodeError> {
        // Fast path (inlined into the engine's loop): a whole short frame
        // at the start of the input.
        if let (State::Start, Some(&l)) = (&self.state, input.first()) {
            let l = l as usize;
            if l != 0 && l != 0xFF && input.len() > l {
                let body_len = (l - 1) as u64;
                if body_len <= self.max_frame && body_len <= self.max_msg_size {
                    if let Ok(mut msg) = Msg::from_slice(&input[2..1 + l]) {
                        msg.set_more(input[1] & 1 != 0);
                        return Ok((1 + l, Some(msg)));
                    }
                }
            }
        }
        self.decode_slow(input)
    }

    /// Every other case, byte by byte through the states.
    fn decode_slow(&mut self, input: &[u8]) -> Result<(usize, Option<Msg>), DecodeError> {
        let mut pos = 0;
        loop {
            match self.state {
                State::Failed(e) => return Err(e),
                State::Start => {
                    let Some(&b) = input.get(pos) else { break };
                    pos += 1;
                    match b {
                        0xFF => self.state = State::LongLen(0),
                        0 => return Err(self.fail(DecodeError::ZeroLength)),
                        l => self.length_known(l as u64)?,
                    }
                }
                State::LongLen(got) => {
                    let got = got as usize;
                    let rest = input.get(pos..).unwrap_or(&[]);
                    let take = rest.len().min(8 - got);
                    if take == 0 {
                        break;
                    }
                    self.len_buf[got..got + take].copy_from_slice(&rest[..take]);
                    pos += take;
                    if got + take < 8 {
                        self.state = State::LongLen((got + take) as u8);
                        continue;
                    }
                    let l = u64::from_be_bytes(self.len_buf);
                    if l == 0 {
                        return Err(self.fail(DecodeError::ZeroLength));
                    }
                    self.length_known(l)?;
                }
                State::Flags(body_len) => {
                    let Some(&f) = input.get(pos) else { break };
                    pos += 1;
                    let more = f & 1 != 0;
                    if body_len == 0 {
                        let mut msg = Msg::new();
                        msg.set_more(more);
                        self.state = State::Start;
                        return Ok((pos, Some(msg)));
                    }
                    // length_known made sure body_len <= MAX_BODY, so it fits.
                    let len = usize::try_from(body_len).map_err(|_| self.fail(DecodeError::NoMemory))?;
                    self.body = if len <= WHOLE_MAX {
                        match Msg::with_size(len) {
                            Ok(msg) => Body::Whole { msg, filled: 0 },
                            Err(_) => return Err(self.fail(DecodeError::NoMemory)),
                        }
                    } else {
                        Body::Growing { ptr: None, cap: 0, filled: 0, len }
                    };
                    self.state = State::Body(more);
                }
                State::Body(_) => {
                    let rest = input.get(pos..).unwrap_or(&[]);
                    if rest.is_empty() {
                        break;
                    }
                    let used = self.fill(rest)?;
                    pos += used;
                    if let Some(msg) = self.finish_if_complete()? {
                        return Ok((pos, Some(msg)));
                    }
                    if used == 0 {
                        // Unreachable by construction; never spin.
                        return Err(self.fail(DecodeError::NoMemory));
                    }
                }
            }
        }
        Ok((pos, None))
    }

    /// The unfilled remainder of the current body, for reading straight into
    /// it, when a body of at least `DIRECT_MIN` bytes is being read and its
    /// header is complete.  For bodies above `WHOLE_MAX` only allocated
    /// space is offered (the buffer grows here by at most one step).
    pub fn direct_buf(&mut self) -> Option<&mut [u8]> {
        if !matches!(self.state, State::Body(_)) {
            return None;
        }
        match &self.body {
            Body::Growing { cap, filled, len, .. } if *len >= DIRECT_MIN && filled < len => {
                if filled == cap {
                    let need = *filled + 1;
                    if !self.reserve(need) {
                        self.fail(DecodeError::NoMemory);
                        return None;
                    }
                }
            }
            Body::Whole { msg, .. } if msg.size() >= DIRECT_MIN => {}
            _ => return None,
        }
        match &mut self.body {
            Body::Whole { msg, filled } => msg.data_mut().get_mut(*filled..),
            Body::Growing { ptr: Some(p), cap, filled, .. } => {
                // SAFETY: the buffer holds `cap` allocated bytes, exclusively
                // ours; the slice borrows `self` mutably so it can't outlive
                // or alias a reallocation.
                Some(unsafe { std::slice::from_raw_parts_mut(p.as_ptr().add(*filled), *cap - *filled) })
            }
            _ => None,
        }
    }

    /// Records that `n` bytes were written into the slice `direct_buf`
    /// returned (clamped to its length); returns the part once the body is
    /// complete.  Returns None when no direct read is in progress.  If the
    /// final message can't be allocated the decoder fails and the next
    /// `decode` call reports `NoMemory`.
    pub fn direct_advance(&mut self, n: usize) -> Option<Msg> {
        if !matches!(self.state, State::Body(_)) {
            return None;
        }
        match &mut self.body {
            Body::Whole { msg, filled } if msg.size() >= DIRECT_MIN => {
                *filled += n.min(msg.size() - *filled);
            }
            Body::Growing { cap, filled, len, .. } if *len >= DIRECT_MIN => {
                *filled += n.min(*cap - *filled);
            }
            _ => return None,
        }
        self.finish_if_complete().ok().flatten()
    }

    /// Bytes of body storage the decoder holds right now (its own
    /// accounting: the whole message, or the grown buffer's capacity).
    pub fn allocated(&self) -> usize {
        match &self.body {
            Body::None => 0,
            Body::Whole { msg, .. } => msg.size(),
            Body::Growing { cap, .. } => *cap,
        }
    }

    /// The error the decoder stopped on, if any.
    pub fn error(&self) -> Option<DecodeError> {
        match self.state {
            State::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Copies the next bytes of the body from `rest`; returns how many.
    fn fill(&mut self, rest: &[u8]) -> Result<usize, DecodeError> {
        let (filled, len) = match &mut self.body {
            Body::Whole { msg, filled } => {
                let dst = msg.data_mut().get_mut(*filled..).unwrap_or(&mut []);
                let take = dst.len().min(rest.len());
                dst[..take].copy_from_slice(&rest[..take]);
                *filled += take;
                return Ok(take);
            }
            Body::Growing { filled, len, .. } => (*filled, *len),
            Body::None => return Ok(0),
        };
        let take = len.saturating_sub(filled).min(rest.len());
        if !self.reserve(filled + take) {
            return Err(self.fail(DecodeError::NoMemory));
        }
        if let Body::Growing { ptr: Some(p), filled, .. } = &mut self.body {
            // SAFETY: reserve made the buffer at least filled + take bytes
            // long; the source is the caller's input, a distinct object.
            unsafe { std::ptr::copy_nonoverlapping(rest.as_ptr(), p.as_ptr().add(*filled), take) };
            *filled += take;
        }
        Ok(take)
    }

    /// Checks a frame length L (>= 1) against the limits and moves on to
    /// the flags byte.
    fn length_known(&mut self, l: u64) -> Result<(), DecodeError> {
        let body_len = l - 1;
        if body_len > self.max_msg_size || body_len > self.max_frame {
            return Err(self.fail(DecodeError::TooLarge));
        }
        if body_len > MAX_BODY {
            return Err(self.fail(DecodeError::NoMemory));
        }
        self.state = State::Flags(body_len);
        Ok(())
    }

    /// Makes the growing buffer at least `need` bytes long, growing it by
    /// the usual step (doubling, within GROW_MIN..=GROW_MAX) or to `need` if
    /// that is more, never beyond the declared length.  False if realloc
    /// fails or `need` exceeds the declared length (the old buffer is kept).
    fn reserve(&mut self, need: usize) -> bool {
        let Body::Growing { ptr, cap, len, .. } = &mut self.body else { return false };
        if need <= *cap {
            return true;
        }
        let step = (*cap).clamp(GROW_MIN, GROW_MAX);
        let target = cap.saturating_add(step).max(need).min(*len);
        if target < need {
            return false; // never past the declared length
        }
        let old = ptr.map_or(std::ptr::null_mut(), |p| p.as_ptr() as *mut c_void);
        // SAFETY: `old` is null or our own malloc'd buffer; target > 0
        // because need > cap >= 0.  On failure the old block stays valid.
        let new = unsafe { libc::realloc(old, target) } as *mut u8;
        match NonNull::new(new) {
            Some(p) => {
                // SAFETY: bytes cap..target are freshly allocated; zeroing
                // them keeps every byte `direct_buf` hands out initialised.
                unsafe { std::ptr::write_bytes(p.as_ptr().add(*cap), 0, target - *cap) };
                *ptr = Some(p);
                *cap = target;
                true
            }
            None => false,
        }
    }

    /// When the body is complete: turns it into the message part, resets
    /// for the next frame and returns it.
    fn finish_if_complete(&mut self) -> Result<Option<Msg>, DecodeError> {
        let State::Body(more) = self.state else { return Ok(None) };
        let done = match &self.body {
            Body::Whole { msg, filled } => *filled >= msg.size(),
            Body::Growing { filled, len, .. } => filled >= len,
            Body::None => true,
        };
        if !done {
            return Ok(None);
        }
        let mut msg = match std::mem::replace(&mut self.body, Body::None) {
            Body::Whole { msg, .. } => msg,
            Body::Growing { ptr, len, .. } => {
                let p = ptr.map_or(std::ptr::null_mut(), |p| p.as_ptr());
                match Msg::with_user_data(p, len, Some(free_body), std::ptr::null_mut()) {
                    Ok(m) => m,
                    Err(_) => {
                        // SAFETY: the message wasn't made, so the buffer is
                        // still ours alone.
                        unsafe { libc::free(p as *mut c_void) };
                        return Err(self.fail(DecodeError::NoMemory));
                    }
                }
            }
            Body::None => Msg::new(),
        };
        msg.set_more(more);
        self.state = State::Start;
        Ok(Some(msg))
    }

    /// Enters the failed state (releasing any partial body) and returns `e`.
    fn fail(&mut self, e: DecodeError) -> DecodeError {
        self.release_body();
        self.state = State::Failed(e);
        e
    }

    /// Frees the partial body, if any.
    fn release_body(&mut self) {
        if let Body::Growing { ptr: Some(p), .. } = std::mem::replace(&mut self.body, Body::None) {
            // SAFETY: our own malloc'd buffer, not handed to any message.
            unsafe { libc::free(p.as_ptr() as *mut c_void) };
        }
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        self.release_body();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::encoder::Encoder;

    /// A small deterministic PRNG (xorshift64).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
    }

    type Part = (Vec<u8>, bool);

    fn encode(parts: &[Part]) -> Vec<u8> {
        let mut e = Encoder::new();
        let mut out = Vec::new();
        for (d, more) in parts {
            let mut m = Msg::from_slice(d).unwrap();
            m.set_more(*more);
            e.push(m);
            if !e.wants_more() {
                e.drain_into(&mut out);
            }
        }
        e.drain_into(&mut out);
        out
    }

    /// Feeds `stream` in pieces of `chunk` bytes (`decode`), or also through
    /// `direct_buf` when `direct`; returns the parts, or the first error.
    fn decode_all(dec: &mut Decoder, stream: &[u8], chunk: usize, direct: bool) -> Result<Vec<Part>, DecodeError> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < stream.len() {
            let end = pos.saturating_add(chunk).min(stream.len());
            if direct {
                if let Some(buf) = dec.direct_buf() {
                    assert!(!buf.is_empty());
                    let n = buf.len().min(end - pos);
                    buf[..n].copy_from_slice(&stream[pos..pos + n]);
                    pos += n;
                    if let Some(m) = dec.direct_advance(n) {
                        out.push((m.data().to_vec(), m.more()));
                    }
                    continue;
                }
            }
            let (used, m) = dec.decode(&stream[pos..end])?;
            assert!(used > 0 || m.is_some(), "no progress");
            assert!(used <= end - pos);
            pos += used;
            if let Some(m) = m {
                out.push((m.data().to_vec(), m.more()));
            }
        }
        // Anything pending at the end (empty input) must not produce a part.
        assert!(dec.decode(&[])?.1.is_none());
        Ok(out)
    }

    fn body(n: usize, seed: usize) -> Vec<u8> {
        (0..n).map(|j| (j.wrapping_mul(131) ^ seed.wrapping_mul(7)) as u8).collect()
    }

    fn sample_parts() -> Vec<Part> {
        let sizes = [0usize, 1, 253, 254, 255, 256, 8191, 8192, 65536, 1 << 20];
        let mut parts: Vec<Part> = sizes.iter().enumerate().map(|(i, &n)| (body(n, i), false)).collect();
        // Multipart messages, including big and empty parts.
        parts.push((b"".to_vec(), true));
        parts.push((body(300, 1), true));
        parts.push((body(9000, 2), true));
        parts.push((body(0, 3), true));
        parts.push((body(300_000, 4), false));
        parts.push((b"a".to_vec(), true));
        parts.push((b"b".to_vec(), false));
        parts
    }

    #[test]
    fn round_trip_every_split() {
        let parts = sample_parts();
        let stream = encode(&parts);
        for &chunk in &[1usize, 2, 3, 7, 4096, usize::MAX] {
            for direct in [false, true] {
                let mut d = Decoder::new(u64::MAX);
                let got = decode_all(&mut d, &stream, chunk, direct).unwrap();
                assert!(got == parts, "chunk {chunk} direct {direct}");
                assert_eq!(d.allocated(), 0);
            }
        }
    }

    #[test]
    fn transcript_spec_13_6() {
        let stream = [0x01, 0x00, 0x06, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x02, 0x01, 0x61, 0x02, 0x00, 0x62];
        let mut d = Decoder::new(u64::MAX);
        d.set_max_frame(255);
        let (n, id) = d.decode(&stream).unwrap();
        assert_eq!((n, id.unwrap().data()), (2, &b""[..]));
        d.set_max_frame(u64::MAX);
        let got = decode_all(&mut d, &stream[2..], 1, false).unwrap();
        assert!(got == vec![(b"hello".to_vec(), false), (b"a".to_vec(), true), (b"b".to_vec(), false)]);
        assert_eq!(encode(&got), stream[2..]);
    }

    #[test]
    fn libzmq4_greeting_spec_14_2() {
        // The 10-byte header first, the body only later (another segment).
        let mut d = Decoder::new(u64::MAX);
        d.set_max_frame(255);
        let head = [0xFF, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x7F];
        assert_eq!(d.decode(&head).unwrap().0, 10);
        assert!(d.direct_buf().is_none(), "small body: no direct read");
        let (n, m) = d.decode(&[0x41, 0x42, 0x43, 0x06, 0x00]).unwrap();
        let m = m.unwrap();
        assert_eq!((n, m.data(), m.more()), (3, &b"ABC"[..], true));
        // Then ZMTP/1.0 framing.
        d.set_max_frame(u64::MAX);
        let (n, m) = d.decode(&[0x06, 0x00, b'r', b'e', b'p', b'l', b'y']).unwrap();
        assert_eq!((n, m.unwrap().data()), (7, &b"reply"[..]));
        // Empty identity: FF 00*7 01 7F.
        let mut d = Decoder::new(u64::MAX);
        d.set_max_frame(255);
        let (n, m) = d.decode(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F, 0x01]).unwrap();
        let m = m.unwrap();
        assert_eq!((n, m.size(), m.more()), (10, 0, true));
    }

    #[test]
    fn flags_bits_1_to_7_ignored() {
        let mut d = Decoder::new(u64::MAX);
        let (_, m) = d.decode(&[0x02, 0xFE, b'x']).unwrap();
        let m = m.unwrap();
        assert!(!m.more());
        assert_eq!(m.flags(), 0x7E, "only the validity tag, no wire bits");
        let (_, m) = d.decode(&[0x02, 0x7F, b'x']).unwrap();
        assert_eq!(m.unwrap().flags(), 0x7F);
        let (_, m) = d.decode(&[0x02, 0x81, b'x']).unwrap();
        assert_eq!(m.unwrap().flags(), 0x7F, "bit 7 never marks the message shared");
    }

    #[test]
    fn non_canonical_long_form() {
        let mut d = Decoder::new(u64::MAX);
        let s = [0xFF, 0, 0, 0, 0, 0, 0, 0, 6, 0, b'h', b'e', b'l', b'l', b'o'];
        let got = decode_all(&mut d, &s, 1, false).unwrap();
        assert!(got == vec![(b"hello".to_vec(), false)]);
    }

    #[test]
    fn stops_after_each_part() {
        let s = [0x02, 0x01, b'a', 0x02, 0x00, b'b'];
        let mut d = Decoder::new(u64::MAX);
        let (n, m) = d.decode(&s).unwrap();
        assert_eq!((n, m.unwrap().data()), (3, &b"a"[..]));
        // The caller may stall here and come back with the rest.
        let (n, m) = d.decode(&s[3..]).unwrap();
        assert_eq!((n, m.unwrap().data()), (3, &b"b"[..]));
        assert_eq!(d.decode(&[]).unwrap().0, 0);
    }

    #[test]
    fn zero_length() {
        let mut d = Decoder::new(u64::MAX);
        assert_eq!(d.decode(&[0x00]).err(), Some(DecodeError::ZeroLength));
        let mut d = Decoder::new(u64::MAX);
        let r = d.decode(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(r.err(), Some(DecodeError::ZeroLength));
        // Frames before the error are delivered; the error is sticky.
        let mut d = Decoder::new(u64::MAX);
        let (n, m) = d.decode(&[0x01, 0x00, 0x00, 0x02]).unwrap();
        assert_eq!((n, m.unwrap().size()), (2, 0));
        assert_eq!(d.decode(&[0x00, 0x02]).err(), Some(DecodeError::ZeroLength));
        assert_eq!(d.decode(&[0x02, 0x00, b'x']).err(), Some(DecodeError::ZeroLength));
        assert_eq!(d.decode(&[]).err(), Some(DecodeError::ZeroLength));
        assert_eq!(d.error(), Some(DecodeError::ZeroLength));
        assert!(d.direct_buf().is_none() && d.direct_advance(5).is_none());
    }

    /// `[0xFF][l as u64 BE][flags 0]`.
    fn long_header(l: u64) -> [u8; 10] {
        let mut h = [0u8; 10];
        h[0] = 0xFF;
        h[1..9].copy_from_slice(&l.to_be_bytes());
        h
    }

    #[test]
    fn huge_lengths_fail_without_allocating() {
        for l in [u64::MAX, u64::MAX - 39, u64::MAX - 40, 1 << 63, (1 << 62) + 1, MAX_BODY + 2] {
            for chunk in [1, 10] {
                let mut d = Decoder::new(u64::MAX);
                let h = long_header(l);
                let mut r = Ok((0, None));
                let mut pos = 0;
                while pos < 10 {
                    r = d.decode(&h[pos..(pos + chunk).min(10)]);
                    match &r {
                        Ok((n, _)) => pos += n,
                        Err(_) => break,
                    }
                }
                assert_eq!(r.err(), Some(DecodeError::NoMemory), "L = {l:#x}");
                assert_eq!(d.allocated(), 0);
            }
            // With a frame limit it is TooLarge.
            let mut d = Decoder::new(u64::MAX);
            d.set_max_frame(255);
            assert_eq!(d.decode(&long_header(l)).err(), Some(DecodeError::TooLarge));
        }
    }

    #[test]
    fn stalled_huge_claim_holds_little_memory() {
        for l in [(1u64 << 30) + 1, MAX_BODY + 1] {
            let mut d = Decoder::new(u64::MAX);
            let mut s = long_header(l).to_vec();
            s.extend_from_slice(&[0xAB; 10]);
            let (n, m) = d.decode(&s).unwrap();
            assert_eq!((n, m.is_none()), (s.len(), true));
            assert!(d.allocated() <= GROW_MIN, "holds {}", d.allocated());
            // A direct read offers only a bounded step, never the claim.
            let b = d.direct_buf().unwrap();
            assert!(b.len() <= GROW_MIN, "offers {}", b.len());
            let k = b.len();
            assert!(d.direct_advance(k).is_none());
            let b = d.direct_buf().unwrap();
            assert!(b.len() <= 2 * GROW_MIN);
            assert!(d.allocated() <= 3 * GROW_MIN);
        }
    }

    #[test]
    fn big_body_grows_with_the_data() {
        let len = 3 << 20;
        let parts = vec![(body(len, 9), true)];
        let s = encode(&parts);
        let mut d = Decoder::new(u64::MAX);
        let mut pos = 0;
        while pos < s.len() {
            let end = (pos + 1000).min(s.len());
            let (n, m) = d.decode(&s[pos..end]).unwrap();
            pos += n;
            let body_in = pos.saturating_sub(10);
            if let Some(m) = m {
                assert_eq!(m.data(), &parts[0].0[..]);
                assert!(m.more());
            } else {
                assert!(d.allocated() <= (2 * body_in).max(GROW_MIN), "{} for {}", d.allocated(), body_in);
            }
        }
    }

    #[test]
    fn limits() {
        let s1000 = encode(&[(body(1000, 0), false)]);
        let s1001 = encode(&[(body(1001, 0), false)]);
        assert_eq!(decode_all(&mut Decoder::new(1000), &s1000, 3, false).unwrap().len(), 1);
        assert_eq!(decode_all(&mut Decoder::new(1000), &s1001, 3, false).err(), Some(DecodeError::TooLarge));
        // Identity frame limit: 255 bytes of body.
        let s255 = encode(&[(body(255, 0), false)]);
        let s256 = encode(&[(body(256, 0), false)]);
        let mut d = Decoder::new(u64::MAX);
        d.set_max_frame(255);
        assert_eq!(decode_all(&mut d, &s255, 4096, false).unwrap()[0].0.len(), 255);
        let mut d = Decoder::new(u64::MAX);
        d.set_max_frame(255);
        assert_eq!(d.decode(&s256).err(), Some(DecodeError::TooLarge));
        // Short-form lengths are checked too.
        let mut d = Decoder::new(10);
        assert_eq!(d.decode(&[12, 0]).err(), Some(DecodeError::TooLarge));
    }

    #[test]
    fn whole_allocation_boundary() {
        // Up to WHOLE_MAX the message is allocated when the header completes.
        let mut d = Decoder::new(u64::MAX);
        let mut h = long_header(WHOLE_MAX as u64 + 1);
        h[9] = 1;
        d.decode(&h).unwrap();
        assert_eq!(d.allocated(), WHOLE_MAX);
        assert_eq!(d.direct_buf().unwrap().len(), WHOLE_MAX);
        let mut d = Decoder::new(u64::MAX);
        let mut h = long_header(WHOLE_MAX as u64 + 2);
        h[9] = 1;
        d.decode(&h).unwrap();
        assert_eq!(d.allocated(), 0);
        assert_eq!(d.direct_buf().unwrap().len(), GROW_MIN);
        assert_eq!(d.allocated(), GROW_MIN);
        // Below DIRECT_MIN: no direct reads.
        let mut d = Decoder::new(u64::MAX);
        d.decode(&long_header(DIRECT_MIN as u64)).unwrap();
        assert!(d.direct_buf().is_none());
        assert!(d.direct_advance(1).is_none());
    }

    #[test]
    fn direct_advance_clamps() {
        let parts = vec![(body(20_000, 1), false), (b"z".to_vec(), false)];
        let s = encode(&parts);
        let mut d = Decoder::new(u64::MAX);
        assert_eq!(d.decode(&s[..10]).unwrap().0, 10);
        let b = d.direct_buf().unwrap();
        assert_eq!(b.len(), 20_000);
        b.copy_from_slice(&s[10..20_010]);
        let m = d.direct_advance(usize::MAX).unwrap();
        assert_eq!(m.data(), &parts[0].0[..]);
        assert!(d.direct_buf().is_none());
        assert!(d.direct_advance(3).is_none());
        let (_, m) = d.decode(&s[20_010..]).unwrap();
        assert_eq!(m.unwrap().data(), b"z");
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..10_000 {
            let len = rng.below(80) as usize;
            let mut s: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            // Bias towards interesting headers.
            match i % 4 {
                0 if len > 0 => s[0] = 0xFF,
                1 if len > 9 => {
                    s[0] = 0xFF;
                    s[1..9].copy_from_slice(&rng.below(1 << 40).to_be_bytes());
                }
                _ => {}
            }
            let max = [u64::MAX, 255, 1000, 0][rng.below(4) as usize];
            let mut d = Decoder::new(max);
            if rng.below(2) == 0 {
                d.set_max_frame(255);
            }
            let direct = rng.below(2) == 0;
            let chunk = 1 + rng.below(16) as usize;
            match decode_all(&mut d, &s, chunk, direct) {
                Ok(parts) => assert!(parts.iter().all(|(b, _)| b.len() as u64 <= max)),
                Err(e) => assert_eq!(d.error(), Some(e)),
            }
            assert!(d.allocated() <= WHOLE_MAX.max(2 * GROW_MIN));
        }
    }

    #[test]
    fn random_message_sequences_round_trip() {
        let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
        let mut parts: Vec<Part> = Vec::new();
        while parts.len() < 10_000 {
            let nparts = 1 + rng.below(4);
            for k in 0..nparts {
                let size = match rng.below(1000) {
                    0..=699 => rng.below(300),
                    700..=899 => 240 + rng.below(20),
                    900..=979 => 300 + rng.below(9000),
                    980..=997 => 8000 + rng.below(60_000),
                    _ => 200_000 + rng.below(400_000),
                } as usize;
                let seed = rng.next() as usize;
                parts.push((body(size, seed), k + 1 < nparts));
            }
        }
        let stream = encode(&parts);
        for round in 0..4 {
            let mut d = Decoder::new(u64::MAX);
            let mut got = Vec::new();
            let mut pos = 0;
            while pos < stream.len() {
                let chunk = match round {
                    0 => 1 + rng.below(16),
                    1 => 1 + rng.below(5000),
                    _ => 1 + rng.below(70_000),
                } as usize;
                let end = (pos + chunk).min(stream.len());
                if round >= 2 {
                    if let Some(b) = d.direct_buf() {
                        let n = b.len().min(end - pos);
                        b[..n].copy_from_slice(&stream[pos..pos + n]);
                        pos += n;
                        if let Some(m) = d.direct_advance(n) {
                            got.push((m.data().to_vec(), m.more()));
                        }
                        continue;
                    }
                }
                let (n, m) = d.decode(&stream[pos..end]).unwrap();
                pos += n;
                if let Some(m) = m {
                    got.push((m.data().to_vec(), m.more()));
                }
            }
            assert_eq!(got.len(), parts.len());
            assert!(got == parts, "round {round}");
        }
    }

    #[test]
    fn dropping_mid_body_frees() {
        // A grown partial body is released on drop (checked under valgrind
        // or ASan; here it must simply not crash).
        let mut d = Decoder::new(u64::MAX);
        let mut s = long_header(1 << 20).to_vec();
        s.extend_from_slice(&vec![1u8; 100_000]);
        d.decode(&s).unwrap();
        assert!(d.allocated() >= 100_000);
        drop(d);
    }

    #[test]
    fn decoder_is_send() {
        fn send<T: Send>() {}
        send::<Decoder>();
    }
}
