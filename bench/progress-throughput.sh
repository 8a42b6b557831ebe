#!/usr/bin/env bash
# Progress throughput through the running local platform (start it with bin/demo): TASKS tasks report progress every
# INTERVAL ms while SUBSCRIBERS SSE streams read them; prints the progress events/s absorbed, agent -> SSE p50/p99 and
# CPU per event, then the bare-queue baseline on the same machine and the ratio.
#   bench/progress-throughput.sh [tasks, default 400] [subscribers, default 1000] [interval ms, default 200] [seconds, default 30]
# The hub forwards at most one progress report per task every 200 ms, so TASKS x 5 is the most it can absorb.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ulimit -n 65536 2>/dev/null || warn "could not raise the open-file limit ($(ulimit -n)); every subscriber needs a socket"
tasks=${1:-400}
teams=$(( (tasks + 49) / 50 ))
pids=$(platform_pids)
BENCH_JAVA_OPTS=(-Xmx1g)
out=$(bench_java ProgressThroughput http://127.0.0.1:8080 ws://127.0.0.1:8083 "$CYBERUN_ADMIN_TOKEN" 127.0.0.1:9092 \
  "${CYBERUN_TOPIC_PREFIX:-}task-events" "$teams" "$tasks" "${2:-1000}" "${3:-200}" "${4:-30}" "$pids" | tee /dev/stderr)
ours=$(echo "$out" | sed -n 's/^RESULT events_per_second=\([0-9.]*\).*/\1/p')
p99=$(echo "$out" | sed -n 's/^RESULT .*p99_ms=\([0-9.]*\).*/\1/p')
run_baseline 100
echo
echo "| | Cyberun | bare queue (BullMQ) | ratio (Cyberun / baseline) |"
echo "| --- | ---: | ---: | ---: |"
echo "| events/s (Cyberun: progress absorbed; baseline: jobs submit → completed) | $ours | $BASELINE_PER_SECOND | $(ratio "$ours" "$BASELINE_PER_SECOND") |"
echo "| p99 latency (Cyberun: agent → SSE; baseline: enqueue → worker at 100/s), ms | $p99 | $BASELINE_P99 | $(ratio "$p99" "$BASELINE_P99") |"
