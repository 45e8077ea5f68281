//! `Signaler`: an eventfd that wakes the reader of a mailbox.  Its fd is
//! what `ZMQ_FD` returns for a socket and what io threads register with
//! their poller.  Each wake-up of the reader is paired with exactly one
//! signal (see mailbox.rs); a signal can arrive late, after the next one,
//! so the eventfd counts (EFD_SEMAPHORE) and `recv` consumes exactly one.

use crate::err::{errno, Result, EAGAIN, EINTR};
use std::os::fd::RawFd;

pub struct Signaler {
    fd: RawFd,
}

impl Signaler {
    /// A new eventfd, non-blocking and close-on-exec; EMFILE/ENFILE when
    /// the process is out of descriptors.
    pub fn new() -> Result<Signaler> {
        // SAFETY: plain system call.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC | libc::EFD_SEMAPHORE) };
        if fd < 0 {
            return Err(errno());
        }
        Ok(Signaler { fd })
    }

    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// Makes the fd readable.
    pub fn send(&self) {
        let one: u64 = 1;
        loop {
            // SAFETY: writes 8 bytes from a valid u64.
            let rc = unsafe { libc::write(self.fd, &one as *const u64 as *const libc::c_void, 8) };
            if rc == 8 || errno() != EINTR {
                return;
            }
        }
    }

    /// Waits until the fd is readable: timeout in ms, -1 forever, 0 none.
    /// EAGAIN on timeout, EINTR on a signal.
    pub fn wait(&self, timeout_ms: i32) -> Result<()> {
        let mut pfd = libc::pollfd { fd: self.fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: pfd is one valid pollfd.
        let rc = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        match rc {
            0 => Err(EAGAIN),
            n if n > 0 => Ok(()),
            _ => Err(errno()),
        }
    }

    /// Consumes the pending signal, waiting for it if it is still on its
    /// way (the sender published its command just before signalling).
    pub fn recv(&self) {
        let mut v: u64 = 0;
        loop {
            // SAFETY: reads 8 bytes into a valid u64.
            let rc = unsafe { libc::read(self.fd, &mut v as *mut u64 as *mut libc::c_void, 8) };
            if rc == 8 {
                return;
            }
            let e = errno();
            if e == EAGAIN {
                let mut pfd = libc::pollfd { fd: self.fd, events: libc::POLLIN, revents: 0 };
                // SAFETY: pfd is one valid pollfd.
                unsafe { libc::poll(&mut pfd, 1, -1) };
            } else if e != EINTR {
                return;
            }
        }
    }
}

impl Drop for Signaler {
    fn drop(&mut self) {
        // SAFETY: we own the fd.
        unsafe { libc::close(self.fd) };
    }
}
