/**
 * Every golden frame of `protocol/tests/golden/` (written by the Rust crate's golden-frame test) in both
 * directions: the golden bytes decode, and the decoded message encodes back byte for byte. Each message is
 * stored in both codecs, so the two decodings must also be the same value.
 */

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { bincode, json } from "../src/codec/index.js";
import { goldenDir } from "./support/paths.js";

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const names = [...new Set(readdirSync(goldenDir).map((file) => file.replace(/\.(hex|json)$/, "")))].sort();

test("the golden directory holds client and server frames in both codecs", () => {
  assert.ok(names.some((name) => name.startsWith("c")) && names.some((name) => name.startsWith("s")));
  for (const name of names) {
    assert.deepEqual(
      readdirSync(goldenDir)
        .filter((file) => file.startsWith(`${name}.`))
        .sort(),
      [`${name}.hex`, `${name}.json`],
    );
  }
});

for (const name of names) {
  const type = name.startsWith("c") ? "ClientFrame" : "ServerFrame";
  const limit = 64 * 1024;

  test(`${name}: decodes and re-encodes byte for byte in both codecs, to the same message`, () => {
    const hex = readFileSync(join(goldenDir, `${name}.hex`), "utf8").trim();
    const text = readFileSync(join(goldenDir, `${name}.json`), "utf8").trim();
    const fromBincode = bincode.decode(type, hexToBytes(hex), limit);
    const fromJson = json.decode(type, text, limit);
    assert.deepEqual(fromBincode, fromJson);
    assert.equal(bytesToHex(bincode.encode(type, fromBincode, limit) as Uint8Array), hex);
    assert.equal(json.encode(type, fromJson, limit), text);
  });
}
