#!/usr/bin/env bash
# Dispatch latency at a steady rate: from a run request to an agent receiving the dispatch (p50/p90/p99), through the
# running local platform (start it with bin/demo); then the bare-queue baseline (enqueue -> worker at the same rate) on
# the same machine and the ratio; and each run split into its hops (by the Kafka records' timestamps). Prints Markdown
# for docs/benchmarks.md.
#   bench/dispatch-latency.sh [rate per second, default 100] [measured runs, default 3000] [agents per team, default 2]
#       [capacity per agent, default 16] [warm-up runs, default 1000]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rate=${1:-100}
BENCH_JAVA_OPTS=()
pids=$(platform_pids)
out=$(bench_java DispatchLatency http://127.0.0.1:8080 ws://127.0.0.1:8083 "$CYBERUN_ADMIN_TOKEN" \
  "$rate" "${2:-3000}" "${3:-2}" "${4:-16}" "${5:-1000}" 127.0.0.1:9092 "${CYBERUN_TOPIC_PREFIX:-}" "$pids" | tee /dev/stderr)
p50=$(echo "$out" | sed -n 's/^RESULT p50_ms=\([0-9.]*\).*/\1/p')
p99=$(echo "$out" | sed -n 's/^RESULT .*p99_ms=\([0-9.]*\).*/\1/p')
run_baseline "$rate"
echo
echo "| at $rate/s | Cyberun run → dispatch | bare queue enqueue → worker | ratio (Cyberun / baseline) |"
echo "| --- | ---: | ---: | ---: |"
echo "| p50 (ms) | $p50 | $BASELINE_P50 | $(ratio "$p50" "$BASELINE_P50") |"
echo "| p99 (ms) | $p99 | $BASELINE_P99 | $(ratio "$p99" "$BASELINE_P99") |"
