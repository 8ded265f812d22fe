//! Topic classification with the IPTC Media Topics.
//!
//! * [`taxonomy`]: the 17 top-level topics emitted.
//! * [`features`]: stems and hashed n-grams shared by both parts.
//! * [`lexicon`]: weighted cue terms per language — a baseline for every
//!   language and topic.
//! * [`model`]: a trained linear model, where labelled news exists.
//!
//! The two are blended: the model where it was trained for the language
//! and knows the topic, the lexicon everywhere.

pub mod features;
pub mod lexicon;
pub mod model;
pub mod taxonomy;

use std::collections::HashMap;

use crate::enriched::TopicTag;
use crate::knowledge::KnowledgeError;
use crate::pipeline::ArticleText;
use crate::text::tokens::Tokenizer;
use lexicon::{CueCounts, Lexicon};
use model::Model;
use taxonomy::MediaTopic;

/// Settings of the topic stage.
#[derive(Debug, Clone)]
pub struct TopicSettings {
    /// Topics below this score are not emitted (the top one always is).
    pub threshold: f64,
    /// Emit the strongest cues.
    pub evidence: bool,
}

/// Weight of the model in the blend, for topics it knows.
const MODEL_SHARE: f64 = 0.6;
/// Cues in the headline count this many times.
const HEADLINE_BOOST: u32 = 2;

/// Classifies articles into Media Topics.
pub struct TopicClassifier {
    topics: Vec<MediaTopic>,
    tokenizer: Tokenizer,
    lexicon: Lexicon,
    model: Option<(Model, Vec<Option<usize>>)>,
    settings: TopicSettings,
}

impl std::fmt::Debug for TopicClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TopicClassifier({} topics, model: {})",
            self.topics.len(),
            self.model.is_some()
        )
    }
}

impl TopicClassifier {
    /// Loads taxonomy, lexicon files and an optional model file
    /// (each given as (name for messages, text)).
    pub fn load<'a>(
        taxonomy: (&str, &str),
        lexicons: impl IntoIterator<Item = (&'a str, &'a str)>,
        model: Option<(&str, &str)>,
        settings: TopicSettings,
    ) -> Result<TopicClassifier, KnowledgeError> {
        let topics = taxonomy::parse(taxonomy.0, taxonomy.1)?;
        let index: HashMap<String, usize> = topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.code.clone(), i))
            .collect();
        let tokenizer = Tokenizer::default();
        let lexicon = Lexicon::compile(&tokenizer, lexicons, &index)?;
        let model = match model {
            Some((path, text)) => {
                let m = Model::from_json(path, text)?;
                let map = m
                    .classes
                    .iter()
                    .map(|c| index.get(c).copied())
                    .collect::<Vec<_>>();
                if let Some(unknown) = m.classes.iter().zip(&map).find(|(_, i)| i.is_none()) {
                    return Err(KnowledgeError::Parse {
                        path: path.into(),
                        line: 0,
                        message: format!("model class {:?} is not in taxonomy.tsv", unknown.0),
                    });
                }
                Some((m, map))
            }
            None => None,
        };
        Ok(TopicClassifier {
            topics,
            tokenizer,
            lexicon,
            model,
            settings,
        })
    }

    /// The taxonomy.
    pub fn topics(&self) -> &[MediaTopic] {
        &self.topics
    }

    /// The tokenizer (shared with training so features agree).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Topics of one article, highest score first.
    pub fn classify(&self, text: &ArticleText<'_>) -> Vec<TopicTag> {
        let headline = features::stems(&self.tokenizer, text.language, text.headline);
        let body = features::stems(&self.tokenizer, text.language, text.body);
        let mut counts = CueCounts::new();
        for _ in 0..HEADLINE_BOOST {
            self.lexicon.count(text.language, &headline, &mut counts);
        }
        self.lexicon.count(text.language, &body, &mut counts);
        let mut raw = vec![0.0f64; self.topics.len()];
        let mut strongest: Vec<Vec<(f64, usize)>> = vec![Vec::new(); self.topics.len()];
        for (&id, &n) in &counts {
            let cue = self.lexicon.cue(id);
            // Repeats add with diminishing returns.
            let contribution = cue.weight * (1.0 + (n as f64).ln());
            raw[cue.topic] += contribution;
            strongest[cue.topic].push((contribution, id));
        }
        let top_raw = raw.iter().copied().fold(0.0, f64::max);
        let mut scores: Vec<f64> = raw
            .iter()
            .map(|&r| {
                if r > 0.0 {
                    (1.0 - (-r / 6.0).exp()) * (0.3 + 0.7 * r / top_raw)
                } else {
                    0.0
                }
            })
            .collect();
        if let Some((model, map)) = &self.model {
            if model.languages.iter().any(|l| l == text.language) {
                let mut stems = headline.clone();
                stems.extend(body.iter().cloned());
                let probs = model.predict(&stems);
                let mut known = vec![false; self.topics.len()];
                for (c, p) in probs.iter().enumerate() {
                    if let Some(t) = map[c] {
                        known[t] = true;
                        scores[t] = MODEL_SHARE * *p as f64 + (1.0 - MODEL_SHARE) * scores[t];
                    }
                }
                for (t, s) in scores.iter_mut().enumerate() {
                    if !known[t] {
                        *s *= 1.0 - MODEL_SHARE / 2.0;
                    }
                }
            }
        }
        let mut order: Vec<usize> = (0..self.topics.len())
            .filter(|&t| scores[t] > 0.0)
            .collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        order
            .iter()
            .enumerate()
            .filter(|(rank, &t)| *rank == 0 || scores[t] >= self.settings.threshold)
            .map(|(_, &t)| TopicTag {
                code: self.topics[t].code.clone(),
                name: self.topics[t].name.clone(),
                score: (scores[t] * 1000.0).round() / 1000.0,
                evidence: self.settings.evidence.then(|| {
                    let mut cues = strongest[t].clone();
                    cues.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                    cues.iter()
                        .take(3)
                        .map(|(_, id)| self.lexicon.cue(*id).term.clone())
                        .collect()
                }),
            })
            .collect()
    }
}
