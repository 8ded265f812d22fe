//! Fingerprints: what two articles are compared by.

use sha2::{Digest, Sha256};

use crate::text::fold;

/// The comparable essence of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hash of the folded body: equal for copies that differ only in case,
    /// diacritics, punctuation, quotes or whitespace.
    pub exact: u64,
}

impl Fingerprint {
    /// Fingerprints an article body.
    pub fn of(body: &str) -> Self {
        let folded = fold(body);
        let digest = Sha256::digest(folded.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        Fingerprint {
            exact: u64::from_le_bytes(first),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_and_whitespace_changes_keep_the_exact_hash() {
        let a = Fingerprint::of("«Нет», — сказал он.\nВсё.");
        let b = Fingerprint::of("\"Нет\" - сказал он.   Все.");
        assert_eq!(a.exact, b.exact);
        assert_ne!(a.exact, Fingerprint::of("Да, сказал он.").exact);
    }
}
