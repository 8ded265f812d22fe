//! Input decoding: one Kafka message (or one JSONL line, or one text file)
//! becomes an [`Article`], or a [`DecodeError`] whose [`Reason`] says why it
//! belongs in the dead-letter topic.
//!
//! Three forms are read: ninjs 1.x/2.x, flat JSON, and UTF-8 plain text
//! (headline line, optional dateline line, body).

use serde_json::{Map, Value};

/// Why a message could not become an article. The code is machine-readable
/// and goes into the dead-letter record's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The bytes are not valid UTF-8.
    InvalidUtf8,
    /// The message looks like JSON but does not parse.
    InvalidJson,
    /// Valid JSON, but not an object with a headline or body.
    NotAnArticle,
    /// No body text (or nothing at all).
    EmptyBody,
    /// Larger than `input.max_message_bytes`.
    TooLarge,
}

impl Reason {
    /// Every reason, for metrics and summaries.
    pub const ALL: [Reason; 5] = [
        Reason::InvalidUtf8,
        Reason::InvalidJson,
        Reason::NotAnArticle,
        Reason::EmptyBody,
        Reason::TooLarge,
    ];

    /// The machine-readable code, e.g. `invalid_utf8`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::InvalidUtf8 => "invalid_utf8",
            Reason::InvalidJson => "invalid_json",
            Reason::NotAnArticle => "not_an_article",
            Reason::EmptyBody => "empty_body",
            Reason::TooLarge => "too_large",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A message that cannot be decoded: the reason and a human explanation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct DecodeError {
    /// Machine-readable reason.
    pub reason: Reason,
    /// What was wrong, for a person reading the dead-letter topic.
    pub detail: String,
}

impl DecodeError {
    fn new(reason: Reason, detail: impl Into<String>) -> Self {
        DecodeError {
            reason,
            detail: detail.into(),
        }
    }
}

/// The input form an article arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// ninjs 1.x (`headline`, `body_text`/`body_html`).
    Ninjs1,
    /// ninjs 2.x (`headlines[]`, `bodies[]`).
    Ninjs2,
    /// Flat JSON (`id`, `headline`/`title`, `body`/`text`/`content`).
    Flat,
    /// UTF-8 plain text.
    Text,
}

/// One wire article, decoded and checked: it always has body text.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The id or ninjs `uri` the wire gave, if any.
    pub id: Option<String>,
    /// The headline (may be empty when only a body was sent).
    pub headline: String,
    /// A desk-and-date line under the headline, for plain text wires.
    pub dateline: Option<String>,
    /// Body text, paragraphs separated by `\n`. Never empty.
    pub body: String,
    /// Declared language, as given (normalised later).
    pub language: Option<String>,
    /// Declared publication or version time, as given (RFC 3339 expected).
    pub published_at: Option<String>,
    /// Agency or source name.
    pub source: Option<String>,
    /// ninjs `version`, for recognising updates of the same `uri`.
    pub version: Option<u64>,
    /// Which form it arrived in.
    pub format: InputFormat,
    /// The input document as received (for text: `{"text": ...}`).
    pub original: Value,
}

