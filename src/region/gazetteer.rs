//! The gazetteer: countries with their UN M49 regions, place names in
//! seven languages, explicit region names, ambiguity rules and desks, read
//! from `config/gazetteer/*.tsv` and `config/desks.toml`.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::knowledge::{parse_toml, KnowledgeError};

/// What kind of name points at a country; decides how much it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// The country's own name.
    Country,
    /// A common alias (USA, Britain, أمريكا).
    Alias,
    /// Nationality adjective or noun (Russian, روسي, russe).
    Demonym,
    /// The capital city.
    Capital,
    /// Another city.
    City,
    /// A state, province or region of the country.
    Subdivision,
    /// A seat of power standing for the government (Kremlin).
    Metonym,
}

impl NameKind {
    fn parse(s: &str) -> Option<NameKind> {
        Some(match s {
            "country" => NameKind::Country,
            "alias" => NameKind::Alias,
            "demonym" => NameKind::Demonym,
            "capital" => NameKind::Capital,
            "city" => NameKind::City,
            "subdivision" => NameKind::Subdivision,
            "metonym" => NameKind::Metonym,
            _ => return None,
        })
    }
}

/// One ISO 3166-1 country or territory.
#[derive(Debug, Clone)]
pub struct Country {
    /// English name.
    pub name: String,
    /// M49 continent slug.
    pub continent: String,
    /// M49 sub-region slug (`continent/sub-region`), may be empty.
    pub subregion: String,
}

/// A name of a place in one language.
#[derive(Debug, Clone)]
pub struct PlaceName {
    /// ISO 3166-1 alpha-2 code it points at.
    pub code: String,
    /// Language of the name.
    pub lang: String,
    /// Kind of name.
    pub kind: NameKind,
    /// Surface form as written.
    pub name: String,
}

/// An explicit region name ("Middle East", "الشرق الأوسط").
#[derive(Debug, Clone)]
pub struct RegionName {
    /// Region slug or desk code.
    pub region: String,
    /// Surface form as written.
    pub name: String,
}

/// How an ambiguous name is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmbiguityRule {
    /// Counts only when written with an initial capital.
    Capitalised,
    /// Counts only with other evidence of the country or a cue word.
    Context,
    /// Never counts for this country.
    Never,
}

/// A rule for a name that is also a common word or another place.
#[derive(Debug, Clone)]
pub struct Ambiguity {
    /// Language the rule applies to.
    pub lang: String,
    /// Surface form as written.
    pub name: String,
    /// The country reading it governs.
    pub code: String,
    /// The rule.
    pub rule: AmbiguityRule,
    /// Words that confirm this reading.
    pub cues: Vec<String>,
}

/// A newsroom desk: a set of regions and countries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    /// Display name.
    pub name: String,
    /// M49 region slugs the desk covers.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Countries the desk covers besides its regions.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Countries excluded although their region is covered.
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DesksFile {
    desk: BTreeMap<String, Desk>,
}

/// The whole gazetteer.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// Countries by code.
    pub countries: HashMap<String, Country>,
    /// Every place name.
    pub names: Vec<PlaceName>,
    /// Explicit region names.
    pub regions: Vec<RegionName>,
    /// Ambiguity rules.
    pub ambiguities: Vec<Ambiguity>,
    /// Desks by code (`desk/middle-east`).
    pub desks: BTreeMap<String, Desk>,
}

/// Iterates the data rows of a TSV file with their 1-based line numbers,
/// checking the header and the column count.
fn rows<'a>(
    path: &'a str,
    text: &'a str,
    header: &'a [&'a str],
) -> Result<Vec<(usize, Vec<&'a str>)>, KnowledgeError> {
    let mut lines = text.lines().enumerate();
    let got: Vec<&str> = lines
        .next()
        .map(|(_, l)| l.split('\t').collect())
        .unwrap_or_default();
    if got != header {
        return Err(KnowledgeError::Parse {
            path: path.into(),
            line: 1,
            message: format!(
                "expected header {:?}, found {:?}",
                header.join("\t"),
                got.join("\t")
            ),
        });
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != header.len()
            || cols
                .iter()
                .take(header.len() - 1)
                .any(|c| c.trim().is_empty() && header.len() > 1)
        {
            return Err(KnowledgeError::Parse {
                path: path.into(),
                line: i + 1,
                message: format!(
                    "expected {} tab-separated columns ({}), found {:?}",
                    header.len(),
                    header.join(", "),
                    line
                ),
            });
        }
        out.push((i + 1, cols));
    }
    Ok(out)
}

