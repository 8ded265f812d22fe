//! Topic classification with IPTC Media Topics.

use crate::enriched::TopicTag;
use crate::pipeline::ArticleText;

/// Classifies an article into Media Topics.
#[derive(Debug, Default)]
pub struct TopicClassifier {}

impl TopicClassifier {
    /// Topics of one article, highest score first.
    pub fn classify(&self, _text: &ArticleText<'_>) -> Vec<TopicTag> {
        Vec::new()
    }
}
