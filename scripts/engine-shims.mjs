// Injected into dist/microtls.engine.js only (see build-engine-bundle.mjs), never into the ESM/CJS builds.
// The engine bundle promises ES2020; our dependencies call a few later or host-provided globals. Rather than
// patch the engine's globals (a library must not), esbuild rewrites those references to these local stand-ins,
// which use the engine's own implementation whenever it has one.

const hasOwnProperty = Object.prototype.hasOwnProperty;

// ES2022 Object.hasOwn (noble v2 calls it; QuickJS 2021 lacks it).
export const microtlsHasOwn =
  typeof Object.hasOwn === "function" ? Object.hasOwn : (object, key) => hasOwnProperty.call(Object(object), key);

// UTF-8 TextEncoder/TextDecoder: @peculiar/utils (under the asn1 stack) calls them for UTF-8 conversions. The
// handshake paths tested here never reach them, but QuickJS has neither, so a call would be a ReferenceError.
export class Utf8Encoder {
  get encoding() {
    return "utf-8";
  }
  encode(text = "") {
    const s = String(text);
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }
}

export class Utf8Decoder {
  constructor(label = "utf-8", options = {}) {
    if (!/^utf-?8$/i.test(String(label))) throw new RangeError("only utf-8 is supported");
    this.fatal = !!(options && options.fatal);
  }
  get encoding() {
    return "utf-8";
  }
  // The WHATWG Encoding Standard's UTF-8 decoder: one U+FFFD per maximal invalid subpart, like the built-in one.
  decode(input) {
    const b =
      input === undefined
        ? new Uint8Array(0)
        : ArrayBuffer.isView(input)
          ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
          : new Uint8Array(input);
    let s = "";
    let cp = 0, needed = 0, seen = 0, lower = 0x80, upper = 0xbf;
    const bad = () => {
      if (this.fatal) throw new TypeError("invalid utf-8");
      s += "\ufffd";
    };
    const emit = (c) => {
      s += c < 0x10000 ? String.fromCharCode(c) : String.fromCharCode(0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 1023));
    };
    for (let i = 0; i < b.length; i++) {
      const byte = b[i];
      if (needed === 0) {
        if (byte <= 0x7f) emit(byte);
        else if (byte >= 0xc2 && byte <= 0xdf) (needed = 1), (cp = byte & 0x1f);
        else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) lower = 0xa0;
          if (byte === 0xed) upper = 0x9f;
          (needed = 2), (cp = byte & 0xf);
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) lower = 0x90;
          if (byte === 0xf4) upper = 0x8f;
          (needed = 3), (cp = byte & 0x7);
        } else bad();
        continue;
      }
      if (byte < lower || byte > upper) {
        (cp = needed = seen = 0), (lower = 0x80), (upper = 0xbf);
        bad();
        i--; // this byte starts afresh
        continue;
      }
      (lower = 0x80), (upper = 0xbf);
      cp = (cp << 6) | (byte & 0x3f);
      if (++seen === needed) {
        emit(cp);
        cp = needed = seen = 0;
      }
    }
    if (needed !== 0) bad();
    return s;
  }
}

export const TextEncoder = typeof globalThis.TextEncoder === "function" ? globalThis.TextEncoder : Utf8Encoder;
export const TextDecoder = typeof globalThis.TextDecoder === "function" ? globalThis.TextDecoder : Utf8Decoder;
