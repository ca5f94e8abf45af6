//! [`TokenMap`]: the hash map behind stopword sets, token counting and
//! vocabulary lookup. Its own module, so that the tokenizer ([`crate::text`])
//! and the vocabulary ([`crate::vocab`]) both use it without importing each
//! other.
//!
//! Both loops do one lookup per token (millions per call), so the map is
//! built for that: a token of 1 to 16 bytes (99.9% of IMDB tokens) is packed
//! into an integer key and looked up in a flat open-addressing table whose
//! slot holds key and value side by side, so a lookup is a few register
//! instructions plus (mostly) one cache line. Tokens of up to 8 bytes (93%)
//! use 16-byte slots with a `u64` key; tokens of 9 to 16 bytes a separate
//! table with `u128` keys; anything else (longer tokens, the empty token,
//! tokens ending in a NUL byte) a regular byte-keyed map.
//!
//! Packing: the token's bytes little-endian, zero-filled. Because the last
//! byte of a packed token is never 0, the key is unambiguous and never 0, so 0
//! marks an empty slot.

use foldhash::HashMap;
use rayon::prelude::*;

/// Multiplier of the folded-multiply hash (from foldhash / wyhash).
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;
const MUL2: u64 = 0xa076_1d64_78bd_642f;

/// `(a * b)` as 128 bits, high half xor low half: a fast, well-mixing hash
/// step (the core of foldhash).
#[inline(always)]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

/// A per-process random seed, so that hash collisions cannot be planned from
/// the outside (the tables use linear probing).
fn random_seed() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64)
}

/// An integer key of a flat table; the zero value marks an empty slot.
pub(crate) trait PackedKey: Copy + Eq + Default {
    fn hash(self, seed: u64) -> u64;
    fn is_empty(self) -> bool;
}

impl PackedKey for u64 {
    #[inline(always)]
    fn hash(self, seed: u64) -> u64 {
        folded_multiply(self ^ seed, MUL)
    }
    #[inline(always)]
    fn is_empty(self) -> bool {
        self == 0
    }
}

impl PackedKey for u128 {
    #[inline(always)]
    fn hash(self, seed: u64) -> u64 {
        folded_multiply((self as u64) ^ seed, ((self >> 64) as u64) ^ MUL2)
    }
    #[inline(always)]
    fn is_empty(self) -> bool {
        self == 0
    }
}

/// Open addressing with linear probing over `(key, value)` slots; the
/// capacity is a power of two and the load stays at most 5/8.
#[derive(Debug, Clone)]
pub(crate) struct FlatTable<K, V> {
    slots: Vec<(K, V)>,
    len: usize,
    seed: u64,
}

impl<K: PackedKey, V: Copy + Default> FlatTable<K, V> {
    /// An empty table with room for about `items` keys and its own random
    /// seed (pass a number of keys held in memory, or a clamped hint).
    pub(crate) fn new(items: usize) -> Self {
        // bounded: the caller's (see above).
        Self::with_capacity(items, random_seed())
    }

