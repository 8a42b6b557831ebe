#!/usr/bin/env bash
# Sustained throughput submit -> completed through the running local platform (start it with bin/demo), with the
# run -> dispatch and run -> completed latencies and the CPU per task of every platform process; then the bare-queue
# baseline on the same machine and the ratio. Prints Markdown for docs/benchmarks.md.
#   bench/throughput.sh [teams, default 64] [agents per team, default 1] [capacity per agent, default 64]
#       [unfinished tasks at most, default 512] [warm-up seconds, default 20] [measured seconds, default 60]
# Runs are spread over the teams (each key keeps the platform's own limit of 20 runs/s), as many tenants would.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
pids=$(platform_pids)
BENCH_JAVA_OPTS=(-Xmx1g)
out=$(bench_java Throughput http://127.0.0.1:8080 ws://127.0.0.1:8083 "$CYBERUN_ADMIN_TOKEN" 127.0.0.1:9092 \
  "${CYBERUN_TOPIC_PREFIX:-}task-events" "${1:-64}" "${2:-1}" "${3:-64}" "${4:-512}" "${5:-20}" "${6:-60}" "$pids" | tee /dev/stderr)
ours=$(echo "$out" | sed -n 's/^RESULT tasks_per_second=\([0-9.]*\).*/\1/p')
run_baseline 100
echo
echo "| | Cyberun | bare queue (BullMQ) | ratio (Cyberun / baseline) |"
echo "| --- | ---: | ---: | ---: |"
echo "| tasks/s submit → completed | $ours | $BASELINE_PER_SECOND | $(ratio "$ours" "$BASELINE_PER_SECOND") |"
