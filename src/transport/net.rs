//! Raw socket set-up for tcp and ipc: listening, accepting, non-blocking
//! connects, per-connection tuning.  Every descriptor is non-blocking and
//! close-on-exec; `Fd` closes it when dropped.

use super::address::Address;
use crate::err::{errno, Result, EINPROGRESS};
use std::net::SocketAddrV4;
use std::os::fd::RawFd;

/// An owned descriptor.
pub struct Fd(pub RawFd);

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: we own the descriptor.
        unsafe { libc::close(self.0) };
    }
}

/// Runs a libc call returning -1 on error, mapping it to errno.
fn cvt(rc: libc::c_int) -> Result<libc::c_int> {
    if rc < 0 {
        Err(errno())
    } else {
        Ok(rc)
    }
}

fn sockaddr_in(a: &SocketAddrV4) -> libc::sockaddr_in {
    // SAFETY: sockaddr_in is plain data; zero is valid.
    let mut sin: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    sin.sin_family = libc::AF_INET as libc::sa_family_t;
    sin.sin_port = a.port().to_be();
    sin.sin_addr.s_addr = u32::from(*a.ip()).to_be();
    sin
}

fn sockaddr_un(path: &str) -> libc::sockaddr_un {
    // SAFETY: sockaddr_un is plain data; zero is valid.
    let mut sun: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (d, s) in sun.sun_path.iter_mut().zip(path.bytes()) {
        *d = s as libc::c_char;
    }
    sun
}

/// Calls `f` with the address as a (sockaddr pointer, length) pair.
fn with_sockaddr<T>(addr: &Address, f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> T) -> T {
    match addr {
        Address::Tcp(a) => {
            let sin = sockaddr_in(a);
            f(&sin as *const _ as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t)
        }
        Address::Ipc(p) => {
            let sun = sockaddr_un(p);
            f(&sun as *const _ as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t)
        }
    }
}

fn new_socket(addr: &Address) -> Result<Fd> {
    let family = match addr {
        Address::Tcp(_) => libc::AF_INET,
        Address::Ipc(_) => libc::AF_UNIX,
    };
    // SAFETY: plain system call.
    let fd = cvt(unsafe { libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK, 0) })?;
    Ok(Fd(fd))
}

fn set_int_opt(fd: RawFd, level: libc::c_int, name: libc::c_int, v: libc::c_int) -> Result<()> {
    // SAFETY: passes a pointer to a live int and its size.
    cvt(unsafe { libc::setsockopt(fd, level, name, &v as *const _ as *const libc::c_void, std::mem::size_of::<libc::c_int>() as libc::socklen_t) })?;
    Ok(())
}

/// A listening socket; ipc paths are unlinked first (as 2.2 does).
pub fn listen(addr: &Address, backlog: i32) -> Result<Fd> {
    let fd = new_socket(addr)?;
    match addr {
        Address::Tcp(_) => set_int_opt(fd.0, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?,
        Address::Ipc(p) => {
            if let Ok(c) = std::ffi::CString::new(p.as_str()) {
                // SAFETY: valid C string.
                unsafe { libc::unlink(c.as_ptr()) };
            }
        }
    }
    // SAFETY: a valid sockaddr of the given length.
    with_sockaddr(addr, |sa, len| cvt(unsafe { libc::bind(fd.0, sa, len) }))?;
    // SAFETY: plain system call.
    cvt(unsafe { libc::listen(fd.0, backlog) })?;
    Ok(fd)
}

/// Accepts one connection; None when there is none now.
pub fn accept(listener: RawFd) -> Result<Option<Fd>> {
    loop {
        // SAFETY: plain system call; the peer address isn't needed.
        let rc = unsafe { libc::accept4(listener, std::ptr::null_mut(), std::ptr::null_mut(), libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK) };
        if rc >= 0 {
            return Ok(Some(Fd(rc)));
        }
        match errno() {
            libc::EINTR | libc::ECONNABORTED => continue,
            libc::EAGAIN => return Ok(None),
            e => return Err(e),
        }
    }
}

/// Starts a non-blocking connect: (descriptor, already connected).
pub fn connect(addr: &Address) -> Result<(Fd, bool)> {
    let fd = new_socket(addr)?;
    // SAFETY: a valid sockaddr of the given length.
    let rc = with_sockaddr(addr, |sa, len| unsafe { libc::connect(fd.0, sa, len) });
    if rc == 0 {
        return Ok((fd, true));
    }
    match errno() {
        EINPROGRESS | libc::EINTR => Ok((fd, false)),
        e => Err(e),
    }
}

/// The outcome of a pending connect (SO_ERROR).
pub fn connect_result(fd: RawFd) -> Result<()> {
    let mut err: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: err and len are valid out-parameters.
    cvt(unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ERROR, &mut err as *mut _ as *mut libc::c_void, &mut len) })?;
    if err != 0 {
        Err(err)
    } else {
        Ok(())
    }
}

/// Per-connection options: TCP_NODELAY (tcp), SO_SNDBUF, SO_RCVBUF.
pub fn tune(fd: RawFd, tcp: bool, sndbuf: u64, rcvbuf: u64) {
    if tcp {
        let _ = set_int_opt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
    }
    if sndbuf > 0 {
        let _ = set_int_opt(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, sndbuf as libc::c_int);
    }
    if rcvbuf > 0 {
        let _ = set_int_opt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, rcvbuf as libc::c_int);
    }
}
