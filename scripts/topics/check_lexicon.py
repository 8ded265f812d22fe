#!/usr/bin/env python3
"""Sanity-check the topic lexicons in config/topics/ and measure them roughly.

1. Structure: taxonomy has the 17 top-level QCodes; every lexicon row has four
   non-empty fields, a known topic, a weight in range and the file's language;
   rows are sorted and unique; no curated term sits under more than 3 topics;
   every language has >= 40 curated rows for every topic (warns above 200:
   Chinese, matched by substring without stemming, needs the most).
2. Counts: curated rows per language and topic, generated rows per language.
3. A rough measurement on the labelled dev sets (en, fr, ar): the share of
   articles whose text holds at least one cue of the gold topic (coverage) and
   a naive top-1 accuracy from summing the weights of the distinct cues found.
   Text is folded as the Rust matcher folds it (lowercase, no diacritics or
   tashkeel, one alef, ة = ه); Arabic tokens lose the clitic and article
   prefixes; no stemming by default. `--stem` is closer to the Rust matcher:
   Snowball for en/fr/es/de/ru (needs the `snowballstemmer` package) and the
   same light Arabic stemmer (prefixes and suffixes). The real classifier lives in Rust: these numbers are a
   sanity check of the cue lists, not a benchmark.

   Each dev file is split by line number: even lines are the "tune" half (the
   one to look at when editing cues, e.g. with --diagnose), odd lines are kept
   aside and reported as "held-out".

Exit status is 1 when a structural check fails. Article text is never printed.

Usage: check_lexicon.py [--stem] [--no-eval] [--diagnose LANG] [--eval-file LANG=PATH ...]
"""

import argparse
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOPICS_DIR = ROOT / "config" / "topics"
LEXICON_DIR = TOPICS_DIR / "lexicon"
CURATED_LANGS = ("ar", "en", "fr", "es", "ru", "zh", "de")
HEADER = ["lang", "topic", "weight", "term"]
MIN_ROWS, MAX_ROWS = 40, 200
MAX_TOPICS_PER_TERM = 3
CURATED_WEIGHT = (0.5, 3.0)
GENERATED_WEIGHT = (0.1, 3.0)

DEFAULT_EVAL_DIR = Path("/work/shared/eval")
DEFAULT_EVAL = {
    "en": "masakhanews-en-dev.jsonl",
    "fr": "masakhanews-fr-dev.jsonl",
    "ar": "ant-ar-topics-dev.jsonl",
}
STEMMER_NAMES = {
    "en": "english", "fr": "french", "es": "spanish", "de": "german", "ru": "russian",
}

TOKEN = re.compile(r"\w+")


class Problems:
    def __init__(self):
        self.errors = []
        self.warnings = []

    def error(self, msg):
        self.errors.append(msg)

    def warn(self, msg):
        self.warnings.append(msg)


# ---------------------------------------------------------------- structure

def read_tsv(path, problems, expected_header):
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        problems.error(f"{path}: empty file")
        return rows
    header = lines[0].split("\t")
    if header != expected_header:
        problems.error(f"{path}:1: header {header} != {expected_header}")
    body = lines[1:]
    if body != sorted(body):
        first = next(i for i, (a, b) in enumerate(zip(body, sorted(body))) if a != b)
        problems.error(f"{path}:{first + 2}: rows are not sorted")
    for no, line in enumerate(body, start=2):
        fields = line.split("\t")
        if len(fields) != len(expected_header):
            problems.error(f"{path}:{no}: {len(fields)} fields, expected {len(expected_header)}")
            continue
        if any(f.strip() == "" for f in fields):
            problems.error(f"{path}:{no}: empty field")
            continue
        if any(f != f.strip() for f in fields):
            problems.error(f"{path}:{no}: leading/trailing whitespace in a field")
        if '"' in line:
            problems.warn(f"{path}:{no}: double quote in a row (files are read without quoting)")
        rows.append((no, fields))
    return rows


def load_taxonomy(problems):
    path = TOPICS_DIR / "taxonomy.tsv"
    rows = read_tsv(path, problems, ["code", "name", "label_fr", "label_ar"])
    codes = {}
    for no, (code, name, _fr, _ar) in rows:
        if not re.fullmatch(r"medtop:\d{2}000000", code):
            problems.error(f"{path}:{no}: {code} is not a top-level Media Topic QCode")
        codes[code] = name
    expected = {f"medtop:{i:02d}000000" for i in range(1, 18)}
    if set(codes) != expected:
        problems.error(f"{path}: codes differ from the 17 top-level topics: "
                       f"missing {sorted(expected - set(codes))}, extra {sorted(set(codes) - expected)}")
    return codes


