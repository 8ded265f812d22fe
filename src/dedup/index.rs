//! The dedup index: recent articles by MinHash LSH bands, bounded by a
//! time window and an entry cap (oldest evicted first).
//!
//! Entries live in a slab; each band of each entry is linked into a chain
//! whose head sits in a per-band table indexed by the band's hash, so an
//! entry costs one `u32` link per band, and the tables one `u32` per
//! bucket (sized to the entry count, doubled as it grows). A bucket may hold
//! several band values; candidates are checked by similarity anyway.
//!
//! Memory per entry is kept small (the goal is 200 bytes): the
//! signature keeps 16 bits of each MinHash value, times are `u32` seconds,
//! and the rare cluster ids and versions live in side maps.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::fingerprint::{containment, jaccard, MINHASH_SIZE, SCHEME};
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
    /// The [`fingerprint::SCHEME`](super::fingerprint::SCHEME) the
    /// signature was made with (records without it are from scheme 1).
    #[serde(default = "first_scheme")]
    pub scheme: u8,
}

fn first_scheme() -> u8 {
    1
}

/// The signature kept per entry: the low 16 bits of each MinHash value. Two
/// different values agree by chance once in 65,536, which barely moves a
/// similarity estimate, and it halves the signature.
type Sig = [u16; MINHASH_SIZE];

fn narrow(minhash: &[u32; MINHASH_SIZE]) -> Sig {
    let mut out = [0u16; MINHASH_SIZE];
    for (o, v) in out.iter_mut().zip(minhash) {
        *o = *v as u16;
    }
    out
}

/// Seconds since the epoch as stored (`u32`: until 2106; earlier or
/// invalid times clamp to the range).
fn stored_time(t: i64) -> u32 {
    t.clamp(0, u32::MAX as i64) as u32
}

/// One remembered article.
#[derive(Debug)]
struct Entry {
    id: Box<str>,
    exact: u64,
    sig: Sig,
    next: [u32; BANDS],
    time: u32,
    shingles: u32,
}

/// Recent articles, bounded by time window and entry count.
#[derive(Debug)]
pub struct DedupIndex {
    slots: Vec<Option<Entry>>,
    free: Vec<u32>,
    /// `BANDS` tables of `1 << bits` chain heads each.
    heads: Vec<u32>,
    bits: u32,
    /// Cluster id of entries whose cluster is not their own id.
    clusters: FxHashMap<u32, Box<str>>,
    /// ninjs version of entries that had one.
    versions: FxHashMap<u32, u64>,
    /// (time, slot) in insertion order: eviction order.
    order: VecDeque<(u32, u32)>,
    len: usize,
    window_secs: i64,
    max_entries: usize,
    thresholds: Thresholds,
}

/// Heads per band of a new index.
const MIN_BITS: u32 = 10;

