export const microtlsHasOwn: (object: unknown, key: PropertyKey) => boolean;
export class Utf8Encoder {
  readonly encoding: "utf-8";
  encode(text?: string): Uint8Array;
}
export class Utf8Decoder {
  constructor(label?: string, options?: { fatal?: boolean });
  readonly encoding: "utf-8";
  decode(input?: ArrayBuffer | ArrayBufferView): string;
}
export const TextEncoder: typeof globalThis.TextEncoder;
export const TextDecoder: typeof globalThis.TextDecoder;
