//! Cues inside compound words, the German way of making words. Written
//! `*minister` in a lexicon, a cue is also found as a compound's head
//! (Innenminister, Verkehrsministers); `fußball*` as its first part
//! (Fußballverband); `*wahl*` as either. A word the lexicon knows whole is
//! not split. Parts are opt-in, because a free substring match finds
//! `rente` in Konkurrenten and `verein` in Vereinbarung.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;

use super::lexicon::CueCounts;
use crate::text::fold;
use crate::text::hash::bytes_hash;

/// Inflectional endings after a compound's head: Innenministers,
/// Regierungskoalitionen, Innenministerin.
const HEAD_ENDINGS: [&str; 9] = ["s", "n", "e", "en", "er", "es", "ern", "in", "innen"];

/// The endings of feminine nouns, which may follow a head on its own.
const FEMININE: [&str; 2] = ["in", "innen"];

/// Bytes a compound keeps besides the part: Rad|profi.
const MIN_REST: usize = 3;

/// Bits of the part filter (8 KiB).
const FILTER_BITS: usize = 1 << 16;

/// No part.
const NONE: u32 = u32::MAX;

/// Words remembered per thread before the cache starts over.
const CACHE_MAX: usize = 100_000;

/// Tells lexicons apart in the per-thread cache, so a reloaded lexicon
/// never sees the parts of the one before.
static GENERATION: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// Hash of (generation, word) → (first part, head): compounds recur,
    /// and a hit costs one probe instead of some forty filter tests.
    static CACHE: RefCell<FxHashMap<u64, (u32, u32)>> = Default::default();
}

/// A marked term's part: its folded text and the places it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The term without its marks, folded as article words are.
    pub folded: String,
    /// Marked `*word`: it may end a compound.
    pub head: bool,
    /// Marked `word*`: it may start one.
    pub modifier: bool,
}

/// A lexicon term without its compound marks, and the part of a marked
/// term (`*minister`: a head, `fußball*`: a first part). A marked term
/// must stay one word of at least four letters once folded: folding drops
/// punctuation (`*abc.` is `abc`) and splits on hyphens (`*wahl-kampf` is
/// two words, which no single word can end with).
pub fn compound_marks(term: &str) -> Result<(&str, Option<Part>), String> {
    let head = term.starts_with('*');
    let modifier = term.len() > 1 && term.ends_with('*');
    if !head && !modifier {
        return Ok((term, None));
    }
    let bare = &term[usize::from(head)..term.len() - usize::from(modifier)];
    let folded = fold(bare);
    if bare.contains('*') || folded.contains(' ') || folded.chars().count() < 4 {
        return Err(format!(
            "compound part {term:?} folds to {folded:?}: it must be one word of four letters \
             or more, marked `*word` (a compound's head), `word*` (its first part) or `*word*` \
             (either)"
        ));
    }
    Ok((
        bare,
        Some(Part {
            folded,
            head,
            modifier,
        }),
    ))
}

/// The compound parts of one language's lexicon.
#[derive(Debug)]
pub struct CompoundParts {
    /// Cue ids of each part, by the role it was marked for: `*wahl*`
    /// under one topic and `wahl*` under another share a text, not a
    /// role.
    parts: Vec<Vec<usize>>,
    /// Folded head text → its cues in `parts`.
    heads: FxHashMap<Box<str>, u32>,
    /// Folded first-part text → its cues in `parts`.
    modifiers: FxHashMap<Box<str>, u32>,
    /// Byte lengths of heads and of first parts, longest first.
    head_lengths: Vec<usize>,
    modifier_lengths: Vec<usize>,
    /// One bit per (first four bytes, length) of a part: nearly every
    /// place a part could start is turned away by one bit test.
    filter: Vec<u64>,
    /// The shortest word worth splitting.
    min_word: usize,
    generation: u64,
}

impl Default for CompoundParts {
    fn default() -> Self {
        CompoundParts {
            parts: Vec::new(),
            heads: FxHashMap::default(),
            modifiers: FxHashMap::default(),
            head_lengths: Vec::new(),
            modifier_lengths: Vec::new(),
            filter: Vec::new(),
            min_word: usize::MAX,
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
        }
    }
}

