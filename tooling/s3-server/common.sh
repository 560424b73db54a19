# Shared settings of the throwaway Ceph RADOS Gateway scripts. Sourced, never run.
# Every value can be overridden from the environment.

# State dir: config, daemon data, logs, PID files and the env file all live here.
if [ -z "${DATALAKE_S3_DIR:-}" ]; then
  # The system temp dir without naming it: mktemp -u honours TMPDIR and the platform default.
  DATALAKE_S3_DIR="$(dirname "$(mktemp -u)")/datalake-s3"
fi
S3_DIR=$DATALAKE_S3_DIR
S3_PORT=${DATALAKE_S3_PORT:-7480}
# A second gateway on the same cluster, configured by start.sh but only started on demand
# (gateway.sh): the tests that crash a gateway crash this one, never the one on S3_PORT.
SPARE_PORT=${DATALAKE_S3_SPARE_PORT:-$((S3_PORT + 1))}
MON_PORT=${DATALAKE_S3_MON_PORT:-3300}
STEP_TIMEOUT=${DATALAKE_S3_TIMEOUT:-120}
S3_ACCESS_KEY=${DATALAKE_S3_ACCESS_KEY:-DATALAKETESTACCESSK1}
S3_SECRET_KEY=${DATALAKE_S3_SECRET_KEY:-datalaketestsecretkey00000000000000000000}
S3_REGION=us-east-1

CONF="$S3_DIR/ceph.conf"
PID_FILE="$S3_DIR/pids"
ENV_FILE="$S3_DIR/s3.env"
LOG_DIR="$S3_DIR/log"

S3_STARTED_AT=$(date +%s%N)
say() {
  local ms=$((($(date +%s%N) - S3_STARTED_AT) / 1000000))
  printf '[s3-server +%d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*" >&2
}

fail() {
  say "ERROR: $*"
  exit 1
}

show_logs() {
  for f in "$LOG_DIR"/*.log "$LOG_DIR"/*.out; do
    [ -f "$f" ] || continue
    echo "----- last lines of $f" >&2
    tail -n 30 "$f" >&2
  done
}

port_answers() { curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$1/"; }
s3_answers() { port_answers "$S3_PORT"; }
spare_answers() { port_answers "$SPARE_PORT"; }

# True when PID is alive and its command line names our config file, so a recycled PID
# that now belongs to an unrelated process is never signalled.
is_ours() {
  local pid=$1
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$CONF"
}

recorded_pid() { # name -> pid recorded at its latest start, empty if none
  if [ -f "$PID_FILE" ]; then
    awk -v n="$1" '$1 == n { print $2 }' "$PID_FILE" | tail -n 1
  fi
}

# Sends TERM, waits up to 10 s, then KILL. Only for processes that pass is_ours.
stop_pid() { # name pid [signal]
  local name=$1 pid=$2 signal=${3:-TERM}
  is_ours "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null && say "sent $signal to $name (pid $pid)"
  for _ in $(seq 1 40); do
    is_ours "$pid" || return 0
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null && say "sent KILL to $name (pid $pid)"
  for _ in $(seq 1 20); do
    is_ours "$pid" || return 0
    sleep 0.25
  done
}

start_daemon() { # name command...
  local name=$1
  shift
  setsid nohup "$@" -c "$CONF" -f >"$LOG_DIR/$name.out" 2>&1 </dev/null &
  echo "$name $!" >>"$PID_FILE"
}

wait_until() { # description command...
  local what=$1
  shift
  local deadline=$(($(date +%s) + STEP_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "ERROR: timed out after ${STEP_TIMEOUT}s waiting for $what"
      show_logs
      return 1
    fi
    sleep 0.25
  done
}

# The main gateway: started by start.sh, runs until stop.sh.
start_gateway() {
  start_daemon rgw radosgw -n client.rgw.a
  wait_until "the S3 gateway on 127.0.0.1:${S3_PORT}" s3_answers
}

# The spare gateway ([client.rgw.spare] in the config): same cluster and zone, its own port.
start_spare_gateway() {
  start_daemon rgw-spare radosgw -n client.rgw.spare
  wait_until "the spare S3 gateway on 127.0.0.1:${SPARE_PORT}" spare_answers
}
