#!/usr/bin/env python3
"""Rough offline check of the gazetteer against the labelled fixtures.

Approximates the service's matcher (src/region/matcher.rs: fold, Russian Snowball stems,
script boundary rules, longest match; ambiguity rules as documented in ambiguous.tsv) in
Python, so gazetteer changes can be judged without compiling. Not a test of the service.

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


def view(text):
    out = []
    for w in norm_key(text).split(" "):
        if w and script(w[0]) == "cy":
            st = RU.stemWord(w)
            out.append(st if len(st) >= 4 else w)
        elif w:
            out.append(w)
    return " ".join(out)


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
        amb[(lang, view(name), code)] = (rule, [c for c in cues.split(";") if c])
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
    for f in files:
        for line in open(f, encoding="utf-8"):
            d = json.loads(line)
            lang = d["language"]
            text = d["headline"] + "\n" + d["body"]
            v = view(text)
            keys = [k for k in pats if k and k in v]
            hits = find_all(v, keys)
            firm, ctx = collections.Counter(), []
            fired = []
            for s, e, k in hits:
                for code, kind, name, nlang in pats[k]:
                    if nlang != lang:
                        continue
                    r = amb.get((lang, k, code))
                    if r is None:
                        firm[code] += 1
                        fired.append(f"{name}>{code}")
                    elif r[0] == "capitalised":
                        # approximate: some occurrence in the raw text starts with a capital
                        if re.search(r"(?<![\w])" + re.escape(name), text) and name[:1].isupper():
                            firm[code] += 1
                            fired.append(f"{name}>{code}(cap)")
                    elif r[0] == "context":
                        ctx.append((code, name, r[1]))
            found = set(firm)
            vt = " " + v + " "
            for code, name, cues in ctx:
                if code in found or any(" " + view(c) + " " in vt for c in cues if view(c)):
                    found.add(code)
                    fired.append(f"{name}>{code}(ctx)")
            rfound = sorted({r for s, e, k in find_all(v, [k for k in regs if k and k in v]) for r in regs[k]})
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
