//! Region tagging: countries (`places`) and UN M49 regions and newsroom
//! desks (`regions`) from a multilingual gazetteer.
//!
//! * [`gazetteer`]: the data, parsed and cross-checked.
//! * [`matcher`]: one-pass matching that survives clitics, inflection,
//!   diacritics and scripts without spaces.
//! * [`scorer`]: from mentions to scored places, regions and desks, with
//!   ambiguous names resolved from context.

pub mod gazetteer;
pub mod matcher;
pub mod scorer;

use std::collections::{HashMap, HashSet};

use crate::enriched::{Place, RegionTag};
use crate::pipeline::ArticleText;
use crate::text::tokens::{script_of, Script};
use gazetteer::{AmbiguityRule, Gazetteer, NameKind};
use matcher::{MatchView, Matcher, PatternTable};
use scorer::{Mention, Section};

/// What a gazetteer pattern names.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A country, by this kind of name, in this language.
    Country {
        /// ISO 3166-1 alpha-2 code.
        code: String,
        /// Kind of name.
        kind: NameKind,
        /// Language of the name.
        lang: String,
    },
    /// An explicit region or desk mention.
    Region(String),
}

/// Settings of the region stage.
#[derive(Debug, Clone)]
pub struct RegionSettings {
    /// Places below this score are dropped.
    pub min_score: f64,
    /// Emit evidence with each place.
    pub evidence: bool,
}

/// A compiled ambiguity rule, keyed by (pattern, code).
#[derive(Debug, Clone)]
struct Rule {
    rule: AmbiguityRule,
    /// The surface name as written, for the capitalisation check.
    surface: String,
    /// Cue words in match-view form.
    cues: Vec<String>,
}

/// A pattern hit with the countries it may name.
type Candidate<'a> = (usize, Section, Vec<(&'a str, NameKind)>);

/// Tags an article with places and regions.
pub struct RegionTagger {
    gazetteer: Gazetteer,
    view: MatchView,
    matcher: Matcher,
    targets: Vec<Vec<Target>>,
    rules: HashMap<(usize, String), Rule>,
    settings: RegionSettings,
}

impl std::fmt::Debug for RegionTagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RegionTagger({:?}, {} countries)",
            self.matcher,
            self.gazetteer.countries.len()
        )
    }
}

impl RegionTagger {
    /// Compiles a gazetteer into a tagger.
    pub fn new(
        gazetteer: Gazetteer,
        settings: RegionSettings,
    ) -> Result<RegionTagger, matcher::BuildError> {
        let view = MatchView;
        let mut table: PatternTable<Target> = PatternTable::default();
        for n in &gazetteer.names {
            table.add(
                view.of(&n.name),
                Target::Country {
                    code: n.code.clone(),
                    kind: n.kind,
                    lang: n.lang.clone(),
                },
            );
        }
        for r in &gazetteer.regions {
            table.add(view.of(&r.name), Target::Region(r.region.clone()));
        }
        let mut rules = HashMap::new();
        let index: HashMap<&str, usize> = table
            .views
            .iter()
            .enumerate()
            .map(|(i, v)| (v.as_str(), i))
            .collect();
        for a in &gazetteer.ambiguities {
            let v = view.of(&a.name);
            let Some(&i) = index.get(v.as_str()) else {
                continue;
            };
            rules.insert(
                (i, a.code.clone()),
                Rule {
                    rule: a.rule,
                    surface: a.name.clone(),
                    cues: a
                        .cues
                        .iter()
                        .map(|c| view.of(c))
                        .filter(|c| !c.is_empty())
                        .collect(),
                },
            );
        }
        let matcher = Matcher::new(table.views)?;
        Ok(RegionTagger {
            gazetteer,
            view,
            matcher,
            targets: table.targets,
            rules,
            settings,
        })
    }

