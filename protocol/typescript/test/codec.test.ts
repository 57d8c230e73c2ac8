/**
 * The codecs beyond the golden frames: varint and zigzag boundaries, 64-bit values as text, the frame
 * rules (limits, frame kinds, trailing bytes, claimed lengths), strict decoding, JSON's tolerance of unknown
 * fields, encode-time checks, and arbitrary bytes never escaping as anything but a `CodecError`.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { decodeBincode, encodeBincode } from "../src/codec/bincode.js";
import { MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES, bincode, json } from "../src/codec/index.js";
import { compareNotificationIds } from "../src/codec/schema.js";
import { decodeUtf8, encodeUtf8 } from "../src/codec/utf8.js";
import { CodecError } from "../src/errors.js";
import type { ClientFrame, Point, ServerFrame } from "../src/generated/messages.js";

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
const bytes = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

function codecError(code: string, detail?: RegExp) {
  return (error: unknown) =>
    error instanceof CodecError && error.code === code && (detail === undefined || detail.test(error.message));
}

describe("bincode", () => {
  test("varints switch width at 251, 2^16 and 2^32", () => {
    const ping = (client_time_ms: number) => hex(encodeBincode("Ping", { client_time_ms }));
    assert.equal(ping(0), "00");
    assert.equal(ping(250), "fa");
    assert.equal(ping(251), "fbfb00");
    assert.equal(ping(0xffff), "fbffff");
    assert.equal(ping(0x10000), "fc00000100");
    assert.equal(ping(0xffff_ffff), "fcffffffff");
    assert.equal(ping(0x1_0000_0000), "fd0000000001000000");
    assert.equal(ping(Number.MAX_SAFE_INTEGER), "fdffffffffffff1f00");
    for (const value of [0, 250, 251, 0xffff, 0x10000, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER]) {
      assert.deepEqual(decodeBincode("Ping", encodeBincode("Ping", { client_time_ms: value })), {
        client_time_ms: value,
      });
    }
  });

  test("signed integers are zigzag-encoded", () => {
    const point = (x: number, z: number) => hex(encodeBincode("Point", { x, z }));
    assert.equal(point(0, -1), "0001");
    assert.equal(point(1, -2), "0203");
    assert.equal(point(-25770, 5000), "fb53c9fb1027");
    for (const value of [0, 1, -1, 125, -126, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      const point = { x: value, z: value === 0 ? 0 : -value };
      assert.deepEqual(decodeBincode("Point", encodeBincode("Point", point)) as Point, point);
    }
  });

  test("seeds and notification ids keep all 64 bits as text", () => {
    const max = "18446744073709551615";
    const frame: ClientFrame = { id: 7, request: { start_run: { mode: { challenge: { seed: max } } } } };
    const encoded = bincode.encode("ClientFrame", frame, MAX_CLIENT_FRAME_BYTES) as Uint8Array;
    assert.equal(hex(encoded), "07020" + "1fd" + "ff".repeat(8));
    assert.deepEqual(bincode.decode("ClientFrame", encoded, MAX_CLIENT_FRAME_BYTES), frame);
    const ack: ClientFrame = { id: 1, request: { ack_notifications: { up_to: `${max}-${max}` } } };
    assert.deepEqual(
      bincode.decode("ClientFrame", bincode.encode("ClientFrame", ack, MAX_CLIENT_FRAME_BYTES), MAX_CLIENT_FRAME_BYTES),
      ack,
    );
    assert.throws(
      () => encodeBincode("StartMode", { challenge: { seed: "18446744073709551616" } }),
      codecError("malformed_frame", /u64/),
    );
    assert.throws(() => encodeBincode("StartMode", { challenge: { seed: 42 } }), codecError("malformed_frame"));
  });

  test("decoding refuses what the Rust decoder refuses", () => {
    const decode = (text: string) => () => decodeBincode("ClientFrame", bytes(text));
    assert.throws(decode("020200ff"), codecError("malformed_frame", /1 trailing bytes/));
    assert.throws(decode("0202"), codecError("malformed_frame", /end of frame/));
    assert.throws(decode("0216"), codecError("malformed_frame", /unknown variant 22 of Request/));
    assert.throws(
      decode("02fd0000000000000000"),
      codecError("malformed_frame", /too wide/),
      "a u64 marker for a u32 id",
    );
    assert.throws(
      decode("0200" + "07ff" + "00000000"),
      codecError("malformed_frame"),
      "a client_version claiming 255 bytes",
    );
    assert.throws(decode("0200" + "02c328" + "000000"), codecError("malformed_frame", /UTF-8/));
    assert.throws(decode("0200" + "00" + "02"), codecError("malformed_frame", /option tag 2/));
    assert.throws(
      decode("0205" + "00".repeat(16) + "00" + "fcffffffff"),
      codecError("malformed_frame", /claims 4294967295 elements/),
    );
    assert.throws(
      () => decodeBincode("SubmitRun", bytes("00".repeat(16) + "000002")),
      codecError("malformed_frame", /boolean byte 2/),
    );
    // A wider marker than needed is accepted, as bincode does.
    assert.deepEqual(decodeBincode("Ping", bytes("fb0100")), { client_time_ms: 1 });
  });

  test("frames are checked for kind and size", () => {
    assert.throws(() => bincode.decode("ServerFrame", "{}", MAX_SERVER_FRAME_BYTES), codecError("unsupported_codec"));
    assert.throws(
      () => bincode.decode("ServerFrame", new Uint8Array(MAX_SERVER_FRAME_BYTES + 1), MAX_SERVER_FRAME_BYTES),
      codecError("frame_too_large"),
    );
    const jumps = Array.from({ length: 512 }, () => ({ press_ms: 10_000, dwell_ms: 600_000 }));
    const submit: ClientFrame = {
      id: 1,
      request: { submit_run: { run_id: "00".repeat(16), first_seq: 0, jumps, last: true } },
    };
    assert.throws(() => bincode.encode("ClientFrame", submit, MAX_CLIENT_FRAME_BYTES), codecError("frame_too_large"));
  });

  test("encoding checks every value against its type", () => {
    const encode = (request: unknown) => () => encodeBincode("ClientFrame", { id: 1, request });
    assert.throws(
      encode({ jump: { run_id: "ABCD".repeat(8), seq: 0, press_ms: 1, dwell_ms: 1 } }),
      codecError("malformed_frame", /run id/),
    );
    assert.throws(
      encode({ jump: { run_id: "ab".repeat(16), seq: -1, press_ms: 1, dwell_ms: 1 } }),
      codecError("malformed_frame", /seq/),
    );
    assert.throws(
      encode({ jump: { run_id: "ab".repeat(16), seq: 1.5, press_ms: 1, dwell_ms: 1 } }),
      codecError("malformed_frame"),
    );
    assert.throws(
      encode({ read_standing: { scope: "everyone" } }),
      codecError("malformed_frame", /unknown variant everyone/),
    );
    assert.throws(encode({ hello: {}, ping: {} }), codecError("malformed_frame", /exactly one key/));
    assert.throws(encode({ list_friend_requests: {} }), codecError("malformed_frame", /unit variant/));
    assert.throws(
      () => encodeBincode("ClientFrame", { id: 2 ** 32, request: "list_friend_requests" }),
      codecError("malformed_frame", /0\.\.=4294967295/),
    );
  });

  test("arbitrary bytes decode or fail with a CodecError, never anything else", () => {
    let state = 0x12345678;
    const random = () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state >>> 16;
    };
    for (let i = 0; i < 3_000; i++) {
      const frame = Uint8Array.from({ length: random() % 64 }, () => random() & 0xff);
      for (const type of ["ClientFrame", "ServerFrame"] as const) {
        try {
          const value = bincode.decode(type, frame, MAX_SERVER_FRAME_BYTES);
          assert.deepEqual(
            bincode.decode(type, bincode.encode(type, value as never, MAX_SERVER_FRAME_BYTES), MAX_SERVER_FRAME_BYTES),
            value,
          );
        } catch (error) {
          assert.ok(error instanceof CodecError, String(error));
        }
      }
    }
  });
});

describe("json", () => {
  test("writes what serde_json writes: declared order, no white space, strings escaped alike", () => {
    const frame: ClientFrame = { request: { set_display_name: { name: 'say "hi"\n\u0001跳' } }, id: 9 } as ClientFrame;
    assert.equal(
      json.encode("ClientFrame", frame, MAX_CLIENT_FRAME_BYTES),
      '{"id":9,"request":{"set_display_name":{"name":"say \\"hi\\"\\n\\u0001跳"}}}',
    );
    assert.equal(
      json.encode("ClientFrame", { id: 1, request: "list_friend_requests" }, MAX_CLIENT_FRAME_BYTES),
      '{"id":1,"request":"list_friend_requests"}',
    );
  });

  test("reads unknown fields as absent, missing options as null, and refuses unknown variants", () => {
    const text = '{"error":{"code":"too_fast","message":"m","extra":[1,2],"id":4},"ignored":true}';
    assert.throws(
      () => json.decode("ServerFrame", text, MAX_SERVER_FRAME_BYTES),
      codecError("malformed_frame", /exactly one key/),
    );
    const frame = json.decode(
      "ServerFrame",
      '{"error":{"code":"too_fast","message":"m","extra":[1,2]}}',
      MAX_SERVER_FRAME_BYTES,
    ) as ServerFrame;
    assert.deepEqual(frame, { error: { id: null, code: "too_fast", message: "m" } });
    assert.throws(
      () => json.decode("ServerFrame", '{"error":{"id":1,"code":"teapot","message":"m"}}', MAX_SERVER_FRAME_BYTES),
      codecError("malformed_frame", /unknown variant teapot/),
    );
    assert.throws(
      () => json.decode("ServerFrame", '{"error":{"id":1,"message":"m"}}', MAX_SERVER_FRAME_BYTES),
      codecError("malformed_frame", /missing field code/),
    );
    assert.throws(
      () =>
        json.decode(
          "ServerFrame",
          '{"push":{"goodbye":{"reason":"idle_timeout","reconnect_after_ms":-1}}}',
          MAX_SERVER_FRAME_BYTES,
        ),
      codecError("malformed_frame"),
    );
    assert.throws(() => json.decode("ServerFrame", "{", MAX_SERVER_FRAME_BYTES), codecError("malformed_frame"));
    assert.throws(
      () => json.decode("ServerFrame", new Uint8Array(2), MAX_SERVER_FRAME_BYTES),
      codecError("unsupported_codec"),
    );
  });

  test("counts the limit in UTF-8 bytes", () => {
    const name = "跳".repeat(1_400);
    assert.throws(
      () => json.encode("ClientFrame", { id: 1, request: { set_display_name: { name } } }, MAX_CLIENT_FRAME_BYTES),
      codecError("frame_too_large", /4251 bytes/),
    );
    const goodbye = `"push":{"goodbye":{"reason":"idle_timeout","reconnect_after_ms":0}}`;
    const text = `{${goodbye},"pad":"${"跳".repeat(22_000)}"}`;
    assert.throws(() => json.decode("ServerFrame", text, MAX_SERVER_FRAME_BYTES), codecError("frame_too_large"));
  });
});

describe("utf-8 and ids", () => {
  test("encodes like TextEncoder and decodes strictly", () => {
    const samples = ["", "abc", "é", "跳一跳", "😀 emoji", "\u0000\u007f\u0080\u07ff\u0800\uffff"];
    for (const text of samples) {
      assert.deepEqual(encodeUtf8(text), new TextEncoder().encode(text));
      assert.equal(decodeUtf8(encodeUtf8(text)), text);
    }
    assert.deepEqual(encodeUtf8("\ud800x"), new TextEncoder().encode("\ud800x"), "a lone surrogate becomes U+FFFD");
    for (const bad of ["c0af", "e080af", "eda080", "f4908080", "c3", "80", "ff"])
      assert.equal(decodeUtf8(bytes(bad)), null, bad);
  });

  test("notification ids order by ms, then seq, as numbers", () => {
    assert.ok(compareNotificationIds("9-0", "10-0") < 0);
    assert.ok(compareNotificationIds("10-2", "10-11") < 0);
    assert.equal(compareNotificationIds("18446744073709551615-1", "18446744073709551615-1"), 0);
    assert.throws(() => compareNotificationIds("10", "10-1"), RangeError);
  });
});
