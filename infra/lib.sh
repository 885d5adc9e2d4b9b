# shellcheck shell=bash
# Shared shell functions for infra/run.sh (the dev cluster) and tests/run.sh (the test suite).
# Source it; it defines functions and a little state, and runs nothing by itself.
#
# Processes started here are tracked (track_pid) and stopped by stop_all in reverse order:
# the signal first (SIGTERM; SIGINT for PostgreSQL = fast shutdown), a bounded wait, then SIGKILL.

SLUICE_STOP_TIMEOUT="${SLUICE_STOP_TIMEOUT:-20}"

# Parallel arrays: what was started, its pid, its stop signal and its log file.
SLUICE_TRACKED_NAMES=()
SLUICE_TRACKED_PIDS=()
SLUICE_TRACKED_SIGNALS=()
SLUICE_TRACKED_LOGS=()

log() { printf '[sluice] %s\n' "$*" >&2; }
die() { printf '[sluice] error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" == 0 ]]; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' (not root and no sudo)"
  fi
}

# Newest PostgreSQL server bin directory (Debian layout), or the one holding initdb on PATH.
pg_bin_dir() {
  local dir
  dir="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/postgres" ]]; then
    printf '%s\n' "$dir"
    return 0
  fi
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

redis_server_bin() {
  if command -v redis-server >/dev/null 2>&1; then
    command -v redis-server
  elif [[ -x /usr/bin/redis-server ]]; then
    printf '/usr/bin/redis-server\n'
  else
    return 1
  fi
}

# True when the thing a Debian package provides is already here: its program on PATH (whichever
# installed it), or for a Python library, a python3 on PATH that imports it.
package_present() {
  case "$1" in
    postgresql) pg_bin_dir >/dev/null ;;
    redis-server) redis_server_bin >/dev/null ;;
    awscli) command -v aws >/dev/null 2>&1 ;;
    python3-boto3) python3 -c 'import boto3' >/dev/null 2>&1 ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

# install_if_missing PACKAGE...: apt-get installs the Debian packages whose programs (or Python
# modules) are missing (one apt-get update, one install). Services the packages would start are
# kept from starting, so no stray PostgreSQL or Redis is left listening on the default ports.
install_if_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    package_present "$pkg" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0

  command -v apt-get >/dev/null 2>&1 ||
    die "missing ${missing[*]} and no apt-get: install them by hand"
  log "installing Debian packages: ${missing[*]}"

  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    made_policy=1
  fi
  local rc=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
  if ((rc == 0)); then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" || rc=$?
  fi
  if ((made_policy)); then as_root rm -f "$policy"; fi
  ((rc == 0)) || die "apt-get failed ($rc) installing ${missing[*]}"

  for pkg in "${missing[@]}"; do
    # E.g. python3-boto3 went to /usr/bin/python3 while another python3 comes first on PATH.
    package_present "$pkg" || die "installed $pkg but still cannot find it (PATH=$PATH)"
  done
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a loopback TCP port nothing listens on. Call it right before starting the server that
# takes the port, so two calls do not hand out the same one.
free_port() {
  local port tries
  for ((tries = 0; tries < 200; tries++)); do
    # Below Linux's ephemeral range (32768+), so no outgoing connection holds it.
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    if ! port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "no free loopback port found"
}

# pid_alive PID: running and not a zombie.
pid_alive() {
  local pid="$1" state
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ "$state" != Z && "$state" != X ]]
}

# track_pid NAME PID [SIGNAL] [LOG]: remember a process for stop_all and wait_for_url.
track_pid() {
  SLUICE_TRACKED_NAMES+=("$1")
  SLUICE_TRACKED_PIDS+=("$2")
  SLUICE_TRACKED_SIGNALS+=("${3:-TERM}")
  SLUICE_TRACKED_LOGS+=("${4:-}")
}

# Prints the last lines of a log file, indented, to stderr.
log_tail() {
  local file="$1" lines="${2:-40}"
  [[ -n "$file" && -f "$file" ]] || return 0
  printf '[sluice] ---- last %s lines of %s ----\n' "$lines" "$file" >&2
  tail -n "$lines" "$file" | sed 's/^/    /' >&2
  printf '[sluice] ----\n' >&2
}

