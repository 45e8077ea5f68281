//! `Engine`: one tcp or ipc connection in an io thread.  It sends our
//! identity frame at once, takes the peer's first frame as its identity,
//! then moves message parts between the descriptor and its session:
//! decoded parts go to `EngineSink::push_in` (which may refuse them when
//! the pipe is full: the engine then stops reading, and TCP pushes back),
//! and parts from `EngineSink::pull_out` are batched by the encoder and
//! written until the kernel would block.  Reads go straight into large
//! message bodies.  Any protocol error or I/O error kills the connection,
//! never the process.

use super::decoder::Decoder;
use super::encoder::Encoder;
use crate::msg::Msg;
use crate::transport::net::Fd;
use std::os::fd::RawFd;

/// Bytes read per system call.  Reads go into one buffer per io thread
/// (`SCRATCH`) and are decoded at once, so an idle connection holds no
/// read buffer; only bytes left undecoded when input pauses (the pipe is
/// full, the handshake is pending) are kept, in the connection's `rest`.
const IN_BATCH: usize = 64 * 1024;

thread_local! {
    /// The io thread's read buffer, shared by all its connections.
    static SCRATCH: std::cell::RefCell<Box<[u8]>> = std::cell::RefCell::new(vec![0u8; IN_BATCH].into_boxed_slice());
}
/// Bytes one turn may read, or write, for one connection before the io
/// thread moves on to its other objects (the connection stays on the
/// thread's ready list and is resumed after them): a flooding peer can't
/// hold the thread, while a busy stream still moves in large batches.
const IN_TURN: usize = IN_BATCH;
const OUT_TURN: usize = 256 * 1024;
/// The longest identity a peer may present (2.2 aborts on longer ones).
pub const MAX_IDENTITY: u64 = 255;

/// The session side, as seen by the engine.
pub trait EngineSink {
    /// Takes a decoded part; gives it back when it can't be queued now.
    fn push_in(&mut self, msg: Msg) -> Result<(), Msg>;
    /// Makes the parts pushed so far visible to the socket.
    fn flush_in(&mut self);
    /// The next part to send, if any.
    fn pull_out(&mut self) -> Option<Msg>;
}

/// What an event did to the connection.
pub enum Status {
    Alive,
    /// The peer's identity frame arrived (input processing pauses until
    /// the session has attached; call `in_event` again).
    Identity(Vec<u8>),
    /// The connection is finished (closed, reset, or a protocol error).
    Dead,
}

pub struct Engine {
    fd: Fd,
    encoder: Encoder,
    decoder: Decoder,
    /// Bytes read and not yet decoded when input paused: `rest[rest_pos..]`
    /// (empty, and unallocated, almost always).
    rest: Vec<u8>,
    rest_pos: usize,
    /// A decoded part the session couldn't take yet.
    pending: Option<Msg>,
    /// Whether the peer's identity has been read.
    handshaken: bool,
    /// Waiting for the session's pipe to have room.
    stalled: bool,
    /// The last input turn ended on its budget with data left to read.
    more_in: bool,
    /// The last output turn ended on its budget with data left to write.
    more_out: bool,
}

impl Engine {
    /// Takes over a connected descriptor and queues our identity.
    pub fn new(fd: Fd, identity: &[u8]) -> Engine {
        let mut encoder = Encoder::new();
        encoder.encode_identity(identity);
        let mut decoder = Decoder::new(u64::MAX);
        decoder.set_max_frame(MAX_IDENTITY);
        Engine {
            fd,
            encoder,
            decoder,
            rest: Vec::new(),
            rest_pos: 0,
            pending: None,
            handshaken: false,
            stalled: false,
            more_in: false,
            more_out: false,
        }
    }

    pub fn fd(&self) -> RawFd {
        self.fd.0
    }

    pub fn is_stalled(&self) -> bool {
        self.stalled
    }

    /// Input stopped on its turn's budget: call `in_event` again soon
    /// (no new readiness edge will come for data already in the kernel).
    pub fn more_in(&self) -> bool {
        self.more_in
    }

    /// Output stopped on its turn's budget: call `out_event` again soon.
    pub fn more_out(&self) -> bool {
        self.more_out
    }

    /// Nothing left to write.
    pub fn out_empty(&self) -> bool {
        self.encoder.is_empty()
    }

    /// Reads and decodes until the kernel has nothing more, the session's
    /// pipe is full, the identity arrived, or the turn's budget is spent
    /// (then `more_in` is set).  With `thorough` false (a
    /// readiness event without hang-up) a short read counts as "nothing
    /// more": any data arriving later raises a new event, so the extra
    /// read that would only say EAGAIN is saved.
    pub fn in_event<S: EngineSink>(&mut self, sink: &mut S, thorough: bool) -> Status {
        let status = self.input(sink, thorough);
        sink.flush_in();
        status
    }

