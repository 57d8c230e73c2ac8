// The peer's load generator: N connections to the Colyseus peer (server.js), each creating its own room,
// then a closed loop at machine pace (each connection sends a jump, waits for the answer, sends the
// next) for a bounded duration after a short warm-up. Prints round trips/s, latency, the server's CPU per round trip
// (utime+stime from /proc over the loop), this tool's own, and bytes per idle connection (the server's
// RSS growth once every connection is open and quiet, divided by the connections). Loopback only.
//
//   node load.js --url ws://127.0.0.1:7500 --server-pid PID [--connections 1000] [--ramp-secs 5]
//                [--idle-secs 3] [--warmup-secs 2] [--duration-secs 20] [--json-out FILE]
'use strict';
const fs = require('fs');
const path = require('path');
const { Client } = require('colyseus.js');
const { option } = require('./lib/options');
const { cpuSeconds, rssBytes } = require('./lib/proc');

const MAX_SECS = 3600;
const CONNECT_ATTEMPTS = 5;
const url = option('url', 'ws://127.0.0.1:7500');
const serverPid = Number(option('server-pid'));
const connections = Number(option('connections', '1000'));
const rampSecs = Math.min(Number(option('ramp-secs', '5')), MAX_SECS);
const durationSecs = Math.min(Number(option('duration-secs', '20')), MAX_SECS);
const idleSecs = Math.min(Number(option('idle-secs', '3')), MAX_SECS);
const warmupSecs = Math.min(Number(option('warmup-secs', '2')), MAX_SECS);
const jsonOut = option('json-out', '');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = () => Number(process.hrtime.bigint()) / 1e9;
const toolCpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

// Whatever happens, the process ends: the ramp, the idle pause, the loop and a margin to close.
setTimeout(() => {
  console.error('colyseus load: still running past its bound; exiting');
  process.exit(3);
}, (rampSecs + idleSecs + warmupSecs + durationSecs + 60) * 1000).unref();

async function connectAll(client) {
  const rooms = [];
  let failures = 0;
  const started = seconds();
  await Promise.all(
    Array.from({ length: connections }, async (_, index) => {
      await sleep((rampSecs * 1000 * index) / connections);
      // A refused or dropped attempt (the server busy with the others) is tried again, as a client would.
      for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt += 1) {
        try {
          rooms.push(await client.create('jump'));
          return;
        } catch (error) {
          if (attempt === CONNECT_ATTEMPTS) {
            failures += 1;
            if (failures === 1) console.error(`colyseus load: a connection failed: ${error.message || error}`);
          } else {
            await sleep(200 * attempt);
          }
        }
      }
    }),
  );
  return { rooms, failures, connectSecs: seconds() - started };
}

// The installed @colyseus/core version (its package.json is not among the package's exports).
function coreVersion() {
  const file = path.join(__dirname, 'node_modules', '@colyseus', 'core', 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

function percentile(sorted, q) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

// Each room sends a jump, and on each answer the next, for `warmupMs` then `durationMs`. The counters
// and the CPU readings are taken when the warm-up ends (the JIT has compiled the hot path by then) and
// when the loop ends; latencies (ms) are kept for the measured part only.
function closedLoop(rooms, warmupMs, durationMs) {
  return new Promise((resolve) => {
    const latencies = [];
    let measuring = false;
    let running = true;
    for (const room of rooms) {
      let sentAt = 0;
      let hold = 100;
      const send = () => {
        hold = 100 + ((hold * 7 + 13) % 800);
        sentAt = performance.now();
        room.send('jump', hold);
      };
      room.onMessage('state', () => {
        if (measuring) latencies.push(performance.now() - sentAt);
        if (running) send();
      });
      send();
    }
    const readings = {};
    const read = () => ({ at: seconds(), server: cpuSeconds(serverPid), tool: toolCpuSeconds() });
    setTimeout(() => {
      readings.start = read();
      measuring = true;
      setTimeout(() => {
        readings.end = read();
        running = false;
        measuring = false;
        resolve({ latencies, readings });
      }, durationMs);
    }, warmupMs);
  });
}

async function main() {
  const client = new Client(url);
  const rssBefore = rssBytes(serverPid);
  const { rooms, failures, connectSecs } = await connectAll(client);
  await sleep(idleSecs * 1000);
  const rssIdle = rssBytes(serverPid);

  const { latencies, readings } = await closedLoop(rooms, warmupSecs * 1000, durationSecs * 1000);
  const { start, end } = readings;
  const windowS = end.at - start.at;
  const serverCpuS = end.server - start.server;
  const toolCpuS = end.tool - start.tool;
  const roundTrips = latencies.length;

  latencies.sort((a, b) => a - b);
  const report = {
    server: 'colyseus',
    colyseus_core: coreVersion(),
    node: process.version,
    connections: rooms.length,
    connect_failures: failures,
    connect_s: connectSecs,
    warmup_s: warmupSecs,
    window_s: windowS,
    round_trips: roundTrips,
    round_trips_per_s: roundTrips / windowS,
    p50_ms: percentile(latencies, 0.5),
    p99_ms: percentile(latencies, 0.99),
    server_cpu_s: serverCpuS,
    server_us_per_round_trip: roundTrips ? (serverCpuS * 1e6) / roundTrips : null,
    tool_us_per_round_trip: roundTrips ? (toolCpuS * 1e6) / roundTrips : null,
    rss_before_bytes: rssBefore,
    rss_idle_bytes: rssIdle,
    bytes_per_idle_connection: rooms.length ? Math.round((rssIdle - rssBefore) / rooms.length) : null,
  };
  if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `colyseus ${report.colyseus_core} on Node ${report.node}: ${report.connections} connections ` +
      `(${failures} failed), ${report.round_trips_per_s.toFixed(0)} round trips/s, ` +
      `p50 ${report.p50_ms.toFixed(2)} ms, p99 ${report.p99_ms.toFixed(2)} ms, ` +
      `server CPU ${report.server_us_per_round_trip?.toFixed(1)} µs per round trip, ` +
      `tool ${report.tool_us_per_round_trip?.toFixed(1)} µs, ` +
      `${report.bytes_per_idle_connection} bytes per idle connection`,
  );
  await Promise.all(rooms.map((room) => room.leave(true).catch(() => {})));
  process.exit(failures === connections ? 1 : 0);
}

main().catch((error) => {
  console.error(`colyseus load: ${error.stack || error}`);
  process.exit(1);
});