/// The filter bit of a part of `len` bytes starting with `bytes` (its
/// first four, zeros for a shorter slice).
fn filter_bit(bytes: &[u8], len: usize) -> (usize, u64) {
    let byte = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let four = u32::from_le_bytes([byte(0), byte(1), byte(2), byte(3)]) as u64;
    let h = (four | (len as u64) << 32).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48;
    let bit = h as usize % FILTER_BITS;
    (bit / 64, 1 << (bit % 64))
}

impl CompoundParts {
    /// Adds cue `id` in the places its part was marked for.
    pub fn add(&mut self, part: &Part, id: usize) {
        let parts = &mut self.parts;
        let mut put = |map: &mut FxHashMap<Box<str>, u32>| {
            let index = *map.entry(part.folded.as_str().into()).or_insert_with(|| {
                parts.push(Vec::new());
                (parts.len() - 1) as u32
            });
            parts[index as usize].push(id);
        };
        if part.head {
            put(&mut self.heads);
        }
        if part.modifier {
            put(&mut self.modifiers);
        }
    }

    /// Lengths and filter, once every part is in.
    pub fn finish(&mut self) {
        let lengths = |map: &FxHashMap<Box<str>, u32>| {
            let mut v: Vec<usize> = map.keys().map(|k| k.len()).collect();
            v.sort_unstable_by(|a, b| b.cmp(a));
            v.dedup();
            v
        };
        self.head_lengths = lengths(&self.heads);
        self.modifier_lengths = lengths(&self.modifiers);
        self.filter = vec![0; FILTER_BITS / 64];
        for part in self.heads.keys().chain(self.modifiers.keys()) {
            let (word, bit) = filter_bit(part.as_bytes(), part.len());
            self.filter[word] |= bit;
        }
        self.min_word = self
            .head_lengths
            .iter()
            .chain(&self.modifier_lengths)
            .min()
            .map_or(usize::MAX, |l| l + MIN_REST);
    }

    /// Words shorter than this (in bytes) are not split.
    pub fn min_word(&self) -> usize {
        self.min_word
    }

    fn may_be(&self, bytes: &[u8], len: usize) -> bool {
        let (word, bit) = filter_bit(bytes, len);
        self.filter[word] & bit != 0
    }

    /// The longest first part and the longest head of a folded word.
    fn find(&self, word: &str) -> (u32, u32) {
        let bytes = word.as_bytes();
        let modifier = self
            .modifier_lengths
            .iter()
            .filter(|&&l| l + MIN_REST <= bytes.len())
            .find_map(|&l| {
                if !self.may_be(bytes, l) || !word.is_char_boundary(l) {
                    return None;
                }
                self.modifiers.get(&word[..l]).copied()
            })
            .unwrap_or(NONE);
        // The longest head over the word and its forms without an ending.
        // A feminine form that is the head itself is that cue
        // (Staatsanwältin: staatsanwalt); other endings on a bare head are
        // verbs (handeln, weinen, feuern), not the noun.
        let forms: Vec<(&str, bool)> = std::iter::once((word, false))
            .chain(
                HEAD_ENDINGS
                    .iter()
                    .filter_map(|e| word.strip_suffix(e).map(|f| (f, FEMININE.contains(e)))),
            )
            .collect();
        let head = self
            .head_lengths
            .iter()
            .find_map(|&l| {
                forms.iter().find_map(|&(form, feminine)| {
                    let at = form.len().checked_sub(l)?;
                    if (at == 0 && !feminine)
                        || (at != 0 && at < MIN_REST)
                        || !self.may_be(&form.as_bytes()[at..], l)
                        || !form.is_char_boundary(at)
                    {
                        return None;
                    }
                    self.heads.get(&form[at..]).copied()
                })
            })
            .unwrap_or(NONE);
        (modifier, head)
    }

