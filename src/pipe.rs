//! Pipes: one direction of message flow between two objects (socket and
//! socket for inproc, socket and session for the network).  The writer end
//! and the reader end each live in their owner's thread and talk through
//! commands to each other's owner.
//!
//! * HWM counts whole messages: the writer's counter moves on the last part
//!   only, so a message is never split by the limit.  The reader reports
//!   progress every `lwm` messages (`ActivateWriter`), which reopens a full
//!   pipe.
//! * A writer wakes a sleeping reader with `ActivateReader` on flush.
//! * Termination: the writer ends the stream with a delimiter (bypassing
//!   HWM); a reader that reads it, or whose owner goes away, sends
//!   `PipeTerm` to the writer, which answers `PipeTermAck` and is removed;
//!   the ack removes the reader.  Messages left in the pipe are released
//!   when both ends are gone.

use crate::command::Command;
use crate::mailbox::MailboxSender;
use crate::msg::Msg;
use crate::swap::Swap;
use crate::ypipe::{ypipe, YReader, YWriter};
use std::sync::atomic::{AtomicU64, Ordering};

/// Identifies a pipe end within its owner (unique in the process).
pub type PipeId = u64;

const CHUNK: usize = 256;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id() -> PipeId {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// The low-water mark for a high-water mark (counts in messages).
pub fn compute_lwm(hwm: u64) -> u64 {
    if hwm > 2048 {
        hwm - 1024
    } else {
        (hwm + 1) / 2
    }
}

/// What a read found.
pub enum Read {
    Msg(Msg),
    /// Nothing now; the pipe is inactive until `ActivateReader`.
    Empty,
    /// The writer ended the stream; termination has started.
    Delimited,
}

/// Reading end of a pipe.
pub struct Reader {
    id: PipeId,
    pipe: YReader<Msg, CHUNK>,
    /// The writer's owner and the writer's id.
    peer: MailboxSender,
    peer_id: PipeId,
    lwm: u64,
    msgs_read: u64,
    /// Messages to read before the next progress report (counts down from
    /// lwm; no division per message).
    report_in: u64,
    /// False once a read found the pipe empty (until ActivateReader).
    active: bool,
    /// PipeTerm has been sent.
    terminating: bool,
    /// Peer identity, for ROUTER routing.
    pub identity: Vec<u8>,
}

/// Writing end of a pipe.
pub struct Writer {
    id: PipeId,
    pipe: YWriter<Msg, CHUNK>,
    /// The reader's owner and the reader's id.
    peer: MailboxSender,
    peer_id: PipeId,
    hwm: u64,
    msgs_written: u64,
    msgs_read: u64,
    /// False when full (until ActivateWriter) or terminating.
    active: bool,
    terminating: bool,
    /// Parts of an unfinished message are in the pipe.
    more: bool,
    /// Overflow to disk past the HWM (ZMQ_SWAP), if configured.
    swap: Option<Box<Swap>>,
    /// Messages are going to the swap (until it drains).
    swapping: bool,
    /// Terminated while swapping: the delimiter follows the swapped messages.
    delimiter_pending: bool,
}

/// Creates a pipe with the given HWM (0 = unlimited).  `reader_owner`
/// receives the reader's commands, `writer_owner` the writer's.
pub fn pipe(reader_owner: &MailboxSender, writer_owner: &MailboxSender, hwm: u64) -> (Reader, Writer) {
    pipe_with_swap(reader_owner, writer_owner, hwm, 0)
}

/// As `pipe`, with `swap` bytes of disk overflow past the HWM (0 = none).
pub fn pipe_with_swap(reader_owner: &MailboxSender, writer_owner: &MailboxSender, hwm: u64, swap: u64) -> (Reader, Writer) {
    let (w, r) = ypipe::<Msg, CHUNK>();
    let (rid, wid) = (next_id(), next_id());
    let reader = Reader {
        id: rid,
        pipe: r,
        peer: writer_owner.clone(),
        peer_id: wid,
        lwm: compute_lwm(hwm),
        msgs_read: 0,
        report_in: compute_lwm(hwm),
        active: true,
        terminating: false,
        identity: Vec::new(),
    };
    let writer = Writer {
        id: wid,
        pipe: w,
        peer: reader_owner.clone(),
        peer_id: rid,
        hwm,
        msgs_written: 0,
        msgs_read: 0,
        active: true,
        terminating: false,
        more: false,
        swap: if swap > 0 && hwm > 0 { Swap::new(swap).map(Box::new) } else { None },
        swapping: false,
        delimiter_pending: false,
    };
    (reader, writer)
}

/// One end's share of the pipes between a socket and a peer.
pub type Ends = (Option<Reader>, Option<Writer>);

/// The pipes between a socket and one peer, as the socket's type needs
/// them: an inbound pipe if it receives, an outbound one if it sends.
/// Returns (the socket's ends, the peer's ends); `socket` and `peer` are
/// the mailboxes of their owners.
pub fn pipe_pair(socket: &MailboxSender, peer: &MailboxSender, hwm: u64, swap: u64, inbound: bool, outbound: bool) -> (Ends, Ends) {
    let (in_r, in_w) = if inbound {
        let (r, w) = pipe_with_swap(socket, peer, hwm, swap);
        (Some(r), Some(w))
    } else {
        (None, None)
    };
    let (out_r, out_w) = if outbound {
        let (r, w) = pipe_with_swap(peer, socket, hwm, swap);
        (Some(r), Some(w))
    } else {
        (None, None)
    };
    ((in_r, out_w), (out_r, in_w))
}

impl Reader {
    pub fn id(&self) -> PipeId {
        self.id
    }

    pub fn is_active(&self) -> bool {
        self.active
    }

    pub fn is_terminating(&self) -> bool {
        self.terminating
    }

    /// Handles ActivateReader.  Returns true when the pipe became active.
    pub fn activate(&mut self) -> bool {
        if self.active || self.terminating {
            return false;
        }
        self.active = true;
        true
    }

    /// Whether a message part can be read now.  Finding the delimiter
    /// starts termination (and returns false).
    pub fn check_read(&mut self) -> bool {
        if !self.active || self.terminating {
            return false;
        }
        match self.pipe.peek() {
            None => {
                self.active = false;
                false
            }
            Some(m) if m.is_delimiter() => {
                drop(self.pipe.read());
                self.terminate();
                false
            }
            Some(_) => true,
        }
    }

    /// Reads one message part.
    #[inline]
    pub fn read(&mut self) -> Read {
        if !self.active || self.terminating {
            return Read::Empty;
        }
        match self.pipe.read() {
            Some(m) if !m.is_delimiter() => {
                if !m.more() {
                    self.msgs_read += 1;
                    if self.lwm > 0 {
                        self.report_in -= 1;
                        if self.report_in == 0 {
                            self.report_progress();
                        }
                    }
                }
                Read::Msg(m)
            }
            Some(_) => {
                self.terminate();
                Read::Delimited
            }
            None => {
                self.active = false;
                Read::Empty
            }
        }
    }

    /// Tells the writer how far we have read (once per low-water batch).
    #[cold]
    fn report_progress(&mut self) {
        self.report_in = self.lwm;
        self.peer.send(Command::ActivateWriter(self.peer_id, self.msgs_read));
    }

    /// Reads a part, mapping the outcome to an Option.
    #[inline]
    pub fn read_msg(&mut self) -> Option<Msg> {
        match self.read() {
            Read::Msg(m) => Some(m),
            _ => None,
        }
    }

    /// Starts termination: asks the writer to go (idempotent).
    #[cold]
    pub fn terminate(&mut self) {
        if self.terminating {
            return;
        }
        self.terminating = true;
        self.active = false;
        self.peer.send(Command::PipeTerm(self.peer_id));
    }
}

impl Writer {
    pub fn id(&self) -> PipeId {
        self.id
    }

    pub fn is_active(&self) -> bool {
        self.active
    }

    pub fn is_terminating(&self) -> bool {
        self.terminating
    }

    #[inline]
    fn full(&self) -> bool {
        self.hwm > 0 && self.msgs_written - self.msgs_read >= self.hwm
    }

    /// Whether a message part can be written now.
    pub fn check_write(&mut self) -> bool {
        if !self.active {
            return false;
        }
        if self.swapping {
            // While swapping, only a full swap file stops the writer.
            if self.swap.as_ref().is_some_and(|s| s.has_room()) {
                return true;
            }
            self.active = false;
            return false;
        }
        if self.full() && !self.more {
            if self.swap.as_ref().is_some_and(|s| s.has_room()) {
                return true;
            }
            self.active = false;
            return false;
        }
        true
    }

    /// Writes a part; gives it back when the pipe can't take it.
    #[inline(always)]
    pub fn write(&mut self, msg: Msg) -> Result<(), Msg> {
        // The steady path: active, not swapping, below the HWM (or inside
        // a message, whose parts are never refused).
        if self.active && !self.swapping && (self.more || !self.full()) {
            let more = msg.more();
            self.pipe.write(msg, more);
            self.more = more;
            self.msgs_written += u64::from(!more);
            return Ok(());
        }
        self.write_slow(msg)
    }

    fn write_slow(&mut self, msg: Msg) -> Result<(), Msg> {
        if !self.check_write() {
            return Err(msg);
        }
        let more = msg.more();
        if self.swapping || (self.full() && !self.more) {
            // Past the HWM: to the swap file, in order.
            let Some(swap) = self.swap.as_mut() else { return Err(msg) };
            match swap.store(msg) {
                Ok(()) => {
                    self.swapping = true;
                    return Ok(());
                }
                Err(m) => {
                    self.active = false;
                    return Err(m);
                }
            }
        }
        self.pipe.write(msg, more);
        self.more = more;
        if !more {
            self.msgs_written += 1;
        }
        Ok(())
    }

    /// Moves whole swapped messages back into the pipe while it has room.
    fn unswap(&mut self) {
        let Some(swap) = self.swap.as_mut() else { return };
        let mut moved = false;
        while swap.has_complete() && !(self.hwm > 0 && self.msgs_written - self.msgs_read >= self.hwm) {
            // A whole message: every part up to the one without MORE.
            loop {
                let Some(m) = swap.load() else { break };
                let more = m.more();
                self.pipe.write(m, more);
                moved = true;
                if !more {
                    self.msgs_written += 1;
                    break;
                }
            }
        }
        if swap.is_empty() {
            self.swapping = false;
            if self.delimiter_pending {
                self.delimiter_pending = false;
                self.pipe.write(Msg::delimiter(), false);
                moved = true;
            }
        }
        if moved {
            self.flush();
        }
    }

    /// Removes the parts of an unfinished message.
    pub fn rollback(&mut self) {
        while let Some(m) = self.pipe.unwrite() {
            drop(m);
        }
        if let Some(s) = self.swap.as_mut() {
            s.rollback();
        }
        self.more = false;
    }

    /// Publishes what was written; wakes the reader if it slept.
    #[inline]
    pub fn flush(&mut self) {
        if !self.pipe.flush() {
            self.peer.send(Command::ActivateReader(self.peer_id));
        }
    }

    /// Handles ActivateWriter.  Returns true when the pipe became writable.
    pub fn activate(&mut self, msgs_read: u64) -> bool {
        self.msgs_read = msgs_read;
        if self.swapping {
            self.unswap();
        }
        if self.active || self.terminating {
            return false;
        }
        self.active = true;
        true
    }

    /// Ends the stream: drops an unfinished message and writes the
    /// delimiter (idempotent).  The writer is removed when PipeTerm comes.
    pub fn terminate(&mut self) {
        if self.terminating {
            return;
        }
        self.terminating = true;
        self.active = false;
        self.rollback();
        if self.swapping {
            // The swapped messages go first; the delimiter follows them.
            self.delimiter_pending = true;
            self.unswap();
            return;
        }
        self.pipe.write(Msg::delimiter(), false);
        self.flush();
    }

    /// Handles PipeTerm: acknowledges it; the caller then drops the writer.
    pub fn ack_term(self) {
        self.peer.send(Command::PipeTermAck(self.peer_id));
    }

    /// Messages written and not yet reported read (for linger).
    pub fn pending(&self) -> u64 {
        self.msgs_written - self.msgs_read
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailbox::Mailbox;

    fn msg(s: &[u8], more: bool) -> Msg {
        let mut m = Msg::from_slice(s).unwrap();
        m.set_more(more);
        m
    }

    #[test]
    fn hwm_counts_messages_not_parts() {
        let mut mb_r = Mailbox::new().unwrap();
        let mb_w = Mailbox::new().unwrap();
        let (mut r, mut w) = pipe(&mb_r.sender(), &mb_w.sender(), 2);
        for _ in 0..2 {
            assert!(w.write(msg(b"a", true)).is_ok());
            assert!(w.write(msg(b"b", true)).is_ok());
            assert!(w.write(msg(b"c", false)).is_ok());
        }
        assert!(w.write(msg(b"x", false)).is_err());
        w.flush();
        // The reader was asleep at creation: one wake-up command.
        assert!(matches!(mb_r.recv(0), Ok(Command::ActivateReader(id)) if id == r.id()));
        assert!(mb_r.recv(0).is_err());
        let mut parts = 0;
        while let Some(_) = r.read_msg() {
            parts += 1;
        }
        assert_eq!(parts, 6);
    }

    #[test]
    fn rollback_removes_unfinished_message() {
        let mb = Mailbox::new().unwrap();
        let (mut r, mut w) = pipe(&mb.sender(), &mb.sender(), 0);
        w.write(msg(b"1", false)).ok().unwrap();
        w.write(msg(b"2", true)).ok().unwrap();
        w.terminate();
        assert_eq!(r.read_msg().unwrap().data(), b"1");
        assert!(matches!(r.read(), Read::Delimited));
        assert!(r.is_terminating());
    }

    #[test]
    fn lwm() {
        assert_eq!(compute_lwm(0), 0);
        assert_eq!(compute_lwm(1), 1);
        assert_eq!(compute_lwm(10), 5);
        assert_eq!(compute_lwm(5000), 3976);
    }
}
