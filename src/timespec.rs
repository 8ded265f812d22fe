//! Times given on the command line (`--since`, `--until`): an RFC 3339
//! time, or a time relative to now such as `-24h`, `-90m`, `-7d`, `now`.

/// A time argument that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{value:?} is not a time: use RFC 3339 (2026-11-29T06:00:00Z) or a time relative to now such as -24h, -90m, -7d, -30s or now")]
pub struct TimeSpecError {
    /// The argument as given.
    pub value: String,
}

/// Milliseconds since the Unix epoch for `spec`, relative times counted
/// back from `now_ms`.
pub fn parse_time(spec: &str, now_ms: i64) -> Result<i64, TimeSpecError> {
    let err = || TimeSpecError {
        value: spec.to_string(),
    };
    let s = spec.trim();
    if s == "now" {
        return Ok(now_ms);
    }
    if let Some(rel) = s.strip_prefix('-') {
        let unit_at = rel
            .find(|c: char| !c.is_ascii_digit())
            .filter(|&i| i > 0)
            .ok_or_else(err)?;
        let (digits, unit) = rel.split_at(unit_at);
        let n: i64 = digits.parse().map_err(|_| err())?;
        let unit_ms: i64 = match unit {
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            _ => return Err(err()),
        };
        return n
            .checked_mul(unit_ms)
            .and_then(|back| now_ms.checked_sub(back))
            .ok_or_else(err);
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|_| err())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_795_000_000_000;

    #[test]
    fn absolute_and_relative_times() {
        assert_eq!(
            parse_time("2026-11-29T06:00:00Z", NOW).unwrap(),
            1_795_932_000_000
        );
        assert_eq!(
            parse_time("2026-11-29T08:00:00+02:00", NOW).unwrap(),
            1_795_932_000_000
        );
        assert_eq!(parse_time("-24h", NOW).unwrap(), NOW - 86_400_000);
        assert_eq!(parse_time("-90m", NOW).unwrap(), NOW - 5_400_000);
        assert_eq!(parse_time("-7d", NOW).unwrap(), NOW - 604_800_000);
        assert_eq!(parse_time("now", NOW).unwrap(), NOW);
    }

    #[test]
    fn rejects_what_it_cannot_read_with_the_accepted_forms() {
        for bad in [
            "",
            "-",
            "-h",
            "-5y",
            "24h",
            "yesterday",
            "2026-11-29",
            "-99999999999999999d",
        ] {
            let e = parse_time(bad, NOW).unwrap_err().to_string();
            assert!(e.contains("RFC 3339") && e.contains("-24h"), "{bad}: {e}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = parse_time(&s, NOW);
        }

        #[test]
        fn relative_hours_round_trip(h in 0i64..100_000) {
            prop_assert_eq!(parse_time(&format!("-{h}h"), NOW).unwrap(), NOW - h * 3_600_000);
        }
    }
}
