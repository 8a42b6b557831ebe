#!/usr/bin/env bash
# The dashboard's first page for a signed-in user, in headless Chromium against the running local platform (start it with
# bin/demo): time from navigation to the task list drawn, with a cold and a warm browser cache (the issue's aim: 1 s on
# this machine with the stack running); then the bare-queue baseline on the same machine, as the run's noise reference.
#   bench/dashboard-load.sh [loads per cache mode, default 20]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
loads=${1:-20}
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || die "Chromium is needed: apt-get install chromium"
(cd e2e/clients && { [ -d node_modules/puppeteer-core ] || npm ci --no-audit --no-fund --loglevel=error; })
log "loading the dashboard $loads times with a cold cache, then $loads with a warm one (as alice)"
cold=$(cd e2e/clients && node dashboard-load.mjs http://127.0.0.1:8080 alice "$CYBERUN_ALICE_PASSWORD" "$loads")
warm=$(cd e2e/clients && node dashboard-load.mjs http://127.0.0.1:8080 alice "$CYBERUN_ALICE_PASSWORD" "$loads" --warm-cache)
echo "$cold"
echo "$warm"
run_baseline 100
field() { echo "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
echo
echo "| first page, signed in (navigation → task list drawn) | p50 (ms) | p90 (ms) | max (ms) | bytes (p50) |"
echo "| --- | ---: | ---: | ---: | ---: |"
echo "| cold cache | $(field "$cold" p50_ms) | $(field "$cold" p90_ms) | $(field "$cold" max_ms) | $(field "$cold" bytes_p50) |"
echo "| warm cache | $(field "$warm" p50_ms) | $(field "$warm" p90_ms) | $(field "$warm" max_ms) | $(field "$warm" bytes_p50) |"
echo "| baseline in the same run: bare queue enqueue → worker p50 / p99 (ms) | $BASELINE_P50 | $BASELINE_P99 | | |"
