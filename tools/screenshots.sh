#!/usr/bin/env bash
# `make screenshots`: picture every sample card with Microsoft's official renderer, as Teams shows it
# on a phone (360 px, light theme), for the README's gallery, then check every card for WCAG 2.2 AA.
#   build/cards/<name>.json  <- .venv/bin/python -m cards.samples --out build/cards
#   docs/cards/<name>.png    <- node tools/render/render.mjs build/cards docs/cards --width 360
#   build/a11y.json          <- node tools/render/a11y.mjs build/cards build/a11y.json
# The renderer's messages go to docs/cards/report.json; any message or accessibility violation
# makes this fail. ALL_THEMES=1 also draws every card in the light, dark and high-contrast themes
# at 360 and 760 px into build/card-themes/<theme>-<width>/ (not committed).
# CARDS_PYTHON and SCREENSHOTS_OUT override the interpreter and the output folder.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=/usr/bin/chromium
CARDS_PYTHON="${CARDS_PYTHON:-.venv/bin/python}"
OUT="${SCREENSHOTS_OUT:-docs/cards}"

if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update && apt-get install -y chromium
  else
    echo "Chromium is missing. Install it with: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
if ! command -v node >/dev/null; then
  echo "Node.js is missing. Install Node 20 (e.g. sudo apt-get install -y nodejs npm)." >&2
  exit 1
fi
if [ ! -d tools/render/node_modules/axe-core ]; then
  (cd tools/render && npm ci --no-audit --no-fund)
fi

rm -rf build/cards
"$CARDS_PYTHON" -m cards.samples --out build/cards
mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT"/report.json  # drop pictures of cards that no longer exist
node tools/render/render.mjs build/cards "$OUT" --width 360
shots=()
if [ -n "${ALL_THEMES:-}" ]; then
  rm -rf build/card-themes
  shots=(--shots build/card-themes)
fi
node tools/render/a11y.mjs build/cards build/a11y.json "${shots[@]}"
