//! Topic classification with the IPTC Media Topics.
//!
//! * [`taxonomy`]: the 17 top-level topics emitted.
//! * [`features`]: stems and hashed n-grams shared by both parts.
//! * [`lexicon`]: weighted cue terms per language — a baseline for every
//!   language and topic; [`compound`]: its cues inside German compounds.
//! * [`model`]: a trained linear model, where labelled news exists.
//!
//! The two are blended: the model where it was trained for the language
//! and knows the topic, the lexicon everywhere.

pub mod compound;
pub mod features;
pub mod labels;
pub mod lexicon;
pub mod model;
pub mod taxonomy;
pub mod train;

use std::collections::HashMap;
use std::sync::Arc;

use crate::enriched::TopicTag;
use crate::knowledge::KnowledgeError;
use crate::pipeline::ArticleText;
use crate::text::tokens::{Term, Tokenizer};
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
    /// The model's share in a topic's score grows with the training
    /// articles it had of that topic in the article's language:
    /// n / (n + `model_trust`). A few hundred articles teach less than a
    /// curated lexicon when `model_trust` is high (and teach their corpus's
    /// notion of a topic); thousands teach more.
    pub model_trust: f64,
    /// Topics the model never saw in the language are multiplied by
    /// 1 - `unseen_damping` × (mean model share) × (model's top probability).
    pub unseen_damping: f64,
    /// Languages where the model's blend replaces the lexicon's score of
    /// the topics it knows: a topic the lexicon found strong may sink, to
    /// the threshold at the lowest (still emitted). Elsewhere the model may
    /// only raise topics.
    pub model_overrules: Vec<String>,
}

/// Cues in the headline count this many times.
const HEADLINE_BOOST: u32 = 2;

/// The lexicon's score of each model class (`classes`: its taxonomy
/// index), the model's stacked inputs.
fn lexicon_inputs(scores: &[f64], classes: &[Option<usize>]) -> Vec<f32> {
    classes
        .iter()
        .map(|t| t.map_or(0.0, |t| scores[t] as f32))
        .collect()
}

/// A topic's new score, kept at the threshold if its old score was
/// emitted: a topic may be demoted in the ranking, not hidden.
fn keep_emitted(old: f64, new: f64, threshold: f64) -> f64 {
    if old >= threshold {
        new.max(threshold)
    } else {
        new
    }
}

