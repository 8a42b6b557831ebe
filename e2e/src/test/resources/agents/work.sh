#!/usr/bin/env bash
# An exec command for the agent tests. It writes "start", then "end" or "stop" (when it is stopped) to
# $CYBERUN_RUNS_FILE, one line each: <event> <epoch µs> <agent> <task> <attempt> <token>, and sleeps the seconds
# parameter in between (the retry_seconds parameter instead on a retry, when it is given). Lines are short single writes, so appends from many processes never interleave; the time
# comes from a bash builtin, so a signal cannot cut a line short.
set -uo pipefail
token=${1:-}
seconds=${CYBERUN_PARAM_SECONDS:-0}
if [ "${CYBERUN_ATTEMPT:-1}" != "1" ] && [ -n "${CYBERUN_PARAM_RETRY_SECONDS:-}" ]; then
  seconds=$CYBERUN_PARAM_RETRY_SECONDS
fi
line() { echo "$1 ${EPOCHREALTIME/./} ${CYBERUN_AGENT_NAME:-?} $CYBERUN_TASK_ID $CYBERUN_ATTEMPT $token" >> "$CYBERUN_RUNS_FILE"; }
trap 'trap "" TERM INT; line stop; exit 143' TERM INT
line start
if [ -n "${CYBERUN_INPUT_SOURCE:-}" ]; then
  cp "$CYBERUN_INPUT_SOURCE" "$CYBERUN_OUTPUT_DIR/copy-of-$(basename "$CYBERUN_INPUT_SOURCE")"
fi
if [ "$seconds" != "0" ]; then
  sleep "$seconds" &
  wait $!
fi
line end
