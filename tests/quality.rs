//! Quality floors on the bundled multilingual fixtures (no Kafka): region
//! tagging, topic classification and dedup, scored with the same code as
//! `wiredesk eval`, and the seed article's expected reading. These fail
//! when a change to knowledge data or matching makes wiredesk worse.

use std::path::Path;
use std::sync::Arc;

use wiredesk::article::decode;
use wiredesk::config::Config;
use wiredesk::dedup::DedupIndex;
use wiredesk::eval::{evaluate, EvalReport};
use wiredesk::knowledge::{Knowledge, KnowledgeSource};
use wiredesk::pipeline::{Pipeline, SourceMeta};
use wiredesk::topic::labels::LabelMap;
use wiredesk::wirefile::{split, WireItem};

fn setup() -> (Config, Pipeline, LabelMap) {
    let config = Config::load(Some(Path::new("config/wiredesk.toml")), Vec::new()).expect("config");
    let pipeline = Pipeline::new(Arc::new(Knowledge::load(&config).expect("knowledge")));
    let source = KnowledgeSource::for_config(&config);
    let (name, text) = source
        .read(&config.raw.topic.dir.join("labels.toml"))
        .expect("labels.toml");
    (
        config,
        pipeline,
        LabelMap::parse(&name, &text).expect("labels"),
    )
}

fn fixtures(dir: &str) -> Vec<WireItem> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect(dir)
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .flat_map(|p| split(std::fs::read(p).expect("fixture"), true))
        .collect()
}

fn report(dir: &str) -> EvalReport {
    let (config, pipeline, map) = setup();
    evaluate(&config, &pipeline, &fixtures(dir), &map)
}

#[test]
fn region_fixtures_in_seven_languages_keep_their_f1() {
    let r = report("tests/fixtures/regions");
    let about = r.places_about.micro();
    assert!(
        about.f1() >= 0.85,
        "places about: P {:.3} R {:.3} F1 {:.3}",
        about.precision(),
        about.recall(),
        about.f1()
    );
}

#[test]
fn topic_fixtures_keep_top1_accuracy_in_every_language() {
    let r = report("tests/fixtures/topics");
    assert_eq!(
        r.topics.len(),
        7,
        "{:?}",
        r.topics.keys().collect::<Vec<_>>()
    );
    for (lang, s) in &r.topics {
        let accuracy = s.top1_correct as f64 / s.articles as f64;
        assert!(accuracy >= 0.75, "{lang}: top-1 accuracy {accuracy:.3}");
    }
}

#[test]
fn dedup_fixture_stream_is_resolved_with_no_false_flags() {
    let r = report("tests/fixtures/dedup");
    let d = r.dedup.expect("dedup labels");
    let c = d.counts();
    assert!(c.f1() >= 0.95, "dedup F1 {:.3}", c.f1());
    assert_eq!(
        d.originals_flagged, 0,
        "separately written stories must stay original"
    );
}

#[test]
fn seed_is_russian_politics_with_economy_and_conflict() {
    let (config, pipeline, _) = setup();
    let seed = std::fs::read("tests/fixtures/seed/000_40ed42c7b675d2dc.txt").unwrap();
    let mut index = DedupIndex::for_config(&config.raw);
    let record = pipeline.enrich(
        decode(&seed, 1 << 20).unwrap(),
        &SourceMeta::default(),
        &mut index,
        "2026-11-29T00:00:00Z",
    );
    assert_eq!(record.language, "ar");
    assert_eq!(record.places[0].code, "RU");
    let codes: Vec<&str> = record.places.iter().map(|p| p.code.as_str()).collect();
    for c in ["CN", "IR", "SA", "AE", "UA", "US"] {
        assert!(codes.contains(&c), "{c} in {codes:?}");
    }
    assert!(record.regions.iter().any(|r| r.code == "desk/middle-east"));
    assert_eq!(
        record.topics[0].code, "medtop:11000000",
        "{:?}",
        record.topics
    );
    let topics: Vec<&str> = record.topics.iter().map(|t| t.code.as_str()).collect();
    assert!(
        topics.contains(&"medtop:04000000") && topics.contains(&"medtop:16000000"),
        "{topics:?}"
    );
}
