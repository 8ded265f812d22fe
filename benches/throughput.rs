//! Throughput and memory of the pure stages (no Kafka):
//! * topic classification alone, one core: the article set (3.8 KB on
//!   average), the same cut to 3,000 bytes, and that on text already
//!   folded (as the pipeline passes it);
//! * topic model load time;
//! * fingerprint + index look-up with 1,000,000 entries in the index, and
//!   the index's memory per entry;
//! * changelog restore cost: parsing and inserting 1,000,000 entries;
//! * the whole pipeline (decode + enrich) per article.
//!
//! Run with `cargo bench --bench throughput`. Figures are medians of 5 runs.
//! `WIREDESK_BENCH_ONLY=fold|topic|region|dedup|pipeline` runs one stage;
//! `WIREDESK_BENCH_ARTICLES=N` (default 20,000) and
//! `WIREDESK_BENCH_LANGUAGE=en` shrink the article set, e.g. to run under
//! `valgrind --tool=cachegrind`, whose instruction counts do not vary with
//! the machine's load the way wall time does here.

use std::sync::Arc;
use std::time::Instant;

use wiredesk::article::decode;
use wiredesk::config::Config;
use wiredesk::dedup::fingerprint::MINHASH_SIZE;
use wiredesk::dedup::index::Remembered;
use wiredesk::dedup::{DedupIndex, Fingerprint};
use wiredesk::knowledge::Knowledge;
use wiredesk::pipeline::{fold_pair, ArticleText, Pipeline, SourceMeta};

/// ~3 KB articles in seven languages, built from the fixture wires.
fn articles(n: usize) -> Vec<(String, String, String)> {
    let mut docs = Vec::new();
    for lang in ["ar", "en", "fr", "es", "ru", "zh", "de"] {
        if std::env::var("WIREDESK_BENCH_LANGUAGE").is_ok_and(|l| l != lang) {
            continue;
        }
        let text = std::fs::read_to_string(format!("tests/fixtures/wires/{lang}.jsonl"))
            .expect("run from the repository root");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for (i, d) in lines.iter().enumerate() {
            let mut body = String::new();
            let mut k = i;
            while body.len() < 3000 {
                body.push_str(lines[k % lines.len()]["body"].as_str().unwrap());
                body.push('\n');
                k += 1;
            }
            docs.push((
                lang.to_string(),
                d["headline"].as_str().unwrap().to_string(),
                body,
            ));
        }
    }
    (0..n)
        .map(|i| {
            let (l, h, b) = &docs[i % docs.len()];
            (l.clone(), h.clone(), format!("{b}Ref {i}."))
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        // Built and started by `cargo test --all-targets`: nothing to measure there.
        return;
    }
    let config = Config::load(
        Some(std::path::Path::new("config/wiredesk.toml")),
        Vec::new(),
    )
    .expect("config");
    let t = Instant::now();
    let knowledge = Arc::new(Knowledge::load(&config).expect("knowledge"));
    println!(
        "knowledge load (gazetteer, lexicons, model): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let model_path = std::path::Path::new("config/models/topics.json");
    let text = std::fs::read_to_string(model_path).unwrap();
    let t = Instant::now();
    let _m = wiredesk::topic::model::Model::from_json("topics.json", &text).unwrap();
    println!(
        "topic model load: {:.3} s ({} MB)",
        t.elapsed().as_secs_f64(),
        text.len() / 1_000_000
    );

    // `WIREDESK_BENCH_ONLY=topic|region|dedup|pipeline` runs one stage,
    // for `perf record`.
    let only = std::env::var("WIREDESK_BENCH_ONLY").ok();
    let stage = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let n = std::env::var("WIREDESK_BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let docs = articles(n);
    let avg = docs
        .iter()
        .map(|(_, h, b)| h.len() + b.len())
        .sum::<usize>()
        / n;
    println!("{n} articles, average {avg} bytes");

    if stage("fold") {
        fold(&docs);
    }
    if stage("topic") {
        topic(&knowledge, &docs);
    }
    if stage("region") {
        region(&knowledge, &docs);
    }
    if stage("dedup") {
        dedup(&docs);
    }
    if stage("pipeline") {
        pipeline(&config, knowledge, &docs);
    }
}

type Docs = [(String, String, String)];

/// Folding, shared by every stage, per language.
fn fold(docs: &Docs) {
    let mut line = Vec::new();
    for lang in ["ar", "en", "fr", "es", "ru", "zh", "de"] {
        let bodies: Vec<&str> = docs
            .iter()
            .filter(|(l, _, _)| l == lang)
            .map(|(_, _, b)| b.as_str())
            .collect();
        let bytes: usize = bodies.iter().map(|b| b.len()).sum();
        let runs: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                for b in &bodies {
                    std::hint::black_box(wiredesk::text::fold(b));
                }
                bytes as f64 / 1e6 / t.elapsed().as_secs_f64()
            })
            .collect();
        line.push(format!("{lang} {:.0}", median(runs)));
    }
    println!("folding, MB/s: {}", line.join(", "));
}

/// Topics of every article, `runs` times: articles/s of each run. Each
/// article is folded inside the timing unless `folded` gives it already
/// folded (as the pipeline passes it).
fn classify_runs(
    knowledge: &Knowledge,
    docs: &[&(String, String, String)],
    folded: Option<&[(String, String)]>,
    runs: usize,
) -> Vec<f64> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            for (i, (lang, h, b)) in docs.iter().enumerate() {
                let own;
                let f = match folded {
                    Some(f) => &f[i],
                    None => {
                        own = fold_pair(h, b);
                        &own
                    }
                };
                let text = ArticleText::new(lang, h, None, b, f);
                std::hint::black_box(knowledge.topics.classify(&text));
            }
            docs.len() as f64 / t.elapsed().as_secs_f64()
        })
        .collect()
}

