#!/usr/bin/env bash
# Local AWS emulators for Stackdesk (see DESIGN.md "Running it without AWS").
#
#   infra/emulators.sh install   fetch/compile DynamoDB Local, ensure moto server + SAM CLI
#                                + schemathesis (the API fuzzer) (idempotent)
#   infra/emulators.sh start     install, then start DynamoDB Local + moto_server on 127.0.0.1
#                                and write .cache/emulators.env (no-op if already up)
#   infra/emulators.sh stop      stop what start started (pid files in .cache/run/)
#   infra/emulators.sh status    print which emulators are up
#   infra/emulators.sh env       print .cache/emulators.env   (eval "$(infra/emulators.sh env)")
#
# Environment:
#   DYNAMODB_PORT (8000), MOTO_PORT (5000)
#   STACKDESK_LOCALSTACK=1       start nothing; check LocalStack and point every service at it
#   LOCALSTACK_ENDPOINT          (http://localhost:4566)
#   DYNAMODB_JAVA_OPTS           extra JVM options for DynamoDB Local
#
# .cache/emulators.env holds only `export NAME=value` lines (no quotes), so it can be
# `source`d / `eval`ed by a shell and `include`d by GNU make alike.
#
# Architecture: DynamoDB Local comes from Maven Central, whose sqlite4java natives cover
# linux-amd64 (and i386/osx/win), but NOT linux arm64/aarch64. On arm64 hosts `install`
# fails with a message; use STACKDESK_LOCALSTACK=1 (infra/localstack/) there instead.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
CACHE="$REPO/.cache"
DDB_SRC="$HERE/dynamodb-local"
DDB_DIR="$CACHE/dynamodb-local"
DDB_LIB="$DDB_DIR/lib"
DDB_CLASSES="$DDB_DIR/classes"
RUN_DIR="$CACHE/run"
ENV_FILE="$CACHE/emulators.env"

HOST=127.0.0.1
DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
MOTO_PORT="${MOTO_PORT:-5000}"
LOCALSTACK_ENDPOINT="${LOCALSTACK_ENDPOINT:-http://localhost:4566}"
WAIT_SECONDS=60
LAUNCHED=() # what this invocation started; stopped again if start fails

log() { printf 'emulators: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed${2:+ ($2)}"; }

for p in DYNAMODB_PORT MOTO_PORT; do
  [[ "${!p}" =~ ^[0-9]+$ ]] || die "$p must be a port number, got '${!p}'"
done

localstack_mode() { [[ "${STACKDESK_LOCALSTACK:-}" == 1 ]]; }

# ---------------------------------------------------------------- install

pip_install() {
  log "pip install $*"
  python3 -m pip install -q --disable-pip-version-check "$@" ||
    python3 -m pip install -q --disable-pip-version-check --user --break-system-packages "$@"
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
}

install_dynamodb() {
  local arch want so
  arch="$(uname -s)-$(uname -m)"
  case "$arch" in
    Linux-x86_64) ;;
    # sqlite4java on Maven Central ships no linux-aarch64 library: DynamoDB Local from
    # Maven cannot run here. Use LocalStack (STACKDESK_LOCALSTACK=1) on arm64 hosts.
    *) die "DynamoDB Local via Maven is only supported on Linux x86_64 here (host: $arch); use STACKDESK_LOCALSTACK=1" ;;
  esac
  want="$(cat "$DDB_SRC/pom.xml" "$DDB_SRC/LoopbackServerRunner.java" | sha256sum | cut -d' ' -f1) $arch"
  if [[ -f "$DDB_DIR/.stamp" && "$(cat "$DDB_DIR/.stamp")" == "$want" &&
        -f "$DDB_CLASSES/LoopbackServerRunner.class" ]] &&
     compgen -G "$DDB_LIB/libsqlite4java-linux-amd64-*.so" >/dev/null &&
     compgen -G "$DDB_LIB/DynamoDBLocal-*.jar" >/dev/null; then
    return 0
  fi
  need java "Java 17+"; need javac "a JDK, not just a JRE"; need mvn "Maven"
  log "installing DynamoDB Local into ${DDB_DIR#"$REPO"/}"
  rm -rf "$DDB_DIR.tmp"
  mkdir -p "$DDB_DIR.tmp/classes"
  if ! mvn -B -Dstyle.color=never -f "$DDB_SRC/pom.xml" \
       dependency:copy-dependencies -DoutputDirectory="$DDB_DIR.tmp/lib" >"$CACHE/mvn-install.log" 2>&1; then
    tail -n 40 "$CACHE/mvn-install.log" >&2
    die "mvn dependency:copy-dependencies failed (full log: ${CACHE#"$REPO"/}/mvn-install.log)"
  fi
  so="$(compgen -G "$DDB_DIR.tmp/lib/libsqlite4java-linux-amd64-*.so" || true)"
  [[ -n "$so" ]] || die "libsqlite4java-linux-amd64-*.so was not copied into the lib dir"
  javac -nowarn -d "$DDB_DIR.tmp/classes" -cp "$DDB_DIR.tmp/lib/*" "$DDB_SRC/LoopbackServerRunner.java" >&2
  printf '%s\n' "$want" >"$DDB_DIR.tmp/.stamp"
  rm -rf "$DDB_DIR"
  mv "$DDB_DIR.tmp" "$DDB_DIR"
}