def check_lexicon(path, lang, codes, weight_range, problems, curated=True):
    """Return [(lang, topic, weight, term)] after checking each row.

    `curated` rows get the style checks meant for hand-written cues (Arabic
    without the article, lowercase Latin); generated rows are normalised by
    their generator, which keeps an "ال" that is part of the word (ألغام).
    """
    cues = []
    seen = set()
    for no, (row_lang, topic, weight, term) in read_tsv(path, problems, HEADER):
        where = f"{path}:{no}"
        if lang and row_lang != lang:
            problems.error(f"{where}: lang {row_lang!r} in the {lang} file")
        if topic not in codes:
            problems.error(f"{where}: unknown topic {topic}")
        try:
            w = float(weight)
        except ValueError:
            problems.error(f"{where}: weight {weight!r} is not a number")
            continue
        if not (weight_range[0] <= w <= weight_range[1]) or math.isnan(w):
            problems.error(f"{where}: weight {w} outside {weight_range}")
        if (row_lang, topic, term) in seen:
            problems.error(f"{where}: duplicate term {term!r} for {topic}")
        seen.add((row_lang, topic, term))
        han = "".join(re.findall(r"[\u4e00-\u9fff]+", term))
        if row_lang == "zh" and (len(term.replace(" ", "")) < 2 or han and len(han) < 2):
            # Latin letters and digits become words of their own and a
            # lone letter is dropped, so "A股" is the cue 股.
            problems.error(f"{where}: Chinese term {term!r} has one Han character "
                           "(matched as a substring)")
        if curated and row_lang == "ar" and any(w_.startswith("ال") and len(w_) > 4 for w_ in term.split()):
            problems.warn(f"{where}: Arabic term {term!r} keeps the article ال")
        if row_lang not in ("ar", "zh") and term != term.lower():
            problems.warn(f"{where}: term {term!r} is not lowercase")
        cues.append((row_lang, topic, w, term))
    return cues


def check_curated(cues, problems, stem):
    by_lang_topic = Counter((l, t) for l, t, _w, _term in cues)
    topics_of = defaultdict(set)
    for l, t, _w, term in cues:
        topics_of[(l, term)].add(t)
    for (l, term), tops in sorted(topics_of.items()):
        if len(tops) > MAX_TOPICS_PER_TERM:
            problems.error(f"{l}: {term!r} is a cue for {len(tops)} topics: {sorted(tops)}")
    if stem is not None:
        # Inflected duplicates add nothing once the matcher stems: flag them.
        groups = defaultdict(list)
        for l, t, _w, term in cues:
            key = stem_phrase(l, term, stem)
            if key is not None:
                groups[(l, t, key)].append(term)
        for (l, t, _k), terms in sorted(groups.items()):
            if len(terms) > 1:
                problems.warn(f"{l} {t}: {terms} stem to the same cue")
    return by_lang_topic


# ---------------------------------------------------------------- matching

ARABIC_FOLD = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك"}


def strip_marks(text):
    """Fold text as the Rust matcher does (src/text/normalize.rs): NFKD,
    combining marks and tatweel dropped (but й kept), lowercase, Arabic alef
    and teh marbuta forms unified, ß -> ss, ё -> е."""
    out = []
    for c in text:
        parts = "й" if c in "йЙ" else unicodedata.normalize("NFKD", c)
        for d in parts:
            if unicodedata.combining(d) or d == "\u0640":
                continue
            d = ARABIC_FOLD.get(d, d)
            out.append({"ß": "ss", "ё": "е", "Ё": "е"}.get(d, d.lower()))
    return "".join(out)


ARABIC_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")
ARABIC_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


def strip_arabic_clitics(tok):
    """Leading و and the article with an attached preposition, keeping at
    least two letters (the prefix half of src/text/arabic.rs)."""
    if tok.startswith("و") and len(tok) - 1 >= 3 and not tok.startswith(ARABIC_ARTICLES):
        tok = tok[1:]
    for prefix in ARABIC_ARTICLES:
        if tok.startswith(prefix) and len(tok) - len(prefix) >= 2:
            return tok[len(prefix):]
    return tok


def arabic_light_stem(tok):
    """Light10-style stem, as src/text/arabic.rs: prefixes, then each suffix
    at most once, in order, keeping at least two letters."""
    tok = strip_arabic_clitics(tok)
    for suffix in ARABIC_SUFFIXES:
        if tok.endswith(suffix) and len(tok) - len(suffix) >= 2:
            tok = tok[: -len(suffix)]
    return tok


