#!/usr/bin/env python3
"""Write config/topics/taxonomy.tsv: the 17 top-level IPTC Media Topics.

Columns: code, name, label_fr, label_ar. `name` is IPTC's English label as is
(e.g. "politics", "conflict, war and peace"), so the output record's
`topics[].name` matches what IPTC publishes; the French and Arabic labels are
kept for desks that display topics in those languages.

Usage: gen_taxonomy.py [VOCAB_TSV] [OUT_TSV]
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VOCAB = Path("/work/shared/vocab/iptc-mediatopics-en-fr-ar.tsv")
DEFAULT_OUT = ROOT / "config" / "topics" / "taxonomy.tsv"


def clean(label):
    # TSV without quoting: a tab or newline inside a label would break rows.
    return " ".join(label.split())


def main(argv):
    vocab = Path(argv[1]) if len(argv) > 1 else DEFAULT_VOCAB
    out_path = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    with open(vocab, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    top = sorted(
        (r for r in rows if r["level"] == "1" and not r["broader"] and r["retired"] != "1"),
        key=lambda r: r["qcode"],
    )
    if len(top) != 17:
        sys.exit(f"expected 17 top-level topics in {vocab}, found {len(top)}")
    with open(out_path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("code\tname\tlabel_fr\tlabel_ar\n")
        for r in top:
            fh.write("\t".join(clean(r[k]) for k in ("qcode", "label_en", "label_fr", "label_ar")) + "\n")
    print(f"wrote {len(top)} topics to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