/// Classifies articles into Media Topics.
pub struct TopicClassifier {
    topics: Vec<MediaTopic>,
    tokenizer: Tokenizer,
    lexicon: Arc<Lexicon>,
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
        let classifier = TopicClassifier {
            topics,
            tokenizer,
            lexicon: Arc::new(lexicon),
            model: None,
            settings,
        };
        match model {
            Some((path, text)) => classifier.with_model(Model::from_json(path, text)?),
            None => Ok(classifier),
        }
    }

    /// The same taxonomy and lexicons with another model.
    pub fn with_model(&self, model: Model) -> Result<TopicClassifier, KnowledgeError> {
        let map: Vec<Option<usize>> = model
            .classes
            .iter()
            .map(|c| self.topics.iter().position(|t| &t.code == c))
            .collect();
        let bad = |message: String| KnowledgeError::Parse {
            path: "topic model".into(),
            line: 0,
            message,
        };
        if let Some((class, _)) = model.classes.iter().zip(&map).find(|(_, i)| i.is_none()) {
            return Err(bad(format!("model class {class:?} is not in taxonomy.tsv")));
        }
        Ok(TopicClassifier {
            topics: self.topics.clone(),
            tokenizer: Tokenizer::default(),
            lexicon: self.lexicon.clone(),
            model: Some((model, map)),
            settings: self.settings.clone(),
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

    /// The terms of headline and body, in one sequence, and where the body
    /// starts.
    fn terms<'a>(&self, text: &ArticleText<'a>) -> (Vec<Term<'a>>, usize) {
        let mut terms =
            Vec::with_capacity((text.folded_headline.len() + text.folded_body.len()) / 6);
        self.tokenizer
            .terms_into(text.language, text.folded_headline, &mut terms);
        let body_start = terms.len();
        self.tokenizer
            .terms_into(text.language, text.folded_body, &mut terms);
        (terms, body_start)
    }

    /// The model's inputs for an article (for training): feature hashes,
    /// and the lexicon's score of each model class (`classes`: the
    /// taxonomy index of each).
    pub fn model_inputs(
        &self,
        text: &ArticleText<'_>,
        classes: &[Option<usize>],
    ) -> (Vec<u64>, Vec<f32>) {
        let (terms, body_start) = self.terms(text);
        let (scores, _) = self.lexicon_scores(text.language, &terms, body_start);
        (
            features::feature_hashes(&terms),
            lexicon_inputs(&scores, classes),
        )
    }

    /// The lexicon's score (0..1) of each topic, and the cues behind each.
    fn lexicon_scores(
        &self,
        language: &str,
        terms: &[Term<'_>],
        body_start: usize,
    ) -> (Vec<f64>, Vec<Vec<(f64, usize)>>) {
        let (headline, body) = terms.split_at(body_start);
        let mut counts = CueCounts::default();
        for _ in 0..HEADLINE_BOOST {
            self.lexicon.count(language, headline, &mut counts);
        }
        self.lexicon.count(language, body, &mut counts);
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
        let scores: Vec<f64> = raw
            .iter()
            .map(|&r| {
                if r > 0.0 {
                    (1.0 - (-r / 6.0).exp()) * (0.3 + 0.7 * r / top_raw)
                } else {
                    0.0
                }
            })
            .collect();
        (scores, strongest)
    }

    /// Topics of one article, highest score first.
    pub fn classify(&self, text: &ArticleText<'_>) -> Vec<TopicTag> {
        let (terms, body_start) = self.terms(text);
        let (mut scores, strongest) = self.lexicon_scores(text.language, &terms, body_start);
        if let Some((model, map)) = &self.model {
            if model.languages.iter().any(|l| l == text.language) {
                let probs = model.predict(
                    text.language,
                    &features::feature_hashes(&terms),
                    &lexicon_inputs(&scores, map),
                );
                let trained: Vec<usize> = (0..probs.len())
                    .map(|c| model.articles_in(text.language, c))
                    .collect();
                let mut mean_share = 0.0;
                let confidence = probs.iter().copied().fold(0.0f32, f32::max) as f64;
                let threshold = self.settings.threshold;
                let overrule = self
                    .settings
                    .model_overrules
                    .iter()
                    .any(|l| l == text.language);
                for (c, p) in probs.iter().enumerate() {
                    let n = trained[c] as f64;
                    let share = n / (n + self.settings.model_trust);
                    if let Some(t) = map[c] {
                        if n > 0.0 {
                            let blend = share * *p as f64 + (1.0 - share) * scores[t];
                            // Where the model's labels are the newsroom's
                            // (BBC News and BBC Afrique in English and
                            // French) its blend replaces the lexicon's score
                            // of the topics it knows: a technology company's
                            // results are technology, though the lexicon
                            // finds economy first. It never hides a topic
                            // the lexicon is sure of. Elsewhere it may raise
                            // a topic the lexicon found weak, never sink
                            // one: ANT's Arabic politics is local politics,
                            // and overruling made the seed (Russian
                            // diplomacy) economy.
                            scores[t] = if overrule {
                                keep_emitted(scores[t], blend, threshold)
                            } else {
                                scores[t].max(blend)
                            };
                            mean_share += share / probs.len() as f64;
                        }
                    }
                }
                // Topics the model never saw here compete on lexicon evidence,
                // damped as much as the model vouches for the others and is
                // sure of its answer: a weather story the model cannot place
                // keeps its lexicon score. Damping demotes such a topic in
                // the ranking but does not hide it: one the lexicon found
                // above the threshold stays emitted (at the threshold), as
                // the conflict in a story on Russian diplomacy.
                for (t, s) in scores.iter_mut().enumerate() {
                    let known = map
                        .iter()
                        .enumerate()
                        .any(|(c, m)| *m == Some(t) && trained[c] > 0);
                    if !known {
                        let damped =
                            *s * (1.0 - self.settings.unseen_damping * mean_share * confidence);
                        *s = keep_emitted(*s, damped, threshold);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::fold_pair;
    use train::Labelled;

    const TAXONOMY: &str = "code\tname\n\
        medtop:04000000\teconomy, business and finance\n\
        medtop:13000000\tscience and technology\n";
    const LEXICON: &str = "lang\ttopic\tweight\tterm\nen\tmedtop:04000000\t3\tprofits\n";

    /// A classifier with the lexicon alone: it knows only `profits`
    /// (economy).
    fn base(overrules: &[&str]) -> TopicClassifier {
        let settings = TopicSettings {
            threshold: 0.35,
            evidence: false,
            model_trust: 1.0,
            unseen_damping: 0.45,
            model_overrules: overrules.iter().map(|l| l.to_string()).collect(),
        };
        TopicClassifier::load(
            ("taxonomy.tsv", TAXONOMY),
            [("en.tsv", LEXICON)],
            None,
            settings,
        )
        .unwrap()
    }

    /// Articles of chips (technology) and banks (economy).
    fn labelled(n: usize) -> Vec<Labelled> {
        let article = |words: &str, topic: &str| Labelled {
            language: "en".into(),
            headline: words.into(),
            body: words.into(),
            topics: vec![topic.into()],
        };
        (0..n)
            .flat_map(|i| {
                [
                    article(
                        &format!("chips processors semiconductor chipmaker wafer {i}"),
                        "medtop:13000000",
                    ),
                    article(
                        &format!("bank loans interest rates inflation lender {i}"),
                        "medtop:04000000",
                    ),
                ]
            })
            .collect()
    }

    /// [`base`] with a model that learnt chips as technology and banks as
    /// economy.
    fn classifier(overrules: &[&str]) -> TopicClassifier {
        let base = base(overrules);
        let file = train::train(
            &base,
            &labelled(12),
            vec![],
            &model::TrainSettings::default(),
        );
        base.with_model(Model::from_file("m.json", file).unwrap())
            .unwrap()
    }

    #[test]
    fn cross_validation_trains_on_the_extra_data_and_scores_only_the_data() {
        // Two articles, two folds: each fold's own training has one class,
        // so only the extra articles can teach the other.
        let data = labelled(1);
        // Not the data's own articles: those would teach the fold that
        // scores them.
        let extra: Vec<Labelled> = labelled(20).into_iter().skip(2).collect();
        let cv = |extra: &[Labelled]| {
            let s = model::TrainSettings::default();
            train::cross_validate(&base(&[]), &data, extra, 2, &s).unwrap()
        };
        let with = cv(&extra);
        assert_eq!(with["en"].articles, 2);
        assert_eq!(with["en"].top1_correct, 2);
        assert!(cv(&[])["en"].top1_correct < 2);
    }

    #[test]
    fn extra_training_articles_that_repeat_the_data_are_left_out() {
        let data = labelled(2);
        let mut extra = labelled(1);
        extra.extend(labelled(3).into_iter().skip(4));
        let (kept, dropped) = train::without_repeats(extra, &data);
        assert_eq!(dropped, 2);
        assert_eq!(kept.len(), 2);
        assert!(kept.iter().all(|k| k.headline.ends_with('2')));
    }

    fn topics(c: &TopicClassifier) -> Vec<(String, f64)> {
        let (headline, body) = (
            "Chipmaker profits",
            "The chipmaker sold more chips, processors and wafers.",
        );
        let folded = fold_pair(headline, body);
        let text = ArticleText::new("en", headline, None, body, &folded);
        c.classify(&text)
            .into_iter()
            .map(|t| (t.code, t.score))
            .collect()
    }

    #[test]
    fn the_model_overrules_the_lexicon_only_where_configured() {
        // Overruling: technology first; economy, which the lexicon was sure
        // of, sinks to the threshold but is still emitted.
        let t = topics(&classifier(&["en"]));
        assert_eq!(t[0].0, "medtop:13000000", "{t:?}");
        assert_eq!(t[1], ("medtop:04000000".into(), 0.35), "{t:?}");
        // Elsewhere the model may raise technology but economy keeps the
        // lexicon's score.
        let t = topics(&classifier(&["fr"]));
        let economy = t.iter().find(|(c, _)| c == "medtop:04000000").unwrap();
        assert!(economy.1 > 0.5, "{t:?}");
    }
}
