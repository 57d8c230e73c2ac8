#!/usr/bin/env bash
# Runs a Leapfrog server on this machine: installs redis-server when missing, builds in release mode and
# starts `leapfrog-server`, which supervises its own persistent redis-server under ./.leapfrog-data unless
# a Redis URL is configured. Without LEAPFROG_JWT_SECRET it runs with --dev-auth (tokens from
# POST /dev/token) for local play. Extra arguments go to the server (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-packages.sh
ensure_packages redis-server:redis-server
ensure_cargo
args=()
[ -n "${LEAPFROG_JWT_SECRET:-}" ] || args+=(--dev-auth)
exec cargo run --release --locked -p leapfrog-server -- "${args[@]}" "$@"
