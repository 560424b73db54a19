#!/usr/bin/env bash
# Stops the server start.sh recorded (only after checking that its PID still runs our binary on
# our state dir), then deletes the state dir. Safe to call when nothing runs.
# DATALAKE_MINIO_KEEP=1 keeps the state dir (data and log).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ ! -f "$PID_FILE" ]; then
  say "nothing to stop (no $PID_FILE)"
  exit 0
fi
stop_server TERM || exit 1
rm -f "$PID_FILE"
if [ "${DATALAKE_MINIO_KEEP:-0}" != 1 ]; then
  rm -rf "$MINIO_DIR"
fi
say "stopped"
