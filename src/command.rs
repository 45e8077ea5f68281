//! `Command`: what objects in different threads tell each other.  Each
//! command is sent to the mailbox of the object that owns the destination
//! and carries its payload by value.

use crate::io::thread::{IoObject, ObjId};
use crate::pipe::{PipeId, Reader, Writer};
use crate::socket::base::SocketBase;

/// The payload of `Command::Bind` (boxed: it is rare and large).
pub struct Attach {
    pub reader: Option<Reader>,
    pub writer: Option<Writer>,
    pub identity: Vec<u8>,
}

pub enum Command {
    /// ctx -> socket: `zmq_term` was called; blocking calls return ETERM.
    /// ctx -> reaper / io thread: shut down.
    Stop,
    /// writer -> reader's owner: messages arrived while the reader slept.
    ActivateReader(PipeId),
    /// reader -> writer's owner: the reader has read this many messages.
    ActivateWriter(PipeId, u64),
    /// reader -> writer's owner: the reader is going away.
    PipeTerm(PipeId),
    /// writer -> reader's owner: the writer is gone; the reader may go.
    PipeTermAck(PipeId),
    /// connecter -> binder: attach these pipe ends (inproc connect, or a
    /// session that finished its handshake), with the peer's identity.
    Bind(Box<Attach>),
    /// app thread -> reaper: finish closing this socket.
    Reap(Box<SocketBase>),
    /// reaper -> `zmq_term`: every socket is gone.
    Done,
    /// socket -> io thread: start this object (listener or session) there.
    Own(Box<IoObject>),
    /// owner -> io object: close, lingering this many ms (-1: forever).
    Term { id: ObjId, linger: i32 },
    /// io object -> owner socket: the object is gone.
    TermAck(ObjId),
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_is_small() {
        // Commands are copied through mailbox queues: keep them small.
        assert!(std::mem::size_of::<super::Command>() <= 24, "{}", std::mem::size_of::<super::Command>());
    }
}
