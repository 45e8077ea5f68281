//! A drop-in replacement for libzmq 2.2 (`libzmq.so.1`), in Rust.
//!
//! Architecture (libzmq's own, expressed in Rust):
//! * The application thread owns its sockets and runs their logic inside
//!   its calls (`socket/`).  Each context owns io threads and a reaper
//!   (`io/`); threads never share an object, they send `Command`s through
//!   `Mailbox`es (an eventfd `Signaler` plus a lock-free queue).
//! * Messages (`msg.rs`, the caller's 40-byte `zmq_msg_t`) travel through
//!   lock-free SPSC pipes (`ypipe.rs`, `pipe.rs`) between a socket and its
//!   peer (another socket for inproc).  A pipe wakes its reader only when
//!   the reader went to sleep, so a busy stream costs no system call.
//! * Routing strategies (`patterns/`): load-balance, fair-queue, fan-out,
//!   the subscription trie.
//! * `capi/` is the only place with `extern "C"` functions; the core
//!   returns `Result<_, Errno>`.

pub mod abi;
mod capi;
pub mod clock;
pub mod command;
pub mod ctx;
pub mod device;
pub mod engine;
pub mod err;
pub mod handle;
pub mod io;
pub mod mailbox;
pub mod msg;
pub mod options;
pub mod patterns;
pub mod pipe;
pub mod poll;
pub mod session;
pub mod signaler;
pub mod socket;
pub mod swap;
pub mod transport;
pub mod ypipe;
