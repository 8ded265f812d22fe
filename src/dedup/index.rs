//! The dedup index: recent articles by MinHash LSH bands, bounded by a
//! time window and an entry cap (oldest evicted first).
//!
//! Entries live in a slab; each band of each entry is linked into a chain
//! whose head is found by the band's hash, so an entry costs one map slot
//! and one `u32` per band rather than a vector per bucket.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::fingerprint::{containment, jaccard, MINHASH_SIZE};
use super::{DedupDecision, DedupStatus, Fingerprint};

/// LSH bands; with [`ROWS`] rows each, pairs with Jaccard 0.5 share a band
/// with probability 1 - (1 - 0.5²)⁸ ≈ 0.90, at 0.2 only ≈ 0.28.
pub const BANDS: usize = 8;
/// MinHash values per band.
pub const ROWS: usize = MINHASH_SIZE / BANDS;
const NONE: u32 = u32::MAX;
/// Entries examined per band chain, newest first. A story re-sent
/// thousands of times must not make every look-up walk all its copies.
const MAX_CHAIN_WALK: usize = 32;
/// A copy this close to what is remembered adds nothing to remember.
const REMEMBER_BELOW: f64 = 0.95;

/// Decision thresholds.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Containment at or above which a copy is a near-duplicate.
    pub near: f64,
    /// Containment at or above which a tagged article is an update.
    pub update: f64,
}

/// What the changelog carries for one remembered article: enough to
/// rebuild its entry on another instance or after a restart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remembered {
    /// Article id.
    pub id: String,
    /// Story cluster id (the first article of the group).
    pub cluster: String,
    /// Exact hash.
    pub exact: u64,
    /// MinHash signature.
    pub minhash: Vec<u32>,
    /// Distinct shingles.
    pub shingles: u32,
    /// Event time, seconds since the epoch.
    pub time: i64,
    /// ninjs version, 0 when none.
    #[serde(default)]
    pub version: u64,
}

/// One remembered article.
#[derive(Debug)]
struct Entry {
    id: Box<str>,
    /// Cluster id when it differs from `id`.
    cluster: Option<Box<str>>,
    exact: u64,
    minhash: [u32; MINHASH_SIZE],
    shingles: u32,
    time: i64,
    version: u64,
    next: [u32; BANDS],
}

impl Entry {
    fn cluster(&self) -> &str {
        self.cluster.as_deref().unwrap_or(&self.id)
    }
}

/// Recent articles, bounded by time window and entry count.
#[derive(Debug)]
pub struct DedupIndex {
    slots: Vec<Option<Entry>>,
    free: Vec<u32>,
    /// Band key → most recent slot with that band (chains continue in
    /// `Entry::next`). 32-bit keys: a collision only merges two chains,
    /// whose candidates are checked by similarity anyway.
    heads: FxHashMap<u32, u32>,
    order: VecDeque<(i64, u32)>,
    len: usize,
    window_secs: i64,
    max_entries: usize,
    thresholds: Thresholds,
}

fn band_key(minhash: &[u32; MINHASH_SIZE], band: usize) -> u32 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ band as u64;
    for v in &minhash[band * ROWS..(band + 1) * ROWS] {
        h = (h ^ *v as u64).wrapping_mul(0x0100_0000_01b3);
        h ^= h >> 29;
    }
    (h ^ (h >> 32)) as u32
}

impl DedupIndex {
    /// An empty index remembering articles for `window_secs` of event time,
    /// at most `max_entries` of them, with default thresholds.
    pub fn new(window_secs: i64, max_entries: usize) -> Self {
        Self::with_thresholds(
            window_secs,
            max_entries,
            Thresholds {
                near: 0.6,
                update: 0.3,
            },
        )
    }

    /// An empty index with explicit thresholds.
    pub fn with_thresholds(window_secs: i64, max_entries: usize, thresholds: Thresholds) -> Self {
        DedupIndex {
            slots: Vec::new(),
            free: Vec::new(),
            heads: FxHashMap::default(),
            order: VecDeque::new(),
            len: 0,
            window_secs,
            max_entries,
            thresholds,
        }
    }

