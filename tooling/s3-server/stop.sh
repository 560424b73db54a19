#!/usr/bin/env bash
# Stops the daemons start.sh and gateway.sh recorded (the gateways first, including the spare one
# if it runs, the monitor last), each only after checking that its PID still runs one of our
# daemons, then deletes the state dir.
# DATALAKE_S3_KEEP=1 keeps the state dir (and its logs).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ ! -f "$PID_FILE" ]; then
  say "nothing to stop (no $PID_FILE)"
  exit 0
fi
mapfile -t entries < <(tac "$PID_FILE")
for entry in "${entries[@]}"; do
  stop_pid "${entry% *}" "${entry#* }"
done
rm -f "$PID_FILE"
if [ "${DATALAKE_S3_KEEP:-0}" != 1 ]; then
  rm -rf "$S3_DIR"
fi
say "stopped"
