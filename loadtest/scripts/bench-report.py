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


def cpu(report, name, field="us_per_round_trip"):
    """A process's CPU µs per operation from a report's `cpu` block (see loadtest/src/cpu.rs), or a dash."""
    processes = ((report or {}).get("cpu") or {}).get("processes", [])
    values = [p[field] for p in processes if p["name"] == name and p.get(field) is not None]
    return f"{values[0]:.1f}" if values else "–"


def cpu_sum(report, names, field):
    """The summed CPU µs per operation of several processes (two nodes), or a dash."""
    processes = ((report or {}).get("cpu") or {}).get("processes", [])
    values = [p[field] for p in processes if p["name"] in names and p.get(field) is not None]
    return f"{sum(values):.1f}" if values else "–"


def cpu_ratio(report, name, baseline):
    """", CPU per round trip N.NNx": a process's CPU per round trip against the echo server's of `baseline`."""
    try:
        value, base = float(cpu(report, name)), float(cpu(baseline, "echo"))
    except ValueError:
        return ""
    return f", CPU per round trip {value / base:.2f}x" if base else ""


def main(out):
    print("### 1. Jump round trips, 1,000 connections, machine speed\n")
    print("CPU columns: µs of CPU (utime+stime from /proc) per round trip over the load after its ramp.\n")
    print("| target | jumps/s | round trips/s | jump p50 ms | jump p99 ms | run-ending jump p99 ms "
          "| server CPU µs | Redis CPU µs | tool CPU µs |")
    print("|---|---|---|---|---|---|---|---|---|")
    echo, floor, server = load(out, "1-echo"), load(out, "1-echo-commit"), load(out, "1-server")
    for label, report, process in (("echo baseline", echo, "echo"),
                                   ("echo after a group commit (one PING per round)", floor, "echo"),
                                   ("Leapfrog node", server, "node")):
        if report:
            p50, p99 = lat(kind(report, "jump"))
            _, final99 = lat(kind(report, "jump_final"))
            print(f"| {label} | {report['jumps_per_s']:,.0f} | {report['round_trips_per_s']:,.0f} | {p50} | {p99} | {final99} "
                  f"| {cpu(report, process)} | {cpu(report, 'redis')} | {cpu(report, 'tool')} |")
    if echo and server:
        print(f"\nRatio node / echo (jumps per second): **{server['jumps_per_s'] / echo['jumps_per_s']:.2f}**"
              f"{cpu_ratio(server, 'node', echo)}")
        if floor:
            print(f"Ratio node / echo after a group commit (jumps per second): "
                  f"**{server['jumps_per_s'] / floor['jumps_per_s']:.2f}**{cpu_ratio(server, 'node', floor)}; "
                  f"echo after a group commit / echo: {floor['jumps_per_s'] / echo['jumps_per_s']:.2f}"
                  f"{cpu_ratio(floor, 'echo', echo)}")
        print()

    print("### 2. Memory per idle authenticated connection\n")
    print("CPU columns: µs of CPU per connection opened, over the ramp (connect, handshake, hello).\n")
    print("| connections | node RSS before → loaded | node bytes/connection | echo bytes/connection "
          "| node CPU µs | Redis CPU µs | echo CPU µs |")
    print("|---|---|---|---|---|---|---|")
    sizes = sorted({int(name.split("-")[-1].split(".")[0]) for name in os.listdir(out)
                    if name.startswith("2-idle-") and name.endswith(".json")})
    for n in sizes:
        node, echo = load(out, f"2-idle-{n}"), load(out, f"2-idle-echo-{n}")
        if node and node.get("memory"):
            m = node["memory"]
            e = echo["memory"]["bytes_per_connection"] if echo and echo.get("memory") else None
            print(f"| {m['connections']:,} | {m['rss_before_bytes'] / 2**20:.1f} → {m['rss_loaded_bytes'] / 2**20:.1f} MiB "
                  f"| {m['bytes_per_connection']:,} ({m['bytes_per_connection'] / 1024:.1f} KiB) | "
                  f"{'–' if e is None else f'{e:,} ({e / 1024:.1f} KiB)'} "
                  f"| {cpu(node, 'node', 'ramp_us_per_connection')} | {cpu(node, 'redis', 'ramp_us_per_connection')} "
                  f"| {cpu(echo, 'echo', 'ramp_us_per_connection')} |")

    bests = load(out, "3-bests")
    if bests:
        print("\n### 3. Runs ending with a new best, 200 friends each\n")
        p50, p99 = lat(kind(bests, "jump_final"))
        d50, d99 = lat(kind(bests, "notification_delivery"))
        print("CPU columns: µs of CPU per completed run (its jumps included), over the load after its ramp.\n")
        print("| runs/s | run-ending jump p50 ms | p99 ms | notifications/s | delivery p50 ms | p99 ms "
              "| node CPU µs | Redis CPU µs | tool CPU µs |")
        print("|---|---|---|---|---|---|---|---|---|")
        deliveries = kind(bests, "notification_delivery")
        rate = deliveries["per_second"] if deliveries else 0
        print(f"| {bests['runs_per_s']:,.0f} | {p50} | {p99} | {rate:,.0f} | {d50} | {d99} "
              f"| {cpu(bests, 'node', 'us_per_run')} | {cpu(bests, 'redis', 'us_per_run')} | {cpu(bests, 'tool', 'us_per_run')} |")
        calls = bests.get("redis_calls_per_run") or {}
        print("\nRedis commands per completed run (INFO commandstats; Lua scripts count once as `evalsha` and")
        print("again for each command they run inside):\n")
        print("| " + " | ".join(name.replace("|", "\\|") for name in calls) + " |")
        print("|" + "---|" * len(calls))
        print("| " + " | ".join(f"{value:.2f}" for value in calls.values()) + " |")

    reads = ("4-friends-200", "4-friends-200-light", "4-friends-5000")
    if any(load(out, name) for name in reads):
        friend_reads(out)
    passes = ("5-passes-same-node", "5-passes-two-nodes", "5-passes-same-node-200")
    if any(load(out, name) for name in passes):
        pass_deliveries(out)
    peers(out)
    redis_alone(out)