fn band_key(sig: &Sig, band: usize) -> u32 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ band as u64;
    for v in &sig[band * ROWS..(band + 1) * ROWS] {
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
            heads: vec![NONE; BANDS << MIN_BITS],
            bits: MIN_BITS,
            clusters: FxHashMap::default(),
            versions: FxHashMap::default(),
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

    /// Estimated bytes held: allocated capacity of every structure plus
    /// the id strings.
    pub fn memory_bytes(&self) -> usize {
        let ids: usize = self.slots.iter().flatten().map(|e| e.id.len()).sum();
        let clusters: usize = self.clusters.values().map(|c| c.len()).sum();
        self.slots.capacity() * std::mem::size_of::<Option<Entry>>()
            + self.free.capacity() * 4
            + self.heads.capacity() * 4
            + self.order.capacity() * std::mem::size_of::<(u32, u32)>()
            + self.clusters.capacity() * (4 + 16 + 1) * 8 / 7
            + self.versions.capacity() * (4 + 8 + 1) * 8 / 7
            + ids
            + clusters
    }

    fn bucket(&self, sig: &Sig, band: usize) -> usize {
        (band << self.bits) + (band_key(sig, band) as usize & ((1 << self.bits) - 1))
    }

    fn entry(&self, slot: u32) -> &Entry {
        self.slots[slot as usize]
            .as_ref()
            .expect("chained and ordered slots are live")
    }

    fn cluster_of(&self, slot: u32) -> &str {
        self.clusters
            .get(&slot)
            .map_or(&*self.entry(slot).id, |c| c)
    }

    fn version_of(&self, slot: u32) -> u64 {
        self.versions.get(&slot).copied().unwrap_or(0)
    }

    /// Decides what `fp` is relative to what is remembered, and remembers
    /// it unless it is an exact or near-identical copy. Returns the
    /// decision and what was remembered (for the changelog).
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
                let e = self.entry(slot);
                let same_story_newer = e.id.as_ref() == id && version > self.version_of(slot);
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
                    of: Some(self.cluster_of(slot).to_string()),
                    similarity: Some((similarity * 1000.0).round() / 1000.0),
                    cluster: self.cluster_of(slot).to_string(),
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
            scheme: SCHEME,
        };
        self.insert(&remembered);
        (decision, Some(remembered))
    }

    fn best_match(&self, id: &str, fp: &Fingerprint) -> Option<(u32, f64)> {
        let sig = narrow(&fp.minhash);
        let mut best: Option<(u32, f64)> = None;
        // An entry sharing several bands is scored once per band: cheaper
        // than remembering which were seen, and the result is the same.
        for band in 0..BANDS {
            for (slot, e) in self.chain(&sig, band) {
                let similarity = if e.exact == fp.exact {
                    1.0
                } else {
                    containment(jaccard(&e.sig, &sig), e.shingles, fp.shingles)
                };
                // Prefer the earliest article among equals: it is the one copies point at.
                let better = match best {
                    None => true,
                    Some((b, s)) => {
                        similarity > s || (similarity == s && e.time < self.entry(b).time)
                    }
                };
                if better || (e.id.as_ref() == id && similarity >= self.thresholds.update) {
                    best = Some((slot, similarity));
                }
            }
        }
        best
    }

    /// The newest entries of `sig`'s chain in `band`, at most
    /// [`MAX_CHAIN_WALK`] of them, with their slots.
    fn chain(&self, sig: &Sig, band: usize) -> impl Iterator<Item = (u32, &Entry)> + '_ {
        let mut slot = self.heads[self.bucket(sig, band)];
        std::iter::from_fn(move || {
            (slot != NONE).then(|| {
                let at = slot;
                let e = self.entry(at);
                slot = e.next[band];
                (at, e)
            })
        })
        .take(MAX_CHAIN_WALK)
    }

    /// Adds a remembered article (from [`DedupIndex::observe`] or the
    /// changelog). The same article twice is kept once (when it is among
    /// the newest of its band chain). Returns false for an entry that
    /// cannot be compared: a signature of the wrong size or of another
    /// fingerprint scheme.
    pub fn insert(&mut self, r: &Remembered) -> bool {
        if r.scheme != SCHEME {
            return false;
        }
        let Ok(minhash) = <[u32; MINHASH_SIZE]>::try_from(r.minhash.as_slice()) else {
            return false;
        };
        let sig = narrow(&minhash);
        if self
            .chain(&sig, 0)
            .any(|(_, e)| e.exact == r.exact && e.id.as_ref() == r.id)
        {
            return true;
        }
        if self.len >= 1 << self.bits {
            self.grow();
        }
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        let time = stored_time(r.time);
        self.slots[slot as usize] = Some(Entry {
            id: r.id.clone().into_boxed_str(),
            exact: r.exact,
            sig,
            next: [NONE; BANDS],
            time,
            shingles: r.shingles,
        });
        self.link(slot);
        if r.cluster != r.id {
            self.clusters
                .insert(slot, r.cluster.clone().into_boxed_str());
        }
        if r.version != 0 {
            self.versions.insert(slot, r.version);
        }
        self.order.push_back((time, slot));
        self.len += 1;
        while self.len > self.max_entries {
            self.evict_oldest();
        }
        true
    }

    /// Puts `slot` at the head of its chain in every band.
    fn link(&mut self, slot: u32) {
        let sig = self.entry(slot).sig;
        for band in 0..BANDS {
            let b = self.bucket(&sig, band);
            let head = self.heads[b];
            if let Some(e) = self.slots[slot as usize].as_mut() {
                e.next[band] = head;
            }
            self.heads[b] = slot;
        }
    }

    /// Doubles the head tables and relinks every entry, oldest first, so
    /// chains stay newest first.
    fn grow(&mut self) {
        self.bits += 1;
        self.heads = vec![NONE; BANDS << self.bits];
        let slots: Vec<u32> = self.order.iter().map(|(_, s)| *s).collect();
        for slot in slots {
            self.link(slot);
        }
    }

    /// Forgets articles older than the window, relative to `now`.
    pub fn expire(&mut self, now: i64) {
        while let Some(&(t, _)) = self.order.front() {
            if now - t as i64 <= self.window_secs {
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
            let b = self.bucket(&entry.sig, band);
            if self.heads[b] == slot {
                self.heads[b] = entry.next[band];
                continue;
            }
            let mut prev = self.heads[b];
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
        self.clusters.remove(&slot);
        self.versions.remove(&slot);
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

    /// A remembered article with a pseudo-random signature.
    fn synthetic(i: u64) -> Remembered {
        let mut x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x1234_5678;
        let minhash = (0..MINHASH_SIZE)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u32
            })
            .collect();
        Remembered {
            id: format!("id-{i}"),
            cluster: format!("id-{i}"),
            exact: i,
            minhash,
            shingles: 300,
            time: 1_000 + i as i64,
            version: 0,
            scheme: SCHEME,
        }
    }

    /// The fingerprint a remembered article was made from.
    fn fingerprint_of(r: &Remembered) -> Fingerprint {
        Fingerprint {
            exact: r.exact,
            minhash: r.minhash.clone().try_into().unwrap(),
            shingles: r.shingles,
            tag: None,
        }
    }

    #[test]
    fn tables_grow_and_the_cap_evicts_oldest_first() {
        let mut idx = DedupIndex::new(1 << 40, 3_000);
        for i in 0..5_000 {
            idx.insert(&synthetic(i));
        }
        assert_eq!(idx.len(), 3_000);
        // A copy of a kept article is found after several table doublings.
        let (d, _) = idx.observe("copy", &fingerprint_of(&synthetic(4_321)), 10_000, None);
        assert_eq!(d.status, DedupStatus::Duplicate);
        assert_eq!(d.of.as_deref(), Some("id-4321"));
        // An evicted one is not.
        let fp = fingerprint_of(&synthetic(5));
        assert_eq!(
            idx.observe("late", &fp, 10_000, None).0.status,
            DedupStatus::Original
        );
        let per_entry = idx.memory_bytes() / idx.len();
        assert!(per_entry < 300, "{per_entry} bytes per entry");
    }

    #[test]
    fn entries_of_another_fingerprint_scheme_are_skipped() {
        let mut idx = index();
        let old = Remembered {
            scheme: 1,
            ..synthetic(1)
        };
        assert!(!idx.insert(&old));
        assert!(idx.is_empty());
        let json = serde_json::to_string(&synthetic(2)).unwrap();
        let without: String = json.replace(&format!(",\"scheme\":{SCHEME}"), "");
        let parsed: Remembered = serde_json::from_str(&without).unwrap();
        assert_eq!(
            parsed.scheme, 1,
            "records from before the field are scheme 1"
        );
        assert!(idx.insert(&synthetic(2)));
        assert_eq!(idx.len(), 1);
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