def tokens(lang, text, stem):
    toks = TOKEN.findall(strip_marks(text))
    if lang == "ar":
        toks = [arabic_light_stem(t) if stem is not None else strip_arabic_clitics(t) for t in toks]
    elif stem and lang in stem:
        toks = stem[lang].stemWords(toks)
    return toks


def stem_phrase(lang, term, stem):
    if lang != "ar" and lang not in stem:
        return None
    return tuple(tokens(lang, term, stem))


class Matcher:
    """Finds which cues occur in a text (each distinct cue counts once)."""

    def __init__(self, lang, cues, stem):
        self.lang = lang
        self.stem = stem
        self.by_first = defaultdict(list)
        self.substrings = []
        for l, topic, w, term in cues:
            if l != lang:
                continue
            if lang == "zh":
                self.substrings.append((strip_marks(term), topic, w, term))
                continue
            toks = tuple(tokens(lang, term, stem))
            if toks:
                self.by_first[toks[0]].append((toks, topic, w, term))

    def found(self, text):
        hits = {}
        if self.lang == "zh":
            norm = strip_marks(text)
            for sub, topic, w, term in self.substrings:
                if sub in norm:
                    hits[(topic, term)] = w
            return hits
        toks = tokens(self.lang, text, self.stem)
        for i, tok in enumerate(toks):
            for seq, topic, w, term in self.by_first.get(tok, ()):
                if tuple(toks[i:i + len(seq)]) == seq:
                    hits[(topic, term)] = w
        return hits


def scores(hits):
    total = defaultdict(float)
    for (topic, _term), w in hits.items():
        total[topic] += w
    return total


# ---------------------------------------------------------------- evaluation

