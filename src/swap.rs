//! `Swap`: the on-disk overflow of a pipe (`ZMQ_SWAP`).  When a pipe with a
//! swap size reaches its HWM, further messages go to a file of that many
//! bytes, in order; they move back into the pipe as the reader drains it.
//! The file (`zmq_<pid>_<n>.swap` in the current directory, mode 0600, as
//! 2.2 names it) is used as a ring buffer of records `[u64 size][u8
//! flags][body]`; it is unlinked at once, so nothing is left behind even
//! if the process dies.  Owned by the pipe's writer.

use crate::msg::{Msg, MSG_MORE};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::sync::atomic::{AtomicU64, Ordering};

const HEADER: u64 = 9;

static NEXT_FILE: AtomicU64 = AtomicU64::new(0);

pub struct Swap {
    file: File,
    /// Size of the ring in bytes.
    capacity: u64,
    /// Where the next record is read (absolute, grows without wrapping).
    read_pos: u64,
    /// Where the next record is written.
    write_pos: u64,
    /// End of the last complete message (parts after it can be rolled back).
    commit_pos: u64,
}

impl Swap {
    /// Creates the swap file; None if it can't be created (2.2 aborts).
    pub fn new(capacity: u64) -> Option<Swap> {
        let n = NEXT_FILE.fetch_add(1, Ordering::Relaxed);
        let name = format!("zmq_{}_{}.swap", std::process::id(), n);
        let file = OpenOptions::new().read(true).write(true).create_new(true).mode(0o600).open(&name).ok()?;
        let _ = std::fs::remove_file(&name);
        Some(Swap { file, capacity, read_pos: 0, write_pos: 0, commit_pos: 0 })
    }

    pub fn is_empty(&self) -> bool {
        self.read_pos == self.commit_pos && self.write_pos == self.commit_pos
    }

    /// Whether any bytes are free.
    pub fn has_room(&self) -> bool {
        self.write_pos - self.read_pos < self.capacity
    }

    /// Whether complete messages are stored.
    pub fn has_complete(&self) -> bool {
        self.read_pos < self.commit_pos
    }

    fn put(&self, pos: u64, bytes: &[u8]) -> bool {
        let off = pos % self.capacity;
        let first = ((self.capacity - off) as usize).min(bytes.len());
        self.file.write_all_at(&bytes[..first], off).is_ok() && (first == bytes.len() || self.file.write_all_at(&bytes[first..], 0).is_ok())
    }

    fn get(&self, pos: u64, out: &mut [u8]) -> bool {
        let off = pos % self.capacity;
        let first = ((self.capacity - off) as usize).min(out.len());
        let (a, b) = out.split_at_mut(first);
        self.file.read_exact_at(a, off).is_ok() && (b.is_empty() || self.file.read_exact_at(b, 0).is_ok())
    }

    /// Stores a part; gives it back when it doesn't fit (or on an I/O error).
    pub fn store(&mut self, msg: Msg) -> Result<(), Msg> {
        let need = HEADER + msg.size() as u64;
        if self.write_pos - self.read_pos + need > self.capacity {
            return Err(msg);
        }
        let mut header = [0u8; HEADER as usize];
        header[..8].copy_from_slice(&(msg.size() as u64).to_le_bytes());
        header[8] = msg.flags() & MSG_MORE;
        if !self.put(self.write_pos, &header) || !self.put(self.write_pos + HEADER, msg.data()) {
            return Err(msg);
        }
        self.write_pos += need;
        if !msg.more() {
            self.commit_pos = self.write_pos;
        }
        Ok(())
    }

    /// Drops parts stored after the last complete message.
    pub fn rollback(&mut self) {
        self.write_pos = self.commit_pos;
    }

    /// Takes the oldest stored part of a complete message.
    pub fn load(&mut self) -> Option<Msg> {
        if !self.has_complete() {
            return None;
        }
        let mut header = [0u8; HEADER as usize];
        if !self.get(self.read_pos, &mut header) {
            return None;
        }
        let size = u64::from_le_bytes(header[..8].try_into().ok()?);
        let mut msg = Msg::with_size(size as usize).ok()?;
        if !self.get(self.read_pos + HEADER, msg.data_mut()) {
            return None;
        }
        msg.set_more(header[8] & MSG_MORE != 0);
        self.read_pos += HEADER + size;
        Some(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_with_wraparound_and_rollback() {
        // The file is created in the current directory and unlinked at once.
        let mut s = Swap::new(100).expect("swap file");
        for round in 0..20u8 {
            let mut a = Msg::from_slice(&[round; 30]).unwrap();
            a.set_more(true);
            assert!(s.store(a).is_ok());
            assert!(s.store(Msg::from_slice(&[round; 20]).unwrap()).is_ok());
            assert!(s.store(Msg::from_slice(&[0; 40]).unwrap()).is_err(), "ring full");
            let mut half = Msg::from_slice(&[9; 5]).unwrap();
            half.set_more(true);
            assert!(s.store(half).is_ok());
            s.rollback();
            let first = s.load().unwrap();
            assert!(first.more() && first.data() == [round; 30]);
            let second = s.load().unwrap();
            assert!(!second.more() && second.data() == [round; 20]);
            assert!(s.load().is_none());
            assert!(s.is_empty());
            // Leave the ring offset so the next round wraps.
            let mut x = Msg::from_slice(&[1; 7]).unwrap();
            x.set_more(false);
            assert!(s.store(x).is_ok());
            assert!(s.load().is_some());
        }
    }
}
