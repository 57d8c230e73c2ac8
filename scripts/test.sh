#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs what the tests need when it is missing
# (redis-server for the server's integration tests), then builds once and runs every test in the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-packages.sh
ensure_packages redis-server:redis-server
ensure_cargo
cargo test --workspace --locked "$@"