/// The four gazetteer files and the desks file, as text.
pub struct GazetteerFiles<'a> {
    /// countries.tsv (path, text).
    pub countries: (&'a str, &'a str),
    /// names.tsv.
    pub names: (&'a str, &'a str),
    /// regions.tsv.
    pub regions: (&'a str, &'a str),
    /// ambiguous.tsv.
    pub ambiguous: (&'a str, &'a str),
    /// desks.toml.
    pub desks: (&'a str, &'a str),
}

impl Gazetteer {
    /// Parses and cross-checks the gazetteer files.
    pub fn parse(files: GazetteerFiles<'_>) -> Result<Gazetteer, KnowledgeError> {
        let mut g = Gazetteer::default();
        let (path, text) = files.countries;
        for (_, c) in rows(path, text, &["code", "name_en", "continent", "subregion"])? {
            g.countries.insert(
                c[0].to_string(),
                Country {
                    name: c[1].to_string(),
                    continent: c[2].to_string(),
                    subregion: c[3].to_string(),
                },
            );
        }
        let unknown_code = |path: &str, line: usize, code: &str| KnowledgeError::Parse {
            path: path.into(),
            line,
            message: format!("country code {code:?} is not in countries.tsv"),
        };
        let (path, text) = files.names;
        for (line, c) in rows(path, text, &["code", "lang", "kind", "name"])? {
            if !g.countries.contains_key(c[0]) {
                return Err(unknown_code(path, line, c[0]));
            }
            let kind = NameKind::parse(c[2]).ok_or_else(|| KnowledgeError::Parse {
                path: path.into(),
                line,
                message: format!(
                    "kind {:?} is not one of country, alias, demonym, capital, city, subdivision, metonym",
                    c[2]
                ),
            })?;
            g.names.push(PlaceName {
                code: c[0].into(),
                lang: c[1].into(),
                kind,
                name: c[3].into(),
            });
        }
        let (path, text) = files.desks;
        let desks: DesksFile = parse_toml(path, text)?;
        g.desks = desks.desk;
        // Desks, continents, and M49 sub-regions under a known continent
        // (including groupings no single country carries, such as
        // `africa/sub-saharan-africa`).
        let region_known = |g: &Gazetteer, r: &str| {
            let continent = r.split('/').next().unwrap_or(r);
            g.desks.contains_key(r) || g.countries.values().any(|c| c.continent == continent)
        };
        let (path, text) = files.regions;
        for (line, c) in rows(path, text, &["region", "lang", "name"])? {
            if !region_known(&g, c[0]) {
                return Err(KnowledgeError::Parse {
                    path: path.into(),
                    line,
                    message: format!("region {:?} is neither an M49 slug of countries.tsv nor a desk of desks.toml", c[0]),
                });
            }
            g.regions.push(RegionName {
                region: c[0].into(),
                name: c[2].into(),
            });
        }
        for (code, desk) in &g.desks {
            for r in &desk.regions {
                if !region_known(&g, r) {
                    return Err(KnowledgeError::Parse {
                        path: files.desks.0.into(),
                        line: 0,
                        message: format!("desk {code:?} names unknown region {r:?}"),
                    });
                }
            }
        }
        let (path, text) = files.ambiguous;
        for (line, c) in rows(path, text, &["lang", "name", "code", "rule", "cues"])? {
            if !g.countries.contains_key(c[2]) {
                return Err(unknown_code(path, line, c[2]));
            }
            let rule = match c[3] {
                "capitalised" => AmbiguityRule::Capitalised,
                "context" => AmbiguityRule::Context,
                "never" => AmbiguityRule::Never,
                other => {
                    return Err(KnowledgeError::Parse {
                        path: path.into(),
                        line,
                        message: format!(
                            "rule {other:?} is not one of capitalised, context, never"
                        ),
                    })
                }
            };
            g.ambiguities.push(Ambiguity {
                lang: c[0].into(),
                name: c[1].into(),
                code: c[2].into(),
                rule,
                cues: c[4]
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            });
        }
        Ok(g)
    }
}
