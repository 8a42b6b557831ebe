#!/usr/bin/env bash
# The container proxy against calling the same server directly (the demo team's echo-service, which bin/demo deploys on
# the local agent): latency one request at a time (what the proxy adds at p50 / p99), requests/s with many callers,
# and a large stream each way with the resident memory of gateway, hub and agent while it flows; then the bare-queue
# baseline on the same machine. Prints Markdown for docs/benchmarks.md.
#   bench/proxy.sh [callers, default 32] [measured seconds, default 20] [member keys, default 96: the gateway allows each 50 requests/s] [stream MB, default 1024]
#       [warm-up seconds through the proxy, default 180: the services run C2 only and compile under load]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1090
. "$CYBERUN_STATE_DIR/secrets/bootstrap.env"
pids="gateway=$(running_pid gateway-service),hub=$(running_pid agent-hub),agent=$(running_pid agent)"
BENCH_JAVA_OPTS=(-Xmx512m)
out=$(bench_java ContainerProxy http://127.0.0.1:8080 "http://127.0.0.1:$KEYCLOAK_PORT/realms/cyberun/protocol/openid-connect/token" \
  "$CYBERUN_ALICE_PASSWORD" "$CYBERUN_TEAM_ID" "$CYBERUN_API_KEY" echo-service "${1:-32}" "${2:-20}" "${3:-96}" "${4:-1024}" "$pids" "${5:-180}" \
  | tee /dev/stderr)
small=$(echo "$out" | sed -n 's/^RESULT small //p')
stream=$(echo "$out" | sed -n 's/^RESULT stream //p')
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
run_baseline 100
echo
echo "| | through the proxy | direct | bare queue (BullMQ) | ratio (proxy / baseline) |"
echo "| --- | ---: | ---: | ---: | ---: |"
echo "| small requests/s | $(field "$small" proxy_rps) | $(field "$small" direct_rps) | $BASELINE_PER_SECOND jobs/s | $(ratio "$(field "$small" proxy_rps)" "$BASELINE_PER_SECOND") |"
echo "| one at a time, p50 / p99 ms | $(field "$small" proxy_p50) / $(field "$small" proxy_p99) | $(field "$small" direct_p50) / $(field "$small" direct_p99) | $BASELINE_P50 / $BASELINE_P99 | |"
echo "| added by the proxy, p50 / p99 ms | $(field "$small" added_p50) / $(field "$small" added_p99) | | | |"
echo "| ${4:-1024} MB stream, MB/s | $(field "$stream" proxy_mbs) | $(field "$stream" direct_mbs) | | |"