fn topic(knowledge: &Knowledge, docs: &Docs) {
    let all: Vec<_> = docs.iter().collect();
    let report = |label: &str, runs: Vec<f64>| {
        println!(
            "{label}: median {:.0} articles/s (runs {:?})",
            median(runs.clone()),
            runs.iter().map(|r| *r as u64).collect::<Vec<_>>()
        )
    };
    report(
        "topic classification",
        classify_runs(knowledge, &all, None, 5),
    );
    // The same articles cut to 3,000 bytes (at a char boundary), the size
    // the speed goal names; the set above averages more.
    let cut: Vec<(String, String, String)> = docs
        .iter()
        .map(|(l, h, b)| {
            let mut end = 3000usize.saturating_sub(h.len()).min(b.len());
            while !b.is_char_boundary(end) {
                end -= 1;
            }
            (l.clone(), h.clone(), b[..end].to_string())
        })
        .collect();
    let cut: Vec<_> = cut.iter().collect();
    report(
        "topic classification, articles cut to 3,000 bytes",
        classify_runs(knowledge, &cut, None, 5),
    );
    // The stage's own cost in the service: the pipeline folds each article
    // once for region tagging, topics and dedup.
    let folded: Vec<(String, String)> = cut.iter().map(|(_, h, b)| fold_pair(h, b)).collect();
    report(
        "topic classification, 3,000 bytes, text the pipeline has already folded",
        classify_runs(knowledge, &cut, Some(&folded), 5),
    );
    // Folding alone, the difference between the two lines above.
    report(
        "folding alone, the same 3,000-byte articles",
        (0..5)
            .map(|_| {
                let t = Instant::now();
                for (_, h, b) in &cut {
                    std::hint::black_box(fold_pair(h, b));
                }
                cut.len() as f64 / t.elapsed().as_secs_f64()
            })
            .collect(),
    );
    // Per language: those with a trained model (en, fr, ar) cost more.
    let mut line = Vec::new();
    for lang in ["ar", "en", "fr", "es", "ru", "zh", "de"] {
        let some: Vec<_> = docs.iter().filter(|d| d.0 == lang).collect();
        let runs = classify_runs(knowledge, &some, None, 3);
        line.push(format!("{lang} {:.0}", median(runs)));
    }
    println!(
        "topic classification by language, articles/s: {}",
        line.join(", ")
    );
}

fn region(knowledge: &Knowledge, docs: &Docs) {
    let n = docs.len();
    let runs: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            for (lang, h, b) in docs {
                let folded = fold_pair(h, b);
                let text = ArticleText::new(lang, h, None, b, &folded);
                std::hint::black_box(knowledge.regions.tag(&text));
            }
            n as f64 / t.elapsed().as_secs_f64()
        })
        .collect();
    println!("region tagging: median {:.0} articles/s", median(runs));
}