install_moto() {
  if command -v moto_server >/dev/null 2>&1 && python3 -c 'import moto.server' >/dev/null 2>&1; then
    return 0
  fi
  pip_install "moto[server]"
  python3 -c 'import moto.server' || die "moto server still not importable after pip install"
}

install_sam() {
  if sam --version >/dev/null 2>&1; then return 0; fi
  pip_install aws-sam-cli
  sam --version >/dev/null 2>&1 || log "warning: 'sam' not on PATH after install (pip --user bin dir?)"
}

# Pinned: the fuzz test (infra/devstack/localrun/fuzz_test.go) uses this CLI's flags.
SCHEMATHESIS_VERSION=4.32.5

install_schemathesis() {
  if [[ "$(schemathesis --version 2>/dev/null || true)" == *" $SCHEMATHESIS_VERSION" ]]; then
    return 0
  fi
  pip_install "schemathesis==$SCHEMATHESIS_VERSION"
  schemathesis --version >/dev/null 2>&1 ||
    log "warning: 'schemathesis' not on PATH after install (pip --user bin dir?)"
}

cmd_install() {
  need python3
  mkdir -p "$CACHE"
  # Serialise concurrent installs (e.g. parallel make targets).
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE/.install.lock"
    flock 9
  fi
  install_dynamodb
  install_moto
  install_sam
  install_schemathesis
  if command -v flock >/dev/null 2>&1; then exec 9>&-; fi
}

# ---------------------------------------------------------------- probes

ddb_up() {
  [[ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' -X POST "http://$HOST:$DYNAMODB_PORT/" \
      -H 'Content-Type: application/x-amz-json-1.0' \
      -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
      -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
      -d '{}' 2>/dev/null)" == 200 ]]
}

moto_up() {
  [[ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$HOST:$MOTO_PORT/moto-api/" 2>/dev/null)" == 200 ]]
}

# name -> port / probe / cmdline marker (used to recognise our own process)
port_of()   { case "$1" in dynamodb) echo "$DYNAMODB_PORT" ;; moto) echo "$MOTO_PORT" ;; esac; }
probe()     { case "$1" in dynamodb) ddb_up ;; moto) moto_up ;; esac; }
marker_of() { case "$1" in dynamodb) echo LoopbackServerRunner ;; moto) echo moto/server.py ;; esac; }

# Prints the pid from the pid file if that process is alive and is ours.
our_pid() {
  local f="$RUN_DIR/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$(marker_of "$1")" || return 1
  echo "$pid"
}

port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# ---------------------------------------------------------------- start / stop

launch() {
  local name="$1" logf="$RUN_DIR/$1.log"
  local -a cmd
  case "$name" in
    dynamodb)
      # -Djava.net.preferIPv4Stack: a plain AF_INET socket on 127.0.0.1 (not ::ffff:127.0.0.1).
      # shellcheck disable=SC2206
      cmd=(java -Djava.net.preferIPv4Stack=true -Dstackdesk.dynamodb.host="$HOST"
           -Djava.library.path="$DDB_LIB" ${DYNAMODB_JAVA_OPTS:-}
           -cp "$DDB_CLASSES:$DDB_LIB/*" LoopbackServerRunner
           -inMemory -sharedDb -disableTelemetry -port "$DYNAMODB_PORT") ;;
    moto)
      # moto.server with its SQS attribute map made lazy (infra/moto/server.py says why);
      # run via the interpreter so the pid is python's.
      cmd=("$(python3 -c 'import sys; print(sys.executable)')" "$HERE/moto/server.py" -H "$HOST" -p "$MOTO_PORT") ;;
  esac
  if command -v setsid >/dev/null 2>&1; then cmd=(setsid "${cmd[@]}"); fi
  nohup "${cmd[@]}" >"$logf" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
  LAUNCHED+=("$name")
}

# Returns 0 if the emulator is already up, else starts it (or finds it starting).
start_one() {
  local name="$1" port pid
  port="$(port_of "$name")"
  if probe "$name"; then
    log "$name already up on $HOST:$port"
    return 0
  fi
  if pid="$(our_pid "$name")"; then
    if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -Eq -- "(-port|-p) $port( |\$)"; then
      log "$name is starting (pid $pid)"
      return 0
    fi
    die "$name from this checkout already runs on another port (pid $pid); run: $0 stop"
  fi
  rm -f "$RUN_DIR/$name.pid"
  if port_listening "$port"; then
    die "port $port is in use by something that is not $name; pick another with ${name^^}_PORT=..."
  fi
  log "starting $name on $HOST:$port (log: ${RUN_DIR#"$REPO"/}/$name.log)"
  launch "$name"
}

