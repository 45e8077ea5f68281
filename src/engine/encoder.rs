//! ZMTP/1.0 encoder: turns message parts into wire frames.
//!
//! Sits inside a stream engine, in an io thread: the engine pulls messages
//! from the session's pipe and `push`es them here while `wants_more()`, then
//! calls `write_to(fd)` whenever the socket is writable.  Frame headers and
//! small bodies are batched into one reusable buffer; bodies of at least
//! `ZERO_COPY_MIN` bytes are written straight from the message's memory.
//! One `sendmsg` (scatter/gather, `MSG_NOSIGNAL`) per call, partial writes
//! resume exactly where they stopped.
//!
//! Frame (SPEC §13.1/§13.2): short form `[L][flags][body]` with
//! L = body_len + 1 when body_len <= 253, else long form
//! `[0xFF][L as u64 big-endian][flags][body]`; flags = 0x01 for MORE, 0x00
//! otherwise.

use crate::msg::Msg;
use std::collections::VecDeque;
use std::io;
use std::os::fd::RawFd;

/// Bodies at least this large are written from the message (not copied).
pub const ZERO_COPY_MIN: usize = 8192;
/// The engine keeps pulling messages while fewer bytes than this are queued.
pub const BATCH: usize = 64 * 1024;
/// Largest body sent with the one-byte (short) length.
pub const SHORT_MAX: usize = 253;
/// At most this many iovecs per `sendmsg`.
const MAX_IOV: usize = 16;

/// One run of queued output, in wire order.
enum Seg {
    /// The next `n` unwritten bytes of the batch buffer (from `pos`).
    Bytes(usize),
    /// A large body written from the message itself, from offset `off`.
    Body {
        /// The message holding the body; dropped once fully written.
        msg: Msg,
        /// How many bytes of the body have been written already.
        off: usize,
    },
}

/// The ZMTP/1.0 frame encoder of one connection.
pub struct Encoder {
    /// Batch buffer: headers and small bodies, appended in order; the live
    /// part is `buf[pos..]`, reused (never shrunk) once drained.
    buf: Vec<u8>,
    /// Start of the unwritten part of `buf`.
    pos: usize,
    /// The queued output in order; consecutive `Bytes` runs are merged.
    segs: VecDeque<Seg>,
    /// Total bytes queued but not yet written (buffer and held bodies).
    pending: usize,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder::new()
    }
}

impl Encoder {
    /// An empty encoder (allocates its batch buffer once).
    pub fn new() -> Encoder {
        Encoder {
            // Grows to a batch on a busy connection; idle ones stay small.
            buf: Vec::new(),
            pos: 0,
            segs: VecDeque::with_capacity(MAX_IOV),
            pending: 0,
        }
    }

    /// Queues one message part; MORE comes from `msg.more()`.
    #[inline]
    pub fn push(&mut self, msg: Msg) {
        let size = msg.size();
        let more = msg.more();
        if size >= ZERO_COPY_MIN {
            self.make_room(10);
            let hdr = self.put_header(size, more);
            self.add_bytes(hdr);
            self.pending += size;
            self.segs.push_back(Seg::Body { msg, off: 0 });
        } else {
            self.push_bytes(msg.data(), more);
        }
    }

    /// Queues a one-part message with flags 0 holding `identity` (the
    /// greeting frame every connection starts with).
    pub fn encode_identity(&mut self, identity: &[u8]) {
        self.push_bytes(identity, false);
    }

    /// True while fewer than `BATCH` bytes are queued: the engine should
    /// pull another message before writing.
    #[inline]
    pub fn wants_more(&self) -> bool {
        self.pending < BATCH
    }

