#!/usr/bin/env bash
# Starts, crashes or stops the spare S3 gateway of a cluster started by start.sh: a second
# radosgw serving the same cluster and zone on its own port, for the tests that simulate a
# server dying mid-run. The main gateway, which other test runs share, is never touched, nor
# are the monitor and OSD.
#   gateway.sh start    start the spare gateway (if it is not running) and wait until it answers
#   gateway.sh kill     SIGKILL it (a crash, not a clean shutdown)
#   gateway.sh stop     stop it cleanly (TERM, then KILL if it lingers)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ -f "$CONF" ] || fail "no cluster under $S3_DIR (run start.sh first)"
grep -qF '[client.rgw.spare]' "$CONF" ||
  fail "the cluster under $S3_DIR has no spare gateway (started by an older start.sh); run stop.sh and start.sh"
# The spare port the cluster was started with, whatever this process's environment says (a test
# runner may not pass DATALAKE_S3_PORT or DATALAKE_S3_SPARE_PORT through).
SPARE_PORT=$(sed -n 's|^export DATALAKE_S3_SPARE_ENDPOINT=http://127\.0\.0\.1:\([0-9]*\)$|\1|p' \
  "$ENV_FILE" 2>/dev/null || true)
[ -n "$SPARE_PORT" ] || fail "no DATALAKE_S3_SPARE_ENDPOINT in $ENV_FILE"

pid=$(recorded_pid rgw-spare)
spare_running() { [ -n "$pid" ] && is_ours "$pid"; }
case "${1:-}" in
  start)
    if spare_running; then
      say "spare gateway already running (pid $pid)"
      wait_until "the spare S3 gateway on 127.0.0.1:${SPARE_PORT}" spare_answers
    else
      start_spare_gateway
      say "spare gateway answers on 127.0.0.1:${SPARE_PORT}"
    fi
    ;;
  kill)
    spare_running || fail "the spare gateway is not running (start it first)"
    stop_pid rgw-spare "$pid" KILL
    ;;
  stop)
    if spare_running; then
      stop_pid rgw-spare "$pid"
    else
      say "spare gateway not running"
    fi
    ;;
  *)
    echo "usage: $0 start|kill|stop" >&2
    exit 2
    ;;
esac
