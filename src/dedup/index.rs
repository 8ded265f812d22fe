//! The dedup index: recent articles by fingerprint, bounded by a time
//! window and an entry cap (oldest evicted first).

use std::collections::{HashMap, VecDeque};

use super::{DedupDecision, DedupStatus, Fingerprint};

/// One remembered article.
#[derive(Debug, Clone)]
struct Entry {
    cluster: String,
    id: String,
    event_time: i64,
}

/// Recent articles, bounded by time window and entry count.
#[derive(Debug)]
pub struct DedupIndex {
    by_exact: HashMap<u64, Entry>,
    order: VecDeque<(i64, u64)>,
    window_secs: i64,
    max_entries: usize,
}

impl DedupIndex {
    /// An empty index remembering articles for `window_secs` of event time,
    /// at most `max_entries` of them.
    pub fn new(window_secs: i64, max_entries: usize) -> Self {
        DedupIndex {
            by_exact: HashMap::new(),
            order: VecDeque::new(),
            window_secs,
            max_entries,
        }
    }

    /// Number of remembered articles.
    pub fn len(&self) -> usize {
        self.by_exact.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.by_exact.is_empty()
    }

    /// Decides what the article is relative to those remembered, then
    /// remembers it. `event_time` is seconds since the epoch.
    pub fn observe(&mut self, id: &str, fp: &Fingerprint, event_time: i64) -> DedupDecision {
        self.expire(event_time);
        if let Some(entry) = self.by_exact.get(&fp.exact) {
            if entry.id != id {
                return DedupDecision {
                    status: DedupStatus::Duplicate,
                    of: Some(entry.id.clone()),
                    similarity: Some(1.0),
                    cluster: entry.cluster.clone(),
                };
            }
        }
        self.by_exact.insert(
            fp.exact,
            Entry {
                cluster: id.to_string(),
                id: id.to_string(),
                event_time,
            },
        );
        self.order.push_back((event_time, fp.exact));
        while self.by_exact.len() > self.max_entries {
            self.evict_oldest();
        }
        DedupDecision::original(id)
    }

    fn expire(&mut self, now: i64) {
        while let Some(&(t, _)) = self.order.front() {
            if now - t <= self.window_secs {
                break;
            }
            self.evict_oldest();
        }
    }

    fn evict_oldest(&mut self) {
        if let Some((t, key)) = self.order.pop_front() {
            if self.by_exact.get(&key).is_some_and(|e| e.event_time == t) {
                self.by_exact.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_copy_is_duplicate_of_first() {
        let mut idx = DedupIndex::new(3600, 10);
        let fp = Fingerprint::of("مرحبا بالعالم");
        assert_eq!(idx.observe("a", &fp, 0).status, DedupStatus::Original);
        let d = idx.observe("b", &fp, 10);
        assert_eq!(d.status, DedupStatus::Duplicate);
        assert_eq!(d.of.as_deref(), Some("a"));
        assert_eq!(d.cluster, "a");
    }

    #[test]
    fn entries_expire_by_event_time() {
        let mut idx = DedupIndex::new(60, 10);
        let fp = Fingerprint::of("text");
        idx.observe("a", &fp, 0);
        assert_eq!(idx.observe("b", &fp, 61).status, DedupStatus::Original);
    }

    #[test]
    fn cap_evicts_oldest_first() {
        let mut idx = DedupIndex::new(3600, 2);
        for (i, t) in ["one", "two", "three"].iter().enumerate() {
            idx.observe(t, &Fingerprint::of(t), i as i64);
        }
        assert_eq!(idx.len(), 2);
        assert_eq!(
            idx.observe("x", &Fingerprint::of("one"), 5).status,
            DedupStatus::Original
        );
        assert_eq!(
            idx.observe("y", &Fingerprint::of("three"), 5).status,
            DedupStatus::Duplicate
        );
    }
}
