#!/usr/bin/env python3
"""What a Lua script call costs Redis against the same commands sent plainly, in instructions (issue #16).

Each variant runs on a fresh redis-server under `valgrind --tool=callgrind`, once with N calls and once
with 2N; the difference over N is the instructions one call costs, start-up and shutdown cancelled. Every
call keeps a new best of one of 500 players for three periods (the score rises with each call), as a run
setting a new daily, weekly and all-time best does. Variants:
  nop         EVALSHA of `return 1` with keep_best.lua's keys and arguments: a script call's fixed cost
  keep_best   server/core/src/replays/keep_best.lua (one string per best: GETRANGE, SET PXAT per period)
  fnop        FCALL of a Redis function returning 1, with the same keys and arguments (Redis 7)
  fkeep_best  keep_best.lua's body as a Redis function, called with FCALL
  older       keep_best.lua at REV (default 3871474: a hash per best, HGET, DEL, HSET, PEXPIREAT)
  plain       keep_best.lua's commands without the script, in MULTI/EXEC (not atomic as a comparison)
  pipelined   the same commands without MULTI/EXEC: what each costs on its own

    loadtest/scripts/script-cost.py [N] [REV]        (from the repository root; N defaults to 3000)

Loopback only; each redis-server is shut down before the next starts.
"""
import hashlib, os, socket, subprocess, sys, tempfile, time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
REV = sys.argv[2] if len(sys.argv) > 2 else "3871474"
LOG = b"x" * 80  # a 10-jump run's inputs
EXPIRES = (1798502400000, 1799020800000, 0)  # daily, weekly, all-time (never)


def resp(args):
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        arg = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


def commands(variant, sha, n):
    for i in range(n):
        player, packed = i % 500, 1_000_000 + i
        record = b"\x01" + b"%016d" % packed + b"y" * 47 + LOG
        pairs = []
        for period in ("d", "w", "all"):
            pairs += [f"lf:{{p:{player}}}:replay:{period}", f"lf:{{p:{player}}}:best:{period}"]
        if variant in ("nop", "keep_best"):
            yield ["EVALSHA", sha, 6, *pairs, packed, record, *EXPIRES]
        elif variant in ("fnop", "fkeep_best"):
            yield ["FCALL", variant, 6, *pairs, packed, record, *EXPIRES]
        elif variant == "older":
            hashes = [f"lf:{{p:{player}}}:best:{period}" for period in ("d", "w", "all")]
            yield ["EVALSHA", sha, 3, *hashes, packed, 18380187471484817126, 1, LOG, 10,
                   "0cd6e186669a73703d6ea68f257706db", *EXPIRES]
        else:
            if variant == "plain":
                yield ["MULTI"]
            for key, expires in zip(pairs[::2], EXPIRES):
                yield ["GETRANGE", key, 1, 16]
                yield ["SET", key, record] + (["PXAT", expires] if expires else [])
            if variant == "plain":
                yield ["EXEC"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def instructions(variant, body, n):
    port = free_port()
    out = tempfile.mktemp(prefix=f"script-cost-{variant}-{n}-", suffix=".out")
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "redis-server", "--bind", "127.0.0.1",
         "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            conn = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.1)
    replies = conn.makefile("rb")

    def send(batch):
        conn.sendall(b"".join(resp(c) for c in batch))
        for _ in batch:
            line = replies.readline()
            if line.startswith(b"-"):
                sys.exit(f"{variant}: {line!r}")
            if line.startswith(b"$") and int(line[1:]) >= 0:
                replies.read(int(line[1:]) + 2)
            elif line.startswith(b"*"):  # EXEC's array: its elements, each a bulk or an integer/status
                for _ in range(int(line[1:])):
                    element = replies.readline()
                    if element.startswith(b"$") and int(element[1:]) >= 0:
                        replies.read(int(element[1:]) + 2)

    if variant in ("fnop", "fkeep_best"):
        # The script's body as a function of the same name; KEYS and ARGV are its two parameters.
        library = (b"#!lua name=leapfrog_cost\nredis.register_function('" + variant.encode()
                   + b"', function(KEYS, ARGV)\n" + body + b"\nend)")
        send([["FUNCTION", "LOAD", library]])
    else:
        send([["SCRIPT", "LOAD", body]])
    sha = hashlib.sha1(body).hexdigest()
    batch = []
    for command in commands(variant, sha, n):
        batch.append(command)
        if len(batch) >= 100 and (variant != "plain" or command[0] == "EXEC"):
            send(batch)
            batch = []
    if batch:
        send(batch)
    conn.sendall(resp(["SHUTDOWN", "NOSAVE"]))
    server.wait()
    total = next(int(line.split()[1]) for line in open(out) if line.startswith(("summary:", "totals:")))
    os.unlink(out)
    return total


scripts = {
    "nop": b"return 1",
    "keep_best": open("server/core/src/replays/keep_best.lua", "rb").read(),
    "fnop": b"return 1",
    "fkeep_best": open("server/core/src/replays/keep_best.lua", "rb").read(),
    "older": subprocess.run(["git", "show", f"{REV}:server/core/src/replays/keep_best.lua"],
                            capture_output=True, check=True).stdout,
    "plain": b"return 1",
    "pipelined": b"return 1",
}
print(f"| variant | instructions per call ({N} and {2 * N} calls) |")
print("|---|---|")
for variant, body in scripts.items():
    per_call = (instructions(variant, body, 2 * N) - instructions(variant, body, N)) / N
    print(f"| {variant} | {per_call:,.0f} |", flush=True)
