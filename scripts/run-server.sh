#!/usr/bin/env bash
# Runs a Leapfrog server on this machine: installs redis-server, Node.js and npm when missing, builds the
# web client (server/web/dist) when it is missing or older than its sources, builds in release mode and
# starts `leapfrog-server`, which serves the game at http://127.0.0.1:7300/ and supervises its own
# persistent redis-server under ./.leapfrog-data unless a Redis URL is configured. Without
# LEAPFROG_JWT_SECRET it runs with --dev-auth (tokens from POST /dev/token; open /?player=NAME to play as
# NAME). Extra arguments go to the server (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-packages.sh
ensure_packages redis-server:redis-server node:nodejs npm:npm
ensure_cargo

# The web client is built when its output is missing or older than any source it is built from (its own,
# the client SDK's and the rules').
web_sources=(server/web/src server/web/static server/web/scripts server/web/package.json
    server/web/package-lock.json protocol/typescript/src game-logic/typescript/src)
if [ ! -f server/web/dist/index.html ] ||
    [ -n "$(find "${web_sources[@]}" -newer server/web/dist/index.html -print -quit)" ]; then
    echo "building the web client (server/web)" >&2
    (cd server/web && npm ci --no-audit --no-fund --prefer-offline --loglevel=error && npm run build)
fi
args=()
[ -n "${LEAPFROG_JWT_SECRET:-}" ] || args+=(--dev-auth)
exec cargo run --release --locked -p leapfrog-server -- "${args[@]}" "$@"
