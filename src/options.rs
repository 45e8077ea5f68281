//! `Options`: the socket options of 2.2 with their exact C types.  Values
//! are copied into pipes when those are created, so changes only affect
//! later binds and connects (except the ones read on every call).

use crate::err::{Result, EACCES, EINVAL};

pub const ZMQ_HWM: i32 = 1;
pub const ZMQ_SWAP: i32 = 3;
pub const ZMQ_AFFINITY: i32 = 4;
pub const ZMQ_IDENTITY: i32 = 5;
pub const ZMQ_SUBSCRIBE: i32 = 6;
pub const ZMQ_UNSUBSCRIBE: i32 = 7;
pub const ZMQ_RATE: i32 = 8;
pub const ZMQ_RECOVERY_IVL: i32 = 9;
pub const ZMQ_MCAST_LOOP: i32 = 10;
pub const ZMQ_SNDBUF: i32 = 11;
pub const ZMQ_RCVBUF: i32 = 12;
pub const ZMQ_RCVMORE: i32 = 13;
pub const ZMQ_FD: i32 = 14;
pub const ZMQ_EVENTS: i32 = 15;
pub const ZMQ_TYPE: i32 = 16;
pub const ZMQ_LINGER: i32 = 17;
pub const ZMQ_RECONNECT_IVL: i32 = 18;
pub const ZMQ_BACKLOG: i32 = 19;
pub const ZMQ_RECOVERY_IVL_MSEC: i32 = 20;
pub const ZMQ_RECONNECT_IVL_MAX: i32 = 21;
pub const ZMQ_RCVTIMEO: i32 = 27;
pub const ZMQ_SNDTIMEO: i32 = 28;

#[derive(Clone, Debug)]
pub struct Options {
    /// Messages per pipe; 0 = no limit.
    pub hwm: u64,
    /// Bytes of overflow storage per pipe (accepted and reported; see
    /// docs/COMPATIBILITY.md).
    pub swap: i64,
    /// Bit i = io thread i + 1 may carry this socket's connections.
    pub affinity: u64,
    /// Sent to peers; routes replies on a ROUTER.  Empty = anonymous.
    pub identity: Vec<u8>,
    pub rate: i64,
    pub recovery_ivl: i64,
    pub recovery_ivl_msec: i64,
    pub mcast_loop: i64,
    pub sndbuf: u64,
    pub rcvbuf: u64,
    /// ms; < 0 infinite.
    pub linger: i32,
    pub reconnect_ivl: i32,
    pub reconnect_ivl_max: i32,
    pub backlog: i32,
    pub rcvtimeo: i32,
    pub sndtimeo: i32,
    /// The socket type (fixed).
    pub socket_type: i32,
    /// Whether the type reads from / writes to its peers.
    pub requires_in: bool,
    pub requires_out: bool,
}

impl Options {
    pub fn new(socket_type: i32) -> Options {
        Options {
            hwm: 0,
            swap: 0,
            affinity: 0,
            identity: Vec::new(),
            rate: 40000,
            recovery_ivl: 10,
            recovery_ivl_msec: -1,
            mcast_loop: 1,
            sndbuf: 0,
            rcvbuf: 0,
            linger: -1,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            backlog: 100,
            rcvtimeo: -1,
            sndtimeo: -1,
            socket_type,
            requires_in: false,
            requires_out: false,
        }
    }

    /// Sets a generic option from its raw bytes (exact size required).
    pub fn set(&mut self, option: i32, val: &[u8]) -> Result<()> {
        match option {
            ZMQ_HWM => self.hwm = u64_of(val)?,
            ZMQ_SWAP => {
                let v = i64_of(val)?;
                if v < 0 {
                    return Err(EINVAL);
                }
                if !cwd_writable() {
                    return Err(EACCES);
                }
                self.swap = v;
            }
            ZMQ_AFFINITY => self.affinity = u64_of(val)?,
            ZMQ_IDENTITY => {
                if val.is_empty() || val.len() > 255 || val[0] == 0 {
                    return Err(EINVAL);
                }
                self.identity = val.to_vec();
            }
            ZMQ_RATE => self.rate = nonneg_i64(val)?,
            ZMQ_RECOVERY_IVL => self.recovery_ivl = nonneg_i64(val)?,
            ZMQ_RECOVERY_IVL_MSEC => self.recovery_ivl_msec = nonneg_i64(val)?,
            ZMQ_MCAST_LOOP => {
                let v = i64_of(val)?;
                if v != 0 && v != 1 {
                    return Err(EINVAL);
                }
                self.mcast_loop = v;
            }
            ZMQ_SNDBUF => self.sndbuf = u64_of(val)?,
            ZMQ_RCVBUF => self.rcvbuf = u64_of(val)?,
            ZMQ_LINGER => self.linger = i32_of(val)?,
            ZMQ_RECONNECT_IVL => self.reconnect_ivl = nonneg_i32(val)?,
            ZMQ_RECONNECT_IVL_MAX => self.reconnect_ivl_max = nonneg_i32(val)?,
            ZMQ_BACKLOG => self.backlog = i32_of(val)?,
            ZMQ_RCVTIMEO => self.rcvtimeo = i32_of(val)?,
            ZMQ_SNDTIMEO => self.sndtimeo = i32_of(val)?,
            _ => return Err(EINVAL),
        }
        Ok(())
    }

