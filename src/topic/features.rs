//! Features shared by the lexicon and the model: language-aware stems of
//! the folded text, and for the model hashed unigrams and bigrams (Chinese:
//! character bigrams, since it has no spaces).

use std::borrow::Cow;

use crate::text::fold;
use crate::text::tokens::{tokens, Script, Tokenizer};

/// The stems of a text, in order; Han runs are kept whole (the lexicon
/// matches Chinese terms inside them).
pub fn stems(tokenizer: &Tokenizer, language: &str, text: &str) -> Vec<String> {
    stems_of_folded(tokenizer, language, &fold(text))
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// [`stems`] of text already folded with [`fold`], borrowed from it where
/// the stem is a prefix of the word (most are), to avoid an allocation
/// per word.
pub fn stems_of_folded<'a>(
    tokenizer: &Tokenizer,
    language: &str,
    folded: &'a str,
) -> Vec<Cow<'a, str>> {
    tokens(folded)
        .filter(|t| t.script == Script::Han || t.text.chars().nth(1).is_some())
        .map(|t| tokenizer.stem(language, t))
        .collect()
}

/// FNV-1a, 64 bit: a stable hash so model files mean the same everywhere.
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in p.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Hashed feature indices (with repeats) of a stem sequence: unigrams and
/// bigrams of words; character unigrams and bigrams of Han runs.
pub fn hashed<S: AsRef<str>>(stems: &[S], dim: u32) -> Vec<u32> {
    let mut out = Vec::with_capacity(stems.len() * 2);
    let mut push = |parts: &[&str]| out.push((fnv1a(parts) % dim as u64) as u32);
    let mut prev: Option<&str> = None;
    for s in stems {
        let s = s.as_ref();
        let han = s
            .chars()
            .next()
            .is_some_and(|c| crate::text::tokens::script_of(c) == Script::Han);
        if han {
            let chars: Vec<(usize, char)> = s.char_indices().collect();
            for (k, &(i, c)) in chars.iter().enumerate() {
                let end = i + c.len_utf8();
                push(&["c", &s[i..end]]);
                if let Some(&(j, d)) = chars.get(k + 1) {
                    push(&["c", &s[i..j + d.len_utf8()]]);
                }
            }
            prev = None;
        } else {
            push(&["w", s]);
            if let Some(p) = prev {
                push(&["b", p, s]);
            }
            prev = Some(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_is_stable() {
        assert_eq!(fnv1a(&["w", "elect"]), fnv1a(&["w", "elect"]));
        assert_ne!(fnv1a(&["w", "elect"]), fnv1a(&["we", "lect"]));
    }

    #[test]
    fn chinese_gets_character_bigrams() {
        let f = hashed(&["选举结果".to_string()], 1 << 20);
        assert_eq!(f.len(), 4 + 3);
    }
}
