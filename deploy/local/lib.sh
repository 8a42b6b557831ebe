# Shared by the scripts under deploy/local and bin/. Source it; it defines functions and paths only.
# shellcheck shell=bash

CYBERUN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Data, logs, pids, generated configs and secrets of this checkout (git-ignored).
CYBERUN_STATE_DIR="${CYBERUN_STATE_DIR:-$CYBERUN_ROOT/.local}"
# Downloaded and unpacked servers, shared by every checkout on the machine (outside the repository).
CYBERUN_CACHE_DIR="${CYBERUN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cyberun}"

RUN_DIR="$CYBERUN_STATE_DIR/run"
LOG_DIR="$CYBERUN_STATE_DIR/logs"
DATA_DIR="$CYBERUN_STATE_DIR/data"
CONF_DIR="$CYBERUN_STATE_DIR/conf"
SECRETS_FILE="$CYBERUN_STATE_DIR/secrets/stack.env"

KAFKA_VERSION=4.3.1
S3PROXY_VERSION=4.1.0
KEYCLOAK_VERSION=26.7.3

KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
PG_PORT=5432
REDIS_PORT=6379
S3_PORT=9000
KEYCLOAK_PORT=8180
KEYCLOAK_MANAGEMENT_PORT=8190

log() { printf '\033[1;34m[cyberun]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[cyberun]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[cyberun] error:\033[0m %s\n' "$*" >&2; exit 1; }

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}

# Exports JAVA_HOME and PATH for a JDK of 21 or newer: $JAVA_HOME if it is one, else `java` on the PATH,
# else the newest under /usr/lib/jvm (these machines default to OpenJDK 17 and also carry Temurin 25).
use_jdk21() {
  local candidate major
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major=$(java_major "$candidate")
    if [ "${major:-0}" -ge 21 ] && [ -x "$(dirname "$candidate")/javac" ]; then
      JAVA_HOME="$(cd "$(dirname "$(readlink -f "$candidate")")/.." && pwd)"
      export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  for candidate in $(ls -d /usr/lib/jvm/*/ /opt/java/*/ 2>/dev/null | sort -rV); do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(java_major "$candidate/bin/java")
    if [ "${major:-0}" -ge 21 ]; then
      JAVA_HOME="${candidate%/}"
      export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  die "no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm). Install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin, or set JAVA_HOME."
}

# Maven 3.9's Guice warns about sun.misc.Unsafe on JDK 23+; the flag that silences it does not exist before 23.
maven() {
  local opts="${MAVEN_OPTS:-}"
  [ "$(java_major "$JAVA_HOME/bin/java")" -ge 23 ] && opts="$opts --sun-misc-unsafe-memory-access=allow"
  MAVEN_OPTS="$opts" "$CYBERUN_ROOT/mvnw" -B "$@"
}

# Quiet Maven, for fetching downloads.
mvnw() { maven -q "$@"; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# Prints the pid recorded for a component when that process is still alive.
running_pid() {
  local f="$RUN_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  if pid_alive "$pid"; then echo "$pid"; return 0; fi
  rm -f "$f"
  return 1
}

# Resident memory of a process and its children (Keycloak's pid is its launcher script), in MB.
rss_mb() {
  local pid=$1 total
  total=$(ps -o rss= -p "$pid" 2>/dev/null | awk '{s+=$1} END {print s+0}')
  for child in $(pgrep -P "$pid" 2>/dev/null); do
    total=$((total + $(ps -o rss= -p "$child" 2>/dev/null | awk '{s+=$1} END {print s+0}')))
  done
  echo $((total / 1024))
}

need_root_for() {
  [ "$(id -u)" -eq 0 ] || die "$1 is not installed and installing it needs root: run 'sudo apt-get install -y $1', then run this again."
}

# Installs Debian packages (root only), logging to .local/logs/apt-<first package>.log.
apt_install() {
  need_root_for "$1"
  mkdir -p "$LOG_DIR"
  log "installing $1 from Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$LOG_DIR/apt-$1.log" 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$LOG_DIR/apt-$1.log" 2>&1; } \
    || die "apt-get install $* failed (log: $LOG_DIR/apt-$1.log)"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Describes who listens on a port, for error messages.
port_owner() {
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*"\),pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n1
}

# Refuses to start a component on a port that something we did not start already holds.
require_free_port() {
  local name=$1 port=$2
  if port_open "$port"; then
    die "$name cannot start: port $port is already taken by $(port_owner "$port" || echo 'another process'). Stop that process, then run this again."
  fi
}

# wait_until <what> <timeout-seconds> <log-file> <command...>: polls the command every 0.5 s.
wait_until() {
  local what=$1 timeout=$2 logfile=$3; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      [ -n "$logfile" ] && [ -f "$logfile" ] && { warn "last lines of $logfile:"; tail -n 25 "$logfile" >&2; }
      die "$what did not become ready within ${timeout}s${logfile:+ (log: $logfile)}"
    fi
    sleep 0.5
  done
}

# Starts a command in the background with its own log and pid file.
start_background() {
  local name=$1; shift
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  nohup "$@" >"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
}

# stop_component <name> [grace-seconds]: TERM, then KILL after the grace period.
stop_component() {
  local name=$1 grace=${2:-20} pid
  pid=$(running_pid "$name") || return 0
  log "stopping $name (pid $pid)"
  kill "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if pid_alive "$pid"; then
    warn "$name did not stop within ${grace}s; killing it"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$name.pid"
}

random_secret() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "${1:-32}"; }

# Generates the local stack's secrets once (git-ignored); later runs reuse them.
ensure_secrets() {
  [ -f "$SECRETS_FILE" ] && return 0
  command -v openssl >/dev/null || die "openssl is needed to generate the local signing keys: apt-get install openssl"
  mkdir -p "$(dirname "$SECRETS_FILE")"
  chmod 700 "$(dirname "$SECRETS_FILE")"
  local key
  key=$(mktemp)
  openssl genpkey -algorithm ed25519 -out "$key" 2>/dev/null
  umask 077
  cat >"$SECRETS_FILE" <<EOF
# Generated by deploy/local/stack for this checkout's local stack. Never commit.
CYBERUN_PG_PASSWORD=$(random_secret)
CYBERUN_S3_ACCESS_KEY=cyberun-local
CYBERUN_S3_SECRET_KEY=$(random_secret)
CYBERUN_KEYCLOAK_ADMIN_PASSWORD=$(random_secret)
CYBERUN_OIDC_CLIENT_SECRET=$(random_secret)
CYBERUN_ALICE_PASSWORD=$(random_secret 16)
CYBERUN_BOB_PASSWORD=$(random_secret 16)
CYBERUN_ADMIN_TOKEN=$(random_secret 40)
CYBERUN_PRINCIPAL_PRIVATE_KEY=$(openssl pkey -in "$key" -outform DER | base64 -w0)
CYBERUN_PRINCIPAL_PUBLIC_KEY=$(openssl pkey -in "$key" -pubout -outform DER | base64 -w0)
EOF
  rm -f "$key"
  log "generated local secrets in $SECRETS_FILE"
}

# Reads the secrets into shell variables (not exported: each script exports only what a process needs).
load_secrets() {
  ensure_secrets
  # shellcheck disable=SC1090
  . "$SECRETS_FILE"
}
