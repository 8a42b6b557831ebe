# Sourced by the benchmark scripts: the project's shell helpers and secrets, a check that bin/demo's platform runs,
# bench_java, which compiles bench/*.java (into bench/target) and runs one of them against the built jars, and the
# bare-queue baseline that every throughput or latency benchmark runs in the same invocation.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. deploy/local/lib.sh
use_jdk21
load_secrets
[ -f agent/target/cyberun-agent.jar ] || die "build first: bin/demo (or ./mvnw -DskipTests install)"
curl -sf -o /dev/null http://127.0.0.1:9080/q/health/ready || die "the gateway is not running: start the platform with bin/demo"

# These machines run PostgreSQL with autovacuum off, so the outbox and task tables keep every dead row of earlier runs
# (1.3 million in the outbox after a day of benchmarks) and each run starts slower than the one before. A server with
# autovacuum on cleans them as it goes; here the benchmark does it once before it starts, so runs are comparable.
if [ "$(PGPASSWORD=$CYBERUN_PG_PASSWORD psql -h 127.0.0.1 -U cyberun_task -d cyberun_task -tAc 'show autovacuum' 2>/dev/null)" = off ]; then
  log "autovacuum is off on this PostgreSQL: vacuuming task-service's database before measuring"
  PGPASSWORD=$CYBERUN_PG_PASSWORD PGOPTIONS='-c client_min_messages=error' psql -h 127.0.0.1 -U cyberun_task -d cyberun_task \
    -qtAc 'vacuum analyze' \
    || die "vacuum of cyberun_task failed (is PostgreSQL up?)"
fi

# The Kafka client (an observer of task-events in some benchmarks) comes from task-service's packaged libraries.
bench_classpath() {
  local lib=task-service/target/quarkus-app/lib/main cp="bench/target:agent/target/lib/*" jar
  for jar in "$lib"/org.apache.kafka.kafka-clients-*.jar "$lib"/org.slf4j.slf4j-api-*.jar "$lib"/at.yawk.lz4.lz4-java-*.jar \
             "$lib"/org.xerial.snappy.snappy-java-*.jar "$lib"/com.github.luben.zstd-jni-*.jar; do
    [ -f "$jar" ] && cp="$cp:$jar"
  done
  echo "$cp"
}

bench_java() {
  local main=$1 cp
  shift
  cp=$(bench_classpath)
  rm -rf bench/target && mkdir -p bench/target
  javac -d bench/target -cp "$cp" bench/*.java || die "the benchmark sources do not compile"
  # The load generator shares the cores with the platform it measures: C1 only, so its JIT is done in the warm-up. With
  # the default tiered JIT, C2 compiling the benchmark took 54 % of its CPU while it measured; a 100 runs/s dispatch run
  # took the benchmark 21 s of CPU tiered and 15 s with C1 only.
  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "${BENCH_JAVA_OPTS[@]}" -cp "$cp" "$main" "$@"
}

# name=pid,... of the platform's JVMs (PostgreSQL and Redis are found by name), for CPU accounting.
platform_pids() {
  local out="" name pid
  for name in gateway-service task-service scheduler-service agent-hub kafka; do
    pid=$(running_pid "$name") || die "$name is not running: start the platform with bin/demo"
    out="$out${out:+,}${name%-service}=$pid"
  done
  echo "$out"
}

# Runs the bare-queue baseline (BullMQ on its own Redis, ../shared/baselines/bullmq) now, on this machine, and sets
# BASELINE_P50, BASELINE_P99 (enqueue -> worker at RATE jobs/s) and BASELINE_PER_SECOND (submit -> completed).
run_baseline() {
  local rate=${1:-100} dir out
  dir=${CYBERUN_BASELINE_DIR:-$CYBERUN_ROOT/../shared/baselines/bullmq}
  [ -x "$dir/run.sh" ] || die "the baseline is not at $dir: set CYBERUN_BASELINE_DIR to the bullmq baseline's folder"
  log "running the bare-queue baseline (BullMQ, $dir/run.sh $rate 10 20000)"
  out=$("$dir/run.sh" "$rate" 10 20000)
  echo "$out" | sed 's/^/[baseline] /'
  BASELINE_P50=$(echo "$out" | sed -n 's/^latency_ms .*"p50":"\([0-9.]*\)".*/\1/p')
  BASELINE_P99=$(echo "$out" | sed -n 's/^latency_ms .*"p99":"\([0-9.]*\)".*/\1/p')
  BASELINE_PER_SECOND=$(echo "$out" | sed -n 's/^throughput .*"per_second":\([0-9]*\).*/\1/p')
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
