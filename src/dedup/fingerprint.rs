//! Fingerprints: what two articles are compared by.
//!
//! * `exact`: a hash of the folded headline and body with wire tags
//!   stripped — equal for copies that differ only in case, diacritics,
//!   punctuation, quotes or whitespace.
//! * `minhash`: MinHash of the body's shingles — word 3-grams for scripts
//!   with spaces, character 3-grams for Chinese — estimating how much of
//!   the text two articles share, whatever the script.
//! * `tag`: the wire tag (`UPDATE 1-`, `REFILE-`, `CORRECTED-`, `تحديث`...)
//!   the headline carried, which marks a new version of a story.

use crate::text::fold;
use crate::text::tokens::{tokens, Script};
use crate::topic::features::fnv1a;

/// MinHash values per fingerprint.
pub const MINHASH_SIZE: usize = 16;

/// Wire tags announcing a new version of a story, in folded form, as they
/// open a headline. Numbers after UPDATE are skipped.
const UPDATE_TAGS: &[&str] = &[
    "update",
    "refile",
    "corrected",
    "correction",
    "corrects",
    "withdrawn",
    "recasts",
    "adds",
    "actualisation",
    "actualise",
    "corrige",
    "rectificatif",
    "actualizacion",
    "corregido",
    "aktualisiert",
    "korrigiert",
    "обновление",
    "исправление",
    "تحديث",
    "تصحيح",
    "更新",
    "更正",
];

/// The comparable essence of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Hash of the folded, untagged headline and body.
    pub exact: u64,
    /// MinHash of the body's shingles.
    pub minhash: [u32; MINHASH_SIZE],
    /// Number of distinct shingles (for containment).
    pub shingles: u32,
    /// The wire tag the headline opened with, if any (folded).
    pub tag: Option<String>,
}

/// Splits a leading wire tag off a headline: `UPDATE 2-Oil falls` →
/// (`Some("update")`, `Oil falls`). The tag must be followed by a dash or colon.
pub fn strip_wire_tag(headline: &str) -> (Option<String>, &str) {
    let trimmed = headline.trim_start();
    let Some(cut) = trimmed.find(['-', ':', '–', '—', '：']) else {
        return (None, headline);
    };
    if cut > 40 {
        return (None, headline);
    }
    let head = fold(&trimmed[..cut]);
    let mut words = head.split(' ').filter(|w| !w.is_empty());
    let Some(first) = words.next() else {
        return (None, headline);
    };
    let rest_is_number = words.all(|w| w.chars().all(|c| c.is_ascii_digit()));
    if UPDATE_TAGS.contains(&first) && rest_is_number {
        let after = &trimmed[cut..];
        let after = after.trim_start_matches(['-', ':', '–', '—', '：', ' ']);
        (Some(first.to_string()), after)
    } else {
        (None, headline)
    }
}

