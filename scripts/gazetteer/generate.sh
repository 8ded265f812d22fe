#!/usr/bin/env bash
# Regenerate config/gazetteer/{countries,names,regions,ambiguous}.tsv from pinned sources, then check them.
# Usage: scripts/gazetteer/generate.sh   (needs node/npm, python3 >= 3.11, Debian apt for hunspell dictionaries)
set -euo pipefail
cd "$(dirname "$0")"

# 1. Debian hunspell word lists (used only to recognise place names that are ordinary words).
need=()
for d in en_US fr es_ES de_DE ru_RU; do [ -f "/usr/share/hunspell/$d.dic" ] || need+=("$d"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian hunspell dictionaries (${need[*]})" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    hunspell-en-us hunspell-fr hunspell-es hunspell-de-de hunspell-ru >/dev/null
fi

# 2. npm data packages, exact versions from package-lock.json (node_modules is gitignored).
if [ ! -d node_modules/cldr-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# 3. Python packages, pinned in requirements.txt, in a local venv (.venv is gitignored).
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! cmp -s requirements.txt .venv/.requirements.installed; then
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  cp requirements.txt .venv/.requirements.installed
fi

# 4. Generate and check.
PYTHONHASHSEED=0 JIEBA_CACHE_DIR="${TMPDIR:-/tmp}" .venv/bin/python generate.py 2> >(grep -v -E 'jieba|Prefix dict|Loading model|Dumping model' >&2)
.venv/bin/python check.py