    /// Number of remembered articles.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes held, estimated from capacities (ids counted by length).
    pub fn memory_bytes(&self) -> usize {
        let ids: usize = self
            .slots
            .iter()
            .flatten()
            .map(|e| e.id.len() + e.cluster.as_ref().map_or(0, |c| c.len()))
            .sum();
        self.slots.capacity() * std::mem::size_of::<Option<Entry>>()
            + self.free.capacity() * 4
            + self.heads.capacity() * (4 + 4 + 1) * 8 / 7
            + self.order.capacity() * std::mem::size_of::<(i64, u32)>()
            + ids
    }

    /// Decides what the article is relative to those remembered, then
    /// remembers it. Returns the decision and, when the index changed, the
    /// entry to write to the changelog.
    pub fn observe(
        &mut self,
        id: &str,
        fp: &Fingerprint,
        event_time: i64,
        version: Option<u64>,
    ) -> (DedupDecision, Option<Remembered>) {
        self.expire(event_time);
        let version = version.unwrap_or(0);
        let best = self.best_match(id, fp);
        let decision = match best {
            Some((slot, similarity)) => {
                let e = self.slots[slot as usize]
                    .as_ref()
                    .expect("candidate slots are live");
                let same_story_newer = e.id.as_ref() == id && version > e.version;
                let exact = e.exact == fp.exact;
                let status = if same_story_newer {
                    Some(DedupStatus::Update)
                } else if exact && fp.tag.is_none() {
                    Some(DedupStatus::Duplicate)
                } else if fp.tag.is_some() && similarity >= self.thresholds.update {
                    Some(DedupStatus::Update)
                } else if similarity >= self.thresholds.near {
                    Some(DedupStatus::NearDuplicate)
                } else {
                    None
                };
                status.map(|status| DedupDecision {
                    status,
                    of: Some(e.cluster().to_string()),
                    similarity: Some((similarity * 1000.0).round() / 1000.0),
                    cluster: e.cluster().to_string(),
                })
            }
            None => None,
        };
        let decision = decision.unwrap_or_else(|| DedupDecision::original(id));
        let near_identical = decision.similarity.is_some_and(|s| s >= REMEMBER_BELOW);
        if decision.status == DedupStatus::Duplicate
            || (decision.status == DedupStatus::NearDuplicate && near_identical)
        {
            // An identical or nearly identical text adds nothing to remember.
            return (decision, None);
        }
        let remembered = Remembered {
            id: id.to_string(),
            cluster: decision.cluster.clone(),
            exact: fp.exact,
            minhash: fp.minhash.to_vec(),
            shingles: fp.shingles,
            time: event_time,
            version,
        };
        self.insert(&remembered);
        (decision, Some(remembered))
    }

    /// The most similar remembered article sharing a band, with its
    /// containment similarity (1 for an exact match).
    fn best_match(&self, id: &str, fp: &Fingerprint) -> Option<(u32, f64)> {
        let mut best: Option<(u32, f64)> = None;
        let mut seen: Vec<u32> = Vec::new();
        for band in 0..BANDS {
            let mut slot = self
                .heads
                .get(&band_key(&fp.minhash, band))
                .copied()
                .unwrap_or(NONE);
            let mut walked = 0;
            while slot != NONE && walked < MAX_CHAIN_WALK {
                walked += 1;
                let e = self.slots[slot as usize]
                    .as_ref()
                    .expect("chained slots are live");
                if !seen.contains(&slot) {
                    seen.push(slot);
                    let similarity = if e.exact == fp.exact {
                        1.0
                    } else {
                        containment(jaccard(&e.minhash, &fp.minhash), e.shingles, fp.shingles)
                    };
                    // Prefer the earliest article among equals: it is the one copies point at.
                    let better = match best {
                        None => true,
                        Some((b, s)) => {
                            similarity > s || (similarity == s && e.time < self.time_of(b))
                        }
                    };
                    if better || (e.id.as_ref() == id && similarity >= self.thresholds.update) {
                        best = Some((slot, similarity));
                    }
                }
                slot = e.next[band];
            }
        }
        best
    }

