//! Stable 64-bit hashing of text. What these return is stored (dedup
//! signatures in the changelog, topic model feature indices), so it must
//! not depend on the platform, the process or a library's version.

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// The murmur3 finaliser: spreads every input bit over the whole word.
pub fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Hash of a byte string under `seed`, eight bytes per step.
pub fn bytes_hash(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = seed ^ (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let v = u64::from_le_bytes(c.try_into().expect("chunks of eight"));
        h = (h.rotate_left(23) ^ v).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = (h.rotate_left(23) ^ tail_word(rest)).wrapping_mul(K);
    }
    fmix64(h)
}

/// The last 1..=7 bytes as a little-endian word, zero-padded: what copying
/// them into a zeroed `[u8; 8]` gives, from two overlapping loads instead
/// of a variable-length copy (a call to memcpy per word, and most words
/// are shorter than eight bytes).
fn tail_word(rest: &[u8]) -> u64 {
    let n = rest.len();
    debug_assert!((1..8).contains(&n));
    if n >= 4 {
        let lo = u32::from_le_bytes(rest[..4].try_into().expect("four bytes"));
        let hi = u32::from_le_bytes(rest[n - 4..].try_into().expect("four bytes"));
        lo as u64 | (hi as u64) << (8 * (n - 4))
    } else if n >= 2 {
        let lo = u16::from_le_bytes(rest[..2].try_into().expect("two bytes"));
        let hi = u16::from_le_bytes(rest[n - 2..].try_into().expect("two bytes"));
        lo as u64 | (hi as u64) << (8 * (n - 2))
    } else {
        rest[0] as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn values_are_pinned() {
        // Stored hashes must never change silently: a change here needs a
        // new dedup fingerprint scheme and a retrained topic model.
        assert_eq!(bytes_hash(0, b""), 0);
        assert_eq!(bytes_hash(1, b"election"), 0x3810_9552_8341_3a9d);
    }

    proptest! {
        #[test]
        fn tail_word_is_the_zero_padded_copy(rest in proptest::collection::vec(any::<u8>(), 1..8)) {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(&rest);
            prop_assert_eq!(tail_word(&rest), u64::from_le_bytes(last));
        }

        #[test]
        fn seed_and_text_matter(a in "\\PC{0,20}", b in "\\PC{0,20}") {
            if a != b {
                prop_assert_ne!(bytes_hash(1, a.as_bytes()), bytes_hash(1, b.as_bytes()));
            }
            prop_assert_ne!(bytes_hash(1, a.as_bytes()), bytes_hash(2, a.as_bytes()));
        }
    }
}