    fn with_capacity(items: usize, seed: u64) -> Self {
        let slots = (items.max(8) * 8 / 5 + 1).next_power_of_two();
        FlatTable {
            // bounded: callers size maps by items they hold (or clamp the hint).
            slots: vec![(K::default(), V::default()); slots],
            len: 0,
            seed,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Index of the slot holding `key`, or of the empty slot where it goes.
    #[inline(always)]
    fn find(&self, key: K) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = key.hash(self.seed) as usize & mask;
        loop {
            // `i <= mask < slots.len()` and the table is never full, so this
            // loop ends and the index is in bounds.
            let k = self.slots[i].0;
            if k == key || k.is_empty() {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// Ask the CPU to start loading the cache line of `key`'s home slot.
    #[inline(always)]
    pub(crate) fn prefetch(&self, key: K) {
        let i = key.hash(self.seed) as usize & (self.slots.len() - 1);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is only a hint; the address is inside `slots`.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(self.slots.as_ptr().add(i).cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = i;
    }

    #[inline(always)]
    pub(crate) fn get(&self, key: K) -> Option<&V> {
        let slot = &self.slots[self.find(key)];
        (!slot.0.is_empty()).then_some(&slot.1)
    }

    /// The value of `key`, inserting `V::default()` first if absent.
    #[inline(always)]
    pub(crate) fn get_or_insert(&mut self, key: K) -> &mut V {
        let mut i = self.find(key);
        if self.slots[i].0.is_empty() {
            if (self.len + 1) * 8 > self.slots.len() * 5 {
                self.grow();
                i = self.find(key);
            }
            self.slots[i].0 = key;
            self.len += 1;
        }
        &mut self.slots[i].1
    }

    #[cold]
    fn grow(&mut self) {
        // bounded: twice the slots of the items held.
        let doubled = vec![(K::default(), V::default()); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        for (k, v) in old {
            if !k.is_empty() {
                let i = self.find(k);
                self.slots[i] = (k, v);
            }
        }
    }

    /// Remove every entry, keeping the slots' memory.
    fn clear(&mut self) {
        if self.len > 0 {
            self.slots.fill((K::default(), V::default()));
            self.len = 0;
        }
    }

    /// Bytes of the slots.
    fn slot_bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<(K, V)>()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (K, V)> + '_ {
        self.slots.iter().copied().filter(|(k, _)| !k.is_empty())
    }

    pub(crate) fn into_iter(self) -> impl Iterator<Item = (K, V)> {
        self.slots.into_iter().filter(|(k, _)| !k.is_empty())
    }
}

/// Pack a token (see the module docs), with a few overlapping fixed-size
/// loads instead of a variable-length copy; None for the tokens that have no
/// packed form (empty, longer than 16 bytes, ending in NUL).
#[inline(always)]
fn pack(token: &[u8]) -> Option<TokenKey> {
    let len = token.len();
    match token.last() {
        None | Some(0) => return None,
        Some(_) => {}
    }
    let le64 = |at: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&token[at..at + 8]);
        u64::from_le_bytes(a)
    };
    let le32 = |at: usize| {
        u64::from(u32::from_le_bytes([
            token[at],
            token[at + 1],
            token[at + 2],
            token[at + 3],
        ]))
    };
    let repr = match len {
        1..=3 => KeyRepr::Short(
            u64::from(token[0])
                | u64::from(token[len / 2]) << (8 * (len / 2))
                | u64::from(token[len - 1]) << (8 * (len - 1)),
        ),
        4..=7 => KeyRepr::Short(le32(0) | le32(len - 4) << (8 * (len - 4))),
        8 => KeyRepr::Short(le64(0)),
        9..=16 => {
            KeyRepr::Mid(u128::from(le64(0)) | u128::from(le64(len - 8) >> (8 * (16 - len))) << 64)
        }
        _ => return None,
    };
    Some(TokenKey(repr))
}

/// [`pack`] for the token `window[..len]`, reading 16 fixed bytes from
/// `window` when it has them (no branching on the length).
#[inline(always)]
fn pack_at(window: &[u8], len: usize) -> Option<TokenKey> {
    match window.get(..16) {
        Some(head) if (1..=16).contains(&len) && window[len - 1] != 0 => {
            let mut lo = [0u8; 8];
            let mut hi = [0u8; 8];
            lo.copy_from_slice(&head[..8]);
            hi.copy_from_slice(&head[8..]);
            let (lo, hi) = (u64::from_le_bytes(lo), u64::from_le_bytes(hi));
            Some(TokenKey(if len <= 8 {
                KeyRepr::Short(lo & (u64::MAX >> (64 - 8 * len)))
            } else {
                KeyRepr::Mid(u128::from(lo) | u128::from(hi & (u64::MAX >> (128 - 8 * len))) << 64)
            }))
        }
        _ => pack(&window[..len]),
    }
}

/// A token of 1 to 16 bytes packed for a [`TokenMap`] lookup (see
/// [`TokenMap::key_at`]): lets a caller start the lookup's memory access
/// ([`TokenMap::prefetch`]) well before it needs the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenKey(KeyRepr);

impl Default for TokenKey {
    /// A placeholder (the key of the one-byte token `"\x01"`).
    fn default() -> Self {
        TokenKey(KeyRepr::Short(1))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyRepr {
    Short(u64),
    Mid(u128),
}

/// The bytes of a token taken out of a [`TokenMap`]: up to 16 bytes inline
/// (no allocation; nearly every token), longer ones on the heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBytes(Repr);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    Inline { bytes: [u8; 16], len: u8 },
    Heap(Box<[u8]>),
}

impl TokenBytes {
    /// From a packed key's little-endian bytes (its length: up to the last
    /// non-zero byte).
    fn unpack(packed: &[u8]) -> Self {
        let len = packed.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let mut bytes = [0u8; 16];
        bytes[..len].copy_from_slice(&packed[..len]);
        TokenBytes(Repr::Inline {
            bytes,
            len: len as u8,
        })
    }

    /// The token's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { bytes, len } => &bytes[..usize::from(*len)],
            Repr::Heap(bytes) => bytes,
        }
    }
}

impl Ord for TokenBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl PartialOrd for TokenBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A map from token bytes to a small `Copy` value (see the module docs).
#[derive(Debug, Clone)]
pub struct TokenMap<V> {
    short: FlatTable<u64, V>,
    mid: FlatTable<u128, V>,
    long: HashMap<Box<[u8]>, V>,
}

impl<V: Copy + Default> Default for TokenMap<V> {
    fn default() -> Self {
        TokenMap::with_capacity(0) // bounded: empty
    }
}

impl<V: Copy + Default> TokenMap<V> {
    /// An empty map with room for about `capacity` tokens, allocated at
    /// once: pass a number of tokens held in memory (or a clamped hint),
    /// never a count read from input.
    pub fn with_capacity(capacity: usize) -> Self {
        let seed = random_seed();
        TokenMap {
            // bounded: the capacity hint is the caller's (see `FlatTable::with_capacity`).
            short: FlatTable::with_capacity(capacity, seed),
            mid: FlatTable::with_capacity(capacity / 4, seed), // bounded: as above
            long: HashMap::default(),
        }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.short.len() + self.mid.len() + self.long.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of a token. (Always inlined: it runs once per token, and a
    /// call would cost more than the lookup.)
    #[inline(always)]
    pub fn get(&self, token: &[u8]) -> Option<&V> {
        match pack(token) {
            Some(key) => self.get_key(key),
            None => self.long.get(token),
        }
    }

    /// [`TokenMap::get`] of the token `window[..len]`. The bytes after the
    /// token in `window` are read but do not matter; with at least 16 bytes
    /// in `window` the key is built without branching on the length.
    #[inline(always)]
    pub fn get_at(&self, window: &[u8], len: usize) -> Option<&V> {
        match pack_at(window, len) {
            Some(key) => self.get_key(key),
            None => self.long.get(&window[..len]),
        }
    }

    /// The packed key of the token `window[..len]`, or None for the tokens
    /// that have no packed form (empty, longer than 16 bytes, ending in NUL).
    #[inline(always)]
    pub fn key_at(window: &[u8], len: usize) -> Option<TokenKey> {
        pack_at(window, len)
    }

    /// Start loading the memory that a lookup of `key` will read.
    #[inline(always)]
    pub fn prefetch(&self, key: TokenKey) {
        match key.0 {
            KeyRepr::Short(k) => self.short.prefetch(k),
            KeyRepr::Mid(k) => self.mid.prefetch(k),
        }
    }

    /// [`TokenMap::get`] of a packed key.
    #[inline(always)]
    pub fn get_key(&self, key: TokenKey) -> Option<&V> {
        match key.0 {
            KeyRepr::Short(k) => self.short.get(k),
            KeyRepr::Mid(k) => self.mid.get(k),
        }
    }

    /// [`TokenMap::entry_or_default`] of a packed key.
    #[inline(always)]
    pub fn entry_key(&mut self, key: TokenKey) -> &mut V {
        match key.0 {
            KeyRepr::Short(k) => self.short.get_or_insert(k),
            KeyRepr::Mid(k) => self.mid.get_or_insert(k),
        }
    }

    /// The value of a token, inserting `V::default()` first if absent.
    #[inline(always)]
    pub fn entry_or_default(&mut self, token: &[u8]) -> &mut V {
        match pack(token) {
            Some(key) => self.entry_key(key),
            // Rare (long tokens): one small allocation per occurrence.
            None => self.long.entry(token.into()).or_default(),
        }
    }

    /// Insert, returning the previous value.
    pub fn insert(&mut self, token: &[u8], value: V) -> Option<V> {
        let previous = self.get(token).copied();
        *self.entry_or_default(token) = value;
        previous
    }

    /// Add all of `other` into `self`, combining values with `merge`.
    pub fn merge_from(&mut self, mut other: TokenMap<V>, merge: impl FnMut(&mut V, V)) {
        self.move_from(&mut other, merge);
    }

    /// Move all of `other` into `self`, combining values with `merge`;
    /// `other` is left empty and keeps its memory, to be filled again.
    pub fn move_from(&mut self, other: &mut TokenMap<V>, mut merge: impl FnMut(&mut V, V)) {
        for (k, v) in other.short.iter() {
            merge(self.short.get_or_insert(k), v);
        }
        for (k, v) in other.mid.iter() {
            merge(self.mid.get_or_insert(k), v);
        }
        for (k, v) in other.long.drain() {
            merge(self.long.entry(k).or_default(), v);
        }
        other.short.clear();
        other.mid.clear();
    }

    /// All values, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = V> + '_ {
        let short = self.short.iter().map(|(_, v)| v);
        let mid = self.mid.iter().map(|(_, v)| v);
        short.chain(mid).chain(self.long.values().copied())
    }

    /// Approximate heap bytes held: the slot tables plus the long tokens.
    pub fn heap_bytes(&self) -> usize {
        let long: usize = self
            .long
            .keys()
            .map(|k| k.len() + std::mem::size_of::<(Box<[u8]>, V)>() + 8)
            .sum();
        self.short.slot_bytes() + self.mid.slot_bytes() + long
    }

    /// All `(token bytes, value)` pairs, in no particular order, without
    /// taking the map apart (short tokens are copied out of their keys).
    pub fn entries(&self) -> impl Iterator<Item = (TokenBytes, V)> + '_ {
        let short = self
            .short
            .iter()
            .map(|(k, v)| (TokenBytes::unpack(&k.to_le_bytes()), v));
        let mid = self
            .mid
            .iter()
            .map(|(k, v)| (TokenBytes::unpack(&k.to_le_bytes()), v));
        let long = self
            .long
            .iter()
            .map(|(k, v)| (TokenBytes(Repr::Heap(k.clone())), *v));
        short.chain(mid).chain(long)
    }

    /// All `(token bytes, value)` pairs, in no particular order.
    pub fn into_entries(self) -> impl Iterator<Item = (TokenBytes, V)> {
        let short = self
            .short
            .into_iter()
            .map(|(k, v)| (TokenBytes::unpack(&k.to_le_bytes()), v));
        let mid = self
            .mid
            .into_iter()
            .map(|(k, v)| (TokenBytes::unpack(&k.to_le_bytes()), v));
        let long = self
            .long
            .into_iter()
            .map(|(k, v)| (TokenBytes(Repr::Heap(k)), v));
        short.chain(mid).chain(long)
    }
}

/// Number of shards of a [`ShardedMap`] (a power of two).
pub const SHARDS: usize = 64;

/// Multiplier of the shard hash (a fixed one: shards only need to be the
/// same in every map of the process, and an unlucky spread costs balance,
/// never correctness).
const SHARD_MUL: u64 = 0xd6e8_feb8_6659_fd93;

impl TokenKey {
    /// Index of the [`ShardedMap`] shard that holds this key.
    #[inline(always)]
    fn shard(self) -> usize {
        let h = match self.0 {
            KeyRepr::Short(k) => folded_multiply(k, SHARD_MUL),
            KeyRepr::Mid(k) => folded_multiply((k as u64) ^ SHARD_MUL, ((k >> 64) as u64) ^ MUL),
        };
        shard_index(h)
    }
}

/// The shard of a 64-bit shard hash: its top bits.
#[inline(always)]
fn shard_index(hash: u64) -> usize {
    (hash >> (64 - SHARDS.trailing_zeros())) as usize
}

/// Index of the [`ShardedMap`] shard that holds `token`.
fn shard_of(token: &[u8]) -> usize {
    match pack(token) {
        Some(key) => key.shard(),
        None => {
            let mut h = token.len() as u64;
            for word in token.chunks(8) {
                let mut a = [0u8; 8];
                a[..word.len()].copy_from_slice(word);
                h = folded_multiply(h ^ u64::from_le_bytes(a), SHARD_MUL);
            }
            shard_index(h)
        }
    }
}

/// A [`TokenMap`] cut into [`SHARDS`] maps by a hash of the token, for maps
/// of millions of tokens: it grows one shard at a time (growing holds one
/// shard twice for a moment, not the whole map), and the same shard of two
/// maps holds the same tokens, so maps merge shard by shard, in parallel or
/// under one lock per shard.
#[derive(Debug, Clone)]
pub struct ShardedMap<V> {
    shards: Vec<TokenMap<V>>,
}

impl<V: Copy + Default> Default for ShardedMap<V> {
    fn default() -> Self {
        ShardedMap::with_capacity(0) // bounded: empty
    }
}

impl<V: Copy + Default> ShardedMap<V> {
    /// An empty map with room for about `capacity` tokens (see
    /// [`TokenMap::with_capacity`]).
    pub fn with_capacity(capacity: usize) -> Self {
        let each = capacity / SHARDS;
        ShardedMap {
            shards: (0..SHARDS).map(|_| TokenMap::with_capacity(each)).collect(), // bounded: as above
        }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.shards.iter().map(TokenMap::len).sum()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(TokenMap::is_empty)
    }

    /// The shards; shard `i` of every map holds the same tokens.
    pub fn shards(&self) -> &[TokenMap<V>] {
        &self.shards
    }

    /// The shards, to fill or merge one by one.
    pub fn shards_mut(&mut self) -> &mut [TokenMap<V>] {
        &mut self.shards
    }

    /// The value of a token.
    pub fn get(&self, token: &[u8]) -> Option<&V> {
        self.shards[shard_of(token)].get(token)
    }

    /// Start loading the memory that a lookup of `key` will read.
    #[inline(always)]
    pub fn prefetch(&self, key: TokenKey) {
        self.shards[key.shard()].prefetch(key);
    }

    /// [`TokenMap::entry_key`] in the shard of `key`.
    #[inline(always)]
    pub fn entry_key(&mut self, key: TokenKey) -> &mut V {
        self.shards[key.shard()].entry_key(key)
    }

    /// The value of a token, inserting `V::default()` first if absent.
    #[inline(always)]
    pub fn entry_or_default(&mut self, token: &[u8]) -> &mut V {
        self.shards[shard_of(token)].entry_or_default(token)
    }

    /// Insert, returning the previous value.
    pub fn insert(&mut self, token: &[u8], value: V) -> Option<V> {
        self.shards[shard_of(token)].insert(token, value)
    }

    /// Add all of `other` into `self`, combining values with `merge`: the
    /// shards in parallel, each into its twin.
    pub fn merge_from(&mut self, other: ShardedMap<V>, merge: impl Fn(&mut V, V) + Sync)
    where
        V: Send,
    {
        self.shards
            .par_iter_mut()
            .zip(other.shards)
            .for_each(|(into, from)| into.merge_from(from, &merge));
    }

    /// Approximate heap bytes held (see [`TokenMap::heap_bytes`]).
    pub fn heap_bytes(&self) -> usize {
        self.shards.iter().map(TokenMap::heap_bytes).sum()
    }

    /// All `(token bytes, value)` pairs, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (TokenBytes, V)> + '_ {
        self.shards.iter().flat_map(TokenMap::entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_length_and_nul_bytes() {
        let mut words: Vec<Vec<u8>> = (0..=20usize)
            .map(|n| (0..n).map(|i| b'a' + i as u8).collect())
            .collect();
        words.extend([
            b"ab\0".to_vec(),
            b"\0ab".to_vec(),
            b"a\0b".to_vec(),
            b"\0".to_vec(),
            b"abcdefghijklmno\0".to_vec(),
            b"\0bcdefghijklmnop".to_vec(),
            vec![0xff; 8],
            vec![0xff; 16],
        ]);
        let mut map = TokenMap::with_capacity(0);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(map.insert(w, i), None, "{w:?}");
        }
        assert_eq!(map.len(), words.len());
        for (i, w) in words.iter().enumerate() {
            assert_eq!(map.get(w), Some(&i), "{w:?}");
        }
        assert_eq!(map.get(b"zz"), None);
        let mut entries: Vec<(TokenBytes, usize)> = map.into_entries().collect();
        entries.sort_by_key(|e| e.1);
        let back: Vec<Vec<u8>> = entries
            .into_iter()
            .map(|e| e.0.as_bytes().to_vec())
            .collect();
        assert_eq!(back, words);
    }

    #[test]
    fn grows_and_merges() {
        let mut a: TokenMap<u64> = TokenMap::with_capacity(4);
        let mut b: TokenMap<u64> = TokenMap::with_capacity(4);
        for i in 0..10_000u32 {
            *a.entry_or_default(format!("w{i}").as_bytes()) += 1;
            *b.entry_or_default(format!("w{}", i * 2).as_bytes()) += 2;
        }
        a.merge_from(b, |x, y| *x += y);
        assert_eq!(a.len(), 15_000);
        assert_eq!(a.get(b"w2"), Some(&3));
        assert_eq!(a.get(b"w3"), Some(&1));
        assert_eq!(a.get(b"w19998"), Some(&2));
        assert_eq!(a.get(b"w19999"), None);
    }

    #[test]
    fn sharded_map_finds_every_token_in_its_shard() {
        let mut a: ShardedMap<u64> = ShardedMap::with_capacity(0);
        let mut b: ShardedMap<u64> = ShardedMap::with_capacity(100);
        let long = "x".repeat(40);
        for i in 0..5_000u32 {
            *a.entry_or_default(format!("w{i}").as_bytes()) += 1;
            *b.entry_or_default(format!("w{} {long}", i % 7).as_bytes()) += 1;
            let key = TokenMap::<u64>::key_at(format!("word{i:012}").as_bytes(), 16);
            *a.entry_key(key.unwrap_or_default()) += 2;
        }
        assert_eq!(a.get(b"w42"), Some(&1));
        assert_eq!(a.get(b"word000000000042"), Some(&2));
        assert_eq!(b.get(format!("w3 {long}").as_bytes()), Some(&714));
        a.merge_from(b.clone(), |x, y| *x += y);
        assert_eq!(a.len(), 10_007);
        assert!(a.shards().iter().filter(|s| !s.is_empty()).count() > SHARDS / 2);
        assert_eq!(a.entries().count(), a.len());
    }
}
