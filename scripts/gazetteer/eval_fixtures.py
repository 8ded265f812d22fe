#!/usr/bin/env python3
"""Rough offline check of the gazetteer against the labelled fixtures.

Approximates the service's matcher and resolver (src/region/matcher.rs, src/region/mod.rs:
fold, Russian Snowball stems, script boundary rules, longest match, the capital-letter check
on Latin/Cyrillic names, own-language limit for cities/subdivisions/demonyms, shared names
needing context, ambiguity rules) in Python, so gazetteer changes can be judged without
compiling. Not a test of the service.

Usage: .venv/bin/python eval_fixtures.py [fixture.jsonl ...]   (default: tests/fixtures/regions/*.jsonl)
Prints, per article, expected vs found countries and the names that fired.
"""
import collections
import glob
import json
import re
import sys
from pathlib import Path

import snowballstemmer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import norm_key  # noqa: E402  (same folding as the service)

REPO = Path(__file__).resolve().parent.parent.parent
G = REPO / "config" / "gazetteer"
RU = snowballstemmer.stemmer("russian")
AR_SUFFIXES = {"ه", "ي", "يه", "يين", "يون", "ين", "ون", "ان", "ات", "ها"}
CLITICS = set("وفبلك")


def script(c):
    o = ord(c)
    if 0x0600 <= o <= 0x06FF:
        return "ar"
    if 0x0400 <= o <= 0x04FF:
        return "cy"
    if 0x4E00 <= o <= 0x9FFF:
        return "han"
    return "lat"


def view_words(text):
    """(view text, [(start offset, capitalised)]) like the service's MatchView::view."""
    out, words = [], []
    pos = 0
    for raw in re.split(r"[^\w\u0640\u0300-\u036f\u064b-\u065f]+", text):
        if not raw:
            continue
        cap = raw[0].isupper()
        for w in norm_key(raw).split(" "):
            if not w:
                continue
            if script(w[0]) == "cy":
                st = RU.stemWord(w)
                w = st if len(st) >= 4 else w
            words.append((pos, cap))
            out.append(w)
            pos += len(w) + 1
    return " ".join(out), words


def view(text):
    return view_words(text)[0]


def capitalised_at(words, at):
    cap = False
    for start, c in words:
        if start <= at:
            cap = c
        else:
            break
    return cap


def appears_capitalised(original, surface):
    for m in re.finditer(re.escape(surface), original):
        i, end = m.start(), m.end()
        before = original[:i].rstrip()
        word_start = i == 0 or not original[i - 1].isalnum()
        word_end = end == len(original) or not original[end].isalnum()
        sentence_start = before == "" or before.endswith((".", "!", "?", "\n", ":", '"', "«", "“"))
        if word_start and word_end and not sentence_start:
            return True
    return False


def clitic_ok(prefix):
    rest = prefix
    if rest[:1] in ("و", "ف"):
        rest = rest[1:]
    if rest[:1] in ("ب", "ل", "ك"):
        rest = rest[1:]
        if rest == "ل":
            return True
    if rest.startswith("ال"):
        rest = rest[2:]
    return rest == "" and prefix != "" and all(c in CLITICS or c == "ا" for c in prefix)


def boundaries(v, s, e):
    m = v[s:e]
    ts = v.rfind(" ", 0, s) + 1
    te = v.find(" ", e)
    te = len(v) if te < 0 else te
    pre, suf = v[ts:s], v[e:te]
    f, l = script(m[0]), script(m[-1])
    start_ok = pre == "" or (f == "han" and script(pre[-1]) == "han") or (f == "ar" and clitic_ok(pre))
    end_ok = (suf == "" or (l == "han" and script(suf[0]) == "han") or (l == "ar" and suf in AR_SUFFIXES)
              or (l == "lat" and suf == "s" and len(m.encode()) >= 5))
    return start_ok and end_ok