def friend_reads(out):
    """Table 4: friend-board reads."""
    print("\n### 4. Friend-board reads\n")
    print("CPU columns: µs of CPU per read (round trip), over the load after its ramp.\n")
    print("| load | reads/s | p50 ms | p99 ms | node CPU µs | Redis CPU µs | tool CPU µs |")
    print("|---|---|---|---|---|---|---|")
    for name, label in (("4-friends-200", "200 friends, 500 connections reading flat out"),
                        ("4-friends-200-light", "200 friends, 20 connections"),
                        ("4-friends-5000", "5,000 friends, 50 connections reading flat out")):
        report = load(out, name)
        if report:
            entry = kind(report, "read_friends")
            p50, p99 = lat(entry)
            print(f"| {label} | {entry['per_second'] if entry else 0:,.0f} | {p50} | {p99} "
                  f"| {cpu(report, 'node')} | {cpu(report, 'redis')} | {cpu(report, 'tool')} |")



def pass_deliveries(out):
    """Table 5: "friend passed you" delivery."""
    print("\n### 5. \"Friend passed you\" delivery at a target of 1,000 per second\n")
    print("CPU columns: µs of CPU per pass (the passing run, its jumps and the delivery; both nodes summed")
    print("across two), over the load after its ramp.\n")
    print("| route | passes delivered/s | delivery p50 ms | p90 ms | p99 ms | max ms | same-run jump p50 / p99 ms "
          "| node CPU µs | Redis CPU µs | tool CPU µs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, label in (("5-passes-same-node", "same node"), ("5-passes-two-nodes", "across two nodes"),
                        ("5-passes-same-node-200", "same node, 200 per second")):
        report = load(out, name)
        if report:
            entry = kind(report, "notification_delivery")
            if entry:
                jump = kind(report, "jump")
                print(f"| {label} | {entry['per_second']:,.0f} | {entry['p50_ms']:.1f} | {entry['p90_ms']:.1f} | "
                      f"{entry['p99_ms']:.1f} | {entry['max_ms']:.1f} | {jump['p50_ms']:.2f} / {jump['p99_ms']:.2f} "
                      f"| {cpu_sum(report, ('node', 'node2'), 'us_per_run')} | {cpu(report, 'redis', 'us_per_run')} "
                      f"| {cpu(report, 'tool', 'us_per_run')} |")


def redis_alone(out):
    """redis-benchmark of the same commands."""
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


def peers(out):
    """The peer table: echo server, Leapfrog node and Colyseus at 1,000 connections, closed loop."""
    echo, node, colyseus = load(out, "1-echo"), load(out, "1-server"), load(out, "peer-colyseus")
    if not (echo or node or colyseus):
        return
    idle_echo, idle_node = load(out, "2-idle-echo-1000"), load(out, "2-idle-1000")
    print("\n### Peers: 1,000 connections, closed loop, machine pace\n")
    print("Round trips/s and CPU over the load after its ramp (Colyseus: after a 2 s warm-up); bytes per idle")
    print("connection: server RSS growth / connections, with 1,000 held.\n")
    print("| server | round trips/s | server CPU µs per round trip | Redis CPU µs per round trip "
          "| load tool CPU µs per round trip | bytes per idle connection |")
    print("|---|---|---|---|---|---|")

    def idle_bytes(report):
        memory = (report or {}).get("memory")
        return f"{memory['bytes_per_connection']:,}" if memory else "–"

    for label, report, process, idle in (
            ("bare tokio-tungstenite echo (`leapfrog-loadtest echo-server`)", echo, "echo", idle_echo),
            ("Leapfrog node, real jumps", node, "node", idle_node)):
        if report and report.get("cpu"):
            rate = report["cpu"]["round_trips_per_s"]
            print(f"| {label} | {rate:,.0f} | {cpu(report, process)} | {cpu(report, 'redis')} "
                  f"| {cpu(report, 'tool')} | {idle_bytes(idle)} |")
    if colyseus:
        label = (f"Colyseus {colyseus['colyseus_core']} room server (Node.js {colyseus['node'].lstrip('v')}, "
                 "`ws` transport; integer jump step, no durability)")
        print(f"| {label} | {colyseus['round_trips_per_s']:,.0f} | {colyseus['server_us_per_round_trip']:.1f} | – "
              f"| {colyseus['tool_us_per_round_trip']:.1f} | {colyseus['bytes_per_idle_connection']:,} |")
    elif os.path.exists(os.path.join(out, "peer-colyseus.txt")):
        print("| Colyseus | skipped: Node.js not found | | | | |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench")
