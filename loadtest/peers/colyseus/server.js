// The peer: a Colyseus room server doing Leapfrog's integer jump step, with no durability. Each player
// creates its own room (a solo run, as on a Leapfrog node); a "jump" message carries the press
// duration and is answered at once with the run's new integer position. Loopback only; stops by itself
// after --max-secs.
//
//   node server.js --port 7500 [--max-secs 900]
'use strict';
const { Server, Room } = require('@colyseus/core');
const { WebSocketTransport } = require('@colyseus/ws-transport');
const { option } = require('./lib/options');
const { step } = require('./lib/jump');

class JumpRoom extends Room {
  onCreate() {
    this.maxClients = 1;
    // The room has no synchronised state: no patch timer (by default one per room, every 50 ms).
    this.patchRate = null;
    this.position = 0;
    this.onMessage('jump', (client, holdMs) => {
      this.position = step(this.position, holdMs);
      client.send('state', this.position);
    });
  }
}

async function main() {
  const port = Number(option('port', '7500'));
  const maxSecs = Number(option('max-secs', '900'));
  // The transport's defaults (a ping every 3 s), as a studio would run it.
  const server = new Server({ transport: new WebSocketTransport(), greet: false });
  server.define('jump', JumpRoom);
  await server.listen(port, '127.0.0.1');
  console.log(`colyseus peer listening on 127.0.0.1:${port} (pid ${process.pid})`);
  setTimeout(() => process.exit(0), maxSecs * 1000).unref();
  // Keeps the process alive until the bound above or a signal.
  setInterval(() => {}, 1 << 30);
}

main().catch((error) => {
  console.error(`colyseus peer: ${error.stack || error}`);
  process.exit(1);
});
