//! `PipeArray`: pipe ends kept in a vector whose front `[0, active)` holds
//! the active ones, with O(1) lookup by id (libzmq's `array_t`).

use crate::pipe::{PipeId, Reader, Writer};
use std::collections::HashMap;

pub trait HasId {
    fn pipe_id(&self) -> PipeId;
}

impl HasId for Reader {
    fn pipe_id(&self) -> PipeId {
        self.id()
    }
}

impl HasId for Writer {
    fn pipe_id(&self) -> PipeId {
        self.id()
    }
}

pub struct PipeArray<P: HasId> {
    items: Vec<P>,
    index: HashMap<PipeId, usize>,
}

impl<P: HasId> Default for PipeArray<P> {
    fn default() -> Self {
        PipeArray { items: Vec::new(), index: HashMap::new() }
    }
}

impl<P: HasId> PipeArray<P> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn push(&mut self, p: P) {
        self.index.insert(p.pipe_id(), self.items.len());
        self.items.push(p);
    }

    pub fn index_of(&self, id: PipeId) -> Option<usize> {
        self.index.get(&id).copied()
    }

    pub fn swap(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        self.items.swap(a, b);
        self.index.insert(self.items[a].pipe_id(), a);
        self.index.insert(self.items[b].pipe_id(), b);
    }

    /// Removes the item at `i` by moving the last one into its place.
    pub fn swap_remove(&mut self, i: usize) -> P {
        let p = self.items.swap_remove(i);
        self.index.remove(&p.pipe_id());
        if i < self.items.len() {
            self.index.insert(self.items[i].pipe_id(), i);
        }
        p
    }

    #[inline]
    pub fn get_mut(&mut self, i: usize) -> &mut P {
        &mut self.items[i]
    }

    #[inline]
    pub fn get(&self, i: usize) -> &P {
        &self.items[i]
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, P> {
        self.items.iter_mut()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, P> {
        self.items.iter()
    }
}
