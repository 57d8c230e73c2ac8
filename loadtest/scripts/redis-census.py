#!/usr/bin/env python3
"""Bytes per key kind in Leapfrog's Redis (MEMORY USAGE of every key, on every master given), to size a
deployment: run records, board shards, each player's keys. Read-only (SCAN, MEMORY USAGE, ZCARD).

    loadtest/scripts/redis-census.py PORT [PORT...]    (loopback redis-servers; the masters of a cluster)
"""
import re
import subprocess
import sys
from collections import defaultdict

KINDS = (
    (re.compile(r"^lf:\{run:[^}]*\}:meta$"), "run record (meta hash, 24 h after the end)"),
    (re.compile(r"^lf:\{run:[^}]*\}:log$"), "run input log (8 B per jump)"),
    (re.compile(r"^lf:\{runs:[^}]*\}$"), "index of unsettled runs"),
    (re.compile(r"^lf:\{lb:[^}]*\}$"), "board shard (sorted set)"),
    (re.compile(r"^lf:\{names:[^}]*\}$"), "names shard"),
    (re.compile(r"^lf:\{p:[^}]*\}:replay:"), "player: best replay of a period"),
    (re.compile(r"^lf:\{p:[^}]*\}:best:"), "player: best replay of a period (older layout, a hash)"),
    (re.compile(r"^lf:\{p:[^}]*\}:msgs:"), "player: message budget window"),
    (re.compile(r"^lf:\{p:[^}]*\}:req:"), "player: friend requests"),
    (re.compile(r"^lf:\{p:[^}]*\}:(?P<suffix>[a-z:-]+)$"), "player: {suffix}"),
    (re.compile(r"^lf:\{meta\}"), "deployment meta"),
)


def redis_cli(port, *args, stdin=None):
    return subprocess.run(
        ["redis-cli", "-p", str(port), *args], input=stdin, capture_output=True, text=True, check=True
    ).stdout


def kind_of(key):
    for pattern, label in KINDS:
        match = pattern.match(key)
        if match:
            return label.format(**match.groupdict())
    return "other"


def main(ports):
    count, total, entries = defaultdict(int), defaultdict(int), defaultdict(int)
    for port in ports:
        keys = [key for key in redis_cli(port, "--scan").splitlines() if key]
        if not keys:
            continue
        sizes = redis_cli(port, stdin="".join(f"MEMORY USAGE {key}\n" for key in keys)).splitlines()
        board_keys = [key for key in keys if key.startswith("lf:{lb:")]
        cards = redis_cli(port, stdin="".join(f"ZCARD {key}\n" for key in board_keys)).splitlines()
        for key, card in zip(board_keys, cards):
            entries[kind_of(key)] += int(card or 0)
        for key, size in zip(keys, sizes):
            kind = kind_of(key)
            count[kind] += 1
            total[kind] += int(size or 0)
    print("| key kind | keys | bytes | bytes per key | bytes per entry |")
    print("|---|---|---|---|---|")
    for kind in sorted(total, key=lambda k: -total[k]):
        per_entry = f"{total[kind] / entries[kind]:.0f}" if entries.get(kind) else ""
        print(f"| {kind} | {count[kind]:,} | {total[kind]:,} | {total[kind] / count[kind]:.0f} | {per_entry} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
