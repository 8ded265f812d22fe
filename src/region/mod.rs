//! Region tagging: countries (`places`) and UN M49 regions and desks
//! (`regions`) from a multilingual gazetteer.

use crate::enriched::{Place, RegionTag};
use crate::pipeline::ArticleText;

/// Tags an article with places and regions.
#[derive(Debug, Default)]
pub struct RegionTagger {}

impl RegionTagger {
    /// Places and regions of one article, highest score first.
    pub fn tag(&self, _text: &ArticleText<'_>) -> (Vec<Place>, Vec<RegionTag>) {
        (Vec::new(), Vec::new())
    }
}
