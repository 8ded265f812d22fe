//! Cue lexicons: weighted words and phrases per language and topic,
//! compiled to stem sequences with the same tokenizer as article text, so
//! `elections`, `élections` and `الانتخابات` match their base forms.
//! Chinese terms are matched as substrings of Han runs, and cues marked
//! as compound parts (`*minister`, `fußball*`) inside German compounds
//! (see [`super::compound`]).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use rustc_hash::FxHashMap;

use super::compound::{compound_marks, CompoundParts, Part};
use super::features::terms;
use crate::knowledge::KnowledgeError;
use crate::text::tokens::{Term, Tokenizer};

/// One cue: topic index, weight, and the term for evidence.
#[derive(Debug, Clone)]
pub struct Cue {
    /// Index into the taxonomy.
    pub topic: usize,
    /// Weight (0.5 weak .. 3 nearly unambiguous).
    pub weight: f64,
    /// The term as written in the lexicon.
    pub term: String,
}

/// Cues starting with one stem.
#[derive(Debug, Default)]
struct Starts {
    /// Single-stem cues.
    unigrams: Vec<usize>,
    /// Multi-stem cues: (hashes of the remaining stems, cue).
    phrases: Vec<(Vec<u64>, usize)>,
}

/// The cues of one language.
#[derive(Debug, Default)]
struct LanguageCues {
    /// Cues by the hash of their first stem: one look-up per article word
    /// finds both the single-stem cues and the phrases starting there.
    starts: FxHashMap<u64, Starts>,
    /// One bit per 16-bit slice of a stem hash that starts a cue: most
    /// words of an article start none, and one bit test turns them away
    /// before the map is probed.
    filter: Vec<u64>,
    /// Chinese terms, each once, and the cues of each (a term IPTC files
    /// under two topics is a cue of both).
    han_terms: Vec<String>,
    han_cues: Vec<Vec<usize>>,
    /// Position of each term in `han_terms`, while compiling.
    han_index: HashMap<String, usize>,
    han_automaton: Option<AhoCorasick>,
    /// Cues matched inside compound words.
    compounds: CompoundParts,
}

/// All lexicons, by language.
#[derive(Debug, Default)]
pub struct Lexicon {
    cues: Vec<Cue>,
    languages: HashMap<String, LanguageCues>,
}

/// Bits of a language's cue filter (8 KiB: stays in the L1 cache).
const FILTER_BITS: usize = 1 << 16;

/// The filter word and bit of a stem hash (its bits 32..48; stem hashes
/// are mixed).
fn filter_bit(stem: u64) -> (usize, u64) {
    let bit = ((stem >> 32) as usize) & (FILTER_BITS - 1);
    (bit / 64, 1 << (bit % 64))
}

/// Counts of matched cues in one text.
pub type CueCounts = FxHashMap<usize, u32>;

