//! Unicode normalisation. [`nfc`] is for text we emit; [`fold`] is for
//! matching: it makes spelling variants that news writers treat as the same
//! word compare equal, in every script we serve.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Canonical composition (NFC), for text written to output records.
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// Folds text for matching:
/// * compatibility decomposition, then combining marks are dropped: Latin
///   diacritics (`États` = `Etats`), Arabic tashkeel (but `й` stays);
/// * lower case, `ß` → `ss`, `ё` → `е`;
/// * Arabic: tatweel removed, alef forms (أ إ آ ٱ) → ا, ى → ي, ة → ه,
///   Persian kaf/yeh → Arabic;
/// * every run of characters that are not letters or digits becomes one space,
///   so `Guinea-Bissau` = `guinea bissau` and `U.S.` = `u s`.
///
/// The result has no leading or trailing space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut emit = |c: char, out: &mut String| {
        if is_combining_mark(c) || c == '\u{0640}' {
            // Marks and tatweel decorate a letter; they neither count nor separate.
            return;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            push_folded(out, c);
        } else {
            pending_space = true;
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            // Nothing to decompose: the common case in Latin text.
            emit(c, &mut out);
        } else if matches!(c, 'й' | 'Й') {
            // й is a letter of its own in Russian, not и with a breve.
            emit('й', &mut out);
        } else {
            decompose_compatible(c, |d| emit(d, &mut out));
        }
    }
    out
}

fn push_folded(out: &mut String, c: char) {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
        'ى' | 'ی' => out.push('ي'),
        'ة' => out.push('ه'),
        'ک' => out.push('ك'),
        'ß' => out.push_str("ss"),
        'ё' | 'Ё' => out.push('е'),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c => out.extend(c.to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn latin_diacritics_and_case_fold_away() {
        assert_eq!(fold("États-Unis"), fold("Etats-Unis"));
        assert_eq!(fold("États-Unis"), "etats unis");
        assert_eq!(fold("Straße"), "strasse");
    }

    #[test]
    fn arabic_tashkeel_tatweel_and_letter_forms_unify() {
        assert_eq!(fold("رُوسِيَا"), "روسيا");
        assert_eq!(fold("روســيا"), "روسيا");
        assert_eq!(fold("إيران"), fold("ايران"));
        assert_eq!(fold("القاهرة"), "القاهره");
        assert_eq!(fold("مستشفى"), "مستشفي");
    }

    #[test]
    fn cyrillic_yo_folds_to_ye_and_short_i_stays() {
        assert_eq!(fold("Ещё"), "еще");
        assert_eq!(fold("Южной"), "южной");
    }

    #[test]
    fn punctuation_becomes_single_spaces() {
        assert_eq!(fold("  U.S. --  officials, "), "u s officials");
        assert_eq!(fold("北京，中国。"), "北京 中国");
    }

    #[test]
    fn nfc_composes() {
        assert_eq!(nfc("e\u{301}"), "é");
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,100}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn fold_has_no_double_or_edge_spaces(s in "\\PC{0,100}") {
            let f = fold(&s);
            prop_assert!(!f.contains("  "));
            prop_assert!(!f.starts_with(' ') && !f.ends_with(' '));
        }
    }
}