def load():
    pats = collections.defaultdict(list)  # view -> [(code, kind, name, lang)]
    for line in (G / "names.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        code, lang, kind, name = line.split("\t")
        pats[view(name)].append((code, kind, name, lang))
    regs = collections.defaultdict(list)
    for line in (G / "regions.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        region, lang, name = line.split("\t")
        regs[view(name)].append(region)
    amb = {}
    for line in (G / "ambiguous.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        lang, name, code, rule, cues = line.split("\t")
        amb[(lang, view(name), code)] = (rule, [c for c in cues.split(";") if c], name)
    return pats, regs, amb


def find_all(v, keys):
    hits = []
    for k in keys:
        start = 0
        while True:
            i = v.find(k, start)
            if i < 0:
                break
            if boundaries(v, i, i + len(k)):
                hits.append((i, i + len(k), k))
            start = i + 1
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    taken = []
    for h in hits:
        if all(h[1] <= t[0] or h[0] >= t[1] for t in taken):
            taken.append(h)
    return sorted(taken)


def main():
    files = sys.argv[1:] or sorted(glob.glob(str(REPO / "tests/fixtures/regions/*.jsonl")))
    pats, regs, amb = load()
    # only patterns that can occur: prefilter by presence
    tp = fp = fn = 0
    strong_kinds = {"country", "alias", "capital", "metonym"}
    for f in files:
        for line in open(f, encoding="utf-8"):
            d = json.loads(line)
            lang = d["language"]
            text = d["headline"] + "\n" + d["body"]
            v, words = view_words(text)
            keys = [k for k in pats if k and k in v]
            hits = find_all(v, keys)
            firm, cands, fired = set(), [], []
            for s_, e, k in hits:
                cased = script(k[0]) in ("lat", "cy") and k[0].isalpha()
                cap = capitalised_at(words, s_)
                codes = []
                for code, kind, name, nlang in pats[k]:
                    case_ok = (not cased) or cap or kind == "demonym"
                    if case_ok and (nlang == lang or kind in strong_kinds) and code not in [c for c, _, _ in codes]:
                        codes.append((code, kind, name))
                ruled = any((lang2, k, c) in amb for c, _, _ in codes for lang2 in [lang]) or any(
                    (l2, k, c) in amb for c, _, _ in codes for l2 in ("ar", "en", "fr", "es", "ru", "zh", "de"))
                if len(codes) == 1 and not ruled:
                    firm.add(codes[0][0])
                if codes:
                    cands.append((k, codes))
            found = set()
            vt = " " + v + " "
            for k, codes in cands:
                acc = []
                for code, kind, name in codes:
                    r = next((amb[(l2, k, code)] for l2 in (lang, "ar", "en", "fr", "es", "ru", "zh", "de")
                              if (l2, k, code) in amb), None)
                    if r is None:
                        ok = len(codes) == 1 or code in firm
                        tag = "" if len(codes) == 1 else "(shared)"
                    elif r[0] == "never":
                        ok, tag = False, ""
                    elif r[0] == "capitalised":
                        ok, tag = appears_capitalised(text, r[2]), "(cap)"
                    else:
                        ok = code in firm or any(" " + view(c) + " " in vt for c in r[1] if view(c))
                        tag = "(ctx)"
                    if ok:
                        acc.append((code, name, tag))
                if len(acc) == 1:
                    found.add(acc[0][0])
                    fired.append(f"{acc[0][1]}>{acc[0][0]}{acc[0][2]}")
            rfound = sorted({r for s_, e, k in find_all(v, [k for k in regs if k and k in v]) for r in regs[k]})
            labels = d.get("labels") or {}
            exp = set(labels.get("countries", [])) | set(labels.get("mentioned", []))
            if labels:
                tp += len(found & exp)
                fp += len(found - exp)
                fn += len(exp - found)
            flag = "" if not labels else ("OK " if found == exp else "XX ")
            print(f"{flag}{d['id']}: expected {sorted(exp)} found {sorted(found)} regions {rfound}")
            print("     " + ", ".join(fired))
    if tp + fp + fn:
        print(f"\ncountry hits: tp={tp} fp={fp} fn={fn} precision={tp / max(tp + fp, 1):.2f} recall={tp / max(tp + fn, 1):.2f}")


if __name__ == "__main__":
    main()