    /// Nothing left to write.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    /// Bytes queued but not yet written.
    #[inline]
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Writes as much as one `sendmsg(MSG_NOSIGNAL)` takes (up to 16
    /// iovecs, in order) and returns the number of bytes written (0 when
    /// nothing is queued).  EINTR is retried; `WouldBlock` and every other
    /// error pass through with nothing consumed.  A descriptor that is not a
    /// socket falls back to `writev` (no SIGPIPE protection there).
    pub fn write_to(&mut self, fd: RawFd) -> io::Result<usize> {
        if self.segs.is_empty() {
            return Ok(0);
        }
        let empty = libc::iovec { iov_base: std::ptr::null_mut(), iov_len: 0 };
        let mut iov = [empty; MAX_IOV];
        let mut n = 0;
        let mut bpos = self.pos;
        for seg in self.segs.iter() {
            if n == MAX_IOV {
                break;
            }
            let chunk: &[u8] = match seg {
                Seg::Bytes(k) => {
                    let s = self.buf.get(bpos..bpos + *k).unwrap_or(&[]);
                    bpos += *k;
                    s
                }
                Seg::Body { msg, off } => msg.data().get(*off..).unwrap_or(&[]),
            };
            // The kernel only reads through iov_base (sendmsg / writev).
            iov[n] = libc::iovec { iov_base: chunk.as_ptr() as *mut libc::c_void, iov_len: chunk.len() };
            n += 1;
        }
        // SAFETY: msghdr is plain data; all-zero (null name, no control
        // data) is a valid value, the fields we need are set below.
        let mut mh: libc::msghdr = unsafe { std::mem::zeroed() };
        mh.msg_iov = iov.as_mut_ptr();
        mh.msg_iovlen = n as _;
        let mut use_writev = false;
        let written = loop {
            // SAFETY: every iovec points into `self.buf` or a held message,
            // both alive and unmodified for the duration of the call.
            let rc = unsafe {
                if use_writev {
                    libc::writev(fd, iov.as_ptr(), n as libc::c_int)
                } else {
                    libc::sendmsg(fd, &mh, libc::MSG_NOSIGNAL)
                }
            };
            if rc >= 0 {
                break rc as usize;
            }
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::ENOTSOCK) if !use_writev => use_writev = true,
                _ => return Err(err),
            }
        };
        self.consume(written);
        Ok(written)
    }

    /// Marks `n` bytes from the front as written, dropping finished messages.
    fn consume(&mut self, mut n: usize) {
        n = n.min(self.pending);
        self.pending -= n;
        while n > 0 {
            let Some(front) = self.segs.front_mut() else { break };
            match front {
                Seg::Bytes(k) => {
                    let take = n.min(*k);
                    *k -= take;
                    self.pos += take;
                    n -= take;
                    if *k == 0 {
                        self.segs.pop_front();
                    }
                }
                Seg::Body { msg, off } => {
                    let rest = msg.size().saturating_sub(*off);
                    let take = n.min(rest);
                    *off += take;
                    n -= take;
                    if take == rest {
                        self.segs.pop_front();
                    }
                }
            }
        }
        if self.segs.is_empty() {
            self.buf.clear();
            self.pos = 0;
            self.pending = 0;
        }
    }

    /// Queues a frame whose body is copied into the batch buffer.
    #[inline]
    fn push_bytes(&mut self, body: &[u8], more: bool) {
        let n = body.len();
        if n <= SHORT_MAX {
            // Short form: [n + 1][flags][body], written in place.
            self.make_room(2 + n);
            self.buf.reserve(2 + n);
            let len = self.buf.len();
            // SAFETY: 2 + n bytes were reserved past len; the body can't
            // overlap the buffer (it belongs to a message or the caller).
            unsafe {
                let p = self.buf.as_mut_ptr().add(len);
                p.write(n as u8 + 1);
                p.add(1).write(u8::from(more));
                std::ptr::copy_nonoverlapping(body.as_ptr(), p.add(2), n);
                self.buf.set_len(len + 2 + n);
            }
            self.add_bytes(2 + n);
            return;
        }
        self.make_room(10 + body.len());
        let hdr = self.put_header(body.len(), more);
        self.buf.extend_from_slice(body);
        self.add_bytes(hdr + body.len());
    }

    /// Appends the frame header for a body of `size` bytes; returns its length.
    fn put_header(&mut self, size: usize, more: bool) -> usize {
        let flags = more as u8;
        if size <= SHORT_MAX {
            self.buf.extend_from_slice(&[size as u8 + 1, flags]);
            2
        } else {
            self.buf.push(0xFF);
            self.buf.extend_from_slice(&(size as u64).saturating_add(1).to_be_bytes());
            self.buf.push(flags);
            10
        }
    }

    /// Accounts `n` new bytes at the end of the buffer as output.
    #[inline]
    fn add_bytes(&mut self, n: usize) {
        self.pending += n;
        if let Some(Seg::Bytes(k)) = self.segs.back_mut() {
            *k += n;
        } else {
            self.segs.push_back(Seg::Bytes(n));
        }
    }

    /// Before appending `need` bytes: slides the live part of the buffer to
    /// the front when the buffer would otherwise grow and at least half of
    /// it is already written (so the buffer stays within twice its live size
    /// and the move costs at most one copy per byte).
    #[inline]
    fn make_room(&mut self, need: usize) {
        if self.pos == 0 || self.buf.len() + need <= self.buf.capacity() {
            return;
        }
        let live = self.buf.len() - self.pos;
        if self.pos >= live {
            self.buf.copy_within(self.pos.., 0);
            self.buf.truncate(live);
            self.pos = 0;
        }
    }

    /// Test helper: moves every queued byte to `out` as if written.
    #[cfg(test)]
    pub(crate) fn drain_into(&mut self, out: &mut Vec<u8>) {
        let mut bpos = self.pos;
        for seg in self.segs.iter() {
            match seg {
                Seg::Bytes(k) => {
                    out.extend_from_slice(&self.buf[bpos..bpos + *k]);
                    bpos += *k;
                }
                Seg::Body { msg, off } => out.extend_from_slice(&msg.data()[*off..]),
            }
        }
        self.consume(self.pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::decoder::Decoder;
    use std::os::fd::RawFd;

    fn part(data: &[u8], more: bool) -> Msg {
        let mut m = Msg::from_slice(data).unwrap();
        m.set_more(more);
        m
    }

    fn encode(parts: &[(&[u8], bool)]) -> Vec<u8> {
        let mut e = Encoder::new();
        for (d, more) in parts {
            e.push(part(d, *more));
        }
        let mut out = Vec::new();
        e.drain_into(&mut out);
        assert!(e.is_empty());
        out
    }

    #[test]
    fn transcript_spec_13_6() {
        let mut e = Encoder::new();
        e.encode_identity(b"");
        e.push(part(b"hello", false));
        e.push(part(b"a", true));
        e.push(part(b"b", false));
        let mut out = Vec::new();
        e.drain_into(&mut out);
        assert_eq!(out, [0x01, 0x00, 0x06, 0x00, b'h', b'e', b'l', b'l', b'o', 0x02, 0x01, b'a', 0x02, 0x00, b'b']);
    }

    #[test]
    fn identity_frame() {
        let mut e = Encoder::new();
        e.encode_identity(b"SRVID");
        let mut out = Vec::new();
        e.drain_into(&mut out);
        assert_eq!(out, [0x06, 0x00, 0x53, 0x52, 0x56, 0x49, 0x44]);
    }

    #[test]
    fn short_and_long_headers() {
        let body = vec![7u8; 70000];
        for &(n, more) in &[
            (0usize, false),
            (1, true),
            (253, false),
            (254, true),
            (255, false),
            (256, false),
            (8191, true),
            (8192, false),
            (65536, true),
        ] {
            let out = encode(&[(&body[..n], more)]);
            let f = more as u8;
            if n <= 253 {
                assert_eq!(out[..2], [n as u8 + 1, f], "size {n}");
                assert_eq!(out.len(), n + 2);
                assert_eq!(out[2..], body[..n]);
            } else {
                assert_eq!(out[0], 0xFF, "size {n}");
                assert_eq!(out[1..9], (n as u64 + 1).to_be_bytes());
                assert_eq!(out[9], f);
                assert_eq!(out.len(), n + 10);
                assert_eq!(out[10..], body[..n]);
            }
        }
        // The boundary exactly: 253 -> FE, 254 -> long form with L = 255.
        assert_eq!(encode(&[(&body[..253], false)])[0], 0xFE);
        assert_eq!(encode(&[(&body[..254], false)])[..10], [0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0]);
    }

    #[test]
    fn large_bodies_are_not_copied() {
        let mut e = Encoder::new();
        e.push(part(&[1u8; 100], true));
        e.push(part(&vec![2u8; ZERO_COPY_MIN - 1], true));
        assert_eq!(e.segs.len(), 1, "small parts merge into one buffer run");
        e.push(part(&vec![3u8; ZERO_COPY_MIN], false));
        assert_eq!(e.buf.len(), 102 + 10 + ZERO_COPY_MIN - 1 + 10, "only the header of the big body is copied");
        assert_eq!(e.segs.len(), 2);
        assert!(matches!(e.segs.back(), Some(Seg::Body { off: 0, .. })));
        assert_eq!(e.pending(), 102 + 10 + ZERO_COPY_MIN - 1 + 10 + ZERO_COPY_MIN);
    }

    #[test]
    fn wants_more_until_batch() {
        let mut e = Encoder::new();
        assert!(e.wants_more() && e.is_empty());
        let mut n = 0;
        while e.wants_more() {
            e.push(part(&[0u8; 100], false));
            n += 1;
        }
        assert_eq!(n, BATCH.div_ceil(102));
        assert!(e.pending() >= BATCH);
        let mut e = Encoder::new();
        e.push(part(&vec![0u8; BATCH], false));
        assert!(!e.wants_more());
    }

    #[test]
    fn steady_state_reuses_the_buffer() {
        let mut e = Encoder::new();
        let mut out = Vec::with_capacity(1 << 20);
        // Warm up: the buffer grows to a batch once.
        while e.wants_more() {
            e.push(part(&[1u8; 200], false));
        }
        e.drain_into(&mut out);
        let (p, cap) = (e.buf.as_ptr(), e.buf.capacity());
        for round in 0..1000 {
            out.clear();
            while e.wants_more() {
                e.push(part(&[round as u8; 200], round % 2 == 0));
            }
            e.drain_into(&mut out);
            assert!(e.is_empty() && e.pending() == 0 && e.buf.is_empty());
        }
        assert_eq!((e.buf.as_ptr(), e.buf.capacity()), (p, cap));
    }

    #[test]
    fn partial_consumption_compacts() {
        // Writing a little at a time while refilling keeps the buffer bounded.
        let mut e = Encoder::new();
        let mut rng = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for _ in 0..100_000 {
            while e.wants_more() {
                e.push(part(&[9u8; 150], false));
            }
            let n = (next() % 9000) as usize;
            e.consume(n);
            assert!(e.buf.capacity() <= 4 * (BATCH + ZERO_COPY_MIN + 16));
        }
    }

    fn socketpair() -> (RawFd, RawFd) {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: fds is a valid 2-element array.
        let rc =
            unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0, fds.as_mut_ptr()) };
        assert_eq!(rc, 0);
        let small: libc::c_int = 4096;
        for fd in fds {
            // SAFETY: valid fd and option value.
            unsafe {
                libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, &small as *const _ as *const libc::c_void, 4);
                libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, &small as *const _ as *const libc::c_void, 4);
            }
        }
        (fds[0], fds[1])
    }

    fn close(fd: RawFd) {
        // SAFETY: closing an fd this test opened.
        unsafe { libc::close(fd) };
    }

    #[test]
    fn socketpair_partial_writes_round_trip() {
        let (a, b) = socketpair();
        let mut sizes: Vec<usize> = vec![0, 1, 253, 254, 255, 256, 8191, 8192, 65536, 1 << 20];
        for i in 0..300 {
            sizes.push((i * 7919) % 20000);
        }
        let expect: Vec<(Vec<u8>, bool)> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| ((0..n).map(|j| (i * 31 + j * 7) as u8).collect(), i % 3 == 1))
            .collect();
        let mut e = Encoder::new();
        e.encode_identity(b"ident");
        let mut d = Decoder::new(u64::MAX);
        d.set_max_frame(255);
        let mut got: Vec<(Vec<u8>, bool)> = Vec::new();
        let mut identity = None;
        let mut next = 0;
        let mut partial = 0;
        let mut would_block = 0;
        let mut rbuf = vec![0u8; 3000];
        let mut pend: Vec<u8> = Vec::new();
        while got.len() < expect.len() {
            while e.wants_more() && next < expect.len() {
                e.push(part(&expect[next].0, expect[next].1));
                next += 1;
            }
            // Write until the socket is full (or nothing is left).
            while !e.is_empty() {
                let before = e.pending();
                match e.write_to(a) {
                    Ok(n) => {
                        assert!(n > 0);
                        if n < before {
                            partial += 1;
                        }
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                        would_block += 1;
                        break;
                    }
                    Err(err) => panic!("{err}"),
                }
                while e.wants_more() && next < expect.len() {
                    e.push(part(&expect[next].0, expect[next].1));
                    next += 1;
                }
            }
            // Read what's there (a small buffer, so headers split often).
            loop {
                // SAFETY: reading into an owned buffer of that length.
                let r = unsafe { libc::read(b, rbuf.as_mut_ptr() as *mut libc::c_void, rbuf.len()) };
                if r <= 0 {
                    break;
                }
                pend.extend_from_slice(&rbuf[..r as usize]);
            }
            let mut off = 0;
            while off < pend.len() {
                let (used, m) = d.decode(&pend[off..]).unwrap();
                off += used;
                if let Some(m) = m {
                    if identity.is_none() {
                        identity = Some(m.data().to_vec());
                        d.set_max_frame(u64::MAX);
                    } else {
                        got.push((m.data().to_vec(), m.more()));
                    }
                }
            }
            pend.clear();
        }
        assert!(e.is_empty());
        assert_eq!(identity.as_deref(), Some(&b"ident"[..]));
        assert!(got == expect, "round trip differs");
        assert!(partial > 10 && would_block > 10, "partial {partial} would_block {would_block}");
        close(a);
        close(b);
    }

    #[test]
    fn write_to_closed_peer_is_epipe_not_sigpipe() {
        let (a, b) = socketpair();
        close(b);
        let mut e = Encoder::new();
        e.push(part(b"x", false));
        let err = e.write_to(a).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPIPE));
        assert_eq!(e.pending(), 3, "nothing consumed on error");
        close(a);
        let mut empty = Encoder::new();
        assert_eq!(empty.write_to(-1).unwrap(), 0, "nothing to write: no system call");
    }

    #[test]
    fn write_to_non_socket_falls_back_to_writev() {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: fds is a valid 2-element array.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let mut e = Encoder::new();
        e.push(part(b"hello", true));
        e.push(part(&vec![5u8; ZERO_COPY_MIN], false));
        let mut total = 0;
        let mut out = vec![0u8; 2 * ZERO_COPY_MIN];
        let mut read = 0;
        while !e.is_empty() {
            total += e.write_to(fds[1]).unwrap();
            // SAFETY: reading into the unfilled part of an owned buffer.
            let r = unsafe { libc::read(fds[0], out[read..].as_mut_ptr() as *mut libc::c_void, out.len() - read) };
            read += r.max(0) as usize;
        }
        assert_eq!(total, 7 + 10 + ZERO_COPY_MIN);
        assert_eq!(out[..7], [6, 1, b'h', b'e', b'l', b'l', b'o']);
        close(fds[0]);
        close(fds[1]);
    }

    #[test]
    fn encoder_is_send() {
        fn send<T: Send>() {}
        send::<Encoder>();
    }
}