def load_articles(path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            gold = doc.get("labels", {}).get("topics", [])
            if gold:
                text = (doc.get("headline") or "") + "\n" + (doc.get("body") or "")
                yield text, gold[0]


def evaluate(matcher, docs, label_set):
    n = covered = top1 = top1_restricted = silent = 0
    for hits, gold in docs:
        n += 1
        s = scores(hits)
        if not s:
            silent += 1
            continue
        if any(t == gold for t, _ in hits):
            covered += 1
        if max(s, key=lambda t: (s[t], t)) == gold:
            top1 += 1
        restricted = {t: v for t, v in s.items() if t in label_set}
        if restricted and max(restricted, key=lambda t: (restricted[t], t)) == gold:
            top1_restricted += 1
    return {
        "n": n,
        "coverage": covered / n if n else 0.0,
        "top1": top1 / n if n else 0.0,
        "top1_labelset": top1_restricted / n if n else 0.0,
        "no_cue": silent / n if n else 0.0,
    }


def run_eval(lang, path, cue_sets, stem, diagnose):
    articles = list(load_articles(path))
    label_set = {g for _t, g in articles}
    print(f"\n== {lang}: {path.name} ({len(articles)} articles, {len(label_set)} gold topics)")
    print(f"   {'cues':<22} {'half':<9} {'n':>5} {'coverage':>9} {'top1/17':>8} {'top1/set':>9} {'no cue':>7}")
    for name, cues in cue_sets:
        matcher = Matcher(lang, cues, stem)
        docs = [(matcher.found(text), gold) for text, gold in articles]
        halves = {"tune": docs[0::2], "held-out": docs[1::2]}
        for half, part in halves.items():
            m = evaluate(matcher, part, label_set)
            print(f"   {name:<22} {half:<9} {m['n']:>5} {m['coverage']:>9.3f} {m['top1']:>8.3f} "
                  f"{m['top1_labelset']:>9.3f} {m['no_cue']:>7.3f}")
        flag_overfiring(lang, docs, label_set)
        if diagnose == lang:
            diagnose_cues(halves["tune"], label_set, name)


def flag_overfiring(lang, docs, label_set):
    """A cue present in most articles of every gold class says nothing."""
    per_class = Counter(g for _h, g in docs)
    df = defaultdict(Counter)
    for hits, gold in docs:
        for key in hits:
            df[key][gold] += 1
    for key, counts in sorted(df.items()):
        if all(counts[c] / per_class[c] >= 0.5 for c in per_class):
            print(f"   ! {lang} cue {key[1]!r} ({key[0]}) fires on >= 50% of every gold class")


def diagnose_cues(docs, label_set, name):
    per_class = Counter(g for _h, g in docs)
    df = defaultdict(Counter)
    confusion = Counter()
    for hits, gold in docs:
        for key in hits:
            df[key][gold] += 1
        s = scores(hits)
        pred = max(s, key=lambda t: (s[t], t)) if s else "none"
        confusion[(gold, pred)] += 1
    print(f"   -- diagnose ({name}, tune half): gold -> predicted")
    for gold in sorted(per_class):
        row = {p: c for (g, p), c in confusion.items() if g == gold}
        print(f"      {gold[7:9]} n={per_class[gold]:>4}: " +
              " ".join(f"{p[7:9] if p != 'none' else '--'}:{c}" for p, c in sorted(row.items(), key=lambda x: -x[1])))
    # Cues whose firings mostly land on articles of other gold classes.
    rows = []
    for (topic, term), counts in df.items():
        total = sum(counts.values())
        wrong = total - counts[topic] if topic in label_set else total
        rows.append((wrong, total, topic, term, counts))
    rows.sort(key=lambda r: (-r[0], r[3]))
    print("      misleading cues (docs of other gold classes / docs fired):")
    for wrong, total, topic, term, counts in rows[:40]:
        dist = " ".join(f"{g[7:9]}:{c}" for g, c in counts.most_common())
        print(f"        {term!r:<28} -> {topic[7:9]}  {wrong:>4}/{total:<4} [{dist}]")


# ---------------------------------------------------------------- main

def load_stemmers(want):
    if not want:
        return None
    try:
        import snowballstemmer
    except ImportError:
        print("note: snowballstemmer is not installed; only Arabic is stemmed", file=sys.stderr)
        return {}
    return {lang: snowballstemmer.stemmer(name) for lang, name in STEMMER_NAMES.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stem", action="store_true", help="Snowball-stem Latin/Cyrillic tokens")
    ap.add_argument("--no-eval", action="store_true", help="structural checks and counts only")
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    ap.add_argument("--eval-file", action="append", default=[], metavar="LANG=PATH",
                    help="measure on this file too (repeatable)")
    ap.add_argument("--diagnose", metavar="LANG", help="confusions and misleading cues on the tune half")
    args = ap.parse_args()

    problems = Problems()
    stem = load_stemmers(args.stem)
    codes = load_taxonomy(problems)

    curated = []
    for lang in CURATED_LANGS:
        path = LEXICON_DIR / f"{lang}.tsv"
        if not path.exists():
            problems.error(f"{path}: missing")
            continue
        curated += check_lexicon(path, lang, codes, CURATED_WEIGHT, problems)
    by_lang_topic = check_curated(curated, problems, stem)

    generated_path = LEXICON_DIR / "iptc-generated.tsv"
    generated = []
    if generated_path.exists():
        generated = check_lexicon(generated_path, None, codes, GENERATED_WEIGHT, problems, curated=False)
    else:
        problems.error(f"{generated_path}: missing (run scripts/topics/gen_iptc_cues.py)")

    print("curated rows per topic (columns: languages)")
    print("topic            " + " ".join(f"{l:>5}" for l in CURATED_LANGS))
    for code in sorted(codes):
        cells = []
        for lang in CURATED_LANGS:
            n = by_lang_topic[(lang, code)]
            if n < MIN_ROWS:
                problems.error(f"{lang} {code}: {n} curated rows, need >= {MIN_ROWS}")
            elif n > MAX_ROWS:
                problems.warn(f"{lang} {code}: {n} curated rows, aim for <= {MAX_ROWS}")
            cells.append(f"{n:>5}")
        print(f"{code}  " + " ".join(cells))
    totals = Counter(l for l, *_ in curated)
    gen_totals = Counter(l for l, *_ in generated)
    print("total            " + " ".join(f"{totals[l]:>5}" for l in CURATED_LANGS))
    print("iptc-generated   " + " ".join(f"{gen_totals.get(l, 0):>5}" for l in CURATED_LANGS))

    for w in problems.warnings:
        print(f"warning: {w}")
    for e in problems.errors:
        print(f"error: {e}")

    if not args.no_eval:
        files = {lang: args.eval_dir / name for lang, name in DEFAULT_EVAL.items()}
        extra = []
        for spec in args.eval_file:
            lang, _, p = spec.partition("=")
            extra.append((lang, Path(p)))
        cue_sets = [("curated", curated), ("curated+generated", curated + generated)]
        mode = "no stemming" if stem is None else ("Snowball + Arabic light stems" if stem else "Arabic light stems only")
        print(f"\nrough coverage / naive top-1 ({mode}; "
              "top1/17 over all topics, top1/set over the file's gold topics)")
        for lang, path in list(files.items()) + extra:
            if path.exists():
                run_eval(lang, path, cue_sets, stem, args.diagnose)
            else:
                print(f"\n== {lang}: {path} not found, skipped")

    print(f"\n{len(problems.errors)} errors, {len(problems.warnings)} warnings")
    return 1 if problems.errors else 0


if __name__ == "__main__":
    sys.exit(main())
