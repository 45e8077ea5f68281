//! DEALER (load-balance out, fair-queue in), ROUTER (identity routing),
//! and the strict request-reply state machines REQ (over DEALER) and REP
//! (over ROUTER) with their envelopes.

use super::{delegate_pipes, generate_identity, Refused, SocketType};
use crate::err::{Result, EAGAIN, EFSM};
use crate::msg::Msg;
use crate::patterns::{fq::Fq, lb::Lb};
use crate::pipe::{PipeId, Reader, Writer};
use std::collections::HashMap;

// ---- DEALER -------------------------------------------------------------

#[derive(Default)]
pub struct Dealer {
    fq: Fq,
    lb: Lb,
}

impl SocketType for Dealer {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, _identity: Vec<u8>) -> Refused {
        if let Some(r) = reader {
            self.fq.attach(r);
        }
        if let Some(w) = writer {
            self.lb.attach(w);
        }
        None
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        self.lb.send(msg)
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        self.fq.recv(msg).map(|_| ())
    }

    fn has_in(&mut self) -> bool {
        self.fq.has_in()
    }

    fn has_out(&mut self) -> bool {
        self.lb.has_out()
    }

    delegate_pipes!(in: fq, out: lb);
}

// ---- REQ ----------------------------------------------------------------

pub struct Req {
    dealer: Dealer,
    /// A request was sent; its reply hasn't been read completely.
    receiving_reply: bool,
    /// The next part starts a request (send) or a reply (recv).
    message_begins: bool,
}

impl Default for Req {
    fn default() -> Self {
        Req { dealer: Dealer::default(), receiving_reply: false, message_begins: true }
    }
}

impl SocketType for Req {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, identity: Vec<u8>) -> Refused {
        self.dealer.attach(reader, writer, identity)
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if self.receiving_reply {
            return Err(EFSM);
        }
        if self.message_begins {
            let mut bottom = Msg::new();
            bottom.set_more(true);
            self.dealer.send(&mut bottom)?;
            self.message_begins = false;
        }
        let more = msg.more();
        self.dealer.send(msg)?;
        if !more {
            self.receiving_reply = true;
            self.message_begins = true;
        }
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        if !self.receiving_reply {
            return Err(EFSM);
        }
        if self.message_begins {
            // The reply must start with an empty delimiter part; parts
            // before one are discarded.
            loop {
                self.dealer.recv(msg)?;
                if msg.more() && msg.size() == 0 {
                    break;
                }
            }
            self.message_begins = false;
        }
        self.dealer.recv(msg)?;
        if !msg.more() {
            self.receiving_reply = false;
            self.message_begins = true;
        }
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        self.receiving_reply && self.dealer.has_in()
    }

    fn has_out(&mut self) -> bool {
        !self.receiving_reply && self.dealer.has_out()
    }

    delegate_pipes!(in: dealer.fq, out: dealer.lb);
}

// ---- ROUTER -------------------------------------------------------------

/// ROUTER's writers, addressed by peer identity.
#[derive(Default)]
struct RouterOut {
    slots: Vec<Option<Writer>>,
    free: Vec<usize>,
    by_identity: HashMap<Vec<u8>, usize>,
    by_id: HashMap<PipeId, (usize, Vec<u8>)>,
}

impl RouterOut {
    fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Adds a writer; false if the identity is taken.
    fn insert(&mut self, identity: Vec<u8>, w: Writer) -> std::result::Result<(), Writer> {
        if self.by_identity.contains_key(&identity) {
            return Err(w);
        }
        let id = w.id();
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s] = Some(w);
                s
            }
            None => {
                self.slots.push(Some(w));
                self.slots.len() - 1
            }
        };
        self.by_identity.insert(identity.clone(), slot);
        self.by_id.insert(id, (slot, identity));
        Ok(())
    }

    fn activated(&mut self, id: PipeId, n: u64) -> bool {
        let Some(&(slot, _)) = self.by_id.get(&id) else { return false };
        if let Some(w) = self.slots[slot].as_mut() {
            w.activate(n);
        }
        true
    }

    fn terminated(&mut self, id: PipeId) -> bool {
        let Some((slot, identity)) = self.by_id.remove(&id) else { return false };
        self.by_identity.remove(&identity);
        if let Some(w) = self.slots[slot].take() {
            w.ack_term();
        }
        self.free.push(slot);
        true
    }

    fn terminate_all(&mut self) {
        for w in self.slots.iter_mut().flatten() {
            w.terminate();
        }
    }
}

