//! Network transports: address parsing and resolution, raw socket set-up
//! (tcp, ipc), the listener and the connecter.
pub mod address;
pub mod listener;
pub mod net;
