//! Tokens and stems over folded text (see [`super::fold`]). Words are split
//! on spaces; runs of Han characters are split from other scripts, since
//! Chinese is written without spaces and is handled by character n-grams.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;

use super::hash::bytes_hash;

/// The writing system of a token, which decides how it is stemmed and
/// how it is shingled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Latin letters (and digits).
    Latin,
    /// Cyrillic letters.
    Cyrillic,
    /// Arabic letters.
    Arabic,
    /// Han ideographs (Chinese, Japanese kanji).
    Han,
    /// Anything else.
    Other,
}

/// Classifies one character.
pub fn script_of(c: char) -> Script {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '\u{00C0}'..='\u{024F}' => Script::Latin,
        '\u{0400}'..='\u{04FF}' => Script::Cyrillic,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}' => Script::Arabic,
        c if is_han(c as u32) => Script::Han,
        c if c.is_ascii_digit() => Script::Latin,
        _ => Script::Other,
    }
}

/// Whether a code point is a Han ideograph (Chinese, Japanese kanji).
fn is_han(point: u32) -> bool {
    matches!(
        point,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F
    )
}

/// The length of the UTF-8 char that starts `bytes` (valid UTF-8, at a
/// char boundary, not empty), and whether it is Han: only chars of three
/// or four bytes can be, and only they are decoded.
/// Inlined: it runs once per character of Chinese text.
#[inline(always)]
fn han_char(bytes: &[u8]) -> (usize, bool) {
    let lead = bytes[0] as u32;
    match lead {
        0..=0x7F => (1, false),
        0x80..=0xDF => (2, false),
        0xE0..=0xEF => {
            let point =
                (lead & 0x0F) << 12 | (bytes[1] as u32 & 0x3F) << 6 | (bytes[2] as u32 & 0x3F);
            (3, is_han(point))
        }
        _ => {
            let point = (lead & 0x07) << 18
                | (bytes[1] as u32 & 0x3F) << 12
                | (bytes[2] as u32 & 0x3F) << 6
                | (bytes[3] as u32 & 0x3F);
            (4, is_han(point))
        }
    }
}

/// One word (or one run of Han characters) of folded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The folded word.
    pub text: &'a str,
    /// Its script (by its first character).
    pub script: Script,
}

/// Splits folded text into tokens; a Han run inside a space-free stretch
/// (`在北京举行` next to `2026`) becomes a token of its own.
pub fn tokens(folded: &str) -> impl Iterator<Item = Token<'_>> {
    words(folded).flat_map(|(word, high)| pieces(word, high))
}

/// The words of folded text (separated by single spaces), each with
/// whether it may hold Han characters. One pass over the bytes finds both:
/// words are short, and a memchr call or a second scan per word costs more
/// than the word.
fn words(folded: &str) -> impl Iterator<Item = (&str, bool)> {
    let bytes = folded.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        while start < bytes.len() {
            let (end, high) = word_end(bytes, start);
            // Spaces are ASCII, so both ends are character boundaries.
            let word = &folded[start..end];
            start = end + 1;
            if !word.is_empty() {
                return Some((word, high));
            }
        }
        None
    })
}

/// Eight copies of a byte.
const fn lanes(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// Where the word starting at `start` ends (the next space or the end),
/// and whether it has a byte of [`HAN_LEAD`] or above. Eight bytes at a
/// time: an ordinary word and its space take one or two steps.
fn word_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut end = start;
    let mut high = false;
    while let Some(chunk) = bytes.get(end..end + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // A zero byte of `x` is a space of `w`; the lowest flagged byte is
        // the first zero (a borrow can flag bytes above it only).
        let x = w ^ lanes(b' ');
        let spaces = x.wrapping_sub(lanes(1)) & !x & lanes(0x80);
        // High bit set and low seven bits at least 0x63: a byte >= 0xE3.
        // The addition cannot carry across bytes (0x7F + 0x1D < 0x100).
        let han = ((w & lanes(0x7F)) + lanes(0x1D)) & w & lanes(0x80);
        if spaces != 0 {
            let before = spaces.trailing_zeros() / 8;
            let below = (1u64 << (8 * before)) - 1;
            return (end + before as usize, high | (han & below != 0));
        }
        high |= han != 0;
        end += 8;
    }
    while end < bytes.len() && bytes[end] != b' ' {
        high |= bytes[end] >= HAN_LEAD;
        end += 1;
    }
    (end, high)
}

