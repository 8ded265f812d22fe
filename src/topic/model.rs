//! The trained part: multinomial logistic regression over hashed word
//! features (character bigrams for Chinese) and the lexicon's score of each
//! class, learnt by SGD with a
//! seeded shuffle so training is deterministic. The model file is JSON and
//! records what it was trained on.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::knowledge::KnowledgeError;

/// Feature rows whose weights are all smaller than this are dropped from
/// the model file: they barely move a score and would triple its size.
const PRUNE_BELOW: f32 = 0.05;

/// Format tag written into model files.
/// Format 3: word unigrams of stem hashes (see [`super::features`]) and
/// the lexicon's score of each class as inputs (stacking). Files of
/// formats 1 and 2 were trained on other features and are refused.
pub const FORMAT: &str = "wiredesk-topic-logreg-3";

/// Where a model came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    /// Training files and their article counts.
    pub files: Vec<(String, usize)>,
    /// Articles used.
    pub articles: usize,
    /// Articles per class.
    pub per_class: Vec<(String, usize)>,
    /// Shuffle seed.
    pub seed: u64,
    /// Passes over the data.
    pub epochs: u32,
    /// wiredesk version that trained it.
    pub wiredesk_version: String,
}

/// The model file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Class QCodes, in weight order.
    pub classes: Vec<String>,
    /// Languages it was trained on; it is not applied to others.
    pub languages: Vec<String>,
    /// Classes seen in training, per language: a French article is never
    /// given a class only Arabic data taught.
    #[serde(default)]
    pub classes_by_language: Vec<(String, Vec<usize>)>,
    /// Training articles per language and class (counts in class order):
    /// how much the model is trusted for a topic in a language.
    #[serde(default)]
    pub articles_by_language: Vec<(String, Vec<usize>)>,
    /// Hash space size.
    pub dim: u32,
    /// Provenance.
    pub trained_on: Provenance,
    /// Bias per class.
    pub bias: Vec<f32>,
    /// Sparse weights: (feature, weight per class).
    pub weights: Vec<(u32, Vec<f32>)>,
    /// Weights of the lexicon inputs (the lexicon's score of each class,
    /// in class order): one row of per-class weights for each input.
    /// Absent from files of earlier formats, which parse and are then
    /// refused by format with advice to retrain.
    #[serde(default)]
    pub lexicon_weights: Vec<Vec<f32>>,
}

/// A loaded model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Class QCodes.
    pub classes: Vec<String>,
    /// Languages it applies to.
    pub languages: Vec<String>,
    classes_by_language: HashMap<String, Vec<usize>>,
    articles_by_language: HashMap<String, Vec<usize>>,
    dim: u32,
    bias: Vec<f32>,
    /// Feature → offset of its row in `rows`, or [`NO_ROW`]: a dense array,
    /// one load per feature instead of a hash probe (the model is looked
    /// up ~1,000 times per article).
    weights: Vec<u32>,
    /// Weight rows, `classes.len()` values each.
    rows: Vec<f32>,
    /// Lexicon input weights, `classes.len()` per input.
    lexicon_rows: Vec<f32>,
}

/// One labelled training example.
#[derive(Debug, Clone)]
pub struct Example {
    /// Language of the article.
    pub language: String,
    /// Feature hashes of headline and body
    /// ([`super::features::feature_hashes`]).
    pub features: Vec<u64>,
    /// The lexicon's score (0..1) of each class, in class order.
    pub lexicon: Vec<f32>,
    /// Class index.
    pub class: usize,
}

/// Marks a feature without a weight row in [`Model`]'s dense index.
const NO_ROW: u32 = u32::MAX;
/// Largest feature space a model may use: its dense index takes 4 bytes
/// per feature (64 MiB here).
const MAX_DIM: u32 = 1 << 24;