/// The distinct shingle hashes of a body already folded with [`fold`].
pub fn shingles(folded: &str) -> Vec<u64> {
    // A sorted, deduplicated vector: cheaper than a hash set for the few
    // hundred shingles of an article.
    let mut out = Vec::with_capacity(folded.len() / 5);
    let mut words: Vec<&str> = Vec::new();
    for t in tokens(folded) {
        if t.script == Script::Han {
            // Character trigrams, hashed straight from the text's bytes.
            let starts: Vec<usize> = t.text.char_indices().map(|(i, _)| i).collect();
            for w in 0..starts.len().saturating_sub(2) {
                let end = starts.get(w + 3).copied().unwrap_or(t.text.len());
                out.push(fnv1a(&["h", &t.text[starts[w]..end]]));
            }
            if starts.len() < 3 {
                out.push(fnv1a(&["h", t.text]));
            }
        } else {
            words.push(t.text);
        }
    }
    for w in words.windows(3) {
        out.push(fnv1a(w));
    }
    if words.len() < 3 && !words.is_empty() {
        out.push(fnv1a(&words));
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn permute(h: u64, i: usize) -> u32 {
    let mut x = h ^ (0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i as u64 + 1));
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x as u32
}

impl Fingerprint {
    /// Fingerprints an article.
    pub fn of(headline: &str, body: &str) -> Self {
        Self::of_folded(headline, &fold(body))
    }

    /// Fingerprints an article whose body is already folded.
    pub fn of_folded(headline: &str, folded_body: &str) -> Self {
        let (tag, headline) = strip_wire_tag(headline);
        let set = shingles(folded_body);
        let mut minhash = [u32::MAX; MINHASH_SIZE];
        for &s in &set {
            for (i, m) in minhash.iter_mut().enumerate() {
                let v = permute(s, i);
                if v < *m {
                    *m = v;
                }
            }
        }
        Fingerprint {
            // The hash of "folded headline \n folded body", without
            // copying the body into one string.
            exact: fnv1a_concat(&[&fold(headline), "\n", folded_body]),
            minhash,
            shingles: set.len() as u32,
            tag,
        }
    }
}

/// FNV-1a of the concatenation of `parts` (unlike [`fnv1a`], which
/// separates its parts).
fn fnv1a_concat(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Estimated Jaccard similarity of two MinHash signatures.
pub fn jaccard<T: PartialEq>(a: &[T; MINHASH_SIZE], b: &[T; MINHASH_SIZE]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / MINHASH_SIZE as f64
}

/// Estimated containment of the smaller shingle set in the larger, from
/// Jaccard and the set sizes: a shortened or extended copy scores high
/// where Jaccard alone would not.
pub fn containment(jaccard: f64, a: u32, b: u32) -> f64 {
    let (a, b) = (a.max(1) as f64, b.max(1) as f64);
    let intersection = jaccard / (1.0 + jaccard) * (a + b);
    (intersection / a.min(b)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_hash_is_that_of_the_joined_text() {
        let body = fold("Body text here.");
        let fp = Fingerprint::of_folded("Head", &body);
        assert_eq!(fp.exact, fnv1a(&[&format!("head\n{body}")]));
    }

    #[test]
    fn punctuation_and_whitespace_changes_keep_the_exact_hash() {
        let a = Fingerprint::of("Москва", "«Нет», — сказал он.\nВсё.");
        let b = Fingerprint::of("МОСКВА", "\"Нет\" - сказал он.   Все.");
        assert_eq!(a.exact, b.exact);
        assert_ne!(a.exact, Fingerprint::of("Москва", "Да, сказал он.").exact);
    }

    #[test]
    fn wire_tags_are_stripped_and_recorded() {
        assert_eq!(
            strip_wire_tag("UPDATE 2-Oil falls"),
            (Some("update".into()), "Oil falls")
        );
        assert_eq!(
            strip_wire_tag("REFILE-Oil falls"),
            (Some("refile".into()), "Oil falls")
        );
        assert_eq!(
            strip_wire_tag("تحديث 1- النفط يتراجع"),
            (Some("تحديث".into()), "النفط يتراجع")
        );
        assert_eq!(strip_wire_tag("Oil - the new gold").0, None);
        let a = Fingerprint::of("UPDATE 1-Oil falls", "Body.");
        assert_eq!(a.exact, Fingerprint::of("Oil falls", "Body.").exact);
        assert_eq!(a.tag.as_deref(), Some("update"));
    }

    #[test]
    fn shortened_copy_keeps_high_containment_in_arabic_and_chinese() {
        let ar = "أعلن الكرملين عن خطط الرئيس الروسي للقيام بجولات دبلوماسية خارجية في يناير.\nيسعى بوتين من خلال هذه الجولات إلى توطيد العلاقات مع شركاء استراتيجيين.\nهذه الجولات تأتي في وقت حساس حيث تواجه روسيا تحديات دبلوماسية.";
        let short = ar.rsplit_once('\n').unwrap().0;
        let (a, b) = (Fingerprint::of("", ar), Fingerprint::of("", short));
        let c = containment(jaccard(&a.minhash, &b.minhash), a.shingles, b.shingles);
        assert!(c > 0.7, "{c}");
        let zh = "中国国家统计局周一公布的数据显示，今年第三季度国内生产总值同比增长百分之四点八，增速较上季度有所放缓。分析人士认为，房地产市场持续低迷是拖累经济的主要因素。";
        let other = "国家足球队周二在主场以二比一战胜对手，球迷在体育场外庆祝。主教练表示，球队将继续努力备战下一场比赛。";
        let (a, b) = (Fingerprint::of("", zh), Fingerprint::of("", other));
        assert!(jaccard(&a.minhash, &b.minhash) < 0.2);
    }

    proptest! {
        #[test]
        fn containment_stays_in_unit_range(j in 0.0f64..=1.0, a in 0u32..10_000, b in 0u32..10_000) {
            let c = containment(j, a, b);
            prop_assert!((0.0..=1.0).contains(&c));
        }

        #[test]
        fn strip_wire_tag_never_panics(h in "\\PC{0,60}") {
            let _ = strip_wire_tag(&h);
        }
    }
}
