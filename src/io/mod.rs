//! Threads of the context: io threads (network objects, next to come) and
//! the reaper (finishes closing sockets).
pub mod poller;
pub mod reaper;
pub mod thread;
