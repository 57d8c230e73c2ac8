# Helpers shared by the measurement scripts (`source loadtest/scripts/lib.sh` from the repository root): loopback ports,
# CPU time from /proc, and a private redis-server. Nothing here starts anything by itself.

# A free TCP port on 127.0.0.1 (the kernel picks it).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# utime+stime of process PID so far, in µs.
cpu_us() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", ($14 + $15) * 1000000 / hz }' "/proc/$1/stat"; }

# utime+stime of process PID so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# wait_redis PORT: waits up to 5 s for the redis-server on PORT to answer PING.
wait_redis() { for _ in $(seq 50); do redis-cli -p "$1" PING >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

# wait_ready PORT: waits up to 10 s for the node on PORT to say it is ready.
wait_ready() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