    /// Counts the cues of the parts of a folded word (at least
    /// [`CompoundParts::min_word`] bytes).
    pub fn count(&self, word: &str, counts: &mut CueCounts) {
        let (modifier, head) = CACHE.with(|cache| {
            let map = &mut *cache.borrow_mut();
            // The generation is in the key, so a reloaded lexicon, or
            // another language's, never reads these entries.
            if map.len() >= CACHE_MAX {
                map.clear();
            }
            *map.entry(bytes_hash(self.generation, word.as_bytes()))
                .or_insert_with(|| self.find(word))
        });
        for part in [modifier, head] {
            if part != NONE {
                for &id in &self.parts[part as usize] {
                    *counts.entry(id).or_default() += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(rows: &[&str]) -> CompoundParts {
        let mut p = CompoundParts::default();
        for (id, row) in rows.iter().enumerate() {
            let (_, part) = compound_marks(row).unwrap();
            p.add(&part.expect("a marked row"), id);
        }
        p.finish();
        p
    }

    fn found(p: &CompoundParts, word: &str) -> Vec<usize> {
        let mut counts = CueCounts::default();
        p.count(word, &mut counts);
        let mut ids: Vec<usize> = counts.into_keys().collect();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn heads_and_first_parts_are_found_with_endings() {
        let p = parts(&["*minister", "fußball*", "*wahl*", "*profi"]);
        assert_eq!(found(&p, "innenminister"), vec![0]);
        assert_eq!(found(&p, "innenministers"), vec![0]);
        assert_eq!(found(&p, "innenministerinnen"), vec![0]);
        assert_eq!(found(&p, "fussballverband"), vec![1]);
        assert_eq!(found(&p, "wahlkampf"), vec![2]);
        assert_eq!(found(&p, "landtagswahlen"), vec![2]);
        assert_eq!(found(&p, "radprofi"), vec![3]);
        assert_eq!(found(&p, "fussballprofis"), vec![1, 3]);
    }

    #[test]
    fn marks_bind_the_part_to_its_place() {
        let p = parts(&["*minister", "fussball*"]);
        // A head is not a first part, nor a first part a head.
        assert!(found(&p, "ministerrat").is_empty());
        assert!(found(&p, "hallenfussball").is_empty());
        // The rest of the word must be a word-part, not a letter or two.
        assert!(found(&p, "exminister").is_empty());
    }

    #[test]
    fn which_cue_a_compound_counts() {
        let cases: [(&[&str], &str, &[usize]); 8] = [
            // The same text as a head of one topic and a first part of
            // another: each counts in its own place.
            (&["*wahl", "wahl*"], "landtagswahl", &[0]),
            (&["*wahl", "wahl*"], "wahlkampf", &[1]),
            // A feminine form of the head itself is that cue; a verb made
            // of a head is not the noun.
            (&["*staatsanwalt*", "*anwalt*"], "staatsanwaltin", &[0]),
            (&["*handel", "*wein"], "handeln", &[]),
            (&["*handel", "*wein"], "weinen", &[]),
            (
                &["*staatsanwalt*", "*anwalt*"],
                "oberstaatsanwaltinnen",
                &[0],
            ),
            // The longest head wins.
            (&["*spieler", "*schauspieler"], "filmschauspieler", &[1]),
            (&["*spieler", "*schauspieler"], "nationalspieler", &[0]),
        ];
        for (rows, word, expected) in cases {
            assert_eq!(found(&parts(rows), word), expected, "{word}");
        }
    }

    #[test]
    fn marks_are_checked() {
        let part = |head, modifier| {
            Some(Part {
                folded: "krieg".into(),
                head,
                modifier,
            })
        };
        assert_eq!(compound_marks("krieg"), Ok(("krieg", None)));
        assert_eq!(compound_marks("*krieg*"), Ok(("krieg", part(true, true))));
        assert_eq!(compound_marks("*krieg"), Ok(("krieg", part(true, false))));
        for bad in ["*rad", "*two words", "kr*eg*", "**krieg", "*"] {
            assert!(compound_marks(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        /// Any folded word: no panic at a char boundary, and the parts
        /// found are parts of it.
        #[test]
        fn any_word_is_split_safely(word in "[a-zäöüßа-я]{0,24}") {
            let rows = ["*minister", "fußball*", "*äöüß*", "*прав*"];
            let p = parts(&rows);
            let folded = crate::text::fold(&word);
            if folded.len() >= p.min_word() {
                let mut counts = CueCounts::default();
                p.count(&folded, &mut counts);
                for id in counts.keys() {
                    let part = crate::text::fold(rows[*id].trim_matches('*'));
                    proptest::prop_assert!(folded.contains(&part));
                }
            }
        }
    }
}