impl Lexicon {
    /// Compiles lexicon files (`lang`, `topic`, `weight`, `term`). Topics
    /// are resolved with `topic_index`.
    pub fn compile<'a>(
        tokenizer: &Tokenizer,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
        topic_index: &HashMap<String, usize>,
    ) -> Result<Lexicon, KnowledgeError> {
        let mut lex = Lexicon::default();
        for (path, text) in files {
            for (i, line) in text.lines().enumerate().skip(1) {
                if line.trim().is_empty() {
                    continue;
                }
                let err = |message: String| KnowledgeError::Parse {
                    path: path.into(),
                    line: i + 1,
                    message,
                };
                let cols: Vec<&str> = line.split('\t').collect();
                if cols.len() != 4 {
                    return Err(err(format!(
                        "expected 4 columns (lang, topic, weight, term), found {line:?}"
                    )));
                }
                let topic = *topic_index
                    .get(cols[1])
                    .ok_or_else(|| err(format!("topic {:?} is not in taxonomy.tsv", cols[1])))?;
                let weight: f64 = cols[2]
                    .parse()
                    .ok()
                    .filter(|w: &f64| w.is_finite() && *w > 0.0 && *w <= 10.0)
                    .ok_or_else(|| {
                        err(format!("weight {:?} is not a number in (0, 10]", cols[2]))
                    })?;
                let (term, part) = compound_marks(cols[3]).map_err(err)?;
                lex.add(tokenizer, cols[0], topic, weight, term, part.as_ref());
            }
        }
        for cues in lex.languages.values_mut() {
            cues.filter = vec![0; FILTER_BITS / 64];
            for &stem in cues.starts.keys() {
                let (word, bit) = filter_bit(stem);
                cues.filter[word] |= bit;
            }
            // Only compiling looks terms up by text.
            cues.han_index = HashMap::new();
            cues.compounds.finish();
            if !cues.han_terms.is_empty() {
                // Leftmost-longest: 网络游戏 (online games) is one cue, not
                // 网络 (network) with the rest unread, which is what the
                // default, first match to end, would count. A DFA: the
                // default contiguous NFA's search was the costliest step of
                // a Chinese article. The DFA of the 2,232 Chinese terms takes
                // 5.9 MB (the NFA 0.23 MB), once per loaded knowledge.
                let automaton = AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&cues.han_terms)
                    .map_err(|e| KnowledgeError::Parse {
                        path: "topic lexicons".into(),
                        line: 0,
                        message: format!("Chinese cues do not compile: {e}"),
                    })?;
                cues.han_automaton = Some(automaton);
            }
        }
        Ok(lex)
    }

    fn add(
        &mut self,
        tokenizer: &Tokenizer,
        lang: &str,
        topic: usize,
        weight: f64,
        term: &str,
        part: Option<&Part>,
    ) {
        let stems = terms(tokenizer, lang, term);
        if stems.is_empty() {
            return;
        }
        let id = self.cues.len();
        self.cues.push(Cue {
            topic,
            weight,
            term: term.to_string(),
        });
        let cues = self.languages.entry(lang.to_string()).or_default();
        if let Some(part) = part {
            cues.compounds.add(part, id);
        }
        if let [(_, Some(han))] = stems.as_slice() {
            match cues.han_index.get(han) {
                Some(&i) => cues.han_cues[i].push(id),
                None => {
                    cues.han_index.insert(han.clone(), cues.han_terms.len());
                    cues.han_terms.push(han.clone());
                    cues.han_cues.push(vec![id]);
                }
            }
        } else if stems.len() == 1 {
            cues.starts.entry(stems[0].0).or_default().unigrams.push(id);
        } else {
            cues.starts
                .entry(stems[0].0)
                .or_default()
                .phrases
                .push((stems[1..].iter().map(|(h, _)| *h).collect(), id));
        }
    }

    /// The cue by id.
    pub fn cue(&self, id: usize) -> &Cue {
        &self.cues[id]
    }

    /// Counts cues of `language` in a term sequence.
    pub fn count(&self, language: &str, terms: &[Term<'_>], counts: &mut CueCounts) {
        let Some(cues) = self.languages.get(language) else {
            return;
        };
        for (i, t) in terms.iter().enumerate() {
            if t.han {
                if let Some(ac) = &cues.han_automaton {
                    for m in ac.find_iter(t.text) {
                        for &id in &cues.han_cues[m.pattern().as_usize()] {
                            *counts.entry(id).or_default() += 1;
                        }
                    }
                }
                continue;
            }
            let (word, bit) = filter_bit(t.stem);
            let starts = if cues.filter[word] & bit == 0 {
                None
            } else {
                cues.starts.get(&t.stem)
            };
            if starts.is_none_or(|s| s.unigrams.is_empty())
                && t.text.len() >= cues.compounds.min_word()
            {
                cues.compounds.count(t.text, counts);
            }
            if let Some(starts) = starts {
                for &id in &starts.unigrams {
                    *counts.entry(id).or_default() += 1;
                }
                for (rest, id) in &starts.phrases {
                    let follows = terms
                        .get(i + 1..i + 1 + rest.len())
                        .is_some_and(|next| next.iter().zip(rest).all(|(a, b)| a.stem == *b));
                    if follows {
                        *counts.entry(*id).or_default() += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    /// Topic index → cue weights counted in `text` (Chinese).
    fn counted(lexicon: &str, text: &str) -> Vec<(usize, f64)> {
        let tokenizer = Tokenizer::default();
        let index: HashMap<String, usize> =
            ["medtop:13000000", "medtop:10000000", "medtop:04000000"]
                .iter()
                .enumerate()
                .map(|(i, c)| (c.to_string(), i))
                .collect();
        let text_tsv = format!("lang\ttopic\tweight\tterm\n{lexicon}");
        let lex = Lexicon::compile(&tokenizer, [("zh.tsv", text_tsv.as_str())], &index).unwrap();
        let folded = fold(text);
        let mut counts = CueCounts::default();
        lex.count("zh", &tokenizer.terms("zh", &folded), &mut counts);
        let mut out: Vec<(usize, f64)> = counts
            .iter()
            .map(|(&id, &n)| (lex.cue(id).topic, lex.cue(id).weight * n as f64))
            .collect();
        out.sort_by(|a, b| a.partial_cmp(b).unwrap());
        out
    }

    #[test]
    fn the_longest_chinese_cue_wins() {
        let lexicon = "zh\tmedtop:13000000\t3\t网络\nzh\tmedtop:10000000\t3\t网络游戏\n";
        // Online games, not the network.
        assert_eq!(counted(lexicon, "网络游戏公测"), vec![(1, 3.0)]);
        assert_eq!(counted(lexicon, "网络安全"), vec![(0, 3.0)]);
    }

    #[test]
    fn a_chinese_term_under_two_topics_counts_for_both() {
        let lexicon = "zh\tmedtop:04000000\t1\t娱乐\nzh\tmedtop:10000000\t1\t娱乐\n";
        assert_eq!(counted(lexicon, "娱乐产业"), vec![(1, 1.0), (2, 1.0)]);
    }

    /// A German lexicon of one politics term.
    fn german(term: &str) -> Result<Lexicon, KnowledgeError> {
        let index: HashMap<String, usize> = [("medtop:11000000".to_string(), 0)].into();
        let tsv = format!("lang\ttopic\tweight\tterm\nde\tmedtop:11000000\t3\t{term}\n");
        Lexicon::compile(&Tokenizer::default(), [("de.tsv", tsv.as_str())], &index)
    }

    #[test]
    fn german_compounds_count_their_marked_parts() {
        let tokenizer = Tokenizer::default();
        let lex = german("*minister*").unwrap();
        let count = |text: &str| {
            let folded = fold(text);
            let mut counts = CueCounts::default();
            lex.count("de", &tokenizer.terms("de", &folded), &mut counts);
            counts.values().sum::<u32>()
        };
        // The word itself, a head, a first part; never inside another word.
        assert_eq!(count("Der Minister"), 1);
        assert_eq!(count("Die Innenministerin und der Ministerpräsident"), 2);
        assert_eq!(count("Administer"), 0);
        // Only German rows were marked.
        let mut counts = CueCounts::default();
        lex.count(
            "en",
            &tokenizer.terms("en", &fold("Innenminister")),
            &mut counts,
        );
        assert!(counts.is_empty());
    }

    #[test]
    fn a_bad_compound_mark_names_its_line() {
        let text = german("*amt").unwrap_err().to_string();
        // Folding drops the dot and splits on the hyphen.
        for term in ["*abc.", "*wahl-kampf"] {
            let folded = german(term).unwrap_err().to_string();
            assert!(folded.contains("folds to"), "{folded}");
        }
        assert!(
            text.contains("de.tsv") && text.contains('2') && text.contains("four letters"),
            "{text}"
        );
    }
}
