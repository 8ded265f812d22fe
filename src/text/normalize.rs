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
    fold_into(text, &mut out);
    out
}

/// [`fold`] into a buffer the caller keeps, which is cleared first: folding
/// many short pieces (the region tagger folds word by word) then allocates
/// nothing per piece.
pub fn fold_into(text: &str, out: &mut String) {
    out.clear();
    let bytes = text.as_bytes();
    let mut pending_space = false;
    let two_byte = two_byte_table();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            // ASCII, byte by byte: nothing to decompose, no mark, simple
            // case. The common case, and the hot loop of every stage.
            let folded = ASCII_FOLD[b as usize];
            if folded != 0 {
                space_before_letter(out, &mut pending_space);
                out.push(folded as char);
            } else {
                pending_space = true;
            }
            i += 1;
            continue;
        }
        if (0xC2..=0xDF).contains(&b) && i + 1 < bytes.len() {
            // Two-byte chars (Latin-1 and Latin Extended, Greek, Cyrillic,
            // Arabic...): one table look-up says what folding does to each.
            let point = ((b as usize & 0x1F) << 6) | (bytes[i + 1] as usize & 0x3F);
            match two_byte[point - 0x80] {
                TWO_BYTE_SKIP => {}
                TWO_BYTE_SEPARATOR => pending_space = true,
                TWO_BYTE_GENERAL => {
                    let c = char::from_u32(point as u32).expect("decoded from valid UTF-8");
                    fold_char(c, out, &mut pending_space);
                }
                letter => {
                    space_before_letter(out, &mut pending_space);
                    out.push(char::from_u32(letter).expect("a char the general path wrote"));
                }
            }
            i += 2;
            continue;
        }
        if (0xE4..=0xE9).contains(&b) && i + 2 < bytes.len() {
            // Three bytes from U+4000 to U+9FFF: nearly every char of
            // Chinese text. A CJK unified ideograph (U+4E00..U+9FFF) has no
            // decomposition, mark or case, so its bytes are copied as they
            // are, skipping the Unicode table look-ups.
            let point = (b as u32 & 0x0F) << 12
                | (bytes[i + 1] as u32 & 0x3F) << 6
                | (bytes[i + 2] as u32 & 0x3F);
            if (0x4E00..=0x9FFF).contains(&point) {
                space_before_letter(out, &mut pending_space);
                out.push_str(&text[i..i + 3]);
                i += 3;
                continue;
            }
        }
        let c = text[i..].chars().next().expect("a char starts here");
        i += c.len_utf8();
        fold_char(c, out, &mut pending_space);
    }
}

/// Folds one non-ASCII char onto `out`.
fn fold_char(c: char, out: &mut String, pending_space: &mut bool) {
    let emit = |c: char, out: &mut String, pending_space: &mut bool| {
        if is_combining_mark(c) || c == '\u{0640}' {
            // Marks and tatweel decorate a letter; they neither count nor separate.
            return;
        }
        if c.is_alphanumeric() {
            space_before_letter(out, pending_space);
            push_folded(out, c);
        } else {
            *pending_space = true;
        }
    };
    // Two-byte chars (Arabic, Cyrillic, accented Latin) come here only to
    // fill [`two_byte_table`], and CJK ideographs never (see `fold_into`);
    // the shortcut is for common punctuation.
    if is_common_punctuation(c) {
        *pending_space = true;
    } else if matches!(c, 'й' | 'Й') {
        // й is a letter of its own in Russian, not и with a breve.
        emit('й', out, pending_space);
    } else {
        decompose_compatible(c, |d| emit(d, out, pending_space));
    }
}

/// [`two_byte_table`] entries other than a letter's code point.
const TWO_BYTE_SKIP: u32 = u32::MAX - 2;
const TWO_BYTE_SEPARATOR: u32 = u32::MAX - 1;
const TWO_BYTE_GENERAL: u32 = u32::MAX;

/// What [`fold_char`] does to each of U+0080..U+07FF, worked out once by
/// running it: nothing (a mark), a separator, one letter written after the
/// pending separator, or something else ([`TWO_BYTE_GENERAL`]: several
/// chars, such as ß → ss), which goes through `fold_char` each time.
fn two_byte_table() -> &'static [u32] {
    static TABLE: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0x80..0x800u32)
            .map(|point| {
                let Some(c) = char::from_u32(point) else {
                    return TWO_BYTE_GENERAL;
                };
                // After a letter and with no separator pending, a char that
                // folds to one letter appends exactly that letter.
                let mut out = String::from("a");
                let mut pending = false;
                fold_char(c, &mut out, &mut pending);
                let mut added = out[1..].chars();
                match (added.next(), added.next(), pending) {
                    (None, _, false) => TWO_BYTE_SKIP,
                    (None, _, true) => TWO_BYTE_SEPARATOR,
                    (Some(letter), None, false) if letter != ' ' => letter as u32,
                    _ => TWO_BYTE_GENERAL,
                }
            })
            .collect()
    })
}

/// Writes the separator pending before a letter: one space, never at the
/// start of the text.
fn space_before_letter(out: &mut String, pending_space: &mut bool) {
    if *pending_space && !out.is_empty() {
        out.push(' ');
    }
    *pending_space = false;
}

/// Punctuation of three bytes common in wires (typographic quotes and
/// dashes, CJK punctuation): separators, like their decompositions,
/// without the Unicode table look-ups.
fn is_common_punctuation(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2027}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{FF01}'..='\u{FF0F}'
            | '\u{FF1A}'..='\u{FF1F}'
    )
}

/// ASCII folded: letters lower-cased, digits kept, 0 for a separator.
const ASCII_FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// The unified form of an Arabic letter written several ways, if `c` is one.
fn arabic_form(c: char) -> Option<char> {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ى' | 'ی' => Some('ي'),
        'ة' => Some('ه'),
        'ک' => Some('ك'),
        _ => None,
    }
}

fn push_folded(out: &mut String, c: char) {
    if let Some(unified) = arabic_form(c) {
        out.push(unified);
        return;
    }
    match c {
        'ß' | 'ẞ' => out.push_str("ss"),
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

    /// Folding without the fast path, as it was written first.
    fn fold_reference(text: &str) -> String {
        let mut out = String::new();
        let mut pending_space = false;
        let mut emit = |c: char, out: &mut String| {
            if is_combining_mark(c) || c == '\u{0640}' {
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
            if matches!(c, 'й' | 'Й') {
                emit('й', &mut out);
            } else {
                decompose_compatible(c, |d| emit(d, &mut out));
            }
        }
        out
    }

    proptest! {
        #[test]
        fn fast_path_folds_like_the_general_path(
            s in "[a-zA-Z0-9 .,\u{0080}-\u{07FF}\u{0400}-\u{04FF}\u{0600}-\u{06FF}\u{2000}-\u{2030}\u{3000}-\u{3012}\u{4E00}-\u{4E20}\u{9FF0}-\u{9FFF}\u{FF00}-\u{FF20}]{0,60}"
        ) {
            prop_assert_eq!(fold(&s), fold_reference(&s));
        }

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