/// The tokens of one word: itself, or its Han and other runs when `high`
/// says it may hold Han characters.
fn pieces(word: &str, high: bool) -> Pieces<'_> {
    if high {
        Pieces::Split(split_han(word))
    } else {
        Pieces::One(Some(Token {
            text: word,
            script: script_of_word(word),
        }))
    }
}

/// Han characters take three or four bytes in UTF-8, led by this byte or
/// above; Latin, Cyrillic and Arabic letters lead with lower bytes.
const HAN_LEAD: u8 = 0xE3;

/// The script of a word by its first character (inlined: it runs once
/// per word, and a call costs as much as the look-up).
#[inline(always)]
fn script_of_word(word: &str) -> Script {
    match word.as_bytes().first() {
        Some(&b) if b < 0x80 => script_of(b as char),
        _ => word.chars().next().map_or(Script::Other, script_of),
    }
}

/// The Han runs of a word and the runs between them, in order; a word
/// without Han characters is one token.
fn split_han(word: &str) -> HanRuns<'_> {
    HanRuns { word, at: 0 }
}

/// The runs of [`split_han`], found as they are read, without allocating:
/// nearly every word of Chinese text comes here. Chars are classed by
/// [`han_char`] rather than through `chars()` and [`script_of`].
struct HanRuns<'a> {
    word: &'a str,
    at: usize,
}

impl<'a> Iterator for HanRuns<'a> {
    type Item = Token<'a>;
    fn next(&mut self) -> Option<Token<'a>> {
        let rest = &self.word[self.at..];
        let bytes = rest.as_bytes();
        if bytes.is_empty() {
            return None;
        }
        let (len, han) = han_char(bytes);
        let mut end = len;
        while end < bytes.len() {
            let (len, next_han) = han_char(&bytes[end..]);
            if next_han != han {
                break;
            }
            end += len;
        }
        self.at += end;
        let text = &rest[..end];
        Some(Token {
            text,
            script: if han {
                Script::Han
            } else {
                script_of_word(text)
            },
        })
    }
}

/// The tokens of one space-separated word.
enum Pieces<'a> {
    One(Option<Token<'a>>),
    Split(HanRuns<'a>),
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Token<'a>;
    fn next(&mut self) -> Option<Token<'a>> {
        match self {
            Pieces::One(t) => t.take(),
            Pieces::Split(runs) => runs.next(),
        }
    }
}

/// Stemmers for the languages we serve, chosen per token by its script and
/// the article's language: Snowball for Latin and Cyrillic, light stemming
/// for Arabic.
pub struct Tokenizer {
    english: Stemmer,
    french: Stemmer,
    spanish: Stemmer,
    german: Stemmer,
    russian: Stemmer,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer {
            english: Stemmer::create(Algorithm::English),
            french: Stemmer::create(Algorithm::French),
            spanish: Stemmer::create(Algorithm::Spanish),
            german: Stemmer::create(Algorithm::German),
            russian: Stemmer::create(Algorithm::Russian),
        }
    }
}

/// One term of folded text, as topic features see it: the hash of its
/// stem, and its folded text: Han runs' features are character n-grams
/// and lexicon terms are found inside them; German compounds are matched
/// by their parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term<'a> {
    /// [`bytes_hash`] of the stem under [`STEM_SEED`].
    pub stem: u64,
    /// The folded word, or the Han run.
    pub text: &'a str,
    /// Whether this is a run of Han characters.
    pub han: bool,
}

/// Seed of stem hashes.
pub const STEM_SEED: u64 = 0x5354_454d;

/// Stemmer cache slots: one per stemmer (Arabic's light stemmer included).
const SLOTS: usize = 6;
const ARABIC: usize = 5;

impl Tokenizer {
    /// The stemmer slot of a token: Arabic and Cyrillic use their script's
    /// stemmer whatever the article language; Latin words use `latin`, the
    /// slot of the article's language ([`Tokenizer::latin_slot`]).
    /// `None`: kept as written.
    fn slot(latin: usize, script: Script) -> Option<usize> {
        match script {
            Script::Arabic => Some(ARABIC),
            Script::Cyrillic => Some(0),
            Script::Latin => Some(latin),
            Script::Han | Script::Other => None,
        }
    }

