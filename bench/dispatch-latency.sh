#!/usr/bin/env bash
# Dispatch latency at a steady rate: from a run request to an agent receiving the dispatch (p50/p90/p99), through the
# running local platform. Start it first with bin/demo. Prints a Markdown row for docs/benchmarks.md.
#   bench/dispatch-latency.sh [rate per second, default 10] [measured runs, default 600] [agents, default 10]
#       [capacity per agent, default 4] [warm-up runs, default 100]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
BENCH_JAVA_OPTS=()
bench_java DispatchLatency http://127.0.0.1:8080 ws://127.0.0.1:8083 "$CYBERUN_ADMIN_TOKEN" \
  "${1:-10}" "${2:-600}" "${3:-10}" "${4:-4}" "${5:-100}"
