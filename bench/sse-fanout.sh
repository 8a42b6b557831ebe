#!/usr/bin/env bash
# SSE fan-out: concurrent subscribers of one task on one gateway, and each progress event's latency from the agent's
# emit to the subscribers (p50/p99), through the running local platform (start it with bin/demo). Prints a Markdown
# row for docs/benchmarks.md, then the gateway's RSS.
#   bench/sse-fanout.sh [subscribers, default 2000] [progress events, default 20] [ms between them, default 500]
#       [subscribers opened per second, default 45: under the key's request limit of 50/s]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ulimit -n 65536 2>/dev/null || warn "could not raise the open-file limit ($(ulimit -n)); every subscriber needs a socket"
gateway_pid=$(running_pid gateway-service || true)
BENCH_JAVA_OPTS=(-Xmx1g)
bench_java SseFanout http://127.0.0.1:8080 ws://127.0.0.1:8083 "$CYBERUN_ADMIN_TOKEN" \
  "${1:-2000}" "${2:-20}" "${3:-500}" "${4:-45}"
[ -z "$gateway_pid" ] || log "gateway RSS now: $(rss_mb "$gateway_pid") MB (pid $gateway_pid)"
