# Sourced by the benchmark scripts: the project's shell helpers and secrets, a check that bin/demo's platform runs,
# and bench_java, which compiles bench/*.java (into bench/target) and runs one of them against the built jars.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. deploy/local/lib.sh
use_jdk21
load_secrets
[ -f agent/target/cyberun-agent.jar ] || die "build first: bin/demo (or ./mvnw -DskipTests install)"
curl -sf -o /dev/null http://127.0.0.1:8080/q/health/ready || die "the gateway is not running: start the platform with bin/demo"

bench_java() {
  local main=$1
  shift
  rm -rf bench/target && mkdir -p bench/target
  javac -d bench/target -cp "agent/target/lib/*" bench/*.java || die "the benchmark sources do not compile"
  java "${BENCH_JAVA_OPTS[@]}" -cp "bench/target:agent/target/lib/*" "$main" "$@"
}
