#!/usr/bin/env bash
# The dashboard's team stream: N open dashboards (team streams) on one gateway and the latency of each task's state
# changes (running, completed) from the agent's message to every dashboard, through the running local platform
# (start it with bin/demo); then the bare-queue baseline on the same machine and the ratio. Prints Markdown for
# docs/benchmarks.md, then the gateway's RSS.
#   bench/team-stream-fanout.sh [dashboards, default 1000] [tasks, default 40] [ms between runs, default 250]
#       [dashboards opened per second, default 45: under the key's request limit of 50/s]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ulimit -n 65536 2>/dev/null || warn "could not raise the open-file limit ($(ulimit -n)); every dashboard needs a socket"
gateway_pid=$(running_pid gateway-service || true)
BENCH_JAVA_OPTS=(-Xmx1g)
out=$(bench_java TeamStreamFanout http://127.0.0.1:8080 ws://127.0.0.1:8083 "$CYBERUN_ADMIN_TOKEN" \
  "${1:-1000}" "${2:-40}" "${3:-250}" "${4:-45}" | tee /dev/stderr)
[ -z "$gateway_pid" ] || log "gateway RSS now: $(rss_mb "$gateway_pid") MB (pid $gateway_pid)"
p50=$(echo "$out" | sed -n 's/^RESULT p50_ms=\([0-9.]*\).*/\1/p')
p99=$(echo "$out" | sed -n 's/^RESULT .*p99_ms=\([0-9.]*\).*/\1/p')
run_baseline 100
echo
echo "| | Cyberun: agent's completion → every dashboard | bare queue: enqueue → worker at 100/s | ratio (Cyberun / baseline) |"
echo "| --- | ---: | ---: | ---: |"
echo "| p50 (ms) | $p50 | $BASELINE_P50 | $(ratio "$p50" "$BASELINE_P50") |"
echo "| p99 (ms) | $p99 | $BASELINE_P99 | $(ratio "$p99" "$BASELINE_P99") |"
