#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs what the tests need when it is missing
# (redis-server for the server's integration tests, openssl for their token key pairs, promtool and
# prometheus from Debian's prometheus package, amtool from prometheus-alertmanager and nginx for the
# checks of deploy/, which also pip-install their pinned Python validators (deploy/ci-requirements.txt)
# into a virtualenv under target/, Node.js and npm for the TypeScript packages, Chromium for the web
# client's browser suite), builds once, runs every Rust test in the workspace, then the TypeScript
# packages' tests, including the rules port replaying runs the Rust engine wrote and the web client
# played in headless Chromium. Arguments go to `cargo test` (a filter runs only the matching Rust
# tests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-packages.sh
ensure_packages redis-server:redis-server promtool:prometheus amtool:prometheus-alertmanager nginx:nginx \
    openssl:openssl node:nodejs npm:npm chromium:chromium
# The validators' virtualenv needs Python's venv and ensurepip (Debian ships them as python3-venv).
python3 -c 'import venv, ensurepip' 2>/dev/null || ensure_packages no-such-command:python3-venv
ensure_cargo
cargo test --workspace --locked "$@"
[ $# -eq 0 ] || exit 0

echo "== the domain's integration tests again, against a local Redis Cluster (three masters)"
LEAPFROG_TEST_REDIS=cluster cargo test --locked -p leapfrog-server --test it -- \
    runs:: social:: recording:: periods:: pending_results:: replays:: \
    red_team::durability red_team::fair_play red_team::social_abuse red_team::floods

# npm_ci DIR: installs DIR's locked dev dependencies (offline first, no audit, no scripts' noise).
npm_ci() {
    (cd "$1" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
}

echo "== game-logic/typescript (leapfrog-rules)"
npm_ci game-logic/typescript
(cd game-logic/typescript && npm test && npm run cross-check)

echo "== protocol/typescript (leapfrog-client): unit tests, then live against the server binary built above"
npm_ci protocol/typescript
(cd protocol/typescript && npm test && npm run test:integration)

echo "== server/web (the web client): unit tests, then headless Chromium against the server binary built above"
npm_ci server/web
(cd server/web && npm test && npm run test:browser)
