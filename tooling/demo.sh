#!/usr/bin/env bash
# The main job, end to end: ingest a folder (default: this repository) into the default disk lake
# (./.datalake, or DATALAKE_URL), then show what is in it and search it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
folder="${1:-$root}"
query="${2:-CREATE TABLE}"
datalake() { node "$root/apps/cli/dist/main.js" "$@"; }

datalake ingest "$folder"
echo
datalake stats
echo
datalake search "$query" --limit 5
