#!/usr/bin/env python3
"""Sanity checks for config/gazetteer/*.tsv and config/desks.toml. Exit status 1 on any error."""
import collections
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
G = REPO / "config" / "gazetteer"
LANGS = {"ar", "en", "fr", "es", "ru", "zh", "de"}
KINDS = {"country", "alias", "demonym", "capital", "city", "subdivision", "metonym"}
RULES = {"capitalised", "context", "never"}
errors = []


def err(msg):
    errors.append(msg)
    if len(errors) <= 50:
        print("ERROR:", msg, file=sys.stderr)


def read(name, header):
    path = G / name
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    if lines[0] != "\t".join(header):
        err(f"{name}: header {lines[0]!r} != {header}")
    rows = []
    for i, line in enumerate(lines[1:], 2):
        parts = line.split("\t")
        if len(parts) != len(header):
            err(f"{name}:{i}: {len(parts)} fields, want {len(header)}: {line!r}")
            continue
        for h, p in zip(header, parts):
            if p != p.strip():
                err(f"{name}:{i}: field {h} has surrounding spaces")
            if p == "" and not (name == "countries.tsv" and h == "subregion"):
                if not (name == "ambiguous.tsv" and h == "cues"):
                    err(f"{name}:{i}: empty field {h}")
        rows.append(tuple(parts))
    if rows != sorted(rows):
        err(f"{name}: not sorted")
    if len(rows) != len(set(rows)):
        err(f"{name}: duplicate rows")
    return rows


countries = read("countries.tsv", ["code", "name_en", "continent", "subregion"])
codes = {r[0] for r in countries}
region_codes = set()
for code, name, cont, sub in countries:
    region_codes.add(cont)
    if sub:
        region_codes.add(sub)
        if not sub.startswith(cont + "/"):
            err(f"countries.tsv: {code}: subregion {sub} not under {cont}")
    elif code not in ("AQ",):
        err(f"countries.tsv: {code} has no subregion")
if len(codes) < 249 or "XK" not in codes:
    err(f"countries.tsv: {len(codes)} codes (want >= 249 incl. XK)")
region_codes |= {"americas/latin-america-and-the-caribbean"}  # the loader accepts this grouping

desks = tomllib.loads((REPO / "config" / "desks.toml").read_text(encoding="utf-8"))
desk_codes = set(desks.get("desk", {}))
for d, spec in desks.get("desk", {}).items():
    unknown = set(spec) - {"name", "regions", "countries", "exclude"}
    if unknown:
        err(f"desks.toml: {d}: unknown keys {sorted(unknown)} (the loader denies unknown fields)")
    if not d.startswith("desk/"):
        err(f"desks.toml: desk id {d} must start with desk/")
    if not spec.get("name"):
        err(f"desks.toml: {d} has no name")
    for r in spec.get("regions", []):
        if r not in region_codes:
            err(f"desks.toml: {d}: unknown region {r}")
    for c in spec.get("countries", []) + spec.get("exclude", []):
        if c not in codes:
            err(f"desks.toml: {d}: unknown country {c}")
    if not spec.get("regions") and not spec.get("countries"):
        err(f"desks.toml: {d} is empty")

names = read("names.tsv", ["code", "lang", "kind", "name"])
by_key = set()
for code, lang, kind, name in names:
    if code not in codes:
        err(f"names.tsv: unknown code {code} ({name})")
    if lang not in LANGS:
        err(f"names.tsv: bad lang {lang}")
    if kind not in KINDS:
        err(f"names.tsv: bad kind {kind}")
    if lang != "zh" and len(name) < 3 and not name.isupper():
        err(f"names.tsv: short name {name!r} ({code} {lang})")
    if lang == "zh" and len(name) < 2:
        err(f"names.tsv: 1-char Chinese name {name!r}")
    by_key.add((lang, name, code))

regions = read("regions.tsv", ["region", "lang", "name"])
for region, lang, name in regions:
    if region not in region_codes and region not in desk_codes:
        err(f"regions.tsv: unknown region {region} ({lang} {name})")
    if lang not in LANGS:
        err(f"regions.tsv: bad lang {lang}")

amb = read("ambiguous.tsv", ["lang", "name", "code", "rule", "cues"])
for lang, name, code, rule, cues in amb:
    if code not in codes:
        err(f"ambiguous.tsv: unknown code {code}")
    if lang not in LANGS:
        err(f"ambiguous.tsv: bad lang {lang}")
    if rule not in RULES:
        err(f"ambiguous.tsv: bad rule {rule}")
    if rule == "capitalised" and lang not in ("en", "fr", "es", "de"):
        err(f"ambiguous.tsv: capitalised rule on non-Latin {lang} {name}")
    if rule == "never" and (lang, name, code) in by_key:
        err(f"ambiguous.tsv: never-rule name still in names.tsv: {lang} {name} {code}")
    if rule != "never" and (lang, name, code) not in by_key:
        err(f"ambiguous.tsv: {lang} {name} {code} not in names.tsv")
    if any(not c.strip() for c in cues.split(";")) and cues:
        err(f"ambiguous.tsv: empty cue in {cues!r}")

# required coverage
for lang in LANGS:
    for code in ("US", "GB", "FR", "DE", "RU", "CN", "SA", "EG", "IL", "PS", "UA", "IR"):
        if not any(r[0] == code and r[1] == lang and r[2] == "country" for r in names):
            err(f"names.tsv: no {lang} country name for {code}")

print("countries:", len(countries))
print("names:", len(names))
cnt = collections.Counter((r[1], r[2]) for r in names)
kinds = sorted(KINDS)
print("lang  " + " ".join(f"{k:>11}" for k in kinds) + "       total")
for lang in sorted(LANGS):
    print(f"{lang:5} " + " ".join(f"{cnt[(lang, k)]:>11}" for k in kinds) + f" {sum(cnt[(lang, k)] for k in kinds):>11}")
print("regions:", len(regions), dict(sorted(collections.Counter(r[1] for r in regions).items())))
print("ambiguous:", len(amb), dict(sorted(collections.Counter(r[3] for r in amb).items())))
print("desks:", len(desk_codes))
for f in ("countries.tsv", "names.tsv", "regions.tsv", "ambiguous.tsv"):
    print(f"{f}: {(G / f).stat().st_size} bytes")
if errors:
    print(f"{len(errors)} error(s)", file=sys.stderr)
    sys.exit(1)
print("gazetteer checks: OK")
