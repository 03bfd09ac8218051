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
/// flag exact, as [`below`] and [`equal`] give), the last few in one more word when
/// there are eight bytes in all, else one by one with `is_in`.
pub(crate) fn first_in(
    bytes: &[u8],
    mut i: usize,
    flags: impl Fn(u64) -> u64,
    is_in: impl Fn(u8) -> bool,
) -> usize {
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    while i + 8 <= bytes.len() {
        let found = flags(word(i));
        if found != 0 {
            return i + found.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    let len = bytes.len();
    if i < len && len >= 8 {
        // The last eight bytes with those before `i` shifted out: zeros come in above,
        // past the end, where a flag (the lowest being exact) means none before it.
        let found = flags(word(len - 8) >> (8 * (8 - (len - i))));
        return (i + found.trailing_zeros() as usize / 8).min(len);
    }
    while i < bytes.len() && !is_in(bytes[i]) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every set member at every offset, from every start, against a byte-by-byte
    /// search: the word-wide tails included.
    #[test]
    fn finds_the_first_byte_in_the_set() {
        let flags = |w: u64| below(w, 0x20) | equal(w, b'"');
        let is_in = |b: u8| b < 0x20 || b == b'"';
        for len in 0..24 {
            for at in 0..=len {
                for c in [b'"', 0, 0x1f, b'a'] {
                    let mut bytes = vec![b'x'; len];
                    if at < len {
                        bytes[at] = c;
                    }
                    for from in 0..=len {
                        let expected = (from..len).find(|&k| is_in(bytes[k])).unwrap_or(len);
                        assert_eq!(
                            first_in(&bytes, from, flags, is_in),
                            expected,
                            "{bytes:?} {from}"
                        );
                    }
                }
            }
        }
    }
}
