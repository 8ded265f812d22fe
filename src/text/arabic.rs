//! Arabic light stemming (after Larkey et al.'s Light10) over folded text:
//! strips the conjunction و, the article and its attached prepositions
//! (ال وال بال كال فال لل), then common suffixes. Snowball's Arabic stemmer
//! treats `الانتخابات` and `انتخابات` differently, which breaks cue matching;
//! this one gives both `انتخاب`.

/// Prefixes made of a preposition or conjunction attached to the article.
const ARTICLE_PREFIXES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];

/// Single-letter clitics that attach to a noun without the article
/// (و and, ف then, ب with, ل for, ك as).
pub const CLITICS: [char; 5] = ['و', 'ف', 'ب', 'ل', 'ك'];

/// Suffixes removed in this order, each at most once (ة is already ه).
const SUFFIXES: [&str; 8] = ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Removes the article (with an attached preposition) or a leading و,
/// keeping at least two letters.
pub fn strip_prefixes(word: &str) -> &str {
    let mut w = word;
    if let Some(rest) = w.strip_prefix('و') {
        if chars(rest) >= 3 && !ARTICLE_PREFIXES.iter().any(|p| w.starts_with(p)) {
            w = rest;
        }
    }
    for p in ARTICLE_PREFIXES {
        if let Some(rest) = w.strip_prefix(p) {
            if chars(rest) >= 2 {
                return rest;
            }
        }
    }
    w
}

/// Light stem of a folded Arabic word.
pub fn light_stem(word: &str) -> &str {
    let mut w = strip_prefixes(word);
    for s in SUFFIXES {
        if let Some(rest) = w.strip_suffix(s) {
            if chars(rest) >= 2 {
                w = rest;
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    fn stem(w: &str) -> String {
        light_stem(&fold(w)).to_string()
    }

    #[test]
    fn article_and_plural_forms_share_a_stem() {
        assert_eq!(stem("الانتخابات"), stem("انتخابات"));
        assert_eq!(stem("والانتخابات"), stem("انتخابات"));
        assert_eq!(stem("بالانتخابات"), "انتخاب");
    }

    #[test]
    fn clitic_prefix_and_nisba_suffix_are_removed() {
        assert_eq!(stem("الروسية"), "روس");
        assert_eq!(stem("روسي"), "روس");
        assert_eq!(strip_prefixes(&fold("والصين")), "صين");
    }

    #[test]
    fn short_words_are_left_alone() {
        assert_eq!(stem("في"), "في");
        assert_eq!(stem("ولد"), "ولد");
    }
}
