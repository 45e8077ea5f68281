//! The network side of a connection: the ZMTP/1.0 codec (encoder.rs,
//! decoder.rs) and the stream engine that moves bytes between a socket
//! descriptor and a session's pipes.
pub mod decoder;
pub mod encoder;
pub mod stream;
