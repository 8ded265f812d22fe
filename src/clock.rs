//! Where `meta.processed_at` comes from: the system clock, or a fixed
//! time so that replays and offline runs are byte-identical.

/// The processing-time source.
#[derive(Debug, Clone)]
pub enum Clock {
    /// Now, in UTC.
    System,
    /// Always this RFC 3339 time.
    Fixed(String),
}

impl Clock {
    /// The current processing time, RFC 3339.
    pub fn now(&self) -> String {
        match self {
            Clock::System => {
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            }
            Clock::Fixed(t) => t.clone(),
        }
    }
}