# stop_pid NAME PID SIGNAL: signal, wait up to SLUICE_STOP_TIMEOUT seconds, then SIGKILL.
stop_pid() {
  local name="$1" pid="$2" sig="$3" waited=0
  pid_alive "$pid" || return 0
  log "stopping $name (pid $pid)"
  kill "-$sig" "$pid" 2>/dev/null || true
  while pid_alive "$pid"; do
    if ((waited >= SLUICE_STOP_TIMEOUT * 10)); then
      log "$name did not stop within ${SLUICE_STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  # Reap it if it is our child; harmless otherwise.
  wait "$pid" 2>/dev/null || true
}

# Stops every tracked process, last started first. Idempotent (safe in an EXIT trap).
stop_all() {
  local i
  for ((i = ${#SLUICE_TRACKED_PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${SLUICE_TRACKED_NAMES[$i]}" "${SLUICE_TRACKED_PIDS[$i]}" "${SLUICE_TRACKED_SIGNALS[$i]}"
  done
  SLUICE_TRACKED_NAMES=()
  SLUICE_TRACKED_PIDS=()
  SLUICE_TRACKED_SIGNALS=()
  SLUICE_TRACKED_LOGS=()
}

# Prints the name of the first tracked process that has died, if any (and returns 0).
first_dead_process() {
  local i
  for ((i = 0; i < ${#SLUICE_TRACKED_PIDS[@]}; i++)); do
    if ! pid_alive "${SLUICE_TRACKED_PIDS[$i]}"; then
      printf '%s\n' "$i"
      return 0
    fi
  done
  return 1
}

# Reports a dead tracked process (by index) with its log tail.
report_dead_process() {
  local i="$1"
  log "${SLUICE_TRACKED_NAMES[$i]} (pid ${SLUICE_TRACKED_PIDS[$i]}) exited"
  log_tail "${SLUICE_TRACKED_LOGS[$i]}"
}

# spawn LOG_FILE DIR COMMAND...: runs COMMAND in DIR in the background, output appended to
# LOG_FILE, in a session of its own so a Ctrl-C on the terminal reaches only the script, which
# then stops the processes in order. setsid does not fork here (a background job is no
# process-group leader), so $! is COMMAND's own pid.
spawn() {
  local logfile="$1" dir="$2"
  shift 2
  (cd "$dir" && exec setsid "$@") >>"$logfile" 2>&1 &
}

# wait_for_url URL TIMEOUT_SECONDS NAME PID LOG: polls URL until it answers 2xx. Fails, with the
# log tail, when the process dies first or the timeout passes.
wait_for_url() {
  local url="$1" timeout="$2" name="$3" pid="$4" logfile="$5"
  local deadline=$((SECONDS + timeout))
  while ! curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
      log "$name (pid $pid) exited before $url was ready"
      log_tail "$logfile"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name not ready at $url after ${timeout}s"
      log_tail "$logfile"
      return 1
    fi
    sleep 0.5
  done
}

# Runs a command as the postgres system user when we are root (initdb and postgres refuse to
# run as root), directly otherwise.
as_pg_user() {
  if is_root; then
    # From /, so the postgres user is not left in a folder it cannot read.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# start_postgres DATA_DIR PORT LOG_FILE: initdb DATA_DIR on first use (trust auth for the
# `sluice` superuser, loopback only), start it on 127.0.0.1:PORT, wait until it accepts
# connections and create database `sluice`. Reuses an existing DATA_DIR.
start_postgres() {
  local data="$1" port="$2" logfile="$3" bin
  bin="$(pg_bin_dir)" || die "PostgreSQL server not found (install_if_missing postgresql)"
  mkdir -p "$data" "$(dirname "$logfile")"
  data="$(cd "$data" && pwd)"

  if is_root; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' system user to run PostgreSQL as"
    chown postgres:postgres "$data"
    chmod 700 "$data"
    if ! runuser -u postgres -- test -x "$data"; then
      die "the postgres user cannot reach $data: a parent folder is not traversable;" \
        "run 'chmod o+x' on it, or move the repository"
    fi
  fi

  if [[ -f "$data/PG_VERSION" ]]; then
    local have want
    have="$(cat "$data/PG_VERSION")"
    want="$("$bin/postgres" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')"
    [[ "$have" == "$want" ]] ||
      die "$data was made by PostgreSQL $have but $bin is PostgreSQL $want: remove $data to start over"
  else
    [[ -z "$(ls -A "$data")" ]] || die "$data is neither empty nor a PostgreSQL data folder: remove it"
    log "initdb $data"
    if ! as_pg_user "$bin/initdb" -D "$data" -A trust -U sluice -E UTF8 --locale=C \
      >>"$logfile" 2>&1; then
      log_tail "$logfile"
      die "initdb failed"
    fi
  fi

  log "starting PostgreSQL on 127.0.0.1:$port"
  # The postmaster is our own child (setpriv drops to the postgres user without forking), so
  # it is reaped when it exits and stop_all can signal it directly.
  local as_postgres=()
  if is_root; then as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
  spawn "$logfile" / "${as_postgres[@]}" "$bin/postgres" -D "$data" -p "$port" \
    -c listen_addresses=127.0.0.1 -c "unix_socket_directories=$data" -c fsync=on \
    -c max_connections=200
  local pid=$!
  # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for clients to disconnect).
  track_pid postgres "$pid" INT "$logfile"
  local deadline=$((SECONDS + 60))
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U sluice; do
    if ! pid_alive "$pid"; then
      log_tail "$logfile"
      die "PostgreSQL exited on start"
    fi
    ((SECONDS < deadline)) || { log_tail "$logfile"; die "PostgreSQL not ready within 60s"; }
    sleep 0.2
  done

  local exists
  exists="$("$bin/psql" -h 127.0.0.1 -p "$port" -U sluice -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = 'sluice'")" || die "psql cannot reach PostgreSQL"
  if [[ "$exists" != 1 ]]; then
    "$bin/psql" -h 127.0.0.1 -p "$port" -U sluice -d postgres -qc "CREATE DATABASE sluice" >/dev/null ||
      die "cannot create database sluice"
  fi
}

# True when Redis on 127.0.0.1:PORT answers PING.
redis_ping() {
  local reply
  reply="$(
    {
      exec 3<>"/dev/tcp/127.0.0.1/$1" &&
        printf 'PING\r\n' >&3 &&
        IFS= read -r -t 2 line <&3 &&
        printf '%s' "$line"
    } 2>/dev/null
  )" || return 1
  [[ "$reply" == "+PONG"* ]]
}

# start_redis DATA_DIR PORT LOG_FILE: Redis on 127.0.0.1:PORT, no persistence, in the foreground
# of a tracked background process; waits until it answers PING.
start_redis() {
  local data="$1" port="$2" logfile="$3" bin
  bin="$(redis_server_bin)" || die "redis-server not found (install_if_missing redis-server)"
  mkdir -p "$data" "$(dirname "$logfile")"
  log "starting Redis on 127.0.0.1:$port"
  spawn "$logfile" "$data" "$bin" --port "$port" --bind 127.0.0.1 --dir "$data" --save "" \
    --appendonly no --daemonize no --logfile ""
  local pid=$!
  track_pid redis "$pid" TERM "$logfile"
  local deadline=$((SECONDS + 30))
  until redis_ping "$port"; do
    if ! pid_alive "$pid"; then
      log_tail "$logfile"
      die "Redis exited on start"
    fi
    ((SECONDS < deadline)) || { log_tail "$logfile"; die "Redis did not answer PING within 30s"; }
    sleep 0.2
  done
}

# Builds the solution once, in Release, unless SLUICE_SKIP_BUILD=1.
build_solution() {
  if [[ "${SLUICE_SKIP_BUILD:-0}" == 1 ]]; then
    log "SLUICE_SKIP_BUILD=1: not building"
    return 0
  fi
  command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"
  log "dotnet build Service.sln -c Release"
  dotnet build Service.sln -c Release -nologo
}

# supervise: waits until a signal ends the script (its traps stop everything), or exits 1 as soon
# as one of the tracked processes dies, after showing its log.
supervise() {
  while true; do
    if dead="$(first_dead_process)"; then
      report_dead_process "$dead"
      exit 1
    fi
    sleep 1 &
    wait $! || true
  done
}