    /// The stemmer of Latin-script words in an article of `language`
    /// (English for Latin-script languages without their own).
    fn latin_slot(language: &str) -> usize {
        match language {
            "fr" => 1,
            "es" => 2,
            "de" => 3,
            _ => 4,
        }
    }

    /// Stems one word with the stemmer of `slot`.
    fn stem_in<'a>(&self, slot: usize, word: &'a str) -> Cow<'a, str> {
        let stemmer = match slot {
            ARABIC => return Cow::Borrowed(super::arabic::light_stem(word)),
            0 => &self.russian,
            1 => &self.french,
            2 => &self.spanish,
            3 => &self.german,
            _ => &self.english,
        };
        stemmer.stem(word)
    }

    /// The terms of folded text: every token of two characters or more,
    /// and every Han run, as stem hashes. Stemming is the costliest step,
    /// and words repeat across articles, so each thread remembers the stem
    /// hash of each word it has seen, keyed by the word's own hash: one
    /// hash and one probe per word, no string compared or copied.
    pub fn terms<'a>(&self, language: &str, folded: &'a str) -> Vec<Term<'a>> {
        let mut out = Vec::with_capacity(folded.len() / 6);
        self.terms_into(language, folded, &mut out);
        out
    }

    /// [`Tokenizer::terms`], appended to `out` (headline and body into one
    /// sequence without copying the body's).
    pub fn terms_into<'a>(&self, language: &str, folded: &'a str, out: &mut Vec<Term<'a>>) {
        let latin = Self::latin_slot(language);
        STEM_CACHE.with(|cache| {
            let cache = &mut *cache.borrow_mut();
            // `pieces(word, high)` spelled out: through its iterator the
            // loop cost 18,000 more instructions per article.
            for (word, high) in words(folded) {
                if high {
                    for t in split_han(word) {
                        self.push_term(cache, latin, t, out);
                    }
                } else {
                    let t = Token {
                        text: word,
                        script: script_of_word(word),
                    };
                    self.push_term(cache, latin, t, out);
                }
            }
        });
    }

    /// Appends the term of one token, if it makes one. Inlined into the
    /// word loop: as a call per word, saving and restoring registers cost
    /// more than most of its work.
    #[inline(always)]
    fn push_term<'a>(
        &self,
        cache: &mut [FxHashMap<u64, u64>; SLOTS],
        latin: usize,
        t: Token<'a>,
        out: &mut Vec<Term<'a>>,
    ) {
        if t.script == Script::Han {
            out.push(Term {
                stem: bytes_hash(STEM_SEED, t.text.as_bytes()),
                text: t.text,
                han: true,
            });
            return;
        }
        // Single characters carry no topic; a token of more than four
        // bytes has at least two, so only short ones are counted.
        if t.text.len() <= 4 && t.text.chars().nth(1).is_none() {
            return;
        }
        // Numbers are not stemmed, and not cached: each figure in the news
        // is new, and would crowd the words out.
        let number = t.text.as_bytes()[0].is_ascii_digit();
        let stem = match Self::slot(latin, t.script).filter(|_| !number) {
            None => bytes_hash(STEM_SEED, t.text.as_bytes()),
            Some(slot) => {
                let map = &mut cache[slot];
                let key = bytes_hash(slot as u64, t.text.as_bytes());
                match map.get(&key) {
                    Some(&h) => h,
                    None => {
                        let h = bytes_hash(STEM_SEED, self.stem_in(slot, t.text).as_bytes());
                        if map.len() >= STEM_CACHE_MAX {
                            map.clear();
                        }
                        map.insert(key, h);
                        h
                    }
                }
            }
        };
        out.push(Term {
            stem,
            text: t.text,
            han: false,
        });
    }
}

/// Words remembered per stemmer before the cache starts over; news
/// vocabulary is Zipfian, so this holds nearly every word seen twice.
const STEM_CACHE_MAX: usize = 200_000;

