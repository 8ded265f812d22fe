//! One-pass multi-pattern matching of gazetteer names over article text.
//!
//! Text and names are put in the same *match view*: folded (case,
//! diacritics, Arabic letter forms), with Russian declension endings
//! removed so `России`, `Россию` and `Россия` meet. All names go into
//! one Aho-Corasick automaton; every occurrence is found (overlapping), then
//! boundary rules per script decide which are real, and the longest
//! non-overlapping ones win (`South Sudan` over `Sudan`, `Nigeria` over
//! `Niger`).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use unicode_normalization::char::is_combining_mark;

use crate::text::arabic::CLITICS;
use crate::text::fold_into;
use crate::text::tokens::{script_of, Script};

/// Arabic endings a place name may carry without becoming another word:
/// the nisba and plural forms of demonyms, and pronoun suffixes.
const ARABIC_SUFFIXES: [&str; 10] = ["ه", "ي", "يه", "يين", "يون", "ين", "ون", "ان", "ات", "ها"];

/// Russian case and adjective endings, longest first. Snowball's stemmer
/// is made for common nouns and treats names unevenly (`Корея` → `коре`,
/// `Корею` → `кор`); names need only their declension endings removed.
/// `ею`, `ою` and `ее` are left out: they would cut `Корею`, `Корее` to
/// `кор` while `Корея` gives `коре`.
const RUSSIAN_ENDINGS: &[&str] = &[
    "ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ая", "яя", "ую", "ой", "ей", "ом",
    "ем", "ам", "ям", "ах", "ях", "ые", "ие", "ый", "ий", "ых", "их", "ым", "им", "ое", "а", "я",
    "о", "е", "у", "ю", "ы", "и", "ь", "й",
];

/// Removes one declension ending, keeping at least three letters.
pub fn russian_name_stem(word: &str) -> &str {
    for e in RUSSIAN_ENDINGS.iter().copied() {
        if let Some(rest) = word.strip_suffix(e) {
            if rest.chars().count() >= 3 {
                return rest;
            }
        }
    }
    word
}

/// A char that belongs to a word: a letter or digit, tatweel, or a
/// combining mark, by the Unicode look-ups.
fn is_word_char_by_unicode(c: char) -> bool {
    c.is_alphanumeric() || c == '\u{0640}' || is_combining_mark(c)
}

/// [`is_word_char_by_unicode`], with chars below U+0800 (ASCII, Latin,
/// Cyrillic, Arabic: nearly every char of our wires but Chinese) from a
/// table, since the look-ups behind `is_alphanumeric` cost a binary search
/// per char.
fn is_word_char(c: char) -> bool {
    static TABLE: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    match TABLE
        .get_or_init(|| {
            (0..0x800u32)
                .map(|p| char::from_u32(p).is_some_and(is_word_char_by_unicode))
                .collect()
        })
        .get(c as usize)
    {
        Some(&word) => word,
        None => is_word_char_by_unicode(c),
    }
}

/// Builds match views: folded text with Russian words reduced to their
/// name stems.
#[derive(Debug, Default)]
pub struct MatchView;

/// A match view with, for each of its words, where it starts and whether
/// the original word began with a capital letter.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// The view text.
    pub text: String,
    /// (byte offset in `text`, capitalised in the original) per word.
    pub words: Vec<(usize, bool)>,
}

impl View {
    /// Whether the word containing byte `at` was capitalised.
    pub fn capitalised_at(&self, at: usize) -> bool {
        let i = self.words.partition_point(|(start, _)| *start <= at);
        i > 0 && self.words[i - 1].1
    }
}

impl MatchView {
    /// The match view of a piece of text.
    pub fn of(&self, text: &str) -> String {
        self.view(text).text
    }

    /// The match view with per-word capitalisation.
    pub fn view(&self, text: &str) -> View {
        let mut out = View::default();
        // One buffer for every word's folding, rather than a String each.
        let mut folded = String::new();
        // Words of the original, split where fold would put a space, so each
        // view word can be traced to its original spelling.
        for raw in text.split(|c: char| !is_word_char(c)) {
            if raw.is_empty() {
                continue;
            }
            let capitalised = raw.chars().next().is_some_and(char::is_uppercase);
            fold_into(raw, &mut folded);
            for word in folded.split(' ').filter(|w| !w.is_empty()) {
                if !out.text.is_empty() {
                    out.text.push(' ');
                }
                out.words.push((out.text.len(), capitalised));
                out.text.push_str(self.word(word));
            }
        }
        out
    }