    fn time_of(&self, slot: u32) -> i64 {
        self.slots[slot as usize]
            .as_ref()
            .map_or(i64::MAX, |e| e.time)
    }

    /// Adds an entry (from this instance or from the changelog). An entry
    /// with the same id and exact hash is not added twice.
    pub fn insert(&mut self, r: &Remembered) {
        let Ok(minhash) = <[u32; MINHASH_SIZE]>::try_from(r.minhash.as_slice()) else {
            return;
        };
        if let Some(&head) = self.heads.get(&band_key(&minhash, 0)) {
            let mut slot = head;
            while slot != NONE {
                let e = self.slots[slot as usize]
                    .as_ref()
                    .expect("chained slots are live");
                if e.exact == r.exact && e.id.as_ref() == r.id {
                    return;
                }
                slot = e.next[0];
            }
        }
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        let mut next = [NONE; BANDS];
        for (band, n) in next.iter_mut().enumerate() {
            let head = self.heads.entry(band_key(&minhash, band)).or_insert(NONE);
            *n = *head;
            *head = slot;
        }
        self.slots[slot as usize] = Some(Entry {
            cluster: (r.cluster != r.id).then(|| r.cluster.clone().into_boxed_str()),
            id: r.id.clone().into_boxed_str(),
            exact: r.exact,
            minhash,
            shingles: r.shingles,
            time: r.time,
            version: r.version,
            next,
        });
        self.order.push_back((r.time, slot));
        self.len += 1;
        while self.len > self.max_entries {
            self.evict_oldest();
        }
    }

    /// Forgets articles older than the window, measured from `now`.
    pub fn expire(&mut self, now: i64) {
        while let Some(&(t, _)) = self.order.front() {
            if now - t <= self.window_secs {
                break;
            }
            self.evict_oldest();
        }
    }