pub struct Router {
    fq: Fq,
    out: RouterOut,
    /// First body part, read when the identity part was delivered.
    prefetched: Option<Msg>,
    /// In the middle of delivering a message.
    more_in: bool,
    /// In the middle of sending a message.
    more_out: bool,
    /// Slot of the writer the current outgoing message goes to (None:
    /// dropped: unknown peer or full pipe).
    current_out: Option<usize>,
}

impl Default for Router {
    fn default() -> Self {
        Router { fq: Fq::default(), out: RouterOut::default(), prefetched: None, more_in: false, more_out: false, current_out: None }
    }
}

impl Router {
    /// Drops the parts of the reply being written (REP's malformed request).
    fn rollback(&mut self) {
        if let Some(slot) = self.current_out.take() {
            if let Some(w) = self.out.slots[slot].as_mut() {
                w.rollback();
            }
        }
        self.more_out = false;
    }
}

impl SocketType for Router {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, identity: Vec<u8>) -> Refused {
        let identity = if identity.is_empty() { generate_identity() } else { identity };
        if let Some(w) = writer {
            if let Err(w) = self.out.insert(identity.clone(), w) {
                // Duplicate identity: refuse the newcomer (2.2 aborts).
                return Some((reader, Some(w)));
            }
        }
        if let Some(mut r) = reader {
            r.identity = identity;
            self.fq.attach(r);
        }
        None
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if !self.more_out {
            // The identity part: choose the peer.  Without MORE there is
            // no message: ignore it.
            if msg.more() {
                self.more_out = true;
                self.current_out = match self.out.by_identity.get(msg.data()) {
                    // A full pipe drops the whole message (2.2 would
                    // misroute the next part).
                    Some(&slot) => match self.out.slots[slot].as_mut() {
                        Some(w) => w.check_write().then_some(slot),
                        None => None,
                    },
                    None => None,
                };
            }
            *msg = Msg::new();
            return Ok(());
        }
        self.more_out = msg.more();
        let m = msg.take();
        if let Some(slot) = self.current_out {
            if let Some(w) = self.out.slots[slot].as_mut() {
                match w.write(m) {
                    Ok(()) if !self.more_out => w.flush(),
                    Ok(()) => {}
                    Err(_) => {
                        w.rollback();
                        self.current_out = None;
                    }
                }
            }
        }
        if !self.more_out {
            self.current_out = None;
        }
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        if let Some(m) = self.prefetched.take() {
            *msg = m;
            self.more_in = msg.more();
            return Ok(());
        }
        if self.more_in {
            self.fq.recv(msg)?;
            self.more_in = msg.more();
            return Ok(());
        }
        let mut body = Msg::new();
        let from = self.fq.recv(&mut body)?;
        let mut id = Msg::from_slice(&self.fq.pipe(from).identity)?;
        id.set_more(true);
        *msg = id;
        self.prefetched = Some(body);
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        self.prefetched.is_some() || self.more_in || self.fq.has_in()
    }

    fn has_out(&mut self) -> bool {
        true
    }

    delegate_pipes!(in: fq, out: out);
}

// ---- REP ----------------------------------------------------------------

pub struct Rep {
    router: Router,
    /// A request was read; the reply hasn't been sent completely.
    sending_reply: bool,
    /// The next part read starts a request (its envelope comes first).
    request_begins: bool,
}

impl Default for Rep {
    fn default() -> Self {
        Rep { router: Router::default(), sending_reply: false, request_begins: true }
    }
}

impl SocketType for Rep {
    fn attach(&mut self, reader: Option<Reader>, writer: Option<Writer>, identity: Vec<u8>) -> Refused {
        self.router.attach(reader, writer, identity)
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if !self.sending_reply {
            return Err(EFSM);
        }
        let more = msg.more();
        self.router.send(msg)?;
        if !more {
            self.sending_reply = false;
        }
        Ok(())
    }

    fn recv(&mut self, msg: &mut Msg) -> Result<()> {
        if self.sending_reply {
            return Err(EFSM);
        }
        if self.request_begins {
            // Copy the envelope (identities up to and including the empty
            // delimiter) into the reply; a request without a delimiter is
            // discarded.
            loop {
                self.router.recv(msg)?;
                if msg.more() {
                    let bottom = msg.size() == 0;
                    self.router.send(msg)?;
                    if bottom {
                        break;
                    }
                } else {
                    self.router.rollback();
                }
            }
            self.request_begins = false;
        }
        match self.router.recv(msg) {
            Ok(()) => {}
            Err(EAGAIN) => return Err(EAGAIN),
            Err(e) => return Err(e),
        }
        if !msg.more() {
            self.sending_reply = true;
            self.request_begins = true;
        }
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        !self.sending_reply && self.router.has_in()
    }

    fn has_out(&mut self) -> bool {
        self.sending_reply
    }

    delegate_pipes!(in: router.fq, out: router.out);
}
