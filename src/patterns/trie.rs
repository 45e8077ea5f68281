//! `Trie`: the SUB side's reference-counted prefix subscriptions.  A
//! message matches when any subscribed prefix (the empty one included)
//! begins its first part.

#[derive(Default)]
pub struct Trie {
    /// Subscriptions ending exactly here.
    refcnt: u32,
    /// Children for bytes `min .. min + next.len()`.
    min: u8,
    next: Vec<Option<Box<Trie>>>,
}

impl Trie {
    pub fn new() -> Trie {
        Trie::default()
    }

    /// Adds one reference to `prefix`.
    pub fn add(&mut self, prefix: &[u8]) {
        let mut node = self;
        for &b in prefix {
            node = node.child_or_insert(b);
        }
        node.refcnt += 1;
    }

    fn child_or_insert(&mut self, b: u8) -> &mut Trie {
        if self.next.is_empty() {
            self.min = b;
            self.next.push(None);
        } else if b < self.min {
            let grow = (self.min - b) as usize;
            let mut v: Vec<Option<Box<Trie>>> = (0..grow).map(|_| None).collect();
            v.append(&mut self.next);
            self.next = v;
            self.min = b;
        } else if (b - self.min) as usize >= self.next.len() {
            let want = (b - self.min) as usize + 1;
            self.next.resize_with(want, || None);
        }
        let slot = &mut self.next[(b - self.min) as usize];
        slot.get_or_insert_with(|| Box::new(Trie::new()))
    }

    /// Removes one reference to `prefix`; unknown prefixes are ignored.
    /// Returns whether a reference was removed.
    pub fn rm(&mut self, prefix: &[u8]) -> bool {
        match prefix.split_first() {
            None => {
                if self.refcnt == 0 {
                    return false;
                }
                self.refcnt -= 1;
                true
            }
            Some((&b, rest)) => {
                if self.next.is_empty() || b < self.min || (b - self.min) as usize >= self.next.len() {
                    return false;
                }
                let idx = (b - self.min) as usize;
                let Some(child) = self.next[idx].as_mut() else { return false };
                let removed = child.rm(rest);
                if removed && child.is_empty() {
                    self.next[idx] = None;
                    self.compact();
                }
                removed
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.refcnt == 0 && self.next.is_empty()
    }

    fn compact(&mut self) {
        while matches!(self.next.last(), Some(None)) {
            self.next.pop();
        }
        let lead = self.next.iter().take_while(|c| c.is_none()).count();
        if lead > 0 {
            self.next.drain(..lead);
            self.min = self.min.wrapping_add(lead as u8);
        }
        if self.next.is_empty() {
            self.min = 0;
        }
    }

    /// Whether some subscription is a prefix of `data`.
    pub fn check(&self, data: &[u8]) -> bool {
        let mut node = self;
        let mut i = 0;
        loop {
            if node.refcnt > 0 {
                return true;
            }
            let Some(&b) = data.get(i) else { return false };
            if node.next.is_empty() || b < node.min {
                return false;
            }
            match node.next.get((b - node.min) as usize) {
                Some(Some(child)) => node = child,
                _ => return false,
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_and_refcount() {
        let mut t = Trie::new();
        assert!(!t.check(b"abc"));
        t.add(b"ab");
        t.add(b"ab");
        assert!(t.check(b"abc"));
        assert!(t.check(b"ab"));
        assert!(!t.check(b"a"));
        assert!(!t.check(b"b"));
        assert!(t.rm(b"ab"));
        assert!(t.check(b"abc"));
        assert!(t.rm(b"ab"));
        assert!(!t.check(b"abc"));
        assert!(!t.rm(b"ab"));
        assert!(!t.rm(b"zz"));
        t.add(b"");
        assert!(t.check(b""));
        assert!(t.check(b"anything"));
    }

    #[test]
    fn binary_and_sparse_bytes() {
        let mut t = Trie::new();
        t.add(&[0, 255]);
        t.add(&[200]);
        t.add(&[5]);
        assert!(t.check(&[0, 255, 1]));
        assert!(!t.check(&[0, 254]));
        assert!(t.check(&[200, 0]));
        assert!(t.check(&[5]));
        assert!(!t.check(&[6]));
        assert!(t.rm(&[200]));
        assert!(!t.check(&[200]));
        assert!(t.check(&[5]));
    }
}
