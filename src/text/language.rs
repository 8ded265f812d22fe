//! Language identification: the declared language when the wire gives a
//! usable one, else detection with `whatlang` (trigram profiles, 69
//! languages, no model files), reported as an ISO 639-1 code.

use whatlang::Lang;

/// The language of an article as an ISO 639-1 code (`und` when unknown).
/// A declared tag such as `en-GB` or `AR` is trusted and normalised.
pub fn detect_language(declared: Option<&str>, headline: &str, body: &str) -> String {
    if let Some(code) = declared.and_then(normalise_tag) {
        return code;
    }
    // The headline and the first part of the body are plenty for detection
    // and keep its cost independent of article length.
    let mut sample = String::with_capacity(1200);
    sample.push_str(headline);
    sample.push('\n');
    let cut = body.char_indices().nth(1000).map_or(body.len(), |(i, _)| i);
    sample.push_str(&body[..cut]);
    match whatlang::detect_lang(&sample) {
        Some(lang) => iso639_1(lang).to_string(),
        None => "und".to_string(),
    }
}

/// `en-GB` → `en`; `ara` → `ar`; rejects tags that are not language codes.
fn normalise_tag(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.len() {
        2 if primary.bytes().all(|b| b.is_ascii_lowercase()) => Some(primary),
        3 => Lang::from_code(&primary).map(|l| iso639_1(l).to_string()),
        _ => None,
    }
}

/// ISO 639-1 for every language whatlang knows.
fn iso639_1(lang: Lang) -> &'static str {
    use Lang::*;
    match lang {
        Epo => "eo",
        Eng => "en",
        Rus => "ru",
        Cmn => "zh",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Ben => "bn",
        Fra => "fr",
        Deu => "de",
        Ukr => "uk",
        Kat => "ka",
        Ara => "ar",
        Hin => "hi",
        Jpn => "ja",
        Heb => "he",
        Yid => "yi",
        Pol => "pl",
        Amh => "am",
        Jav => "jv",
        Kor => "ko",
        Nob => "nb",
        Dan => "da",
        Swe => "sv",
        Fin => "fi",
        Tur => "tr",
        Nld => "nl",
        Hun => "hu",
        Ces => "cs",
        Ell => "el",
        Bul => "bg",
        Bel => "be",
        Mar => "mr",
        Kan => "kn",
        Ron => "ro",
        Slv => "sl",
        Hrv => "hr",
        Srp => "sr",
        Mkd => "mk",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Tam => "ta",
        Vie => "vi",
        Urd => "ur",
        Tha => "th",
        Guj => "gu",
        Uzb => "uz",
        Pan => "pa",
        Aze => "az",
        Ind => "id",
        Tel => "te",
        Pes => "fa",
        Mal => "ml",
        Ori => "or",
        Mya => "my",
        Nep => "ne",
        Sin => "si",
        Khm => "km",
        Tuk => "tk",
        Aka => "ak",
        Zul => "zu",
        Sna => "sn",
        Afr => "af",
        Lat => "la",
        Slk => "sk",
        Cat => "ca",
        Tgl => "tl",
        Hye => "hy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_tags_are_normalised() {
        assert_eq!(detect_language(Some("en-GB"), "", ""), "en");
        assert_eq!(detect_language(Some("AR"), "", ""), "ar");
        assert_eq!(detect_language(Some("fra"), "", ""), "fr");
    }

    #[test]
    fn seven_languages_are_detected() {
        let cases = [
            ("ar", "أعلن الكرملين عن خطط الرئيس الروسي للقيام بجولات دبلوماسية خارجية في يناير"),
            ("en", "The central bank raised interest rates on Tuesday to curb inflation, officials said."),
            ("fr", "Le gouvernement a annoncé mardi une hausse des taux pour freiner l'inflation."),
            ("es", "El gobierno anunció el martes una subida de los tipos para frenar la inflación."),
            ("ru", "Центральный банк во вторник повысил ключевую ставку, чтобы сдержать инфляцию."),
            ("zh", "中国国家统计局周一公布的数据显示，经济增长有所放缓。"),
            ("de", "Die Regierung hat am Dienstag eine Zinserhöhung angekündigt, um die Inflation zu bremsen."),
        ];
        for (code, text) in cases {
            assert_eq!(detect_language(None, "", text), code, "{text}");
        }
    }
}
