# Shared settings of the MinIO scripts. Sourced, never run.
# Every value can be overridden from the environment.

# The MinIO module version install.sh builds. MinIO's release tags are not semantic versions,
# so the Go command knows a release by its pseudo-version; this one is the commit the Go module
# proxy resolved for `go list -m github.com/minio/minio@latest` when it was pinned.
MINIO_MODULE=github.com/minio/minio
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

# Build cache: the binary, and during a build the Go module and build caches.
MINIO_CACHE=${DATALAKE_MINIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datalake/minio/$MINIO_VERSION}
MINIO_BIN=$MINIO_CACHE/bin/minio

MINIO_STARTED_AT=$(date +%s%N)
say() {
  local ms=$((($(date +%s%N) - MINIO_STARTED_AT) / 1000000))
  printf '[minio +%d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*" >&2
}

fail() {
  say "ERROR: $*"
  exit 1
}

# True when the binary in the cache runs.
minio_installed() { [ -x "$MINIO_BIN" ] && "$MINIO_BIN" --version >/dev/null 2>&1; }

# State dir of a running server: data folders, log, PID, settings and the env file.
if [ -z "${DATALAKE_MINIO_DIR:-}" ]; then
  # The system temp dir without naming it: mktemp -u honours TMPDIR and the platform default.
  DATALAKE_MINIO_DIR="$(dirname "$(mktemp -u)")/datalake-minio"
fi
MINIO_DIR=$DATALAKE_MINIO_DIR
MINIO_ACCESS_KEY=${DATALAKE_MINIO_ACCESS_KEY:-datalake-minio-test}
MINIO_SECRET_KEY=${DATALAKE_MINIO_SECRET_KEY:-datalake-minio-test-secret-key-0000}
MINIO_REGION=us-east-1
STEP_TIMEOUT=${DATALAKE_MINIO_TIMEOUT:-120}

PID_FILE=$MINIO_DIR/pid
SETTINGS_FILE=$MINIO_DIR/settings
ENV_FILE=$MINIO_DIR/s3.env
LOG_FILE=$MINIO_DIR/minio.log

# True when PID is alive and runs our binary on our state dir, so a recycled PID that now
# belongs to an unrelated process is never signalled.
is_ours() {
  local pid=$1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$MINIO_DIR/"
}

recorded_pid() { [ -f "$PID_FILE" ] && cat "$PID_FILE" || true; }

# The drive arguments of a mode: one folder, or four in MinIO's own expansion syntax (the three
# dots are MinIO's, not the shell's), which makes an erasure-coded set of four drives.
drive_args() {
  case "$1" in
    single) echo "$MINIO_DIR/data" ;;
    erasure) echo "$MINIO_DIR/drive{1...4}" ;;
  esac
}

drive_folders() {
  case "$1" in
    single) echo "$MINIO_DIR/data" ;;
    erasure) echo "$MINIO_DIR/drive1 $MINIO_DIR/drive2 $MINIO_DIR/drive3 $MINIO_DIR/drive4" ;;
  esac
}

show_log() {
  [ -f "$LOG_FILE" ] || return 0
  echo "----- last lines of $LOG_FILE" >&2
  tail -n 30 "$LOG_FILE" >&2
}

health() { # port path
  curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$1/minio/health/$2"
}

# Starts the server of the recorded settings (PORT, MODE) in the background and waits, bounded,
# until it is live and the drives have write quorum. Returns 1 (after showing the log) when the
# process dies or the time is up.
launch_server() {
  local drives
  drives=$(drive_args "$MODE")
  # No web console, no update checks, and drives may sit on the root disk (MinIO refuses that for
  # an erasure set otherwise).
  MINIO_ROOT_USER=$MINIO_ACCESS_KEY MINIO_ROOT_PASSWORD=$MINIO_SECRET_KEY MINIO_BROWSER=off \
    MINIO_UPDATE=off MINIO_CI_CD=on setsid nohup "$MINIO_BIN" server --quiet \
    --address "127.0.0.1:$PORT" "$drives" >>"$LOG_FILE" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$(($(date +%s) + STEP_TIMEOUT))
  until health "$PORT" live 2>/dev/null && health "$PORT" cluster 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "MinIO (pid $pid) exited before it answered on 127.0.0.1:$PORT"
      show_log
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "timed out after ${STEP_TIMEOUT}s waiting for MinIO on 127.0.0.1:$PORT"
      show_log
      return 1
    fi
    sleep 0.2
  done
  say "MinIO ($MODE, pid $pid) answers on 127.0.0.1:$PORT"
}

# Sends SIGNAL (default TERM) to the recorded server if it is ours and waits until it is gone;
# after TERM, KILL follows if it lingers for 10 s.
stop_server() {
  local signal=${1:-TERM} pid
  pid=$(recorded_pid)
  is_ours "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null && say "sent $signal to MinIO (pid $pid)"
  for _ in $(seq 1 40); do
    is_ours "$pid" || return 0
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null && say "sent KILL to MinIO (pid $pid)"
  for _ in $(seq 1 40); do
    is_ours "$pid" || return 0
    sleep 0.25
  done
  say "MinIO (pid $pid) did not exit"
  return 1
}
