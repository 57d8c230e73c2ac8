#!/usr/bin/env python3
"""Turns the JSON reports of loadtest/bench.sh into the Markdown tables of BENCHMARKS.md.

    loadtest/scripts/bench-report.py target/bench > target/bench/tables.md
"""
import json
import os
import sys


def load(out, name):
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as file:
        return json.load(file)


def kind(report, name):
    for entry in report["kinds"]:
        if entry["kind"] == name:
            return entry
    return None


def lat(entry):
    if entry is None:
        return "–", "–"
    return f"{entry['p50_ms']:.2f}", f"{entry['p99_ms']:.2f}"


def main(out):
    print("### 1. Jump round trips, 1,000 connections, machine speed\n")
    print("| target | jumps/s | round trips/s | jump p50 ms | jump p99 ms | run-ending jump p99 ms |")
    print("|---|---|---|---|---|---|")
    echo, server = load(out, "1-echo"), load(out, "1-server")
    for label, report in (("echo baseline", echo), ("Leapfrog node", server)):
        if report:
            p50, p99 = lat(kind(report, "jump"))
            _, final99 = lat(kind(report, "jump_final"))
            print(f"| {label} | {report['jumps_per_s']:,.0f} | {report['round_trips_per_s']:,.0f} | {p50} | {p99} | {final99} |")
    if echo and server:
        print(f"\nRatio node / echo (jumps per second): **{server['jumps_per_s'] / echo['jumps_per_s']:.2f}**\n")

    print("### 2. Memory per idle authenticated connection\n")
    print("| connections | node RSS before → loaded | node bytes/connection | echo bytes/connection |")
    print("|---|---|---|---|")
    sizes = sorted({int(name.split("-")[-1].split(".")[0]) for name in os.listdir(out)
                    if name.startswith("2-idle-") and name.endswith(".json")})
    for n in sizes:
        node, echo = load(out, f"2-idle-{n}"), load(out, f"2-idle-echo-{n}")
        if node and node.get("memory"):
            m = node["memory"]
            e = echo["memory"]["bytes_per_connection"] if echo and echo.get("memory") else None
            print(f"| {m['connections']:,} | {m['rss_before_bytes'] / 2**20:.1f} → {m['rss_loaded_bytes'] / 2**20:.1f} MiB "
                  f"| {m['bytes_per_connection']:,} ({m['bytes_per_connection'] / 1024:.1f} KiB) | "
                  f"{'–' if e is None else f'{e:,} ({e / 1024:.1f} KiB)'} |")

    print("\n### 3. Runs ending with a new best, 200 friends each\n")
    bests = load(out, "3-bests")
    if bests:
        p50, p99 = lat(kind(bests, "jump_final"))
        d50, d99 = lat(kind(bests, "notification_delivery"))
        print("| runs/s | run-ending jump p50 ms | p99 ms | notifications/s | delivery p50 ms | p99 ms |")
        print("|---|---|---|---|---|---|")
        deliveries = kind(bests, "notification_delivery")
        rate = deliveries["per_second"] if deliveries else 0
        print(f"| {bests['runs_per_s']:,.0f} | {p50} | {p99} | {rate:,.0f} | {d50} | {d99} |")
        calls = bests.get("redis_calls_per_run") or {}
        print("\nRedis commands per completed run (INFO commandstats; Lua scripts count once as `evalsha` and")
        print("again for each command they run inside):\n")
        print("| " + " | ".join(calls) + " |")
        print("|" + "---|" * len(calls))
        print("| " + " | ".join(f"{value:.2f}" for value in calls.values()) + " |")

    print("\n### 4. Friend-board reads\n")
    print("| load | reads/s | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for name, label in (("4-friends-200", "200 friends, 500 connections reading flat out"),
                        ("4-friends-200-light", "200 friends, 20 connections"),
                        ("4-friends-5000", "5,000 friends, 50 connections reading flat out")):
        report = load(out, name)
        if report:
            entry = kind(report, "read_friends")
            p50, p99 = lat(entry)
            print(f"| {label} | {entry['per_second'] if entry else 0:,.0f} | {p50} | {p99} |")

    print("\n### 5. \"Friend passed you\" delivery at a target of 1,000 per second\n")
    print("| route | passes delivered/s | delivery p50 ms | p90 ms | p99 ms | max ms | same-run jump p50 / p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, label in (("5-passes-same-node", "same node"), ("5-passes-two-nodes", "across two nodes"),
                        ("5-passes-same-node-200", "same node, 200 per second")):
        report = load(out, name)
        if report:
            entry = kind(report, "notification_delivery")
            if entry:
                jump = kind(report, "jump")
                print(f"| {label} | {entry['per_second']:,.0f} | {entry['p50_ms']:.1f} | {entry['p90_ms']:.1f} | "
                      f"{entry['p99_ms']:.1f} | {entry['max_ms']:.1f} | {jump['p50_ms']:.2f} / {jump['p99_ms']:.2f} |")


    commands = os.path.join(out, "redis-commands.txt")
    if os.path.exists(commands):
        print("\n### Redis alone (redis-benchmark, 50 clients; design A is the chosen friend scope)\n")
        with open(commands) as file:
            lines = file.read().splitlines()
        memory = [line for line in lines if "bytes" in line]
        for line in memory:
            print(f"- {line}")
        print("\n| command | requests/s | p50 ms | p99 ms |")
        print("|---|---|---|---|")
        for line in lines:
            if line.count('","') >= 6:
                label, numbers = line.split('"', 1)
                fields = [field.strip('"') for field in ('"' + numbers).split(",")]
                print(f"| {label.strip()} | {float(fields[0]):,.0f} | {fields[3]} | {fields[5]} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench")