    fn word<'a>(&self, word: &'a str) -> &'a str {
        if word.chars().next().map(script_of) == Some(Script::Cyrillic) {
            russian_name_stem(word)
        } else {
            word
        }
    }
}

/// One accepted occurrence of a pattern in a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index of the pattern.
    pub pattern: usize,
    /// Byte range in the view.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
}

/// The automaton over every pattern's match view.
pub struct Matcher {
    automaton: AhoCorasick,
    patterns: Vec<String>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Matcher({} patterns)", self.patterns.len())
    }
}

/// What went wrong building the automaton.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the gazetteer automaton: {0}")]
pub struct BuildError(#[from] aho_corasick::BuildError);

impl Matcher {
    /// Builds the automaton over patterns already in match-view form.
    pub fn new(patterns: Vec<String>) -> Result<Matcher, BuildError> {
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)?;
        Ok(Matcher {
            automaton,
            patterns,
        })
    }

    /// The pattern text of a hit.
    pub fn pattern(&self, i: usize) -> &str {
        &self.patterns[i]
    }

    /// Accepted, non-overlapping hits in a view, longest first where they
    /// overlap, in text order.
    pub fn find(&self, view: &str) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .automaton
            .find_overlapping_iter(view)
            .map(|m| Hit {
                pattern: m.pattern().as_usize(),
                start: m.start(),
                end: m.end(),
            })
            .filter(|h| at_boundaries(view, h.start, h.end))
            .collect();
        hits.sort_by_key(|h| (std::cmp::Reverse(h.end - h.start), h.start));
        let mut taken: Vec<Hit> = Vec::new();
        for h in hits {
            if taken.iter().all(|t| h.end <= t.start || h.start >= t.end) {
                taken.push(h);
            }
        }
        taken.sort_by_key(|h| h.start);
        taken
    }
}

/// Whether a hit at `start..end` of `view` is a whole name, allowing for
/// Arabic clitics and endings, the German/English genitive `s`, and
/// Chinese, which has no word boundaries.
fn at_boundaries(view: &str, start: usize, end: usize) -> bool {
    let matched = &view[start..end];
    let first = matched.chars().next().map(script_of);
    let last = matched.chars().last().map(script_of);
    let token_start = view[..start].rfind(' ').map_or(0, |i| i + 1);
    let token_end = view[end..].find(' ').map_or(view.len(), |i| end + i);
    let prefix = &view[token_start..start];
    let suffix = &view[end..token_end];
    let start_ok = prefix.is_empty()
        || (first == Some(Script::Han)
            && prefix.chars().last().map(script_of) == Some(Script::Han))
        || (first == Some(Script::Arabic) && is_arabic_clitic_prefix(prefix));
    let end_ok = suffix.is_empty()
        || (last == Some(Script::Han) && suffix.chars().next().map(script_of) == Some(Script::Han))
        || (last == Some(Script::Arabic) && ARABIC_SUFFIXES.contains(&suffix))
        || (last == Some(Script::Latin) && suffix == "s" && matched.len() >= 5);
    start_ok && end_ok
}

/// `و`/`ف`, then a preposition `ب`/`ل`/`ك`, then the article `ال` (or
/// `ل` alone after `ل`, as in `للصين`), each optional, not all absent.
pub fn is_arabic_clitic_prefix(prefix: &str) -> bool {
    let mut rest = prefix;
    if let Some(r) = rest.strip_prefix(['و', 'ف']) {
        rest = r;
    }
    if let Some(r) = rest.strip_prefix(['ب', 'ل', 'ك']) {
        rest = r;
        if rest == "ل" {
            return true;
        }
    }
    if let Some(r) = rest.strip_prefix("ال") {
        rest = r;
    }
    rest.is_empty()
        && !prefix.is_empty()
        && prefix.chars().all(|c| CLITICS.contains(&c) || c == 'ا')
}

/// Index from a pattern's view to the targets it names.
#[derive(Debug)]
pub struct PatternTable<T> {
    /// Pattern views, in automaton order.
    pub views: Vec<String>,
    /// Targets of each pattern.
    pub targets: Vec<Vec<T>>,
    index: HashMap<String, usize>,
}