/// Decodes one message payload, enforcing `max_bytes`.
pub fn decode(bytes: &[u8], max_bytes: usize) -> Result<Article, DecodeError> {
    if bytes.len() > max_bytes {
        return Err(DecodeError::new(
            Reason::TooLarge,
            format!(
                "message is {} bytes, over the limit of {max_bytes} (input.max_message_bytes)",
                bytes.len()
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        DecodeError::new(
            Reason::InvalidUtf8,
            format!(
                "not valid UTF-8 at byte {}; re-encode the wire as UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: Value = serde_json::from_str(trimmed).map_err(|e| {
            DecodeError::new(Reason::InvalidJson, format!("JSON does not parse: {e}"))
        })?;
        return decode_json(value);
    }
    if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        // A bare JSON scalar ("42", "null", "\"x\"") is not a wire story.
        if !value.is_string() || trimmed.starts_with('"') {
            return Err(DecodeError::new(
                Reason::NotAnArticle,
                format!("JSON {} is not an article object", json_kind(&value)),
            ));
        }
    }
    decode_text(text)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Decodes an already parsed JSON document (one JSONL line).
pub fn decode_json(value: Value) -> Result<Article, DecodeError> {
    let Value::Object(obj) = &value else {
        return Err(DecodeError::new(
            Reason::NotAnArticle,
            format!("JSON {} is not an article object", json_kind(&value)),
        ));
    };
    let article = if is_ninjs2(obj) {
        ninjs2(obj)
    } else if is_ninjs1(obj) {
        ninjs1(obj)
    } else {
        flat(obj)
    };
    let mut article = article?;
    article.original = value;
    check_body(article)
}

fn check_body(article: Article) -> Result<Article, DecodeError> {
    if article.body.trim().is_empty() {
        let detail = if article.headline.is_empty() {
            "no headline and no body text".to_string()
        } else {
            format!(
                "headline {:?} has no body text",
                truncate(&article.headline, 80)
            )
        };
        return Err(DecodeError::new(Reason::EmptyBody, detail));
    }
    Ok(article)
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

fn is_ninjs2(obj: &Map<String, Value>) -> bool {
    obj.contains_key("headlines") || obj.contains_key("bodies")
}

fn is_ninjs1(obj: &Map<String, Value>) -> bool {
    [
        "uri",
        "body_text",
        "body_html",
        "versioncreated",
        "firstcreated",
    ]
    .iter()
    .any(|k| obj.contains_key(*k))
}

fn str_field(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match obj.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

fn version_field(obj: &Map<String, Value>) -> Option<u64> {
    match obj.get("version")? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn not_article(obj: &Map<String, Value>) -> DecodeError {
    let keys: Vec<&str> = obj.keys().map(String::as_str).take(8).collect();
    DecodeError::new(
        Reason::NotAnArticle,
        format!(
            "JSON object has no headline or body field (keys: {}); expected ninjs or id/headline/body",
            keys.join(", ")
        ),
    )
}

fn flat(obj: &Map<String, Value>) -> Result<Article, DecodeError> {
    let headline = str_field(obj, &["headline", "title"]);
    let body = str_field(obj, &["body", "text", "content", "body_text"]);
    if headline.is_none() && body.is_none() && !has_any(obj, &["body", "text", "content"]) {
        return Err(not_article(obj));
    }
    Ok(Article {
        id: str_field(obj, &["id", "guid", "uri"]),
        headline: headline.unwrap_or_default(),
        dateline: str_field(obj, &["dateline"]),
        body: body.unwrap_or_default(),
        language: str_field(obj, &["language", "lang"]),
        published_at: str_field(obj, &["published_at", "published", "date"]),
        source: str_field(obj, &["source", "agency"]),
        version: version_field(obj),
        format: InputFormat::Flat,
        original: Value::Null,
    })
}

fn has_any(obj: &Map<String, Value>, keys: &[&str]) -> bool {
    keys.iter().any(|k| obj.contains_key(*k))
}

fn ninjs1(obj: &Map<String, Value>) -> Result<Article, DecodeError> {
    let headline = str_field(obj, &["headline"]);
    let body = str_field(obj, &["body_text"])
        .or_else(|| str_field(obj, &["body_html"]).map(|h| html_to_text(&h)))
        .or_else(|| str_field(obj, &["description_text"]));
    if headline.is_none() && body.is_none() && !has_any(obj, &["body_text", "body_html"]) {
        return Err(not_article(obj));
    }
    Ok(Article {
        id: str_field(obj, &["uri", "guid", "id"]),
        headline: headline.unwrap_or_default(),
        dateline: str_field(obj, &["located"]),
        body: body.unwrap_or_default(),
        language: str_field(obj, &["language"]),
        published_at: str_field(obj, &["versioncreated", "firstcreated"]),
        source: ninjs_source(obj),
        version: version_field(obj),
        format: InputFormat::Ninjs1,
        original: Value::Null,
    })
}

fn ninjs_source(obj: &Map<String, Value>) -> Option<String> {
    str_field(obj, &["copyrightholder", "source"]).or_else(|| match obj.get("by") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    })
}

/// Picks the `value` of the entry whose role is `main` (else the first) from
/// a ninjs 2.x array such as `headlines` or `bodies`, preferring plain text.
fn ninjs2_pick(obj: &Map<String, Value>, key: &str) -> Option<String> {
    let entries = obj.get(key)?.as_array()?;
    let with_value: Vec<&Map<String, Value>> = entries
        .iter()
        .filter_map(Value::as_object)
        .filter(|e| {
            e.get("value")
                .and_then(Value::as_str)
                .is_some_and(|v| !v.trim().is_empty())
        })
        .collect();
    let rank = |e: &Map<String, Value>| {
        let main = e
            .get("role")
            .and_then(Value::as_str)
            .is_none_or(|r| r == "main");
        let plain = e
            .get("contenttype")
            .and_then(Value::as_str)
            .is_none_or(|c| c.starts_with("text/plain"));
        (!main as u8, !plain as u8)
    };
    let best = with_value.iter().min_by_key(|e| rank(e))?;
    let value = best.get("value")?.as_str()?.trim();
    let html = best
        .get("contenttype")
        .and_then(Value::as_str)
        .is_some_and(|c| c.contains("html"));
    Some(if html {
        html_to_text(value)
    } else {
        value.to_string()
    })
}

fn ninjs2(obj: &Map<String, Value>) -> Result<Article, DecodeError> {
    let headline = ninjs2_pick(obj, "headlines");
    let body = ninjs2_pick(obj, "bodies");
    if headline.is_none() && body.is_none() && !obj.contains_key("bodies") {
        return Err(not_article(obj));
    }
    let located = obj
        .get("places")
        .and_then(Value::as_array)
        .and_then(|p| p.first())
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Article {
        id: str_field(obj, &["uri", "id"]),
        headline: headline.unwrap_or_default(),
        dateline: str_field(obj, &["located"]).or(located),
        body: body.unwrap_or_default(),
        language: str_field(obj, &["language"]),
        published_at: str_field(obj, &["versioncreated", "firstcreated", "contentcreated"]),
        source: ninjs_source(obj),
        version: version_field(obj),
        format: InputFormat::Ninjs2,
        original: Value::Null,
    })
}

/// Turns HTML body markup into paragraphs of plain text: block tags become
/// line breaks, other tags vanish, the common entities are decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = rest[lt + 1..lt + gt]
            .trim_start_matches('/')
            .to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if matches!(
            name.as_str(),
            "p" | "br"
                | "div"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "li"
                | "tr"
                | "blockquote"
        ) {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    decoded
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| entity(&after[1..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Decodes a plain-text wire: first non-empty line is the headline; a short
/// following line carrying a date or desk is the dateline; the rest is body.
pub fn decode_text(text: &str) -> Result<Article, DecodeError> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(headline) = lines.next() else {
        return Err(DecodeError::new(
            Reason::EmptyBody,
            "the message is empty or only whitespace",
        ));
    };
    let mut rest: Vec<&str> = lines.collect();
    let dateline = match rest.first() {
        Some(line) if looks_like_dateline(line) => Some(rest.remove(0).to_string()),
        _ => None,
    };
    let article = Article {
        id: None,
        headline: headline.to_string(),
        dateline,
        body: rest.join("\n"),
        language: None,
        published_at: None,
        source: None,
        version: None,
        format: InputFormat::Text,
        original: serde_json::json!({ "text": text }),
    };
    check_body(article)
}

/// A dateline is short, does not end like a sentence, and carries a date
/// (digits such as `23/12/2024`) — e.g. `قسم الأخبار الدولية 23/12/2024`,
/// `PARIS, 3 mars 2025 (AFP)`.
fn looks_like_dateline(line: &str) -> bool {
    let chars = line.chars().count();
    let words = line.split_whitespace().count();
    let ends_sentence = line.ends_with(['.', '!', '?', '。', '؟', '！', '？']);
    let has_digit = line.chars().any(|c| c.is_numeric());
    chars <= 80 && words <= 12 && !ends_sentence && has_digit
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SEED: &str = include_str!("../tests/fixtures/seed/000_40ed42c7b675d2dc.txt");
    const MAX: usize = 1 << 20;

    #[test]
    fn seed_plain_text_splits_headline_dateline_body() {
        let a = decode(SEED.as_bytes(), MAX).unwrap();
        assert_eq!(a.format, InputFormat::Text);
        assert_eq!(
            a.headline,
            "بوتين يخطط لجولات دبلوماسية في يناير المقبل لتعزيز العلاقات الدولية"
        );
        assert_eq!(a.dateline.as_deref(), Some("قسم الأخبار الدولية 23/12/2024"));
        assert!(a.body.starts_with("أعلن الكرملين"));
        assert!(a.body.contains("خلفيات الزيارة وأهدافها"));
        assert_eq!(a.original["text"].as_str(), Some(SEED));
    }

    #[test]
    fn plain_text_without_dateline_keeps_second_line_in_body() {
        let a =
            decode_text("Quake hits Chile\nA strong earthquake struck central Chile on Monday.")
                .unwrap();
        assert_eq!(a.dateline, None);
        assert!(a.body.starts_with("A strong earthquake"));
    }

    #[test]
    fn ninjs1_reads_uri_headline_body_and_version() {
        let doc = r#"{"uri":"urn:newsml:afp.com:20261120:abc","version":"2","type":"text",
            "language":"fr","versioncreated":"2026-11-20T10:00:00Z","headline":"Séisme au Chili",
            "body_html":"<p>Un séisme a frappé le Chili &amp; l'Argentine.</p><p>Aucune victime.</p>",
            "located":"Santiago"}"#;
        let a = decode(doc.as_bytes(), MAX).unwrap();
        assert_eq!(a.format, InputFormat::Ninjs1);
        assert_eq!(a.id.as_deref(), Some("urn:newsml:afp.com:20261120:abc"));
        assert_eq!(a.version, Some(2));
        assert_eq!(
            a.body,
            "Un séisme a frappé le Chili & l'Argentine.\nAucune victime."
        );
        assert_eq!(a.dateline.as_deref(), Some("Santiago"));
        assert_eq!(a.language.as_deref(), Some("fr"));
    }

    #[test]
    fn ninjs2_picks_main_headline_and_plain_body() {
        let doc = r#"{"uri":"urn:x:1","version":"3","language":"ru",
            "headlines":[{"role":"short","value":"Кремль"},{"role":"main","value":"Кремль объявил о визите"}],
            "bodies":[{"role":"main","contenttype":"text/html","value":"<p>HTML</p>"},
                      {"role":"main","contenttype":"text/plain","value":"Москва, 20 ноября. Текст."}],
            "places":[{"name":"Москва"}]}"#;
        let a = decode(doc.as_bytes(), MAX).unwrap();
        assert_eq!(a.format, InputFormat::Ninjs2);
        assert_eq!(a.headline, "Кремль объявил о визите");
        assert_eq!(a.body, "Москва, 20 ноября. Текст.");
        assert_eq!(a.version, Some(3));
        assert_eq!(a.dateline.as_deref(), Some("Москва"));
    }

    #[test]
    fn flat_json_accepts_title_and_content_aliases() {
        let doc = r#"{"id":"x1","title":"中国经济增长放缓","content":"国家统计局周一公布数据。","source":"新华社"}"#;
        let a = decode(doc.as_bytes(), MAX).unwrap();
        assert_eq!(a.format, InputFormat::Flat);
        assert_eq!(a.id.as_deref(), Some("x1"));
        assert_eq!(a.headline, "中国经济增长放缓");
        assert_eq!(a.source.as_deref(), Some("新华社"));
    }

    #[test]
    fn bad_inputs_get_their_reason() {
        let cases: Vec<(&[u8], Reason)> = vec![
            (b"caf\xe9 au lait", Reason::InvalidUtf8),
            (b"{\"id\": 1,", Reason::InvalidJson),
            (b"[]", Reason::NotAnArticle),
            (b"42", Reason::NotAnArticle),
            (b"null", Reason::NotAnArticle),
            (b"\"just a string\"", Reason::NotAnArticle),
            (b"{\"foo\": 1}", Reason::NotAnArticle),
            (
                b"{\"id\":\"x\",\"headline\":\"h\",\"body\":\"\"}",
                Reason::EmptyBody,
            ),
            (b"{\"headline\":\"only a headline\"}", Reason::EmptyBody),
            (b"   \n\t ", Reason::EmptyBody),
            (b"Headline only", Reason::EmptyBody),
        ];
        for (bytes, reason) in cases {
            let err = decode(bytes, MAX).unwrap_err();
            assert_eq!(err.reason, reason, "{:?}", String::from_utf8_lossy(bytes));
            assert!(!err.detail.is_empty());
        }
        let err = decode(&[b'a'; 100], 99).unwrap_err();
        assert_eq!(err.reason, Reason::TooLarge);
        assert!(err.detail.contains("input.max_message_bytes"));
    }

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&bytes, MAX);
        }

        #[test]
        fn decoded_text_always_has_body(text in "\\PC{0,200}(\n\\PC{0,80}){0,5}") {
            if let Ok(a) = decode(text.as_bytes(), MAX) {
                prop_assert!(!a.body.trim().is_empty());
            }
        }

        #[test]
        fn html_to_text_never_keeps_tags(words in proptest::collection::vec("[a-zé ]{1,10}", 1..10)) {
            let html: String = words.iter().map(|w| format!("<p class=\"x\">{w}</p>")).collect();
            let text = html_to_text(&html);
            prop_assert!(!text.contains('<'));
        }
    }
}