    fn input<S: EngineSink>(&mut self, sink: &mut S, thorough: bool) -> Status {
        self.stalled = false;
        self.more_in = false;
        if let Some(m) = self.pending.take() {
            if let Err(m) = sink.push_in(m) {
                self.pending = Some(m);
                self.stalled = true;
                return Status::Alive;
            }
        }
        // What was left when input last paused goes first.
        if self.rest_pos < self.rest.len() {
            let rest = std::mem::take(&mut self.rest);
            let (used, status) = self.decode_all(&rest[self.rest_pos..], sink);
            self.rest = rest;
            self.rest_pos += used;
            if let Some(s) = status {
                return s;
            }
            self.rest = Vec::new();
            self.rest_pos = 0;
        }
        SCRATCH.with(|scratch| self.read_loop(&mut scratch.borrow_mut(), sink, thorough))
    }

    /// Reads into the io thread's buffer and decodes each batch at once.
    fn read_loop<S: EngineSink>(&mut self, scratch: &mut [u8], sink: &mut S, thorough: bool) -> Status {
        let mut drained = false;
        let mut got = 0usize;
        loop {
            // Publish what the last batch decoded before reading more, so
            // the socket consumes while we read (nothing piles up unseen).
            sink.flush_in();
            if drained && !thorough {
                return Status::Alive;
            }
            if got >= IN_TURN {
                self.more_in = thorough || !drained;
                return Status::Alive;
            }
            // Straight into a large body when one is in progress.
            if let Some(buf) = self.decoder.direct_buf() {
                let want = buf.len();
                match read(self.fd.0, buf) {
                    Ok(0) | Err(None) => return Status::Dead,
                    Ok(n) => {
                        drained = n < want;
                        got += n;
                        if let Some(m) = self.decoder.direct_advance(n) {
                            if let Some(s) = self.deliver(m, sink) {
                                return s;
                            }
                        }
                        continue;
                    }
                    Err(Some(())) => return Status::Alive,
                }
            }
            match read(self.fd.0, scratch) {
                Ok(0) | Err(None) => return Status::Dead,
                Ok(n) => {
                    drained = n < scratch.len();
                    got += n;
                    let (used, status) = self.decode_all(&scratch[..n], sink);
                    if let Some(s) = status {
                        // Paused: keep what wasn't decoded for next time.
                        self.rest.clear();
                        self.rest.extend_from_slice(&scratch[used..n]);
                        self.rest_pos = 0;
                        return s;
                    }
                }
                Err(Some(())) => return Status::Alive,
            }
        }
    }

    /// Decodes `buf` and hands the parts over until it is used up or input
    /// must pause; returns the bytes used and, on a pause, the status.
    #[inline(always)]
    fn decode_all<S: EngineSink>(&mut self, buf: &[u8], sink: &mut S) -> (usize, Option<Status>) {
        let mut pos = 0;
        while pos < buf.len() {
            let (used, part) = match self.decoder.decode(&buf[pos..]) {
                Ok(r) => r,
                Err(_) => return (pos, Some(Status::Dead)),
            };
            pos += used;
            if let Some(m) = part {
                if let Some(s) = self.deliver(m, sink) {
                    return (pos, Some(s));
                }
            }
        }
        (pos, None)
    }

    /// Hands a part over.  Some(status) when input must pause.
    #[inline(always)]
    fn deliver<S: EngineSink>(&mut self, m: Msg, sink: &mut S) -> Option<Status> {
        if !self.handshaken {
            self.handshaken = true;
            self.decoder.set_max_frame(u64::MAX);
            return Some(Status::Identity(m.data().to_vec()));
        }
        if let Err(m) = sink.push_in(m) {
            self.pending = Some(m);
            self.stalled = true;
            return Some(Status::Alive);
        }
        None
    }

    /// Encodes parts from the session and writes until the kernel would
    /// block, there is nothing left, or the turn's budget is spent (then
    /// `more_out` is set).
    pub fn out_event<S: EngineSink>(&mut self, sink: &mut S) -> Status {
        self.more_out = false;
        let mut sent = 0usize;
        loop {
            if self.handshaken {
                while self.encoder.wants_more() {
                    match sink.pull_out() {
                        Some(m) => self.encoder.push(m),
                        None => break,
                    }
                }
            }
            if self.encoder.is_empty() {
                return Status::Alive;
            }
            if sent >= OUT_TURN {
                self.more_out = true;
                return Status::Alive;
            }
            match self.encoder.write_to(self.fd.0) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Status::Alive,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Status::Dead,
            }
        }
    }
}

/// read(2): Ok(n), Err(Some(())) would block, Err(None) fatal.
fn read(fd: RawFd, buf: &mut [u8]) -> Result<usize, Option<()>> {
    loop {
        // SAFETY: buf is a valid writable buffer of its length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        match crate::err::errno() {
            libc::EINTR => continue,
            libc::EAGAIN => return Err(Some(())),
            _ => return Err(None),
        }
    }
}
