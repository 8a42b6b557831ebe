#!/usr/bin/env bash
# Resident memory (RSS) of every process of the local demo at idle: run bin/demo first, wait a minute, then this.
# Prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/local/lib.sh
total=0
echo "| process | RSS (MB) |"
echo "| --- | ---: |"
for name in gateway-service task-service scheduler-service agent-hub mcp-service file-service agent kafka s3proxy keycloak; do
  pid=$(running_pid "$name") || die "$name is not running: start the demo with bin/demo first"
  mb=$(rss_mb "$pid")
  total=$((total + mb))
  echo "| $name | $mb |"
done
for name in postgres redis-server; do
  mb=$(ps -C "$name" -o rss= | awk '{s+=$1} END {printf "%d", s/1024}')
  total=$((total + mb))
  echo "| $name (all processes, shared with anything else using it) | $mb |"
done
echo "| **total** | **$total** |"