wait_one() {
  local name="$1" port pid deadline
  port="$(port_of "$name")"
  deadline=$((SECONDS + WAIT_SECONDS))
  while ! probe "$name"; do
    pid="$(our_pid "$name" || true)"
    if [[ -z "$pid" ]]; then
      log "$name exited before answering on $HOST:$port; last log lines:"
      tail -n 40 "$RUN_DIR/$name.log" >&2 || true
      rm -f "$RUN_DIR/$name.pid"
      stop_one "${LAUNCHED[@]}"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name did not answer on $HOST:$port within ${WAIT_SECONDS}s; last log lines:"
      tail -n 40 "$RUN_DIR/$name.log" >&2 || true
      stop_one "${LAUNCHED[@]}"
      exit 1
    fi
    sleep 0.3
  done
}

write_env() {
  local tmp="$ENV_FILE.tmp" moto="http://$HOST:$MOTO_PORT" ddb="http://$HOST:$DYNAMODB_PORT" v
  mkdir -p "$CACHE"
  {
    if localstack_mode; then
      echo "export AWS_ENDPOINT_URL=$LOCALSTACK_ENDPOINT"
      moto="$LOCALSTACK_ENDPOINT"
      ddb="$LOCALSTACK_ENDPOINT"
    fi
    echo "export AWS_ENDPOINT_URL_DYNAMODB=$ddb"
    for v in SQS S3 SES SESV2 COGNITO_IDENTITY_PROVIDER SSM SECRETS_MANAGER; do
      echo "export AWS_ENDPOINT_URL_$v=$moto"
    done
    echo "export AWS_REGION=us-east-1"
    echo "export AWS_DEFAULT_REGION=us-east-1"
    echo "export AWS_ACCESS_KEY_ID=test"
    echo "export AWS_SECRET_ACCESS_KEY=test"
    echo "export AWS_EC2_METADATA_DISABLED=true"
  } >"$tmp"
  mv "$tmp" "$ENV_FILE"
  cat "$ENV_FILE"
}

start_localstack() {
  need curl
  if ! curl -fsS -m 5 "$LOCALSTACK_ENDPOINT/_localstack/health" >/dev/null 2>&1; then
    die "STACKDESK_LOCALSTACK=1 but LocalStack does not answer at $LOCALSTACK_ENDPOINT/_localstack/health;
  start it first: docker compose -f infra/localstack/docker-compose.yml up -d --wait"
  fi
  log "LocalStack answers at $LOCALSTACK_ENDPOINT; starting nothing"
  write_env
}

cmd_start() {
  if localstack_mode; then start_localstack; return; fi
  need curl; need ss "iproute2"
  cmd_install
  mkdir -p "$RUN_DIR"
  start_one dynamodb
  start_one moto
  wait_one dynamodb
  wait_one moto
  log "up: dynamodb $HOST:$DYNAMODB_PORT, moto $HOST:$MOTO_PORT"
  write_env
}

# stop_one NAME...: SIGTERM all of them first (they shut down in parallel), then wait.
stop_one() {
  local name pid i
  local -a pids=()
  for name in "$@"; do
    if pid="$(our_pid "$name")"; then
      log "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 150; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid did not exit 15s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
  done
  for name in "$@"; do rm -f "$RUN_DIR/$name.pid"; done
}

cmd_stop() {
  stop_one dynamodb moto
}

cmd_status() {
  local name port pid state
  if localstack_mode; then
    if curl -fsS -m 5 "$LOCALSTACK_ENDPOINT/_localstack/health" >/dev/null 2>&1; then
      echo "localstack: up ($LOCALSTACK_ENDPOINT)"
    else
      echo "localstack: down ($LOCALSTACK_ENDPOINT)"
    fi
  fi
  for name in dynamodb moto; do
    port="$(port_of "$name")"
    pid="$(our_pid "$name" || true)"
    if probe "$name"; then state=up; else state=down; fi
    if [[ -n "$pid" ]]; then
      echo "$name: $state ($HOST:$port, pid $pid)"
    elif [[ "$state" == up ]]; then
      echo "$name: up ($HOST:$port, not started by this script)"
    else
      echo "$name: down ($HOST:$port)"
    fi
  done
}

cmd_env() {
  [[ -f "$ENV_FILE" ]] || die "no ${ENV_FILE#"$REPO"/}; run: infra/emulators.sh start"
  cat "$ENV_FILE"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 {install|start|stop|status|env}" >&2; exit 2 ;;
esac
