//! `zmq_poll`: 0MQ sockets (through their `ZMQ_FD` and `ZMQ_EVENTS`) and
//! plain file descriptors in one `poll(2)`.  The timeout is in
//! microseconds with millisecond resolution, as in 2.2: the first pass
//! never waits, a timeout under 1000 µs acts as 0, -1 waits forever, a
//! signal returns EINTR.

use crate::abi::{zmq_pollitem_t, ZMQ_POLLERR, ZMQ_POLLIN, ZMQ_POLLOUT};
use crate::clock::now_ms;
use crate::err::{errno, Result, EINTR};
use crate::handle;

pub fn poll(items: &mut [zmq_pollitem_t], timeout_us: i64) -> Result<i32> {
    if items.is_empty() {
        if timeout_us != 0 {
            // As 2.2: a plain usleep (a negative value becomes ~71.6 min).
            // SAFETY: plain library call.
            unsafe { libc::usleep(timeout_us as u32) };
        }
        return Ok(0);
    }
    let mut pollfds = Vec::with_capacity(items.len());
    for it in items.iter() {
        if !it.socket.is_null() {
            // SAFETY: the caller passed a socket handle (checked by tag).
            let s = unsafe { handle::socket(it.socket)? };
            s.check_term()?;
            let events = if it.events != 0 { libc::POLLIN } else { 0 };
            pollfds.push(libc::pollfd { fd: s.fd(), events, revents: 0 });
        } else {
            let mut events = 0;
            if it.events & ZMQ_POLLIN != 0 {
                events |= libc::POLLIN;
            }
            if it.events & ZMQ_POLLOUT != 0 {
                events |= libc::POLLOUT;
            }
            pollfds.push(libc::pollfd { fd: it.fd, events, revents: 0 });
        }
    }
    let mut first_pass = true;
    let mut end = 0u64;
    loop {
        let wait: i32 = if first_pass {
            0
        } else if timeout_us < 0 {
            -1
        } else {
            end.saturating_sub(now_ms()).min(i32::MAX as u64) as i32
        };
        // SAFETY: pollfds is a valid array of its length.
        let rc = unsafe { libc::poll(pollfds.as_mut_ptr(), pollfds.len() as libc::nfds_t, wait) };
        if rc < 0 {
            let e = errno();
            if e == EINTR {
                return Err(EINTR);
            }
            return Err(e);
        }
        let mut nevents = 0;
        for (it, pfd) in items.iter_mut().zip(pollfds.iter()) {
            it.revents = 0;
            if !it.socket.is_null() {
                // SAFETY: as above.
                let s = unsafe { handle::socket(it.socket)? };
                let ev = s.events()? as i16;
                it.revents = ev & it.events & (ZMQ_POLLIN | ZMQ_POLLOUT);
            } else {
                if pfd.revents & libc::POLLIN != 0 {
                    it.revents |= ZMQ_POLLIN;
                }
                if pfd.revents & libc::POLLOUT != 0 {
                    it.revents |= ZMQ_POLLOUT;
                }
                if pfd.revents & !(libc::POLLIN | libc::POLLOUT) != 0 {
                    it.revents |= ZMQ_POLLERR;
                }
            }
            if it.revents != 0 {
                nevents += 1;
            }
        }
        if timeout_us == 0 || nevents > 0 {
            return Ok(nevents);
        }
        if timeout_us < 0 {
            first_pass = false;
            continue;
        }
        let now = now_ms();
        if first_pass {
            end = now + (timeout_us / 1000) as u64;
            if now == end {
                return Ok(0);
            }
            first_pass = false;
            continue;
        }
        if now >= end {
            return Ok(0);
        }
    }
}
