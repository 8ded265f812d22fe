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
use crate::text::hash::{bytes_hash, fmix64};
use crate::text::tokens::{tokens, Script};

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

/// The fingerprint scheme: how shingles are hashed and MinHash values
/// drawn. Signatures of different schemes cannot be compared, so the
/// changelog records it and a restore skips other schemes' entries.
/// Scheme 1 hashed each shingle's bytes and permuted it 16 times; scheme 2
/// hashes each word once and draws all 16 values from one hash per shingle.
pub const SCHEME: u8 = 2;

/// Seeds keeping word shingles, Han trigrams and short texts apart.
const WORD: u64 = 0x77;
const HAN: u64 = 0x68;
const SHORT: u64 = 0x73;

/// Calls `f` with each shingle hash of a body already folded with
/// [`fold`], repeats included: word 3-grams, and character 3-grams of Han
/// runs. Each word is hashed once and its three-word shingles mixed from
/// the word hashes.
fn for_each_shingle(folded: &str, mut f: impl FnMut(u64)) {
    let (mut a, mut b) = (0u64, 0u64);
    let mut words = 0usize;
    for t in tokens(folded) {
        if t.script == Script::Han {
            let text = t.text.as_bytes();
            let starts: Vec<usize> = t.text.char_indices().map(|(i, _)| i).collect();
            for w in 0..starts.len().saturating_sub(2) {
                let end = starts.get(w + 3).copied().unwrap_or(text.len());
                f(bytes_hash(HAN, &text[starts[w]..end]));
            }
            if starts.len() < 3 {
                f(bytes_hash(HAN, text));
            }
        } else {
            let c = bytes_hash(WORD, t.text.as_bytes());
            words += 1;
            if words >= 3 {
                f(fmix64(a ^ b.rotate_left(21) ^ c.rotate_left(42)));
            }
            (a, b) = (b, c);
        }
    }
    match words {
        1 => f(fmix64(b ^ SHORT)),
        2 => f(fmix64(a ^ b.rotate_left(21) ^ SHORT)),
        _ => {}
    }
}

/// The distinct shingle hashes of a folded body, sorted.
pub fn shingles(folded: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(folded.len() / 5);
    for_each_shingle(folded, |s| out.push(s));
    out.sort_unstable();
    out.dedup();
    out
}

/// Counts distinct hashes in one pass: an open-addressed table sized for
/// the most shingles a text of `bytes` bytes can have (two bytes per word
/// at least), cheaper than sorting them.
struct DistinctCounter {
    slots: Vec<u64>,
    count: u32,
}

impl DistinctCounter {
    fn for_text(bytes: usize) -> Self {
        DistinctCounter {
            slots: vec![0; (bytes + 16).next_power_of_two()],
            count: 0,
        }
    }

    fn add(&mut self, h: u64) {
        // 0 marks an empty slot; a hash of 0 counts as 1.
        let h = h.max(1);
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = h;
                    self.count += 1;
                    return;
                }
                v if v == h => return,
                _ => i = (i + 1) & mask,
            }
        }
    }
}

/// One-permutation MinHash: each shingle hash falls into one of
/// [`MINHASH_SIZE`] bins by its top bits and competes there with its low
/// bits, so a shingle costs one comparison instead of one hash per value.
/// Empty bins (texts of a few shingles) borrow the value of a bin chosen
/// by a fixed probe sequence ("optimal densification", Shrivastava 2017),
/// the same for every text, so equal sets still give equal values.
struct Bins {
    min: [u32; MINHASH_SIZE],
    filled: [bool; MINHASH_SIZE],
}

impl Default for Bins {
    fn default() -> Self {
        Bins {
            min: [u32::MAX; MINHASH_SIZE],
            filled: [false; MINHASH_SIZE],
        }
    }
}

impl Bins {
    fn add(&mut self, s: u64) {
        let bin = (s >> 60) as usize;
        let v = s as u32;
        if !self.filled[bin] || v < self.min[bin] {
            self.min[bin] = v;
            self.filled[bin] = true;
        }
    }