    /// The raw bytes of a generic option (those the socket itself doesn't
    /// answer: RCVMORE, FD, EVENTS).  EINVAL for unknown or set-only ones.
    pub fn get(&self, option: i32) -> Result<Vec<u8>> {
        Ok(match option {
            ZMQ_HWM => self.hwm.to_ne_bytes().to_vec(),
            ZMQ_SWAP => self.swap.to_ne_bytes().to_vec(),
            ZMQ_AFFINITY => self.affinity.to_ne_bytes().to_vec(),
            ZMQ_IDENTITY => self.identity.clone(),
            ZMQ_RATE => self.rate.to_ne_bytes().to_vec(),
            ZMQ_RECOVERY_IVL => self.recovery_ivl.to_ne_bytes().to_vec(),
            ZMQ_RECOVERY_IVL_MSEC => self.recovery_ivl_msec.to_ne_bytes().to_vec(),
            ZMQ_MCAST_LOOP => self.mcast_loop.to_ne_bytes().to_vec(),
            ZMQ_SNDBUF => self.sndbuf.to_ne_bytes().to_vec(),
            ZMQ_RCVBUF => self.rcvbuf.to_ne_bytes().to_vec(),
            ZMQ_TYPE => self.socket_type.to_ne_bytes().to_vec(),
            ZMQ_LINGER => self.linger.to_ne_bytes().to_vec(),
            ZMQ_RECONNECT_IVL => self.reconnect_ivl.to_ne_bytes().to_vec(),
            ZMQ_RECONNECT_IVL_MAX => self.reconnect_ivl_max.to_ne_bytes().to_vec(),
            ZMQ_BACKLOG => self.backlog.to_ne_bytes().to_vec(),
            ZMQ_RCVTIMEO => self.rcvtimeo.to_ne_bytes().to_vec(),
            ZMQ_SNDTIMEO => self.sndtimeo.to_ne_bytes().to_vec(),
            _ => return Err(EINVAL),
        })
    }
}

fn cwd_writable() -> bool {
    let mut st: libc::stat = unsafe_zeroed_stat();
    // SAFETY: "." is a valid C string and st a valid stat buffer.
    let rc = unsafe { libc::stat(b".\0".as_ptr() as *const libc::c_char, &mut st) };
    rc == 0 && st.st_mode & libc::S_IWUSR != 0
}

fn unsafe_zeroed_stat() -> libc::stat {
    // SAFETY: stat is plain old data; all-zero is a valid value.
    unsafe { std::mem::zeroed() }
}

fn u64_of(v: &[u8]) -> Result<u64> {
    Ok(u64::from_ne_bytes(v.try_into().map_err(|_| EINVAL)?))
}

fn i64_of(v: &[u8]) -> Result<i64> {
    Ok(i64::from_ne_bytes(v.try_into().map_err(|_| EINVAL)?))
}

fn i32_of(v: &[u8]) -> Result<i32> {
    Ok(i32::from_ne_bytes(v.try_into().map_err(|_| EINVAL)?))
}

fn nonneg_i64(v: &[u8]) -> Result<i64> {
    let x = i64_of(v)?;
    if x < 0 {
        Err(EINVAL)
    } else {
        Ok(x)
    }
}

fn nonneg_i32(v: &[u8]) -> Result<i32> {
    let x = i32_of(v)?;
    if x < 0 {
        Err(EINVAL)
    } else {
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_values_are_checked() {
        let mut o = Options::new(0);
        assert_eq!(o.set(ZMQ_HWM, &5u64.to_ne_bytes()), Ok(()));
        assert_eq!(o.set(ZMQ_HWM, &5u32.to_ne_bytes()), Err(EINVAL));
        assert_eq!(o.set(ZMQ_LINGER, &(-7i32).to_ne_bytes()), Ok(()));
        assert_eq!(o.set(ZMQ_RECONNECT_IVL, &(-1i32).to_ne_bytes()), Err(EINVAL));
        assert_eq!(o.set(ZMQ_MCAST_LOOP, &2i64.to_ne_bytes()), Err(EINVAL));
        assert_eq!(o.set(ZMQ_IDENTITY, b"\0abc"), Err(EINVAL));
        assert_eq!(o.set(ZMQ_IDENTITY, &[b'x'; 256]), Err(EINVAL));
        assert_eq!(o.set(ZMQ_IDENTITY, b"abc"), Ok(()));
        assert_eq!(o.get(ZMQ_IDENTITY), Ok(b"abc".to_vec()));
        assert_eq!(o.set(2, &0u64.to_ne_bytes()), Err(EINVAL));
        assert_eq!(o.get(ZMQ_SUBSCRIBE), Err(EINVAL));
    }
}
