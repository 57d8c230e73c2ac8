// The integer jump step: the position a press of `holdMs` leads to. As little work as a jump needs, so
// what the peer measures is the framework's cost per message, not game rules (a Leapfrog node runs the
// real game, timing checks and a durable checkpoint on top).
'use strict';

function step(position, holdMs) {
  const hold = Number.isInteger(holdMs) && holdMs > 0 && holdMs < 5000 ? holdMs : 0;
  return (position + Math.floor(hold / 3)) % 1_000_000_007;
}

module.exports = { step };
