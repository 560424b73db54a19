#!/usr/bin/env bash
# Builds the MinIO server from source, the way MinIO's community edition is distributed:
# `go install` of the pinned module version (common.sh) into a cache folder. Does nothing when the
# binary is already there (about a second). The first build takes minutes and a few GB of disk for
# the module cache, which is deleted after a successful build.
#   install.sh           build if needed, print the binary's path
#   install.sh --check   print the binary's path if it is built; exit 1 if not (never builds)
# DATALAKE_MINIO_KEEP_BUILD_CACHE=1 keeps the Go module and build caches after the build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if minio_installed; then
  say "MinIO $MINIO_VERSION is built: $MINIO_BIN"
  echo "$MINIO_BIN"
  exit 0
fi
if [ "${1:-}" = --check ]; then
  say "MinIO $MINIO_VERSION is not built (run tooling/minio/install.sh)"
  exit 1
fi
[ $# -eq 0 ] || { echo "usage: $0 [--check]" >&2; exit 2; }

command -v go >/dev/null 2>&1 ||
  fail "the Go toolchain is not installed; MinIO is built from source with it (https://go.dev/dl/)"

export GOPATH="$MINIO_CACHE/gopath"
export GOMODCACHE="$MINIO_CACHE/gomodcache"
export GOCACHE="$MINIO_CACHE/gocache"
export GOBIN="$MINIO_CACHE/bin"
# Build with this machine's Go, never a toolchain fetched behind the user's back; no C compiler
# needed (MinIO's own release builds are static too).
export GOTOOLCHAIN=local
export CGO_ENABLED=0
mkdir -p "$MINIO_CACHE"

# The Go version the module's go.mod asks for, against the machine's.
have=$(go env GOVERSION)
have=${have#go}
if ! needed=$(go list -m -f '{{.GoVersion}}' "$MINIO_MODULE@$MINIO_VERSION" 2>&1); then
  fail "could not read the go.mod of $MINIO_MODULE@$MINIO_VERSION from the Go module proxy ($(go env GOPROXY)): $needed"
fi
if [ -n "$needed" ] && [ "$(printf '%s\n%s\n' "$needed" "$have" | sort -V | head -n 1)" != "$needed" ]; then
  fail "MinIO $MINIO_VERSION needs Go >= $needed; this machine has Go $have. Install a newer Go (https://go.dev/dl/) and run install.sh again."
fi

say "building MinIO $MINIO_VERSION with Go $have (needs >= $needed) into $MINIO_CACHE; this takes minutes"
started=$(date +%s)
if ! go install "$MINIO_MODULE@$MINIO_VERSION"; then
  fail "go install $MINIO_MODULE@$MINIO_VERSION failed (Go $have; output above)"
fi
minio_installed || fail "the build finished but $MINIO_BIN does not run"
elapsed=$(($(date +%s) - started))
say "built MinIO in $((elapsed / 60)) min $((elapsed % 60)) s: $MINIO_BIN"

if [ "${DATALAKE_MINIO_KEEP_BUILD_CACHE:-0}" != 1 ]; then
  go clean -modcache
  rm -rf "$GOCACHE" "$GOPATH"
  say "deleted the Go module and build caches (DATALAKE_MINIO_KEEP_BUILD_CACHE=1 keeps them)"
fi
echo "$MINIO_BIN"
