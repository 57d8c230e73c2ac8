#!/usr/bin/env bash
# Measures the Redis side of the friend-scoped leaderboards on a private redis-server (loopback, a free
# port, no persistence, stopped on exit): memory of the two friend-scope designs and redis-benchmark
# throughput and latency of the exact commands the server sends per operation, at 200 and 5,000 friends.
#
#   loadtest/scripts/redis-commands.sh [requests per command, default 20000]
#
# Design A (chosen): one sorted set per board period; a friend board is one ZMSCORE of the friend ids.
# Design B (rejected): a sorted set per player holding their friends' scores, fed on every write.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/ensure-packages.sh
ensure_packages redis-server:redis-server redis-benchmark:redis-tools python3:python3
REQUESTS="${1:-20000}"
BOARD_SIZE=200000
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 6390)
DIR=$(mktemp -d)
redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --dir "$DIR" --daemonize yes \
  --pidfile "$DIR/redis.pid" >/dev/null
trap 'kill "$(cat "$DIR/redis.pid")" 2>/dev/null; rm -rf "$DIR"' EXIT
cli() { redis-cli -p "$PORT" "$@"; }
for _ in $(seq 50); do cli PING >/dev/null 2>&1 && break; sleep 0.1; done

BOARD='lf:{lb:w2026-11-23}'
# A weekly board of 200,000 players p1..p200000 with packed scores (score * 2^30 + time bits).
cli EVAL "for i=1,tonumber(ARGV[1]) do redis.call('ZADD', KEYS[1], (i % 5000) * 1073741824 + i, 'p'..i) end" \
  1 "$BOARD" "$BOARD_SIZE" >/dev/null

members() { # $1 = friend count: ids spread over the board
  local n=$1 step=$((BOARD_SIZE / $1)); for ((i = 1; i <= n; i++)); do printf 'p%d ' $((i * step)); done
}

echo "redis: $(redis-server --version | cut -d' ' -f3), $BOARD_SIZE-entry board, $REQUESTS requests per command, 50 clients"
echo
echo "## Memory"
board_bytes=$(cli MEMORY USAGE "$BOARD" SAMPLES 0)
echo "period board: $board_bytes bytes, $((board_bytes / BOARD_SIZE)) bytes per entry (design A: the only per-player cost)"
# shellcheck disable=SC2046
cli HSET 'lf:{p:star}:friends' $(for m in $(members 200); do printf '%s 1 ' "$m"; done) >/dev/null
for n in 200 5000; do
  key="lf:{p:star}:friendboard:$n"
  # shellcheck disable=SC2046
  cli ZADD "$key" $(for m in $(members "$n"); do printf '%s %s ' "${m#p}" "$m"; done) >/dev/null
  echo "design B, one player's friend board at $n friends: $(cli MEMORY USAGE "$key" SAMPLES 0) bytes per player per period"
done
echo
echo "## Throughput and latency (redis-benchmark --csv: rps, avg, min, p50, p95, p99, max ms)"
bench() { # $1 = label, rest = the command
  local label=$1; shift
  printf '%-60s ' "$label"
  redis-benchmark -p "$PORT" -n "$REQUESTS" -c 50 --csv "$@" | tail -1 | cut -d, -f2-
}
for n in 200 5000; do
  # shellcheck disable=SC2046
  bench "A read: ZMSCORE board, $n friends" -n $((REQUESTS * 200 / n)) ZMSCORE "$BOARD" $(members "$n")
  bench "B read: ZREVRANGE friend board 0 -1 WITHSCORES, $n friends" -n $((REQUESTS * 200 / n)) ZREVRANGE "lf:{p:star}:friendboard:$n" 0 -1 WITHSCORES
done
bench "A write: ZADD GT board (one per period)" ZADD "$BOARD" GT 1 p1
bench "B write: ZADD GT one friend's board (times friends per new best)" ZADD "lf:{p:star}:friendboard:200" GT 1 p1000
# The scripts a finished run costs, as the node sends them (EVALSHA of the same Lua).
RAISE_BEST=$(cat server/src/leaderboards/raise_best.lua)
bench "run end: EVAL raise_best.lua (x3 per run, one per period)" -r 200000 EVAL "$RAISE_BEST" 1 "$BOARD" \
  p__rand_int__ __rand_int__ ''
bench "run end: HKEYS friends (200)" HKEYS 'lf:{p:star}:friends'
bench "notification: XADD MAXLEN ~ 500 inbox" XADD 'lf:{p:star}:inbox' MAXLEN '~' 500 '*' event '{"friend_passed":{}}' created 1
bench "global top 100: ZREVRANGE board 0 99 WITHSCORES" ZREVRANGE "$BOARD" 0 99 WITHSCORES
bench "own rank: ZREVRANK board" ZREVRANK "$BOARD" p777
bench "names: HMGET 100 display names" HMGET 'lf:{names}' $(members 100)
