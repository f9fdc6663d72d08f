#!/usr/bin/env bash
# `make screenshots`: picture every sample card with Microsoft's official renderer, as Teams shows it.
#   build/cards/<name>.json  <- .venv/bin/python -m cards.samples --out build/cards
#   docs/cards/<name>.png    <- node tools/render/render.mjs build/cards docs/cards
# The renderer's messages go to docs/cards/report.json; any message makes this fail.
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
if [ ! -d tools/render/node_modules ]; then
  (cd tools/render && npm ci --no-audit --no-fund)
fi

rm -rf build/cards
"$CARDS_PYTHON" -m cards.samples --out build/cards
mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT"/report.json  # drop pictures of cards that no longer exist
node tools/render/render.mjs build/cards "$OUT"
