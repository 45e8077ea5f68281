//! Endpoint addresses of the network transports, parsed and resolved as
//! 2.2 does: tcp bind takes `*`, an interface name or an IPv4 literal and a
//! port (split at the last ':'); tcp connect takes a host name or IPv4
//! literal (split at the first ':'); ipc takes a filesystem path shorter
//! than 108 bytes.

use crate::err::{Result, EINVAL, ENAMETOOLONG, ENODEV};
use std::ffi::CString;
use std::net::{Ipv4Addr, SocketAddrV4};

/// Longest ipc path (sockaddr_un.sun_path holds 108 bytes with the NUL).
pub const IPC_PATH_MAX: usize = 107;

#[derive(Clone, Debug, PartialEq)]
pub enum Address {
    Tcp(SocketAddrV4),
    Ipc(String),
}

/// The port of a bind address: leading decimal digits as `atoi` reads
/// them ("5555x" is 5555); EINVAL for none, 0, or more than 65535 (2.2
/// silently truncated those to 16 bits).
fn bind_port(s: &str) -> Result<u16> {
    let digits: &str = &s[..s.bytes().take_while(|b| b.is_ascii_digit()).count()];
    if digits.is_empty() || digits.len() > 5 {
        return Err(EINVAL);
    }
    match digits.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
        _ => Err(EINVAL),
    }
}

/// Resolves a tcp bind address `iface:port`.
pub fn resolve_tcp_bind(addr: &str) -> Result<SocketAddrV4> {
    let (iface, port) = addr.rsplit_once(':').ok_or(EINVAL)?;
    let port = bind_port(port)?;
    if iface == "*" {
        return Ok(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port));
    }
    if let Some(ip) = interface_ipv4(iface) {
        return Ok(SocketAddrV4::new(ip, port));
    }
    match iface.parse::<Ipv4Addr>() {
        Ok(ip) => Ok(SocketAddrV4::new(ip, port)),
        Err(_) => Err(ENODEV),
    }
}

/// The first IPv4 address of a network interface, by name.
fn interface_ipv4(name: &str) -> Option<Ipv4Addr> {
    let mut ifap: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills ifap with a list we free below.
    if unsafe { libc::getifaddrs(&mut ifap) } != 0 {
        return None;
    }
    let mut found = None;
    let mut p = ifap;
    while !p.is_null() {
        // SAFETY: p walks the list returned by getifaddrs.
        let ifa = unsafe { &*p };
        if !ifa.ifa_addr.is_null() && !ifa.ifa_name.is_null() {
            // SAFETY: ifa_name is a NUL-terminated string; ifa_addr a sockaddr.
            let n = unsafe { std::ffi::CStr::from_ptr(ifa.ifa_name) };
            let family = unsafe { (*ifa.ifa_addr).sa_family } as i32;
            if family == libc::AF_INET && n.to_bytes() == name.as_bytes() {
                // SAFETY: an AF_INET address is a sockaddr_in.
                let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
                found = Some(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)));
                break;
            }
        }
        p = ifa.ifa_next;
    }
    // SAFETY: ifap came from getifaddrs.
    unsafe { libc::freeifaddrs(ifap) };
    found
}

/// Resolves a tcp connect address `host:port` (IPv4 only, first result).
/// EINVAL when the host can't be resolved or the port isn't numeric.
pub fn resolve_tcp_connect(addr: &str) -> Result<SocketAddrV4> {
    let (host, port) = addr.split_once(':').ok_or(EINVAL)?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.len() > 5 {
        return Err(EINVAL);
    }
    let port: u16 = port.parse().map_err(|_| EINVAL)?;
    if host.is_empty() {
        return Err(EINVAL);
    }
    if host == "*" {
        return Ok(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port));
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Ok(SocketAddrV4::new(ip, port));
    }
    let chost = CString::new(host).map_err(|_| EINVAL)?;
    // SAFETY: hints is plain data; zeroed is a valid "no hints" value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = libc::AF_INET;
    hints.ai_socktype = libc::SOCK_STREAM;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: valid C strings and hints; res is freed below.
    let rc = unsafe { libc::getaddrinfo(chost.as_ptr(), std::ptr::null(), &hints, &mut res) };
    if rc != 0 || res.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: res is a non-empty list; AF_INET entries hold sockaddr_in.
    let ip = unsafe {
        let sin = &*((*res).ai_addr as *const libc::sockaddr_in);
        let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
        libc::freeaddrinfo(res);
        ip
    };
    Ok(SocketAddrV4::new(ip, port))
}

/// Checks an ipc path.
pub fn check_ipc(path: &str) -> Result<String> {
    if path.len() > IPC_PATH_MAX {
        return Err(ENAMETOOLONG);
    }
    if path.as_bytes().contains(&0) {
        return Err(EINVAL);
    }
    Ok(path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_addresses() {
        assert_eq!(resolve_tcp_bind("*:5555"), Ok("0.0.0.0:5555".parse().unwrap()));
        assert_eq!(resolve_tcp_bind("127.0.0.1:80"), Ok("127.0.0.1:80".parse().unwrap()));
        assert_eq!(resolve_tcp_bind("lo:7000"), Ok("127.0.0.1:7000".parse().unwrap()));
        assert_eq!(resolve_tcp_bind("*:5555x"), Ok("0.0.0.0:5555".parse().unwrap()));
        assert_eq!(resolve_tcp_bind("*:0"), Err(EINVAL));
        assert_eq!(resolve_tcp_bind("*:*"), Err(EINVAL));
        assert_eq!(resolve_tcp_bind("*:65536"), Err(EINVAL));
        assert_eq!(resolve_tcp_bind("*:-1"), Err(EINVAL));
        assert_eq!(resolve_tcp_bind("*"), Err(EINVAL));
        assert_eq!(resolve_tcp_bind("localhost:5555"), Err(ENODEV));
        assert_eq!(resolve_tcp_bind("[::1]:5555"), Err(ENODEV));
    }

    #[test]
    fn connect_addresses() {
        assert_eq!(resolve_tcp_connect("127.0.0.1:5555"), Ok("127.0.0.1:5555".parse().unwrap()));
        assert_eq!(resolve_tcp_connect("localhost:5555"), Ok("127.0.0.1:5555".parse().unwrap()));
        assert_eq!(resolve_tcp_connect("127.0.0.1"), Err(EINVAL));
        assert_eq!(resolve_tcp_connect("127.0.0.1:http"), Err(EINVAL));
        assert_eq!(resolve_tcp_connect("no.such.host.invalid:5555"), Err(EINVAL));
    }

    #[test]
    fn ipc_paths() {
        assert!(check_ipc(&"a".repeat(107)).is_ok());
        assert_eq!(check_ipc(&"a".repeat(108)), Err(ENAMETOOLONG));
    }
}