/// Feature vector: (index, value), L2-normalised log term frequencies.
/// Repeats are counted in an open-addressed table sized from the input
/// rather than by sorting: an English article has ~1,200 feature hashes,
/// and sorting them cost more than the model's dot products. The order of
/// the result is the table's, the same for the same input.
fn vectorise(hashes: &[u64], dim: u32) -> Vec<(u32, f32)> {
    // Never an index: dim <= MAX_DIM.
    const EMPTY: u32 = u32::MAX;
    // At most two-thirds full even if every feature were distinct, so
    // probes stay short; articles repeat their words, so it is far less
    // full (an English article: ~1,200 hashes, ~500 distinct, 2,048 slots).
    let size = (hashes.len() * 3 / 2 + 1).next_power_of_two().max(16);
    let shift = 64 - size.trailing_zeros();
    let mut slots: Vec<(u32, u32)> = vec![(EMPTY, 0); size];
    // `%` by a run-time u64 is a slow division per feature; the dims in
    // use are powers of two, where a mask gives the same index.
    let mask = dim as u64 - 1;
    let pow2 = dim.is_power_of_two();
    for &h in hashes {
        let f = if pow2 { h & mask } else { h % dim as u64 } as u32;
        let mut i = ((f as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
        loop {
            let slot = &mut slots[i];
            if slot.0 == f {
                slot.1 += 1;
                break;
            }
            if slot.0 == EMPTY {
                *slot = (f, 1);
                break;
            }
            i = (i + 1) & (size - 1);
        }
    }
    let mut v: Vec<(u32, f32)> = slots
        .into_iter()
        .filter(|s| s.0 != EMPTY)
        // 1 + ln n, without the logarithm for the many features seen once.
        .map(|(f, n)| (f, if n == 1 { 1.0 } else { 1.0 + (n as f32).ln() }))
        .collect();
    let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt().max(1e-6);
    for (_, x) in &mut v {
        *x /= norm;
    }
    v
}

fn softmax(logits: &mut [f32]) {
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let mut sum = 0.0;
    for l in logits.iter_mut() {
        *l = (*l - max).exp();
        sum += *l;
    }
    for l in logits.iter_mut() {
        *l /= sum;
    }
}

/// A small deterministic generator for the shuffle (xorshift64*).
struct Shuffle(u64);

impl Shuffle {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainSettings {
    /// Passes over the data.
    pub epochs: u32,
    /// Shuffle seed.
    pub seed: u64,
    /// Hash space size.
    pub dim: u32,
    /// Initial learning rate.
    pub learning_rate: f32,
    /// L2 penalty.
    pub l2: f32,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            epochs: 12,
            seed: 42,
            dim: 1 << 19,
            learning_rate: 0.5,
            l2: 1e-6,
        }
    }
}

impl Model {
    /// Trains on examples; `classes[i]` names class index `i`.
    pub fn train(
        examples: &[Example],
        classes: Vec<String>,
        settings: &TrainSettings,
        provenance: Provenance,
    ) -> ModelFile {
        let k = classes.len();
        // Stacked inputs: the lexicon's score of each class, k × k weights.
        let mut lw = vec![0f32; k * k];
        let dim = settings.dim;
        let vectors: Vec<Vec<(u32, f32)>> = examples
            .iter()
            .map(|e| vectorise(&e.features, dim))
            .collect();
        let mut w = vec![0f32; dim as usize * k];
        let mut bias = vec![0f32; k];
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = Shuffle(settings.seed.max(1));
        let mut probs = vec![0f32; k];
        // Balanced class weights: a topic with few articles in a language
        // (414 politics against 2,962 economy in the Arabic corpus) is not
        // drowned by the frequent ones.
        let mut per_class_language: HashMap<(usize, &str), f32> = HashMap::new();
        let mut per_language: HashMap<&str, f32> = HashMap::new();
        for e in examples {
            *per_class_language
                .entry((e.class, e.language.as_str()))
                .or_default() += 1.0;
            *per_language.entry(e.language.as_str()).or_default() += 1.0;
        }
        let classes_in = |lang: &str| {
            per_class_language
                .keys()
                .filter(|(_, l)| *l == lang)
                .count() as f32
        };
        let weight: Vec<f32> = examples
            .iter()
            .map(|e| {
                let n = per_class_language[&(e.class, e.language.as_str())];
                (per_language[e.language.as_str()] / (classes_in(&e.language) * n)).clamp(0.2, 5.0)
            })
            .collect();
        for epoch in 0..settings.epochs {
            rng.shuffle(&mut order);
            let lr = settings.learning_rate / (1.0 + epoch as f32);
            for &i in &order {
                let x = &vectors[i];
                probs.copy_from_slice(&bias);
                let lex = &examples[i].lexicon;
                for (j, &v) in lex.iter().enumerate().take(k) {
                    for c in 0..k {
                        probs[c] += lw[j * k + c] * v;
                    }
                }
                for &(f, v) in x {
                    let row = &w[f as usize * k..f as usize * k + k];
                    for c in 0..k {
                        probs[c] += row[c] * v;
                    }
                }
                softmax(&mut probs);
                for c in 0..k {
                    let g = weight[i] * (probs[c] - if c == examples[i].class { 1.0 } else { 0.0 });
                    bias[c] -= lr * g;
                    for (j, &v) in lex.iter().enumerate().take(k) {
                        let wi = &mut lw[j * k + c];
                        *wi -= lr * (g * v + settings.l2 * *wi);
                    }
                    for &(f, v) in x {
                        let wi = &mut w[f as usize * k + c];
                        *wi -= lr * (g * v + settings.l2 * *wi);
                    }
                }
            }
        }
        let mut weights = Vec::new();
        for f in 0..dim as usize {
            let row = &w[f * k..f * k + k];
            if row.iter().any(|x| x.abs() > PRUNE_BELOW) {
                weights.push((
                    f as u32,
                    row.iter().map(|x| (x * 1e3).round() / 1e3).collect(),
                ));
            }
        }
        let mut by_language: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        let mut articles: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for e in examples {
            articles
                .entry(e.language.clone())
                .or_insert_with(|| vec![0; k])[e.class] += 1;
            let seen = by_language.entry(e.language.clone()).or_default();
            if !seen.contains(&e.class) {
                seen.push(e.class);
            }
        }
        for seen in by_language.values_mut() {
            seen.sort_unstable();
        }
        ModelFile {
            format: FORMAT.into(),
            classes,
            languages: by_language.keys().cloned().collect(),
            classes_by_language: by_language.into_iter().collect(),
            articles_by_language: articles.into_iter().collect(),
            dim,
            trained_on: provenance,
            bias: bias.iter().map(|x| (x * 1e4).round() / 1e4).collect(),
            weights,
            lexicon_weights: lw
                .chunks(k)
                .map(|row| row.iter().map(|x| (x * 1e4).round() / 1e4).collect())
                .collect(),
        }
    }

    /// Loads a model file.
    pub fn from_json(path: &str, text: &str) -> Result<Model, KnowledgeError> {
        let file: ModelFile = serde_json::from_str(text).map_err(|e| KnowledgeError::Parse {
            path: path.into(),
            line: e.line(),
            message: format!("not a wiredesk topic model: {e}"),
        })?;
        Model::from_file(path, file)
    }

    /// Checks and indexes a model file.
    pub fn from_file(path: &str, file: ModelFile) -> Result<Model, KnowledgeError> {
        let k = file.classes.len();
        let bad = |message: String| KnowledgeError::Parse {
            path: path.into(),
            line: 0,
            message,
        };
        if file.format != FORMAT {
            return Err(bad(format!(
                "format {:?}, expected {FORMAT:?}; retrain with `wiredesk train`",
                file.format
            )));
        }
        if file.dim > MAX_DIM {
            return Err(bad(format!(
                "feature space of {} is larger than {MAX_DIM}; retrain with a smaller dim",
                file.dim
            )));
        }
        if k == 0 || file.bias.len() != k || file.dim == 0 {
            return Err(bad(
                "model has no classes or a bias of the wrong length".into()
            ));
        }
        if let Some((f, _)) = file
            .weights
            .iter()
            .find(|(f, row)| row.len() != k || *f >= file.dim)
        {
            return Err(bad(format!("weight row {f} has the wrong length or index")));
        }
        if file.lexicon_weights.len() != k || file.lexicon_weights.iter().any(|r| r.len() != k) {
            return Err(bad(format!(
                "lexicon weights are not {k} rows of {k} (one per class)"
            )));
        }
        if let Some((lang, _)) = file
            .classes_by_language
            .iter()
            .find(|(_, cs)| cs.iter().any(|c| *c >= k))
        {
            return Err(bad(format!(
                "classes of language {lang:?} point past the class list"
            )));
        }
        Ok(Model {
            classes: file.classes,
            languages: file.languages,
            classes_by_language: file.classes_by_language.into_iter().collect(),
            articles_by_language: file.articles_by_language.into_iter().collect(),
            dim: file.dim,
            bias: file.bias,
            weights: {
                let mut index = vec![NO_ROW; file.dim as usize];
                for (i, (f, _)) in file.weights.iter().enumerate() {
                    index[*f as usize] = (i * k) as u32;
                }
                index
            },
            rows: file.weights.into_iter().flat_map(|(_, row)| row).collect(),
            lexicon_rows: file.lexicon_weights.into_iter().flatten().collect(),
        })
    }

    /// Training articles seen for a class in a language.
    pub fn articles_in(&self, language: &str, class: usize) -> usize {
        self.articles_by_language
            .get(language)
            .and_then(|v| v.get(class))
            .copied()
            .unwrap_or(0)
    }

    /// Class probabilities for the feature hashes and the lexicon's score
    /// of each class (in class order) of an article in `language`;
    /// classes the language never had in training get 0.
    pub fn predict(&self, language: &str, features: &[u64], lexicon: &[f32]) -> Vec<f32> {
        let k = self.classes.len();
        let mut logits = self.bias.clone();
        for (row, &v) in self.lexicon_rows.chunks(k).zip(lexicon) {
            for c in 0..k {
                logits[c] += row[c] * v;
            }
        }
        for (f, v) in vectorise(features, self.dim) {
            let at = self.weights[f as usize];
            if at != NO_ROW {
                let row = &self.rows[at as usize..at as usize + k];
                for c in 0..k {
                    logits[c] += row[c] * v;
                }
            }
        }
        if let Some(seen) = self.classes_by_language.get(language) {
            for (c, l) in logits.iter_mut().enumerate() {
                if !seen.contains(&c) {
                    *l = f32::NEG_INFINITY;
                }
            }
        }
        softmax(&mut logits);
        logits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(words: &str) -> Vec<u64> {
        let tk = crate::text::Tokenizer::default();
        let folded = crate::text::fold(words);
        super::super::features::feature_hashes(&tk.terms("en", &folded))
    }

    fn ex(words: &str, class: usize) -> Example {
        Example {
            language: "en".into(),
            features: features(words),
            lexicon: vec![],
            class,
        }
    }

    fn provenance() -> Provenance {
        Provenance {
            files: vec![],
            articles: 4,
            per_class: vec![],
            seed: 7,
            epochs: 5,
            wiredesk_version: "test".into(),
        }
    }

    #[test]
    fn learns_separable_classes_and_round_trips() {
        let data = vec![
            ex("goal match league", 0),
            ex("coach match striker", 0),
            ex("vote parliament minister", 1),
            ex("election minister party", 1),
        ];
        let s = TrainSettings {
            dim: 1 << 12,
            ..TrainSettings::default()
        };
        let file = Model::train(
            &data,
            vec!["sport".into(), "politics".into()],
            &s,
            provenance(),
        );
        let json = serde_json::to_string(&file).unwrap();
        let m = Model::from_json("m.json", &json).unwrap();
        let p = m.predict("en", &features("match league"), &[]);
        assert!(p[0] > 0.6, "{p:?}");
        let p = m.predict("en", &features("minister"), &[]);
        assert!(p[1] > 0.6, "{p:?}");
    }

    #[test]
    fn training_is_deterministic() {
        let data = vec![ex("aa bb", 0), ex("cc dd", 1), ex("aa dd", 0)];
        let s = TrainSettings {
            dim: 1 << 10,
            ..TrainSettings::default()
        };
        let a = serde_json::to_string(&Model::train(
            &data,
            vec!["x".into(), "y".into()],
            &s,
            provenance(),
        ))
        .unwrap();
        let b = serde_json::to_string(&Model::train(
            &data,
            vec!["x".into(), "y".into()],
            &s,
            provenance(),
        ))
        .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn learns_from_lexicon_inputs_when_words_do_not_tell() {
        let with = |class: usize, lexicon: Vec<f32>| Example {
            lexicon,
            ..ex("same words here", class)
        };
        let data = vec![
            with(0, vec![0.9, 0.1]),
            with(1, vec![0.1, 0.9]),
            with(0, vec![0.8, 0.0]),
            with(1, vec![0.0, 0.8]),
        ];
        let s = TrainSettings {
            dim: 1 << 10,
            epochs: 30,
            ..TrainSettings::default()
        };
        let file = Model::train(&data, vec!["a".into(), "b".into()], &s, provenance());
        assert_eq!(file.lexicon_weights.len(), 2);
        let m = Model::from_file("m.json", file.clone()).unwrap();
        let words = features("same words here");
        assert!(m.predict("en", &words, &[0.9, 0.0])[0] > 0.6);
        assert!(m.predict("en", &words, &[0.0, 0.9])[1] > 0.6);
        // A lexicon weight matrix of the wrong shape is refused.
        let mut bad = file;
        bad.lexicon_weights.pop();
        let err = Model::from_file("m.json", bad).unwrap_err();
        assert!(err.to_string().contains("one per class"), "{err}");
    }

    #[test]
    fn wrong_format_is_rejected_with_advice() {
        let err = Model::from_json("m.json", r#"{"format":"other","classes":[],"languages":[],"classes_by_language":[],"articles_by_language":[],"dim":1,"trained_on":{"files":[],"articles":0,"per_class":[],"seed":1,"epochs":1,"wiredesk_version":"x"},"bias":[],"weights":[]}"#).unwrap_err();
        assert!(err.to_string().contains("wiredesk train"), "{err}");
    }
}
