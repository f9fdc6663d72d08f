#!/usr/bin/env bash
# `make playground`: the bot in local mode plus Microsoft 365 Agents Playground, a Teams-like client
# that runs on this machine. Needs Node.js 20+ and nothing else (no Azure account, no tunnel).
#   BOT_PORT (3978) and PLAYGROUND_PORT (56150) choose the ports.
#   INTAKE_API_KEY is used if set; otherwise a random key is made for this session and printed.
#   TRACKER_SDK (botbuilder) picks the SDK edge: `TRACKER_SDK=agents make playground`.
# Each run starts from an empty database in var/playground/, since the playground forgets its
# conversations when it stops. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

BOT_PORT="${BOT_PORT:-3978}"
PLAYGROUND_PORT="${PLAYGROUND_PORT:-56150}"
SGTRACKER="${SGTRACKER:-$ROOT/.venv/bin/sgtracker}"
PYTHON="$(dirname "$SGTRACKER")/python"
WORK="$ROOT/var/playground"
CLI="$ROOT/tools/playground/node_modules/@microsoft/m365agentsplayground/cli.js"

if ! command -v node >/dev/null; then
  echo "Node.js is missing. Install Node 20 or later (e.g. sudo apt-get install -y nodejs npm)." >&2
  exit 1
fi
if [ ! -f "$CLI" ]; then
  echo "Installing Microsoft 365 Agents Playground (pinned in tools/playground/package-lock.json)..."
  (cd tools/playground && npm ci --no-audit --no-fund --loglevel=error)
fi

rm -rf "$WORK"
mkdir -p "$WORK"
if [ -z "${INTAKE_API_KEY:-}" ]; then
  INTAKE_API_KEY="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))')"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped the bot and the playground."
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

wait_for() {  # url, what, pid, log
  for _ in $(seq 1 60); do
    if "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$1" 2>/dev/null; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then
      echo "The $2 stopped while starting. Its log ($4):" >&2
      tail -n 30 "$4" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "The $2 did not answer on $1 within 30 seconds; see $4." >&2
  exit 1
}

TRACKER_SDK="${TRACKER_SDK:-botbuilder}"
echo "Starting the bot in local mode on http://127.0.0.1:$BOT_PORT, SDK edge $TRACKER_SDK" \
  "(log: var/playground/bot.log)"
HOST=127.0.0.1 PORT="$BOT_PORT" MicrosoftAppId="" TRACKER_ENV=development TRACKER_SDK="$TRACKER_SDK" \
  DATABASE_URL="sqlite+aiosqlite:///$WORK/tracker.db" INTAKE_API_KEY="$INTAKE_API_KEY" \
  "$SGTRACKER" serve >"$WORK/bot.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$BOT_PORT/healthz" bot "${pids[0]}" "$WORK/bot.log"

echo "Starting Microsoft 365 Agents Playground on port $PLAYGROUND_PORT (log: var/playground/playground.log)"
(cd "$WORK" && TEAMSAPPTESTER_BROWSER=none exec node "$CLI" \
  -e "http://127.0.0.1:$BOT_PORT/api/messages" -c msteams -p "$PLAYGROUND_PORT" \
  --disable-telemetry >"$WORK/playground.log" 2>&1) &
pids+=($!)
wait_for "http://127.0.0.1:$PLAYGROUND_PORT/_debug/ping" playground "${pids[1]}" \
  "$WORK/playground.log"

cat <<EOF

  Open http://localhost:$PLAYGROUND_PORT in your browser.

  1. Say "help" in Personal Chat.
  2. Open General under My Team (this adds the bot to the team), type @, pick Test Bot, then
     "setup", and Post.
  3. Post a sample incident from another terminal; its case card opens a thread in General:

     curl -sS -X POST http://127.0.0.1:$BOT_PORT/api/incidents \\
       -H "Authorization: Bearer $INTAKE_API_KEY" -H "Content-Type: application/json" \\
       -d '{"steis_number": "2026/12345", "locality": "south-yorkshire", "incident_date": "$(date -u +%F)", "reported_by": "StEIS notification to the locality inbox", "summary": "Serious incident logged on StEIS by a provider. See the StEIS record."}'

  Press Ctrl-C to stop.
EOF
wait -n "${pids[@]}" || true  # Ctrl-C, or one of them stopped by itself
echo "Stopping. The logs are in var/playground/ (bot.log, playground.log)."
