//! `wiredesk train`: learn the topic model from labelled articles, and
//! estimate how the whole classifier (lexicon + model) does on articles it
//! was not trained on, by k-fold cross-validation.

use std::collections::BTreeMap;

use super::labels::LabelMap;
use super::model::{Example, Model, ModelFile, Provenance, TrainSettings};
use super::TopicClassifier;
use crate::article::decode;
use crate::enriched::VERSION;
use crate::eval::{labels_of, TopicScores};
use crate::pipeline::{fold_pair, ArticleText};
use crate::text::detect_language;
use crate::wirefile::WireItem;

/// One labelled article ready for training and scoring.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// ISO 639-1 language.
    pub language: String,
    /// NFC headline.
    pub headline: String,
    /// NFC body.
    pub body: String,
    /// Gold QCodes, main first.
    pub topics: Vec<String>,
}

/// Reads labelled articles from files; those without a mappable topic
/// label or that do not decode are skipped and counted.
pub fn read_labelled(
    files: &[(String, Vec<WireItem>)],
    map: &LabelMap,
) -> (Vec<Labelled>, Vec<(String, usize)>, usize) {
    let mut out = Vec::new();
    let mut per_file = Vec::new();
    let mut skipped = 0;
    for (name, items) in files {
        let before = out.len();
        for item in items {
            let labels = labels_of(&item.bytes, map);
            let (Some(topics), Ok(article)) = (
                labels.topics.filter(|t| !t.is_empty()),
                decode(&item.bytes, usize::MAX),
            ) else {
                skipped += 1;
                continue;
            };
            let headline = crate::text::nfc(&article.headline);
            let body = crate::text::nfc(&article.body);
            let language = detect_language(article.language.as_deref(), &headline, &body);
            out.push(Labelled {
                language,
                headline,
                body,
                topics,
            });
        }
        per_file.push((name.clone(), out.len() - before));
    }
    (out, per_file, skipped)
}

/// `extra` without the articles `data` already has (same headline and
/// body), and how many were dropped: an article in both would be trained
/// on in the fold that scores it.
pub fn without_repeats(extra: Vec<Labelled>, data: &[Labelled]) -> (Vec<Labelled>, usize) {
    let seen: std::collections::HashSet<(&str, &str)> = data
        .iter()
        .map(|d| (d.headline.as_str(), d.body.as_str()))
        .collect();
    let before = extra.len();
    let kept: Vec<Labelled> = extra
        .into_iter()
        .filter(|e| !seen.contains(&(e.headline.as_str(), e.body.as_str())))
        .collect();
    let dropped = before - kept.len();
    (kept, dropped)
}

fn classes_of(data: &[Labelled]) -> Vec<String> {
    let mut c: Vec<String> = data.iter().map(|d| d.topics[0].clone()).collect();
    c.sort();
    c.dedup();
    c
}

/// Trains a model file on `data` (the main topic of each article).
pub fn train(
    classifier: &TopicClassifier,
    data: &[Labelled],
    files: Vec<(String, usize)>,
    settings: &TrainSettings,
) -> ModelFile {
    let classes = classes_of(data);
    // Labels map to taxonomy codes (labels.toml), so every class has a
    // topic; one that has not is given no lexicon input.
    let topics: Vec<Option<usize>> = classes
        .iter()
        .map(|c| classifier.topics().iter().position(|t| &t.code == c))
        .collect();
    let examples: Vec<Example> = data
        .iter()
        .map(|d| {
            let folded = fold_pair(&d.headline, &d.body);
            let text = ArticleText::new(&d.language, &d.headline, None, &d.body, &folded);
            let (features, lexicon) = classifier.model_inputs(&text, &topics);
            Example {
                language: d.language.clone(),
                features,
                lexicon,
                class: classes.binary_search(&d.topics[0]).unwrap_or(0),
            }
        })
        .collect();
    let mut per_class: BTreeMap<String, usize> = BTreeMap::new();
    for d in data {
        *per_class.entry(d.topics[0].clone()).or_default() += 1;
    }
    let provenance = Provenance {
        files,
        articles: data.len(),
        per_class: per_class.into_iter().collect(),
        seed: settings.seed,
        epochs: settings.epochs,
        wiredesk_version: VERSION.into(),
    };
    Model::train(&examples, classes, settings, provenance)
}

/// K-fold cross-validation of lexicon + model: each article of `data` is
/// classified by a model trained without it. `train_only` (data of
/// another source) joins every fold's training set and is never scored,
/// so the figures stay those of `data`'s kind of news. Returns scores per
/// language.
pub fn cross_validate(
    classifier: &TopicClassifier,
    data: &[Labelled],
    train_only: &[Labelled],
    folds: usize,
    settings: &TrainSettings,
) -> Result<BTreeMap<String, TopicScores>, crate::knowledge::KnowledgeError> {
    let mut scores: BTreeMap<String, TopicScores> = BTreeMap::new();
    for fold in 0..folds {
        let train_set: Vec<Labelled> = data
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, d)| d)
            .chain(train_only)
            .cloned()
            .collect();
        let file = train(classifier, &train_set, vec![], settings);
        let fold_classifier = classifier.with_model(Model::from_file("cross-validation", file)?)?;
        for d in data
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds == fold)
            .map(|(_, d)| d)
        {
            let folded = fold_pair(&d.headline, &d.body);
            let text = ArticleText::new(&d.language, &d.headline, None, &d.body, &folded);
            let topics = fold_classifier.classify(&text);
            scores
                .entry(d.language.clone())
                .or_default()
                .add(&d.topics, &topics);
        }
    }
    Ok(scores)
}
