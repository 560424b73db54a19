#!/usr/bin/env bash
# Installs what start.sh needs (Debian/Ubuntu): Ceph monitor, OSD, client tools and the RADOS
# Gateway, plus uuidgen and curl. Does nothing when everything is already there.
set -euo pipefail

PACKAGES=(ceph-mon ceph-osd ceph-common radosgw uuid-runtime curl)
COMMANDS=(ceph-mon ceph-osd ceph radosgw radosgw-admin uuidgen curl setsid)

missing=()
for command in "${COMMANDS[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("$command")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "s3-server: everything needed is installed" >&2
  exit 0
fi

echo "s3-server: missing ${missing[*]}; installing ${PACKAGES[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "s3-server: apt-get not found; install the equivalent of: ${PACKAGES[*]}" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "s3-server: need root or sudo to install packages" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
echo "s3-server: installed" >&2
