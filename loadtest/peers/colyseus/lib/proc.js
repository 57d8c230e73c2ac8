// What the load generator reads about the server from Linux /proc: CPU seconds (utime+stime, every
// thread) and resident memory.
'use strict';
const fs = require('fs');

// /proc/<pid>/stat counts CPU time in USER_HZ ticks, a fixed 100 per second in Linux's ABI.
const TICKS_PER_SECOND = 100;

function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name in parentheses may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function rssBytes(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((entry) => entry.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

module.exports = { cpuSeconds, rssBytes };
