//! Exports of zmq_utils.h: zmq_stopwatch_start, zmq_stopwatch_stop,
//! zmq_sleep.

use crate::clock::now_us;
use std::os::raw::{c_int, c_ulong, c_void};

/// A heap-held start time; freed by zmq_stopwatch_stop.  NULL on ENOMEM.
#[no_mangle]
pub extern "C" fn zmq_stopwatch_start() -> *mut c_void {
    Box::into_raw(Box::new(now_us())) as *mut c_void
}

/// Microseconds since start; frees the watch.  NULL gives 0.
#[no_mangle]
pub extern "C" fn zmq_stopwatch_stop(watch: *mut c_void) -> c_ulong {
    if watch.is_null() {
        return 0;
    }
    // SAFETY: watch came from zmq_stopwatch_start (single use, as in 2.2).
    let start = unsafe { Box::from_raw(watch as *mut u64) };
    now_us().saturating_sub(*start) as c_ulong
}

/// Sleeps whole seconds.
#[no_mangle]
pub extern "C" fn zmq_sleep(seconds: c_int) {
    // SAFETY: plain library call.
    unsafe { libc::sleep(seconds.max(0) as u32) };
}