fn dedup(docs: &Docs) {
    let n = docs.len();

    // Dedup index with 1,000,000 remembered articles.
    let before = rss_kib();
    let mut index = DedupIndex::with_thresholds(
        i64::MAX / 4,
        2_000_000,
        wiredesk::dedup::index::Thresholds {
            near: 0.6,
            update: 0.3,
        },
    );
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let entries: Vec<String> = (0..1_000_000u64)
        .map(|i| {
            let r = Remembered {
                id: format!("urn:newsml:wire:2026:{i:08}"),
                cluster: format!("urn:newsml:wire:2026:{i:08}"),
                exact: next(),
                minhash: (0..MINHASH_SIZE).map(|_| next() as u32).collect(),
                shingles: 400,
                time: 1_790_000_000 + i as i64,
                version: 0,
                scheme: wiredesk::dedup::fingerprint::SCHEME,
            };
            serde_json::to_string(&r).unwrap()
        })
        .collect();
    let t = Instant::now();
    for line in &entries {
        let r: Remembered = serde_json::from_str(line).unwrap();
        index.insert(&r);
    }
    let restore = t.elapsed().as_secs_f64();
    let after = rss_kib();
    println!(
        "changelog restore (parse + insert) of 1,000,000 entries: {restore:.2} s; index {} entries, {:.0} bytes/entry by capacity, {:.0} bytes/entry by RSS growth (ids of 29 bytes)",
        index.len(),
        index.memory_bytes() as f64 / index.len() as f64,
        (after.saturating_sub(before) as f64 * 1024.0 - entries.iter().map(|e| e.capacity() as f64).sum::<f64>()).max(0.0) / index.len() as f64
    );
    drop(entries);
    // Three timed passes of `fingerprint` + look-up over every article,
    // each under fresh ids so every pass looks up and inserts.
    let mut timed = |label: &str, fingerprint: &dyn Fn(usize) -> Fingerprint| {
        let runs: Vec<f64> = (0..3)
            .map(|r| {
                let t = Instant::now();
                for i in 0..n {
                    let fp = fingerprint(i);
                    std::hint::black_box(index.observe(
                        &format!("bench-{label}-{r}-{i}"),
                        &fp,
                        1_791_000_000,
                        None,
                    ));
                }
                n as f64 / t.elapsed().as_secs_f64()
            })
            .collect();
        println!(
            "{label} + index look-up, 1M entries: median {:.0} articles/s",
            median(runs)
        );
    };
    timed("fingerprint", &|i| Fingerprint::of(&docs[i].1, &docs[i].2));
    // In the pipeline the body is folded once for every stage; here the
    // fold is done before the clock starts, to show dedup's own share.
    let folded: Vec<String> = docs
        .iter()
        .map(|(_, _, b)| wiredesk::text::fold(b))
        .collect();
    timed("fingerprint of the pipeline's folded body", &|i| {
        Fingerprint::of_folded(&docs[i].1, &folded[i])
    });
}

fn pipeline(config: &Config, knowledge: Arc<Knowledge>, docs: &Docs) {
    let n = docs.len();
    let pipeline = Pipeline::new(knowledge);
    let raw: Vec<Vec<u8>> = docs
        .iter()
        .enumerate()
        .map(|(i, (l, h, b))| serde_json::to_vec(&serde_json::json!({"id": format!("p{i}"), "language": l, "headline": h, "body": b})).unwrap())
        .collect();
    let runs: Vec<f64> = (0..3)
        .map(|_| {
            let mut index = DedupIndex::for_config(&config.raw);
            let t = Instant::now();
            for bytes in &raw {
                let a = decode(bytes, 1 << 20).unwrap();
                std::hint::black_box(
                    serde_json::to_vec(&pipeline.enrich(
                        a,
                        &SourceMeta::default(),
                        &mut index,
                        "2026-11-29T00:00:00Z",
                    ))
                    .unwrap(),
                );
            }
            n as f64 / t.elapsed().as_secs_f64()
        })
        .collect();
    println!(
        "whole pipeline (decode + enrich + serialise): median {:.0} articles/s",
        median(runs)
    );
}