thread_local! {
    /// Word hash → stem hash, per stemmer.
    static STEM_CACHE: std::cell::RefCell<[FxHashMap<u64, u64>; SLOTS]> =
        Default::default();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    #[test]
    fn han_runs_split_from_digits_and_latin() {
        let f = fold("2026年在北京举行G20峰会");
        let t: Vec<&str> = tokens(&f).map(|t| t.text).collect();
        assert_eq!(t, vec!["2026", "年在北京举行", "g20", "峰会"]);
    }

    /// The stem hash of a word's one term.
    fn stem(language: &str, word: &str) -> u64 {
        let folded = fold(word);
        let terms = Tokenizer::default().terms(language, &folded);
        assert_eq!(terms.len(), 1, "{word}");
        terms[0].stem
    }

    proptest::proptest! {
        /// The word splitter agrees with splitting on spaces byte by byte,
        /// for every script and any run of spaces.
        #[test]
        fn words_are_the_space_separated_pieces(
            s in "[a-z \u{00E9}\u{0430}\u{0627}\u{4E00}-\u{4E05}\u{3001}\u{1F600}]{0,40}"
        ) {
            let got: Vec<(&str, bool)> = words(&s).collect();
            let expected: Vec<(&str, bool)> = s
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(|w| (w, w.bytes().any(|b| b >= HAN_LEAD)))
                .collect();
            proptest::prop_assert_eq!(got, expected);
        }

        /// Han runs split a word where it turns from Han to another script
        /// and back, as a character-by-character split does.
        #[test]
        fn han_runs_split_where_the_script_turns(
            s in "[a-z0-9\u{00E9}\u{0430}\u{0627}\u{33FF}\u{3400}\u{4DC0}\u{4E00}-\u{4E05}\u{9FFF}\u{A000}\u{F900}\u{FB00}\u{1F600}\u{20000}\u{2FA20}]{1,20}"
        ) {
            let mut expected: Vec<(String, Script)> = Vec::new();
            for c in s.chars() {
                let han = script_of(c) == Script::Han;
                match expected.last_mut() {
                    Some((run, script)) if (*script == Script::Han) == han => run.push(c),
                    _ => expected.push((c.to_string(), script_of(c))),
                }
            }
            let got: Vec<(String, Script)> = split_han(&s)
                .map(|t| (t.text.to_string(), t.script))
                .collect();
            proptest::prop_assert_eq!(got, expected);
        }

        /// Terms follow [`tokens`]: one term per token of two characters
        /// or more, and the same Han runs.
        #[test]
        fn terms_follow_the_tokens(
            s in "[a-zA-Z0-9 .,\u{00C0}-\u{00FF}\u{0400}-\u{04FF}\u{0600}-\u{06FF}\u{4E00}-\u{4E20}]{0,60}"
        ) {
            let folded = fold(&s);
            let terms = Tokenizer::default().terms("en", &folded);
            let expected: Vec<Token<'_>> = tokens(&folded)
                .filter(|t| t.script == Script::Han || t.text.chars().nth(1).is_some())
                .collect();
            proptest::prop_assert_eq!(terms.len(), expected.len());
            for (term, token) in terms.iter().zip(&expected) {
                proptest::prop_assert_eq!(term.han, token.script == Script::Han);
                proptest::prop_assert_eq!(term.text, token.text);
            }
        }
    }

    #[test]
    fn han_ranges_end_where_unicode_ends_them() {
        let han = |c: char| script_of(c) == Script::Han;
        for c in [
            '\u{3400}', '\u{4DBF}', '\u{4E00}', '\u{9FFF}', '\u{F900}', '\u{FAFF}',
        ] {
            assert!(han(c), "{c:?}");
        }
        for c in [
            '\u{33FF}',
            '\u{4DC0}',
            '\u{A000}',
            '\u{F8FF}',
            '\u{FB00}',
            '\u{1FFFF}',
        ] {
            assert!(!han(c), "{c:?}");
        }
        assert!(han('\u{20000}') && han('\u{2FA1F}') && !han('\u{2FA20}'));
        // The byte classing agrees at every one of them.
        for c in [
            '\u{33FF}',
            '\u{3400}',
            '\u{4DBF}',
            '\u{4DC0}',
            '\u{9FFF}',
            '\u{A000}',
            '\u{F8FF}',
            '\u{F900}',
            '\u{FAFF}',
            '\u{FB00}',
            '\u{1FFFF}',
            '\u{20000}',
            '\u{2FA1F}',
            '\u{2FA20}',
        ] {
            let mut buf = [0u8; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(han_char(bytes), (bytes.len(), han(c)), "{c:?}");
        }
    }

    #[test]
    fn russian_case_forms_share_a_stem() {
        assert_eq!(stem("ru", "выборы"), stem("ru", "выборах"));
    }

    #[test]
    fn arabic_article_prefix_is_stemmed_away() {
        assert_eq!(stem("ar", "الانتخابات"), stem("ar", "انتخابات"));
    }
}
