//! Wire files: JSONL (one article per line, any supported JSON form) or a
//! plain-text file holding one article. Used by `enrich`, `produce`,
//! `replay --input` and `eval`.

use std::io::Read;
use std::path::Path;

/// One message read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireItem {
    /// The message bytes (one JSONL line, or the whole text file).
    pub bytes: Vec<u8>,
    /// 1-based line number (1 for a text file).
    pub line: usize,
}

/// Reads `path` (`-` for stdin) into messages.
pub fn read(path: &Path) -> std::io::Result<Vec<WireItem>> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    let jsonl_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "jsonl" | "ndjson" | "json"));
    Ok(split(bytes, jsonl_name))
}

/// Splits file content into messages: JSONL when the name says so or the
/// first non-blank byte is `{`, else one plain-text article.
pub fn split(bytes: Vec<u8>, jsonl_name: bool) -> Vec<WireItem> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let is_jsonl = jsonl_name || first == Some(&b'{');
    if !is_jsonl {
        return vec![WireItem { bytes, line: 1 }];
    }
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| line.iter().any(|b| !b.is_ascii_whitespace()))
        .map(|(i, line)| WireItem {
            bytes: line.strip_suffix(b"\r").unwrap_or(line).to_vec(),
            line: i + 1,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_lines_keep_their_numbers_and_skip_blanks() {
        let items = split(b"{\"a\":1}\n\n{\"b\":2}\r\n".to_vec(), false);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].line, 3);
        assert_eq!(items[1].bytes, b"{\"b\":2}");
    }

    #[test]
    fn plain_text_is_one_article() {
        let items = split("عنوان\nنص".as_bytes().to_vec(), false);
        assert_eq!(items.len(), 1);
    }
}
