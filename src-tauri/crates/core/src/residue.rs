//! A global allocator for tests that finds secrets left behind in freed
//! memory. Between [`hold`] and [`search_held`] no heap block is given back
//! to the system: each one freed (or left behind by a reallocation) is
//! kept as it was, and `search_held` then looks in every kept block for the
//! secrets it is handed before freeing them all. A key or password that a
//! buffer held and nobody wiped is found; one wiped before its memory went
//! back (`Zeroizing`, [`crate::Sensitive`]) is not. Because the blocks are
//! searched at the end, secrets created while holding (a new key set's
//! random keys) can be looked for even though nobody knew them before.
//!
//! Install it in a test binary of its own, with one test:
//! `#[global_allocator] static A: cairn_core::residue::Residue = cairn_core::residue::Residue;`

#![allow(unsafe_code)] // an allocator: see the workspace's lint settings

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How many freed blocks can be held; more are freed unsearched and
/// counted in [`Held::unsearched`].
pub const MAX_HELD: usize = 1 << 20;

struct Block {
    ptr: AtomicUsize,
    size: AtomicUsize,
    align: AtomicUsize,
}

static HOLDING: AtomicBool = AtomicBool::new(false);
static NEXT: AtomicUsize = AtomicUsize::new(0);
static HELD: [Block; MAX_HELD] = [const {
    Block {
        ptr: AtomicUsize::new(0),
        size: AtomicUsize::new(0),
        align: AtomicUsize::new(0),
    }
}; MAX_HELD];

/// The system allocator, able to hold freed blocks for a search.
pub struct Residue;

/// What [`search_held`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Blocks searched.
    pub blocks: usize,
    /// Blocks freed while the table was full, never searched.
    pub unsearched: usize,
    /// For each secret handed in, the blocks that still held it.
    pub finds: Vec<usize>,
}

/// Starts holding every freed block.
pub fn hold() {
    NEXT.store(0, Ordering::SeqCst);
    HOLDING.store(true, Ordering::SeqCst);
}

/// Stops holding, searches every held block for each of `secrets` (8 bytes
/// or more, or they would be found by chance) and frees the blocks.
pub fn search_held(secrets: &[&[u8]]) -> Held {
    assert!(
        secrets.iter().all(|s| s.len() >= 8),
        "secrets of 8 bytes or more"
    );
    HOLDING.store(false, Ordering::SeqCst);
    let taken = NEXT.load(Ordering::SeqCst);
    let blocks = taken.min(MAX_HELD);
    let mut finds = vec![0; secrets.len()];
    for b in &HELD[..blocks] {
        let (ptr, size) = (b.ptr.load(Ordering::SeqCst), b.size.load(Ordering::SeqCst));
        let align = b.align.load(Ordering::SeqCst);
        if ptr == 0 {
            continue; // taken by a thread still storing it: left unfreed
        }
        // SAFETY: a block handed out by the system allocator and held, not
        // freed, since its owner gave it back; it is freed right after.
        let bytes = unsafe { std::slice::from_raw_parts(ptr as *const u8, size) };
        for (n, s) in finds.iter_mut().zip(secrets) {
            if holds(bytes, s) {
                *n += 1;
            }
        }
        // SAFETY: the layout the block was allocated with, recorded when held.
        unsafe {
            System.dealloc(
                ptr as *mut u8,
                Layout::from_size_align_unchecked(size, align),
            )
        };
    }
    Held {
        blocks,
        unsearched: taken - blocks,
        finds,
    }
}

fn holds(block: &[u8], needle: &[u8]) -> bool {
    block.windows(needle.len()).any(|w| w == needle)
}

// SAFETY: allocation is the system's; a held block is only freed later, by
// `search_held`, with the layout it was allocated with.
unsafe impl GlobalAlloc for Residue {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if HOLDING.load(Ordering::SeqCst) {
            let i = NEXT.fetch_add(1, Ordering::SeqCst);
            if let Some(b) = HELD.get(i) {
                b.ptr.store(ptr as usize, Ordering::SeqCst);
                b.size.store(layout.size(), Ordering::SeqCst);
                b.align.store(layout.align(), Ordering::SeqCst);
                return;
            }
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    // `realloc` is the trait's own: a new block, a copy, and the old one
    // given back through `dealloc`, as if every reallocation moved (the
    // system's may, leaving the old bytes behind).
}

#[cfg(test)]
mod tests {
    use super::holds;

    #[test]
    fn a_secret_is_found_anywhere_in_a_block_and_nowhere_else() {
        assert!(holds(b"xxsecret-onexx", b"secret-one"));
        assert!(holds(b"secret-one", b"secret-one"));
        assert!(!holds(b"secret-on", b"secret-one"));
        assert!(!holds(b"sssecret-onf", b"secret-one"));
    }
}
