//! From mentions to scores: where a name occurs (headline, dateline, lead,
//! body), what kind of name it is, and how many times, give each country a
//! weight; its score saturates with the weight and grows with its share of
//! the story. Regions and desks inherit from their countries and from
//! explicit mentions.

use std::collections::BTreeMap;

use super::gazetteer::{Gazetteer, NameKind};
use super::RegionSettings;
use crate::enriched::{Evidence, Place, PlaceRel, RegionTag};

/// Part of the article a mention was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// The headline.
    Headline,
    /// The dateline under the headline.
    Dateline,
    /// The first paragraph of the body.
    Lead,
    /// The rest of the body.
    Body,
}

impl Section {
    fn weight(self) -> f64 {
        match self {
            Section::Headline => 3.0,
            Section::Dateline => 3.0,
            Section::Lead => 2.0,
            Section::Body => 1.0,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Section::Headline => "headline",
            Section::Dateline => "dateline",
            Section::Lead => "lead",
            Section::Body => "body",
        }
    }
}

fn kind_weight(kind: NameKind) -> f64 {
    match kind {
        NameKind::Country | NameKind::Alias => 1.0,
        NameKind::Capital | NameKind::Metonym => 0.9,
        NameKind::Subdivision => 0.8,
        NameKind::City => 0.7,
        NameKind::Demonym => 0.7,
    }
}

/// One resolved mention.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Country code, or `None` for a region mention.
    pub country: Option<String>,
    /// Region or desk code for region mentions.
    pub region: Option<String>,
    /// Kind of name (regions count as `Country`).
    pub kind: NameKind,
    /// Where.
    pub section: Section,
    /// The matched form (match view).
    pub form: String,
}

impl Mention {
    /// A mention of a country.
    pub fn country(code: String, kind: NameKind, section: Section, form: &str) -> Self {
        Mention {
            country: Some(code),
            region: None,
            kind,
            section,
            form: form.to_string(),
        }
    }

    /// An explicit mention of a region or desk.
    pub fn region(code: String, section: Section, form: &str) -> Self {
        Mention {
            country: None,
            region: Some(code),
            kind: NameKind::Country,
            section,
            form: form.to_string(),
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    weight: f64,
    count: usize,
    prominent: bool,
    evidence: Vec<Evidence>,
}

fn tally(
    mentions: impl Iterator<Item = (String, NameKind, Section, String)>,
) -> BTreeMap<String, Tally> {
    let mut out: BTreeMap<String, Tally> = BTreeMap::new();
    for (code, kind, section, form) in mentions {
        let t = out.entry(code).or_default();
        // Repeats add less and less: the tenth mention is not ten times the first.
        t.weight += section.weight() * kind_weight(kind) / (1.0 + 0.25 * t.count as f64);
        t.count += 1;
        t.prominent |= matches!(section, Section::Headline | Section::Dateline);
        let ev = Evidence {
            form,
            section: section.name().to_string(),
        };
        if !t.evidence.contains(&ev) {
            t.evidence.push(ev);
        }
    }
    out
}

fn saturate(weight: f64) -> f64 {
    1.0 - (-weight / 2.5).exp()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Scores resolved mentions into places and regions, highest first.
pub fn score(
    g: &Gazetteer,
    mentions: &[Mention],
    settings: &RegionSettings,
) -> (Vec<Place>, Vec<RegionTag>) {
    let countries = tally(mentions.iter().filter_map(|m| {
        m.country
            .clone()
            .map(|c| (c, m.kind, m.section, m.form.clone()))
    }));
    let top = countries.values().map(|t| t.weight).fold(0.0, f64::max);
    let mut places: Vec<Place> = countries
        .into_iter()
        .filter_map(|(code, t)| {
            let share = if top > 0.0 { t.weight / top } else { 0.0 };
            let score = round3(saturate(t.weight) * (0.6 + 0.4 * share));
            if score < settings.min_score {
                return None;
            }
            let about = t.prominent || (share >= 0.5 && t.count >= 2) || share >= 0.999;
            let name = g
                .countries
                .get(&code)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            Some(Place {
                code,
                name,
                score,
                rel: if about {
                    PlaceRel::About
                } else {
                    PlaceRel::Mentioned
                },
                evidence: settings.evidence.then_some(t.evidence),
            })
        })
        .collect();
    places.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.code.cmp(&b.code))
    });

    let mut regions: BTreeMap<String, f64> = BTreeMap::new();
    let mut raise = |code: &str, s: f64| {
        if code.is_empty() {
            return;
        }
        let e = regions.entry(code.to_string()).or_insert(0.0);
        *e = e.max(s);
    };
    for p in &places {
        let s = if p.rel == PlaceRel::About {
            p.score
        } else {
            p.score * 0.5
        };
        if let Some(c) = g.countries.get(&p.code) {
            raise(&c.continent, s);
            raise(&c.subregion, s);
            for (desk_code, desk) in &g.desks {
                let in_desk = (desk.countries.contains(&p.code)
                    || desk
                        .regions
                        .iter()
                        .any(|r| *r == c.continent || *r == c.subregion))
                    && !desk.exclude.contains(&p.code);
                if in_desk {
                    raise(desk_code, s);
                }
            }
        }
    }
    let explicit = tally(mentions.iter().filter_map(|m| {
        m.region
            .clone()
            .map(|r| (r, m.kind, m.section, m.form.clone()))
    }));
    for (code, t) in explicit {
        let s = round3(saturate(t.weight) * 0.9);
        raise(&code, s);
        // A named sub-region implies its continent; a named desk is itself.
        if let Some((continent, _)) = code.split_once('/') {
            if continent != "desk" {
                raise(continent, s * 0.8);
            }
        }
    }
    let mut regions: Vec<RegionTag> = regions
        .into_iter()
        .filter(|(_, s)| *s >= settings.min_score)
        .map(|(code, score)| RegionTag {
            code,
            score: round3(score),
        })
        .collect();
    regions.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.code.cmp(&b.code))
    });
    (places, regions)
}
