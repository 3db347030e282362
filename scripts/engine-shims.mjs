// Injected into dist/microtls.engine.js only (see build-engine-bundle.mjs), never into the ESM/CJS builds.
// The engine bundle promises ES2020; our dependencies call a few later or host-provided globals. Rather than
// patch the engine's globals (a library must not), esbuild rewrites those references to these local stand-ins,
// which use the engine's own implementation whenever it has one.

const hasOwnProperty = Object.prototype.hasOwnProperty;

// ES2022 Object.hasOwn (noble v2 calls it; QuickJS 2021 lacks it).
export const microtlsHasOwn =
  typeof Object.hasOwn === "function" ? Object.hasOwn : (object, key) => hasOwnProperty.call(Object(object), key);

// UTF-8 TextEncoder/TextDecoder (the asn1 stack decodes UTF8String names through them; QuickJS has neither).
class Utf8Encoder {
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

class Utf8Decoder {
  constructor(label = "utf-8", options = {}) {
    if (!/^utf-?8$/i.test(String(label))) throw new RangeError("only utf-8 is supported");
    this.fatal = !!(options && options.fatal);
  }
  get encoding() {
    return "utf-8";
  }
  decode(input) {
    const b = input === undefined ? new Uint8Array(0) : ArrayBuffer.isView(input)
      ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
      : new Uint8Array(input);
    let s = "";
    for (let i = 0; i < b.length; ) {
      const c = b[i];
      let n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
      let cp = n === 0 ? c : n === 1 ? c & 31 : n === 2 ? c & 15 : c & 7;
      let ok = n >= 0 && i + n < b.length;
      for (let k = 1; ok && k <= n; k++) {
        const d = b[i + k];
        if (d === undefined || (d & 0xc0) !== 0x80) ok = false;
        else cp = (cp << 6) | (d & 63);
      }
      // Overlong, surrogate and out-of-range forms are malformed too.
      if (ok && ((n === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff)))) ok = false;
      if (!ok) {
        if (this.fatal) throw new TypeError("invalid utf-8");
        s += "\ufffd";
        i++;
        continue;
      }
      s += cp < 0x10000 ? String.fromCharCode(cp) : String.fromCharCode(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 1023));
      i += n + 1;
    }
    return s;
  }
}

export const TextEncoder = typeof globalThis.TextEncoder === "function" ? globalThis.TextEncoder : Utf8Encoder;
export const TextDecoder = typeof globalThis.TextDecoder === "function" ? globalThis.TextDecoder : Utf8Decoder;
