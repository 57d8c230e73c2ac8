/**
 * UTF-8 without `TextEncoder`/`TextDecoder`, which some mini-game runtimes lack. Strings on the wire are
 * short (names, ids, messages), so a plain loop costs nothing, and decoding is strict as Rust's `from_utf8`
 * is: overlong forms, surrogates and truncated sequences are refused rather than replaced.
 *
 * @module
 */

/** The UTF-8 bytes of `text` (a lone surrogate, which UTF-8 cannot carry, becomes U+FFFD as in `TextEncoder`). */
export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) {
      out.push(c);
    } else if (c < 0x800) {
      out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    } else {
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    }
  }
  return Uint8Array.from(out);
}

/** The text of UTF-8 `bytes`, or `null` when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    let code: number;
    let length: number;
    let min: number;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      [code, length, min] = [b0 & 0x1f, 2, 0x80];
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      [code, length, min] = [b0 & 0x0f, 3, 0x800];
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      [code, length, min] = [b0 & 0x07, 4, 0x10000];
    } else {
      return null;
    }
    if (i + length > bytes.length) return null;
    for (let k = 1; k < length; k++) {
      const b = bytes[i + k] as number;
      if ((b & 0xc0) !== 0x80) return null;
      code = (code << 6) | (b & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    out += String.fromCodePoint(code);
    i += length;
  }
  return out;
}
