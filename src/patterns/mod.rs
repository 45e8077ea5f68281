//! Routing strategies shared by the socket types.
pub mod array;
pub mod dist;
pub mod fq;
pub mod lb;
pub mod trie;
