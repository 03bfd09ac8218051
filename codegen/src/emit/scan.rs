//! Finding the first byte of a set in a string eight bytes at a time (SWAR): the one
//! scanner behind the CRD JSON writer's escapes and the doc writer's Markdown specials.

/// `0x01` in every byte of a word.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` (eight bytes, little-endian) below `n`, and
/// perhaps of bytes above the lowest such one (a borrow runs upwards): the lowest set
/// bit is exact. `n` is at most `0x80`.
pub(crate) fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH
}

/// [`below`]`(.., 1)` of `word ^ b`: the bytes equal to `b`, as exact as [`below`].
pub(crate) fn equal(word: u64, b: u8) -> u64 {
    below(word ^ (ONES * u64::from(b)), 1)
}

/// The index of the first byte of `bytes` from `i` on that is in the set, or the
/// length: eight bytes at a time with `flags` (a word's bytes in the set, the lowest
/// flag exact, as [`below`] and [`equal`] give), then the tail one by one with `is_in`.
pub(crate) fn first_in(
    bytes: &[u8],
    mut i: usize,
    flags: impl Fn(u64) -> u64,
    is_in: impl Fn(u8) -> bool,
) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let found = flags(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        if found != 0 {
            return i + found.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    while i < bytes.len() && !is_in(bytes[i]) {
        i += 1;
    }
    i
}
