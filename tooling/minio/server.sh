#!/usr/bin/env bash
# Crashes and restarts the server started by start.sh, for fault tests: same port, same drives.
#   server.sh kill      SIGKILL it (a crash, not a clean shutdown)
#   server.sh restart   start it again if it is not running, and wait until it answers
#   server.sh stop      stop it cleanly (TERM, then KILL if it lingers); stop.sh also deletes the state
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ -f "$SETTINGS_FILE" ] || fail "no server under $MINIO_DIR (run start.sh first)"
# shellcheck disable=SC1090
source "$SETTINGS_FILE"
pid=$(recorded_pid)
case "${1:-}" in
  kill)
    is_ours "$pid" || fail "MinIO under $MINIO_DIR is not running"
    stop_server KILL
    ;;
  restart)
    if is_ours "$pid"; then
      say "MinIO (pid $pid) is already running"
    else
      minio_installed || fail "MinIO $MINIO_VERSION is not built (run tooling/minio/install.sh)"
      launch_server || fail "MinIO did not restart (log: $LOG_FILE)"
    fi
    ;;
  stop)
    stop_server TERM
    ;;
  *)
    echo "usage: $0 kill|restart|stop" >&2
    exit 2
    ;;
esac