    /// Places and regions of one article, highest score first.
    pub fn tag(&self, text: &ArticleText<'_>) -> (Vec<Place>, Vec<RegionTag>) {
        let lead = text.lead();
        let rest = text.body.get(lead.len()..).unwrap_or("");
        let sections = [
            (Section::Headline, text.headline),
            (Section::Dateline, text.dateline.unwrap_or("")),
            (Section::Lead, lead),
            (Section::Body, rest),
        ];
        let views: Vec<(Section, &str, matcher::View)> = sections
            .iter()
            .map(|(s, t)| (*s, *t, self.view.view(t)))
            .collect();
        let mut mentions = Vec::new();
        for (section, _, view) in &views {
            for hit in self.matcher.find(&view.text) {
                mentions.push((hit.pattern, *section, view.capitalised_at(hit.start)));
            }
        }
        let full_view: String = views
            .iter()
            .map(|(_, _, v)| v.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let original: String = views
            .iter()
            .map(|(_, t, _)| *t)
            .collect::<Vec<_>>()
            .join("\n");
        let resolved = self.resolve(&mentions, text.language, &full_view, &original);
        scorer::score(&self.gazetteer, &resolved, &self.settings)
    }

    /// Turns raw pattern hits into mentions of one country or region each,
    /// applying language limits and ambiguity rules.
    fn resolve(
        &self,
        hits: &[(usize, Section, bool)],
        language: &str,
        full_view: &str,
        original: &str,
    ) -> Vec<Mention> {
        let any_language = !["ar", "en", "fr", "es", "ru", "zh", "de"].contains(&language);
        // Countries with evidence from unambiguous names: context for the rest.
        let mut firm: HashSet<&str> = HashSet::new();
        let mut candidates: Vec<Candidate<'_>> = Vec::new();
        let mut out = Vec::new();
        for &(pattern, section, capitalised) in hits {
            // Place names are proper nouns in cased scripts: `turkey`,
            // `nice`, `того` are ordinary words. Demonyms are lower case in
            // French, Spanish, German adjectives and Russian.
            let cased = self
                .matcher
                .pattern(pattern)
                .chars()
                .next()
                .is_some_and(|c| {
                    matches!(script_of(c), Script::Latin | Script::Cyrillic) && c.is_alphabetic()
                });
            let mut countries: Vec<(&str, NameKind)> = Vec::new();
            for t in &self.targets[pattern] {
                match t {
                    Target::Region(r) => {
                        if !cased || capitalised {
                            out.push(Mention::region(
                                r.clone(),
                                section,
                                self.matcher.pattern(pattern),
                            ));
                        }
                    }
                    Target::Country { code, kind, lang } => {
                        let strong = matches!(
                            kind,
                            NameKind::Country
                                | NameKind::Alias
                                | NameKind::Capital
                                | NameKind::Metonym
                        );
                        let case_ok = !cased || capitalised || *kind == NameKind::Demonym;
                        if case_ok
                            && (any_language || lang == language || strong)
                            && !countries.iter().any(|(c, _)| c == code)
                        {
                            countries.push((code.as_str(), *kind));
                        }
                    }
                }
            }
            let ruled = countries
                .iter()
                .any(|(c, _)| self.rules.contains_key(&(pattern, c.to_string())));
            if countries.len() == 1 && !ruled {
                firm.insert(countries[0].0);
            }
            if !countries.is_empty() {
                candidates.push((pattern, section, countries));
            }
        }
        for (pattern, section, countries) in candidates {
            let form = self.matcher.pattern(pattern);
            let accepted: Vec<&(&str, NameKind)> = countries
                .iter()
                .filter(
                    |(code, _)| match self.rules.get(&(pattern, code.to_string())) {
                        Some(rule) => self.rule_holds(rule, code, &firm, full_view, original),
                        // A name shared by several countries needs context.
                        None => countries.len() == 1 || firm.contains(code),
                    },
                )
                .collect();
            if accepted.len() == 1 {
                let (code, kind) = accepted[0];
                out.push(Mention::country(code.to_string(), *kind, section, form));
            }
        }
        out
    }

    fn rule_holds(
        &self,
        rule: &Rule,
        code: &str,
        firm: &HashSet<&str>,
        full_view: &str,
        original: &str,
    ) -> bool {
        match rule.rule {
            AmbiguityRule::Never => false,
            AmbiguityRule::Capitalised => appears_capitalised(original, &rule.surface),
            AmbiguityRule::Context => {
                firm.contains(code) || rule.cues.iter().any(|cue| contains_words(full_view, cue))
            }
        }
    }
}

/// Whether `view` contains `words` as whole words.
fn contains_words(view: &str, words: &str) -> bool {
    view.match_indices(words).any(|(i, _)| {
        let before = i == 0 || view.as_bytes()[i - 1] == b' ';
        let end = i + words.len();
        let after = end == view.len() || view.as_bytes()[end] == b' ';
        before && after
    })
}

/// Whether `surface` (e.g. `Turkey`) occurs with its capital letter in the
/// original text somewhere other than at the start of a sentence, where
/// every word is capitalised.
fn appears_capitalised(original: &str, surface: &str) -> bool {
    original.match_indices(surface).any(|(i, _)| {
        let before = original[..i].trim_end();
        let word_start = original[..i]
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric());
        let end = i + surface.len();
        let word_end = original[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        let sentence_start =
            before.is_empty() || before.ends_with(['.', '!', '?', '\n', ':', '"', '«', '“']);
        word_start && word_end && !sentence_start
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gazetteer::GazetteerFiles;

    const COUNTRIES: &str = "code\tname_en\tcontinent\tsubregion\nRU\tRussia\teurope\teurope/eastern-europe\nTR\tTürkiye\tasia\tasia/western-asia\nGE\tGeorgia\tasia\tasia/western-asia\nUS\tUnited States\tamericas\tamericas/northern-america\nJO\tJordan\tasia\tasia/western-asia\nOM\tOman\tasia\tasia/western-asia\nCN\tChina\tasia\tasia/eastern-asia\n";
    const NAMES: &str = "code\tlang\tkind\tname\nRU\ten\tcountry\tRussia\nRU\tar\tcountry\tروسيا\nRU\tar\tdemonym\tروسي\nRU\tar\tmetonym\tالكرملين\nRU\tru\tcountry\tРоссия\nTR\ten\tcountry\tTurkey\nTR\ten\tcapital\tAnkara\nGE\ten\tcountry\tGeorgia\nGE\ten\tcapital\tTbilisi\nUS\ten\tsubdivision\tGeorgia\nUS\ten\tcity\tAtlanta\nUS\ten\tcountry\tUnited States\nJO\ten\tcountry\tJordan\nJO\tar\tcapital\tعمان\nOM\tar\tcountry\tعمان\nOM\tar\tcapital\tمسقط\nJO\tar\tcountry\tالأردن\nCN\ten\tcountry\tChina\n";
    const REGIONS: &str = "region\tlang\tname\ndesk/middle-east\tar\tالشرق الأوسط\ndesk/middle-east\ten\tMiddle East\n";
    const AMBIGUOUS: &str = "lang\tname\tcode\trule\tcues\nen\tTurkey\tTR\tcapitalised\t\nen\tGeorgia\tGE\tcontext\tTbilisi;Georgian\nen\tGeorgia\tUS\tcontext\tAtlanta;Georgia state\nen\tJordan\tJO\tcontext\tAmman;King Abdullah\nen\tChina\tCN\tcapitalised\t\nar\tعمان\tJO\tcontext\tالأردن;الأردنية\nar\tعمان\tOM\tcontext\tمسقط;العماني\n";
    const DESKS: &str =
        "[desk.\"desk/middle-east\"]\nname = \"Middle East\"\nregions = [\"asia/western-asia\"]\n";

    fn tagger() -> RegionTagger {
        let g = Gazetteer::parse(GazetteerFiles {
            countries: ("countries.tsv", COUNTRIES),
            names: ("names.tsv", NAMES),
            regions: ("regions.tsv", REGIONS),
            ambiguous: ("ambiguous.tsv", AMBIGUOUS),
            desks: ("desks.toml", DESKS),
        })
        .unwrap();
        RegionTagger::new(
            g,
            RegionSettings {
                min_score: 0.2,
                evidence: true,
            },
        )
        .unwrap()
    }

    fn codes(lang: &str, headline: &str, body: &str) -> Vec<String> {
        let folded = crate::pipeline::fold_pair(headline, body);
        let t = ArticleText::new(lang, headline, None, body, &folded);
        tagger().tag(&t).0.into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn roast_turkey_is_not_a_country() {
        assert!(codes(
            "en",
            "Thanksgiving dinner",
            "Families roasted a turkey. Turkey prices rose."
        )
        .is_empty());
        assert_eq!(
            codes(
                "en",
                "Talks",
                "Officials in Ankara said Turkey would attend."
            ),
            vec!["TR"]
        );
    }

    #[test]
    fn georgia_is_resolved_by_neighbouring_places() {
        assert_eq!(
            codes(
                "en",
                "Storm hits Georgia",
                "Power cuts across Atlanta and Georgia."
            ),
            vec!["US"]
        );
        assert_eq!(
            codes("en", "Protests in Georgia", "Crowds gathered in Tbilisi."),
            vec!["GE"]
        );
        assert!(codes("en", "Georgia", "Nothing else here.").is_empty());
    }

    #[test]
    fn michael_jordan_is_not_a_country() {
        assert!(codes("en", "Basketball", "Michael Jordan scored 40 points.").is_empty());
        assert_eq!(
            codes("en", "Visit", "King Abdullah of Jordan met officials."),
            vec!["JO"]
        );
    }

    #[test]
    fn amman_and_oman_share_a_spelling_and_context_decides() {
        assert_eq!(
            codes("ar", "زيارة", "وصل الوزير إلى عمان عاصمة الأردن"),
            vec!["JO"]
        );
        assert_eq!(
            codes("ar", "زيارة", "وصل الوزير إلى مسقط عاصمة سلطنة عمان"),
            vec!["OM"]
        );
    }

    #[test]
    fn seed_style_arabic_finds_russia_from_kremlin_and_demonym() {
        let (headline, body) = (
            "بوتين يخطط لجولات دبلوماسية",
            "أعلن الكرملين عن خطط الرئيس الروسي لتعزيز العلاقات الدولية لروسيا في الشرق الأوسط.",
        );
        let folded = crate::pipeline::fold_pair(headline, body);
        let t = ArticleText::new("ar", headline, None, body, &folded);
        let (places, regions) = tagger().tag(&t);
        assert_eq!(places[0].code, "RU");
        assert!(places[0].evidence.as_ref().unwrap().len() >= 3);
        assert!(regions.iter().any(|r| r.code == "desk/middle-east"));
        assert!(regions.iter().any(|r| r.code == "europe/eastern-europe"));
    }

    #[test]
    fn lowercase_china_is_porcelain() {
        assert!(codes("en", "Antiques", "She collected fine china and silver.").is_empty());
        assert_eq!(codes("en", "Trade", "Exports to China rose."), vec!["CN"]);
    }
}