    fn signature(&self) -> [u32; MINHASH_SIZE] {
        let (bins, filled) = (self.min, self.filled);
        if filled.iter().all(|&f| f) || !filled.iter().any(|&f| f) {
            return bins;
        }
        let mut out = bins;
        for (i, o) in out.iter_mut().enumerate() {
            if filled[i] {
                continue;
            }
            let mut attempt = 0u64;
            loop {
                attempt += 1;
                let probe = (fmix64((i as u64) << 32 | attempt) % MINHASH_SIZE as u64) as usize;
                if filled[probe] {
                    *o = bins[probe];
                    break;
                }
            }
        }
        out
    }
}

impl Fingerprint {
    /// Fingerprints an article.
    pub fn of(headline: &str, body: &str) -> Self {
        Self::of_folded(headline, &fold(body))
    }

    /// Fingerprints an article whose body is already folded.
    pub fn of_folded(headline: &str, folded_body: &str) -> Self {
        let (tag, headline) = strip_wire_tag(headline);
        let mut bins = Bins::default();
        let mut distinct = DistinctCounter::for_text(folded_body.len());
        for_each_shingle(folded_body, |s| {
            bins.add(s);
            distinct.add(s);
        });
        Fingerprint {
            exact: fmix64(
                bytes_hash(WORD, fold(headline).as_bytes()).rotate_left(17)
                    ^ bytes_hash(WORD, folded_body.as_bytes()),
            ),
            minhash: bins.signature(),
            shingles: distinct.count,
            tag,
        }
    }
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

    fn one_permutation_minhash(set: &[u64]) -> [u32; MINHASH_SIZE] {
        let mut bins = Bins::default();
        set.iter().for_each(|&s| bins.add(s));
        bins.signature()
    }

    #[test]
    fn exact_hash_covers_headline_and_body() {
        let fp = |h: &str, b: &str| Fingerprint::of(h, b).exact;
        assert_eq!(fp("Head", "Body text here."), fp("HEAD", "Body  text here"));
        assert_ne!(
            fp("Head", "Body text here."),
            fp("Other", "Body text here.")
        );
        assert_ne!(
            fp("Head", "Body text here."),
            fp("Head", "Body text there.")
        );
    }

    #[test]
    fn one_permutation_minhash_estimates_jaccard() {
        // Two sets sharing 600 of 1,000 shingles: Jaccard 0.6.
        let mut next = {
            let mut x = 7u64;
            move || {
                x = fmix64(x.wrapping_add(0x9e37_79b9_7f4a_7c15));
                x
            }
        };
        let shared: Vec<u64> = (0..600).map(|_| next()).collect();
        let mut estimates = Vec::new();
        for _ in 0..50 {
            let mut a = shared.clone();
            let mut b = shared.clone();
            a.extend((0..200).map(|_| next()));
            b.extend((0..200).map(|_| next()));
            estimates.push(jaccard(
                &one_permutation_minhash(&a),
                &one_permutation_minhash(&b),
            ));
        }
        let mean = estimates.iter().sum::<f64>() / estimates.len() as f64;
        assert!((mean - 0.6).abs() < 0.05, "{mean}");
    }

    #[test]
    fn short_texts_fill_every_bin() {
        let one = one_permutation_minhash(&[fmix64(1)]);
        assert!(one.iter().all(|&v| v == fmix64(1) as u32));
        let few = shingles(&fold("Trois mots ici et deux"));
        assert_eq!(few.len(), 3);
        assert_eq!(
            one_permutation_minhash(&few),
            one_permutation_minhash(&shingles(&fold("trois mots ici et deux")))
        );
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
        fn fingerprint_counts_distinct_shingles_and_sets_give_the_signature(
            body in "[a-z\u{0627}-\u{063A}\u{4E00}-\u{4E10} ]{0,300}"
        ) {
            let folded = fold(&body);
            let set = shingles(&folded);
            let fp = Fingerprint::of_folded("", &folded);
            prop_assert_eq!(fp.shingles as usize, set.len());
            prop_assert_eq!(fp.minhash, one_permutation_minhash(&set));
        }

        #[test]
        fn strip_wire_tag_never_panics(h in "\\PC{0,60}") {
            let _ = strip_wire_tag(&h);
        }
    }
}
