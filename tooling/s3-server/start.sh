#!/usr/bin/env bash
# Starts a throwaway single-node Ceph cluster (one monitor, one in-memory OSD) and a RADOS
# Gateway serving S3 on 127.0.0.1, without systemd, with all state in one directory.
# Prints the endpoint and credentials and writes them to "$DATALAKE_S3_DIR/s3.env" as
# `export` lines, ready to be sourced. Stop everything with stop.sh.
# A second, spare gateway on the next port is configured but not started: gateway.sh starts,
# crashes and stops it for the tests that simulate a server dying, so the main gateway, which
# other tests use at the same time, never goes down.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

for command in ceph-mon ceph-osd ceph radosgw radosgw-admin uuidgen curl setsid; do
  command -v "$command" >/dev/null || fail "$command is not installed (run install.sh)"
done

if [ -f "$PID_FILE" ]; then
  while read -r name pid; do
    is_ours "$pid" && fail "$name (pid $pid) of an earlier start is still running; run stop.sh first"
  done <"$PID_FILE"
  say "removing the leftovers of an earlier run in $S3_DIR"
fi
[ "$SPARE_PORT" != "$S3_PORT" ] || fail "DATALAKE_S3_SPARE_PORT must differ from DATALAKE_S3_PORT"
if s3_answers 2>/dev/null; then
  fail "something already answers on 127.0.0.1:${S3_PORT}; set DATALAKE_S3_PORT to another port"
fi
if spare_answers 2>/dev/null; then
  fail "something already answers on 127.0.0.1:${SPARE_PORT}; set DATALAKE_S3_SPARE_PORT to another port"
fi

rm -rf "$S3_DIR"
mkdir -p "$S3_DIR"/{mon/ceph-a,osd/ceph-0,rgw/a,rgw/spare,run,crash} "$LOG_DIR"
: >"$PID_FILE"
# From here on, any failure shows the daemons' logs.
trap 'status=$?; if [ $status -ne 0 ]; then show_logs; fi' EXIT

# Ceph's tools read the config from these; the daemons also get "-c" so that their command
# lines name our config file (stop.sh checks that before signalling a PID).
export CEPH_CONF="$CONF"
export CEPH_ARGS="--conf $CONF"

# Notes on the settings:
# - auth is off; radosgw then also needs "ms mon client mode = crc" and "auth client required =
#   none", or it waits forever for an encrypted connection and never opens its port.
# - "paxos propose interval" is shortened so that pool creation takes milliseconds, not seconds.
# - "tcp_nodelay=1" on the frontend: without it every small response waits ~40 ms (Nagle).
# - two gateways, each with its own name, port and data dir, serve the default zone, so a bucket
#   created through one is visible through the other. The spare one is crashed on purpose and
#   must not slow the main one down when it dies:
#   - every gateway watches control objects, and a metadata write (CreateBucket, DeleteBucket...)
#     notifies their watchers and waits for the answers. A killed gateway's watch lingers ~30 s,
#     and such writes through the main gateway would wait that long. With
#     "rgw num control oids = 0" the spare watches an object of its own, which the main gateway
#     never notifies.
#   - so it hears of no metadata change, and keeps no cache ("rgw cache enabled = false").
#   - it runs no background work (garbage collection, lifecycle, resharding) whose locks a crash
#     would leave behind.
gateway_section() { # id port [extra setting lines...]
  cat <<SECTION

[client.rgw.$1]
ms mon client mode = crc
auth client required = none
rgw data = $S3_DIR/rgw/$1
rgw frontends = beast endpoint=127.0.0.1:$2 tcp_nodelay=1
rgw thread pool size = 128
rgw enable usage log = false
rgw dns name = localhost
SECTION
  shift 2
  if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi
}
{
  cat <<CONFIG
[global]
fsid = $(uuidgen)
mon host = [v2:127.0.0.1:${MON_PORT},v1:127.0.0.1:$((MON_PORT + 1))]
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = $S3_DIR/run
admin socket = $S3_DIR/run/\$name.asok
pid file = $S3_DIR/run/\$name.pid
log file = $LOG_DIR/\$name.log
log to stderr = false
err to stderr = false
mon cluster log file = $LOG_DIR/cluster.log
crash dir = $S3_DIR/crash
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
paxos propose interval = 0.05
paxos min wait = 0.01
mon data avail warn = 2
mon data avail crit = 1

[mon]
public addrv = [v2:127.0.0.1:${MON_PORT},v1:127.0.0.1:$((MON_PORT + 1))]
mon data = $S3_DIR/mon/ceph-\$id

[osd]
osd data = $S3_DIR/osd/ceph-\$id
osd objectstore = memstore
memstore device bytes = 4294967296
osd class load list = *
osd class default list = *
osd op num shards = 2
osd op num threads per shard = 1
CONFIG
  gateway_section a "$S3_PORT"
  gateway_section spare "$SPARE_PORT" \
    'rgw num control oids = 0' \
    'rgw cache enabled = false' \
    'rgw enable gc threads = false' \
    'rgw enable lc threads = false' \
    'rgw dynamic resharding = false'
} >"$CONF"

say "monitor: creating its store"
timeout "$STEP_TIMEOUT" ceph-mon -c "$CONF" --mkfs -i a >"$LOG_DIR/mon-mkfs.out" 2>&1 ||
  fail "ceph-mon --mkfs failed"
start_daemon mon ceph-mon -i a
wait_until "the monitor" timeout 10 ceph mon stat --connect-timeout 5

osd_uuid=$(uuidgen)
osd_id=$(timeout "$STEP_TIMEOUT" ceph osd new "$osd_uuid" --connect-timeout 10)
say "osd.$osd_id: creating its store"
timeout "$STEP_TIMEOUT" ceph-osd -c "$CONF" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" \
  >"$LOG_DIR/osd-mkfs.out" 2>&1 || fail "ceph-osd --mkfs failed"
start_daemon osd ceph-osd -i "$osd_id"
osd_is_up() { timeout 10 ceph osd dump --format json --connect-timeout 5 | grep -q '"up":1'; }
wait_until "osd.$osd_id to come up" osd_is_up

say "creating the S3 user (this also creates the gateway's pools)"
timeout "$STEP_TIMEOUT" radosgw-admin -n client.rgw.a user create --uid=datalake \
  --display-name="datalake tests" --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" \
  >"$LOG_DIR/user-create.out" 2>&1 || fail "radosgw-admin user create failed"

start_gateway
say "S3 gateway answers on 127.0.0.1:${S3_PORT} (spare gateway, not started: port ${SPARE_PORT})"

cat >"$ENV_FILE" <<ENV
export S3_ENDPOINT=http://127.0.0.1:${S3_PORT}
export AWS_ACCESS_KEY_ID=${S3_ACCESS_KEY}
export AWS_SECRET_ACCESS_KEY=${S3_SECRET_KEY}
export AWS_REGION=${S3_REGION}
export DATALAKE_S3_DIR=${S3_DIR}
export DATALAKE_S3_SPARE_ENDPOINT=http://127.0.0.1:${SPARE_PORT}
ENV
cat "$ENV_FILE"
echo "# env file: $ENV_FILE (source it); logs: $LOG_DIR; stop with stop.sh" >&2
