#!/usr/bin/env bash
# Starts a throwaway MinIO server (built by install.sh) on 127.0.0.1, with all its state in one
# directory, waits (bounded) until it answers, prints the endpoint and credentials and writes them
# to "$DATALAKE_MINIO_DIR/s3.env" as `export` lines, ready to be sourced. Stop it with stop.sh.
#   start.sh            one drive (a folder)
#   start.sh --erasure  an erasure-coded set of four drives (four folders), for fault tests
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

case "${1:-}" in
  '') MODE=single ;;
  --erasure) MODE=erasure ;;
  *)
    echo "usage: $0 [--erasure]" >&2
    exit 2
    ;;
esac
for command in curl setsid; do
  command -v "$command" >/dev/null || fail "$command is not installed"
done
minio_installed || fail "MinIO $MINIO_VERSION is not built (run tooling/minio/install.sh)"
pid=$(recorded_pid)
if is_ours "$pid"; then fail "MinIO (pid $pid) of an earlier start is still running; run stop.sh first"; fi

# A free port, asked of the kernel; if the server loses the race for it, another one is tried.
free_port() {
  node -e 'const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

rm -rf "$MINIO_DIR"
mkdir -p "$MINIO_DIR"
# shellcheck disable=SC2046
mkdir -p $(drive_folders "$MODE")
for attempt in 1 2 3; do
  PORT=${DATALAKE_MINIO_PORT:-$(free_port)}
  printf 'PORT=%s\nMODE=%s\n' "$PORT" "$MODE" >"$SETTINGS_FILE"
  if launch_server; then break; fi
  stop_server KILL || true
  if [ -n "${DATALAKE_MINIO_PORT:-}" ] || [ "$attempt" -eq 3 ]; then fail "MinIO did not start (log: $LOG_FILE)"; fi
  say "trying another port"
done

drives=$(drive_folders "$MODE")
cat >"$ENV_FILE" <<ENV
export S3_ENDPOINT=http://127.0.0.1:${PORT}
export AWS_ACCESS_KEY_ID=${MINIO_ACCESS_KEY}
export AWS_SECRET_ACCESS_KEY=${MINIO_SECRET_KEY}
export AWS_REGION=${MINIO_REGION}
export DATALAKE_MINIO_DIR=${MINIO_DIR}
export DATALAKE_MINIO_DRIVES="${drives}"
ENV
cat "$ENV_FILE"
echo "# env file: $ENV_FILE (source it); log: $LOG_FILE; stop with stop.sh" >&2