    fn evict_oldest(&mut self) {
        let Some((_, slot)) = self.order.pop_front() else {
            return;
        };
        let Some(entry) = self.slots[slot as usize].take() else {
            return;
        };
        for band in 0..BANDS {
            let key = band_key(&entry.minhash, band);
            let Some(head) = self.heads.get_mut(&key) else {
                continue;
            };
            if *head == slot {
                *head = entry.next[band];
                if *head == NONE {
                    self.heads.remove(&key);
                }
                continue;
            }
            let mut prev = *head;
            while prev != NONE {
                let next = self.slots[prev as usize]
                    .as_ref()
                    .map_or(NONE, |e| e.next[band]);
                if next == slot {
                    if let Some(p) = self.slots[prev as usize].as_mut() {
                        p.next[band] = entry.next[band];
                    }
                    break;
                }
                prev = next;
            }
        }
        self.free.push(slot);
        self.len -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "Oil prices fell on Monday as traders weighed rising inventories in the United States.\nBrent crude dropped 2 percent to 78 dollars a barrel by midday in London.\nAnalysts said demand in China remained weak after a slowdown in factory output.\nOPEC ministers are due to meet next week in Vienna to review output quotas.";

    fn fp(h: &str, b: &str) -> Fingerprint {
        Fingerprint::of(h, b)
    }

    fn index() -> DedupIndex {
        DedupIndex::new(3600, 100)
    }

    #[test]
    fn second_copy_is_duplicate_of_first() {
        let mut idx = index();
        let f = fp("Oil falls", STORY);
        assert_eq!(
            idx.observe("a", &f, 0, None).0.status,
            DedupStatus::Original
        );
        let (d, change) = idx.observe("b", &f, 10, None);
        assert_eq!(d.status, DedupStatus::Duplicate);
        assert_eq!(d.of.as_deref(), Some("a"));
        assert_eq!(d.cluster, "a");
        assert!(change.is_none());
    }

    #[test]
    fn shortened_copy_is_near_duplicate() {
        let mut idx = index();
        idx.observe("a", &fp("Oil falls", STORY), 0, None);
        let short = STORY.rsplit_once('\n').unwrap().0;
        let (d, _) = idx.observe("b", &fp("Oil prices slip", short), 5, None);
        assert_eq!(d.status, DedupStatus::NearDuplicate, "{d:?}");
        assert_eq!(d.of.as_deref(), Some("a"));
    }

    #[test]
    fn tagged_rewrite_is_update_and_joins_cluster() {
        let mut idx = index();
        idx.observe("a", &fp("Oil falls", STORY), 0, None);
        let updated = format!("Oil extended losses in late trade, dealers said.\n{STORY}");
        let (d, _) = idx.observe("b", &fp("UPDATE 1-Oil falls", &updated), 5, None);
        assert_eq!(d.status, DedupStatus::Update);
        assert_eq!(d.cluster, "a");
        let (d, _) = idx.observe("c", &fp("Oil falls further", &updated), 6, None);
        assert_eq!(
            d.cluster, "a",
            "copies of the update stay in the story cluster"
        );
    }

    #[test]
    fn same_uri_with_higher_version_is_update() {
        let mut idx = index();
        idx.observe("urn:1", &fp("Oil falls", STORY), 0, Some(1));
        let edited = STORY.replace("2 percent", "2.5 percent");
        let (d, _) = idx.observe("urn:1", &fp("Oil falls", &edited), 5, Some(2));
        assert_eq!(d.status, DedupStatus::Update);
    }

    #[test]
    fn a_different_story_on_the_same_subject_stays_original() {
        let mut idx = index();
        idx.observe("a", &fp("Oil falls", STORY), 0, None);
        let other = "Oil prices rose on Tuesday after OPEC signalled deeper cuts.\nWest Texas Intermediate gained 3 percent in New York trade.\nTraders pointed to falling stocks at the Cushing hub in Oklahoma.";
        assert_eq!(
            idx.observe("b", &fp("Oil rises", other), 5, None).0.status,
            DedupStatus::Original
        );
    }

    #[test]
    fn entries_expire_by_event_time() {
        let mut idx = DedupIndex::new(60, 10);
        let f = fp("h", STORY);
        idx.observe("a", &f, 0, None);
        assert_eq!(
            idx.observe("b", &f, 61, None).0.status,
            DedupStatus::Original
        );
        assert_eq!(idx.len(), 1);
    }

    #[test]
    fn cap_evicts_oldest_first_and_unlinks_chains() {
        let mut idx = DedupIndex::new(3600, 2);
        let bodies = [
            "alpha beta gamma delta",
            "epsilon zeta eta theta",
            "iota kappa lambda mu",
        ];
        for (i, b) in bodies.iter().enumerate() {
            idx.observe(&format!("id{i}"), &fp("", b), i as i64, None);
        }
        assert_eq!(idx.len(), 2);
        assert_eq!(
            idx.observe("x", &fp("", bodies[0]), 5, None).0.status,
            DedupStatus::Original
        );
        assert_eq!(
            idx.observe("y", &fp("", bodies[2]), 5, None).0.status,
            DedupStatus::Duplicate
        );
    }

    #[test]
    fn changelog_entries_rebuild_the_same_decisions() {
        let mut live = index();
        let (_, change) = live.observe("a", &fp("Oil falls", STORY), 0, None);
        let mut restored = index();
        restored.insert(&change.unwrap());
        let short = STORY.rsplit_once('\n').unwrap().0;
        let (d, _) = restored.observe("b", &fp("Oil", short), 5, None);
        assert_eq!(d.status, DedupStatus::NearDuplicate);
        assert_eq!(d.of.as_deref(), Some("a"));
    }
}
