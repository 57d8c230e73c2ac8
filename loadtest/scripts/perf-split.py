#!/usr/bin/env python3
"""Splits one process's `perf script` samples (cpu-clock, call graphs) into user space and the kernel, the
kernel's by the syscall it serves, and turns the shares into µs per operation with the process's CPU time
(utime+stime from /proc) over the sampled seconds. Used by cpu-split.sh (per jump round trip) and
pass-split.sh (per pass); TOP > 0 also lists the user-space functions with most samples.

    perf-split.py SCRIPT CPU_US OPERATIONS NAME UNIT [TOP]
"""
import collections
import re
import sys

path, cpu_us, operations, name, unit = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
top = int(sys.argv[6]) if len(sys.argv) > 6 else 0
SYSCALL = re.compile(r'\b(?:__x64_sys_|__sys_|__do_sys_|ksys_|do_)(sendto|recvfrom|writev|write|read|readv|epoll_wait|futex|sendmsg|recvmsg)\b')
shares, functions, total = collections.Counter(), collections.Counter(), 0


def account(frames):
    global total
    if not frames:
        return
    total += 1
    if '[kernel.kallsyms]' not in frames[0]:
        shares['user space'] += 1
        # "<address> <symbol>+<offset> (<object>)": the symbol, without its offset and arguments.
        parts = frames[0].split(None, 1)
        symbol = parts[1].rsplit(' (', 1)[0] if len(parts) > 1 else '?'
        functions[re.sub(r'\+0x[0-9a-f]+$', '', symbol)[:110]] += 1
        return
    for frame in frames:
        found = SYSCALL.search(frame)
        if found:
            shares['kernel: ' + found.group(1)] += 1
            return
    shares['kernel: other (interrupts, scheduling, page faults)'] += 1


frames = []
for line in open(path, errors='replace'):
    if line.strip():
        if line.startswith((' ', '\t')):
            frames.append(line.strip())
    else:
        account(frames)
        frames = []
account(frames)
total = max(total, 1)
plural = unit + ("es" if unit.endswith("s") else "s")
print(f"{name}: {cpu_us / 1e6:.2f} s of CPU over about {operations:.0f} {plural} while sampled ({total} "
      f"samples): {cpu_us / operations:.2f} µs per {unit} under perf (more than unsampled: read the shares)")
for what, count in shares.most_common():
    print(f"  {what:52} {count / total * 100:5.1f}%  {count / total * cpu_us / operations:6.2f} µs")
if top:
    print(f"  user-space functions with most samples (share of all {name}'s samples):")
    for what, count in functions.most_common(top):
        print(f"    {count / total * 100:5.1f}%  {what}")
