//! Monotonic clock in milliseconds and microseconds (vDSO, no system call).

/// Microseconds on the monotonic clock.
pub fn now_us() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec to write into.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1000
}

/// Milliseconds on the monotonic clock.
pub fn now_ms() -> u64 {
    now_us() / 1000
}
