#!/usr/bin/env python3
"""SimHash (64 bit, Hamming index) against MinHash-style shingle containment
for near-duplicate detection, on a labelled dedup stream such as the one
scripts/fixtures/gen_dedup_stream.py writes.

Both use the shingles wiredesk uses (folded word 3-grams; character 3-grams
for Chinese). For each article, in stream order, the best earlier match is:
  * simhash: smallest Hamming distance among earlier articles, flagged when
    distance <= K (a multi-table index finds exactly those for K=3; larger K
    is shown to see where SimHash would need to be);
  * containment: exact |A & B| / min(|A|, |B|) (what MinHash estimates),
    flagged when >= 0.6 (wiredesk's near threshold).
Prints recall per edit kind and originals wrongly flagged for each.

usage: python3 scripts/experiments/simhash_vs_minhash.py target/eval/dedup-dev.jsonl
"""
import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict

ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})


def fold(text):
    text = unicodedata.normalize("NFKD", text.translate(ARABIC))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^\w]+|_", " ", text).split()


def han(c):
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def shingles(body):
    words, out = [], set()
    for w in fold(body):
        if any(han(c) for c in w):
            out.update(w[i:i + 3] for i in range(max(1, len(w) - 2)))
        else:
            words.append(w)
    out.update(" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2)) if words)
    return out


def h64(s):
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")


def simhash(sh):
    v = [0] * 64
    for s in sh:
        x = h64(s)
        for i in range(64):
            v[i] += 1 if x >> i & 1 else -1
    return sum(1 << i for i in range(64) if v[i] > 0)


def main(path):
    docs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    seen = []  # (id, shingles, simhash)
    results = {"containment>=0.6": Counter(), **{f"simhash<= {k}": Counter() for k in (3, 6, 10)}}
    per_edit = defaultdict(lambda: defaultdict(Counter))
    for d in docs:
        body = d.get("body") or d.get("body_text") or ""
        sh = shingles(body)
        sim = simhash(sh)
        best_c, best_d = 0.0, 64
        for _, osh, osim in seen:
            inter = len(sh & osh)
            if inter:
                best_c = max(best_c, inter / max(1, min(len(sh), len(osh))))
            best_d = min(best_d, bin(sim ^ osim).count("1"))
        labels = d.get("labels", {})
        copy = "duplicate_of" in labels
        edit = labels.get("edit", "original")
        decisions = {"containment>=0.6": best_c >= 0.6, **{f"simhash<= {k}": best_d <= k for k in (3, 6, 10)}}
        for name, flagged in decisions.items():
            results[name]["copies" if copy else "originals"] += 1
            if flagged:
                results[name]["found" if copy else "false"] += 1
            if copy:
                per_edit[name][edit]["n"] += 1
                per_edit[name][edit]["found"] += flagged
        seen.append((d.get("id"), sh, sim))
    for name, r in results.items():
        print(f"{name:18} recall {r['found'] / max(1, r['copies']):.3f}  originals flagged {r['false']}/{r['originals']}")
        print("   " + ", ".join(f"{e} {c['found']}/{c['n']}" for e, c in sorted(per_edit[name].items())))


if __name__ == "__main__":
    main(sys.argv[1])