impl<T> Default for PatternTable<T> {
    fn default() -> Self {
        PatternTable {
            views: Vec::new(),
            targets: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T: PartialEq> PatternTable<T> {
    /// Adds a target under a pattern view (deduplicated).
    pub fn add(&mut self, view: String, target: T) {
        if view.is_empty() {
            return;
        }
        let i = *self.index.entry(view.clone()).or_insert_with(|| {
            self.views.push(view);
            self.targets.push(Vec::new());
            self.targets.len() - 1
        });
        if !self.targets[i].contains(&target) {
            self.targets[i].push(target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_chars_from_the_table_match_the_unicode_look_ups() {
        for p in 0..0x1000u32 {
            if let Some(c) = char::from_u32(p) {
                assert_eq!(is_word_char(c), is_word_char_by_unicode(c), "U+{p:04X}");
            }
        }
    }

    fn matcher(names: &[&str]) -> (MatchView, Matcher) {
        let mv = MatchView;
        let views = names.iter().map(|n| mv.of(n)).collect();
        (mv, Matcher::new(views).unwrap())
    }

    fn found(names: &[&str], text: &str) -> Vec<String> {
        let (mv, m) = matcher(names);
        let view = mv.of(text);
        m.find(&view)
            .iter()
            .map(|h| names[h.pattern].to_string())
            .collect()
    }

    #[test]
    fn longest_match_wins() {
        let names = [
            "Sudan",
            "South Sudan",
            "Niger",
            "Nigeria",
            "Guinea",
            "Guinea-Bissau",
            "Papua New Guinea",
        ];
        assert_eq!(found(&names, "Talks in South Sudan."), vec!["South Sudan"]);
        assert_eq!(found(&names, "Nigeria and Niger"), vec!["Nigeria", "Niger"]);
        assert_eq!(found(&names, "Guinea-Bissau votes"), vec!["Guinea-Bissau"]);
        assert_eq!(
            found(&names, "in Papua New Guinea"),
            vec!["Papua New Guinea"]
        );
    }

    #[test]
    fn words_inside_other_words_do_not_match() {
        assert!(found(&["Oman"], "Romania and a woman").is_empty());
        assert!(found(&["Chad"], "Chadwick said").is_empty());
    }

    #[test]
    fn arabic_clitic_prefix_still_matches_country() {
        let names = ["روسيا", "الصين", "موسكو"];
        assert_eq!(found(&names, "وقالت بروسيا"), vec!["روسيا"]);
        assert_eq!(found(&names, "والصين"), vec!["الصين"]);
        assert_eq!(found(&names, "زيارته لموسكو"), vec!["موسكو"]);
        assert!(found(&names, "بروسياتي").is_empty());
    }

    #[test]
    fn arabic_demonym_takes_article_and_nisba_ending() {
        assert_eq!(found(&["روسي"], "الرئيس الروسي"), vec!["روسي"]);
        assert_eq!(found(&["روسي"], "القوات الروسية"), vec!["روسي"]);
    }

    #[test]
    fn russian_case_forms_match_the_nominative() {
        let names = ["Россия", "Москва", "Южная Корея", "Кремль"];
        assert_eq!(
            found(&names, "в Южной Корее и Кремлем"),
            vec!["Южная Корея", "Кремль"]
        );
        assert_eq!(found(&names, "с Россией"), vec!["Россия"]);
        assert_eq!(found(&names, "санкции против России"), vec!["Россия"]);
        assert_eq!(found(&names, "переговоры в Москве"), vec!["Москва"]);
        assert_eq!(found(&names, "визит в Южную Корею"), vec!["Южная Корея"]);
    }

    #[test]
    fn latin_diacritics_and_genitive_s() {
        assert_eq!(
            found(&["États-Unis"], "les Etats-Unis ont"),
            vec!["États-Unis"]
        );
        assert_eq!(
            found(&["Russland"], "Russlands Präsident"),
            vec!["Russland"]
        );
    }

    #[test]
    fn chinese_matches_without_word_boundaries() {
        assert_eq!(
            found(&["中国", "美国"], "中国和美国举行会谈"),
            vec!["中国", "美国"]
        );
    }

    #[test]
    fn clitic_prefix_rules() {
        for p in [
            "و", "ب", "ل", "ك", "ف", "ال", "وال", "بال", "لل", "ولل", "فب",
        ] {
            assert!(is_arabic_clitic_prefix(p), "{p}");
        }
        for p in ["م", "ت", "بب", "الل"] {
            assert!(!is_arabic_clitic_prefix(p), "{p}");
        }
    }
}
