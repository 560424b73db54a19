#!/usr/bin/env bash
# Stops or starts only the S3 gateway (radosgw) of a cluster started by start.sh, leaving the
# monitor and OSD running. Used by tests that simulate a server dying mid-run.
#   gateway.sh kill     SIGKILL the gateway (a crash, not a clean shutdown)
#   gateway.sh start    start it again and wait until it answers
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ -f "$CONF" ] || { say "ERROR: no cluster under $S3_DIR (run start.sh first)"; exit 1; }
# The port the cluster was started on, whatever this process's environment says (a test runner
# may not pass DATALAKE_S3_PORT through).
recorded_port=$(sed -n 's|^export S3_ENDPOINT=http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$ENV_FILE" 2>/dev/null || true)
S3_PORT=${recorded_port:-$S3_PORT}
case "${1:-}" in
  kill)
    pid=$(recorded_pid rgw)
    [ -n "$pid" ] || { say "ERROR: no gateway PID recorded in $PID_FILE"; exit 1; }
    stop_pid rgw "$pid" KILL
    ;;
  start)
    pid=$(recorded_pid rgw)
    if [ -n "$pid" ] && is_ours "$pid"; then
      say "gateway already running (pid $pid)"
    else
      start_gateway
      say "gateway answers again"
    fi
    ;;
  *)
    echo "usage: $0 kill|start" >&2
    exit 2
    ;;
esac
