#!/usr/bin/env python3
"""Turns the JSON reports of loadtest/cluster-bench.sh into the tables of BENCHMARKS.md's
"Redis Cluster: balance and latency".

    loadtest/scripts/cluster-report.py target/cluster-bench > target/cluster-bench/tables.md
"""
import json
import os
import sys

MODES = ("single", "cluster")
# load name, what one operation is, the message type that counts it (None: completed runs)
LOADS = (
    ("bests", "run (new best, 200 friends)", None),
    ("friends", "friend-board read (200 friends)", "read_friends"),
    ("global", "global top-100 read", "read_global"),
)


def load(out, name):
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None  # not run, or failed (its .txt says why)
    with open(path) as file:
        return json.load(file)


def node_cpu_ms(out, name):
    path = os.path.join(out, name + ".node-cpu")
    if not os.path.exists(path):
        return None
    with open(path) as file:
        return float(file.read().strip() or 0)


def kind(report, name):
    for entry in report["kinds"]:
        if entry["kind"] == name:
            return entry
    return None


def operations(report, kind_name):
    if kind_name is None:
        return report["runs"]
    entry = kind(report, kind_name)
    return entry["count"] if entry else 0


def errors(report):
    return sum(sum(entry["errors"].values()) for entry in report["kinds"])


def main(out):
    print("Balance and cost per operation (each master's share of the commands and of the time in them,")
    print("INFO commandstats; CPU from INFO cpu for Redis, /proc for the node):\n")
    print("| load | Redis | ops/s | errors | commands/op | share of commands per master | share of command time per master | Redis CPU µs/op | node CPU µs/op |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, label, kind_name in LOADS:
        for mode in MODES:
            report = load(out, f"{mode}-{name}")
            if not report or not report.get("redis_masters"):
                continue
            ops = max(operations(report, kind_name), 1)
            seconds = report["elapsed_s"]
            masters = report["redis_masters"]
            calls = sum(master["calls"] for master in masters)
            redis_cpu = sum(master["cpu_ms"] for master in masters)
            node_cpu = node_cpu_ms(out, f"{mode}-{name}")
            shares = " / ".join(f"{master['calls_pct']:.1f}%" for master in masters)
            time_shares = " / ".join(f"{master['usec_pct']:.1f}%" for master in masters)
            node = f"{node_cpu * 1000 / ops:.0f}" if node_cpu is not None else "–"
            print(
                f"| {label} | {mode} ({len(masters)} master{'s' if len(masters) > 1 else ''}) "
                f"| {ops / seconds:,.0f} | {errors(report)} | {calls / ops:.1f} | {shares} | {time_shares} "
                f"| {redis_cpu * 1000 / ops:.0f} | {node} |"
            )

    print("\nLatency (ms), the same offered load on both:\n")
    print("| message | single p50 | single p99 | cluster p50 | cluster p99 | p50 ratio | p99 ratio |")
    print("|---|---|---|---|---|---|---|")
    for name, kind_name, label in (
        ("friends", "read_friends", "friend-board read (200 friends)"),
        ("global", "read_global", "global top-100 read"),
        ("bests", "jump_final", "run-ending jump (new best, machine speed)"),
    ):
        entries = [load(out, f"{mode}-{name}") for mode in MODES]
        entries = [kind(report, kind_name) if report else None for report in entries]
        if None in entries:
            continue
        single, cluster = entries
        ratio = lambda key: cluster[key] / single[key] if single[key] else float("nan")
        print(
            f"| {label} | {single['p50_ms']:.2f} | {single['p99_ms']:.2f} | {cluster['p50_ms']:.2f} "
            f"| {cluster['p99_ms']:.2f} | {ratio('p50_ms'):.2f} | {ratio('p99_ms'):.2f} |"
        )

    print("\nStaleness of the global top 100 (from the writer's run-end answer to a reader's first sight, ms):\n")
    print("| Redis | sights | p50 | p90 | p99 | max | reads/s | run-ending jump p99 (the precision) |")
    print("|---|---|---|---|---|---|---|---|")
    for mode in MODES:
        report = load(out, f"{mode}-stale")
        if not report:
            continue
        stale, reads, final = (kind(report, k) for k in ("top_staleness", "read_global", "jump_final"))
        if not stale:
            continue
        print(
            f"| {mode} | {stale['count']} | {stale['p50_ms']:.0f} | {stale['p90_ms']:.0f} | {stale['p99_ms']:.0f} "
            f"| {stale['max_ms']:.0f} | {reads['per_second'] if reads else 0:,.0f} "
            f"| {final['p99_ms'] if final else 0:.1f} |"
        )

    print("\nCommands per master, by command (calls):\n")
    for name, label, _ in LOADS:
        report = load(out, f"cluster-{name}")
        if not report or not report.get("redis_masters"):
            continue
        masters = report["redis_masters"]
        commands = sorted({c for master in masters for c in master["calls_by_command"]})
        print(f"{label}:\n")
        print("| master | " + " | ".join(commands) + " |")
        print("|---|" + "---|" * len(commands))
        for master in masters:
            counts = master["calls_by_command"]
            print(f"| {master['url']} | " + " | ".join(str(counts.get(c, 0)) for c in commands) + " |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/cluster-bench")
