import { constants, createHash, createPrivateKey, randomFillSync, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { Reader } from "../src/bytes.js";
import { verifySignature } from "../src/crypto/signature.js";
import { Alert } from "../src/errors.js";
import { encodeCertificateVerify, selectClientCredential, signCertificateVerify } from "../src/handshake/client-auth.js";
import { CLIENT_SCHEMES, clientSchemeByName } from "../src/handshake/client-credentials.js";
import { resolveClientCredential, type ClientCredential, type ExternalSigner } from "../src/handshake/client-credentials.js";
import { HandshakeType } from "../src/handshake/messages.js";
import { clientPkiFor, type ClientPki } from "./helpers/client-keys.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import type { KeyKind } from "./helpers/pki.js";

const random = (buf: Uint8Array) => void randomFillSync(buf);
const ALL_TYPES = Uint8Array.of(1, 64);
const ALL_SCHEMES = CLIENT_SCHEMES.map((s) => s.id);
/** What OpenSSL 3 sends in a CertificateRequest (includes SHA-1 and ed25519 we do not use). */
const OPENSSL_SCHEMES = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0203, 0x0201];

let pki: ClientPki;
const creds = {} as Record<KeyKind, ClientCredential>;
beforeAll(() => {
  pki = clientPkiFor();
  for (const kind of ["p256", "p384", "rsa2048"] as KeyKind[]) {
    creds[kind] = resolveClientCredential({ cert: pki.clients[kind].certPem + pki.clientCa.certPem, key: pki.clients[kind].keyPem })!;
  }
});

function chosen(kind: KeyKind, schemes: number[], types = ALL_TYPES): string {
  const choice = selectClientCredential({ certificateTypes: types, signatureSchemes: schemes }, creds[kind]);
  return "scheme" in choice ? choice.scheme.name : `none: ${choice.reason}`;
}

describe("resolveClientCredential", () => {
  it("reads a PEM chain and checks the key belongs to the leaf", () => {
    const c = creds.p256;
    expect(c.chain.length).toBe(2);
    expect(Buffer.from(c.chain[0]).equals(Buffer.from(pki.clients.p256.der))).toBe(true);
    expect(c.publicKey.type).toBe("ec");
    expect(c.key?.type).toBe("ec");
  });

  it("takes DER certificates and arrays", () => {
    const c = resolveClientCredential({ cert: [pki.clients.rsa2048.der, pki.clientCa.certPem], key: pki.clients.rsa2048.keyPem })!;
    expect(c.chain.length).toBe(2);
    expect(c.publicKey.type === "rsa" && c.publicKey.bits).toBe(2048);
  });

  it("takes PEM given as bytes, with text before the first block", () => {
    const bytes = new Uint8Array(Buffer.from(`subject=CN=device\n${pki.clients.p256.certPem}`));
    const c = resolveClientCredential({ cert: bytes, key: pki.clients.p256.keyPem })!;
    expect(Buffer.from(c.chain[0]).equals(Buffer.from(pki.clients.p256.der))).toBe(true);
  });

  it("returns null with nothing configured", () => {
    expect(resolveClientCredential({})).toBeNull();
  });

  const bad: Array<[string, () => unknown, RegExp]> = [
    ["key without cert", () => resolveClientCredential({ key: pki.clients.p256.keyPem }), /without cert/],
    ["cert without key", () => resolveClientCredential({ cert: pki.clients.p256.certPem }), /without key/],
    ["key and sign", () => resolveClientCredential({ cert: pki.clients.p256.certPem, key: pki.clients.p256.keyPem, sign: () => new Uint8Array(1) }), /not both/],
    ["the wrong key", () => resolveClientCredential({ cert: pki.clients.p256.certPem, key: pki.clients.p384.keyPem }), /does not belong/],
    ["no certificate in the PEM", () => resolveClientCredential({ cert: pki.clients.p256.keyPem, key: pki.clients.p256.keyPem }), /no -----BEGIN CERTIFICATE/],
    ["garbage DER", () => resolveClientCredential({ cert: Uint8Array.of(0x30, 0x03, 1, 2, 3), key: pki.clients.p256.keyPem }), /cannot be parsed/],
    ["unknown signer scheme", () => resolveClientCredential({ cert: pki.clients.p256.certPem, sign: () => new Uint8Array(1), signSchemes: ["ecdsa_sha1"] }), /unknown or unsupported schemes: ecdsa_sha1/],
  ];
  for (const [name, fn, re] of bad) {
    it(`refuses ${name} with a CONFIG error`, () => {
      expectTlsError(fn, "CONFIG", undefined, re);
    });
  }
});

describe("selectClientCredential", () => {
  it("ECDSA: the scheme matching the key's curve comes first", () => {
    expect(chosen("p256", ALL_SCHEMES)).toBe("ecdsa_secp256r1_sha256");
    expect(chosen("p384", ALL_SCHEMES)).toBe("ecdsa_secp384r1_sha384");
    expect(chosen("p384", OPENSSL_SCHEMES)).toBe("ecdsa_secp384r1_sha384");
  });

  it("ECDSA: another hash when the matching one is not offered (TLS 1.2 does not bind curve and hash)", () => {
    expect(chosen("p384", [0x0403, 0x0401])).toBe("ecdsa_secp256r1_sha256");
    expect(chosen("p256", [0x0603])).toBe("ecdsa_secp521r1_sha512");
  });

  it("RSA: PSS where offered, else PKCS#1 v1.5", () => {
    expect(chosen("rsa2048", OPENSSL_SCHEMES)).toBe("rsa_pss_rsae_sha256");
    expect(chosen("rsa2048", [0x0401, 0x0805])).toBe("rsa_pss_rsae_sha384");
    expect(chosen("rsa2048", [0x0201, 0x0501, 0x0601])).toBe("rsa_pkcs1_sha384");
  });

  it("no fit: a reason for the trace, and the caller sends an empty Certificate", () => {
    expect(chosen("rsa2048", [0x0201, 0x0203])).toMatch(/none: none of the server's signature algorithms \[0x0201,0x0203\] fits our RSA-2048 key/);
    expect(chosen("p256", ALL_SCHEMES, Uint8Array.of(1))).toMatch(/does not accept ecdsa_sign certificates \(certificate_types=\[1\]\) for our ECDSA P-256 key/);
    expect(chosen("rsa2048", ALL_SCHEMES, Uint8Array.of(64))).toMatch(/rsa_sign/);
    const none = selectClientCredential({ certificateTypes: ALL_TYPES, signatureSchemes: ALL_SCHEMES }, null);
    expect(none).toEqual({ reason: "no client certificate configured" });
  });

  it("picks the first credential that fits from a list", () => {
    const choice = selectClientCredential({ certificateTypes: Uint8Array.of(1), signatureSchemes: OPENSSL_SCHEMES }, [creds.p256, creds.rsa2048]);
    expect("scheme" in choice && choice.scheme.name).toBe("rsa_pss_rsae_sha256");
    expect("scheme" in choice && choice.chain).toBe(creds.rsa2048.chain);
  });

  it("respects what an external signer says it can do", () => {
    const signerOnlyPkcs1 = resolveClientCredential({ cert: pki.clients.rsa2048.certPem, sign: () => new Uint8Array(1), signSchemes: ["rsa_pkcs1_sha256"] })!;
    const choice = selectClientCredential({ certificateTypes: ALL_TYPES, signatureSchemes: OPENSSL_SCHEMES }, signerOnlyPkcs1);
    expect("scheme" in choice && choice.scheme.name).toBe("rsa_pkcs1_sha256");
    const refused = selectClientCredential({ certificateTypes: ALL_TYPES, signatureSchemes: [0x0804] }, signerOnlyPkcs1);
    expect("reason" in refused && refused.reason).toMatch(/signer's schemes \[rsa_pkcs1_sha256\]/);
  });
});

/** Splits a CertificateVerify body into scheme and signature, checking the framing. */
function parseVerify(body: Uint8Array): { scheme: number; signature: Uint8Array } {
  const r = new Reader(body, "CertificateVerify");
  const scheme = r.u16();
  const signature = r.vec16();
  r.end();
  return { scheme, signature };
}

function nodeVerifies(kind: KeyKind, schemeName: string, data: Uint8Array, signature: Uint8Array): boolean {
  const s = clientSchemeByName(schemeName)!;
  const alg = s.algorithm as { kind: string; hash: string };
  const key = pki.clients[kind].certPem;
  if (alg.kind === "rsa-pss") {
    return nodeVerify(alg.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
  }
  return nodeVerify(alg.hash, data, key, signature);
}

const CASES: Array<[KeyKind, string]> = [
  ["p256", "ecdsa_secp256r1_sha256"],
  ["p256", "ecdsa_secp384r1_sha384"],
  ["p384", "ecdsa_secp384r1_sha384"],
  ["p384", "ecdsa_secp521r1_sha512"],
  ["rsa2048", "rsa_pss_rsae_sha256"],
  ["rsa2048", "rsa_pss_rsae_sha384"],
  ["rsa2048", "rsa_pss_rsae_sha512"],
  ["rsa2048", "rsa_pkcs1_sha256"],
  ["rsa2048", "rsa_pkcs1_sha384"],
  ["rsa2048", "rsa_pkcs1_sha512"],
];

describe("signCertificateVerify: our key, verified by us and by node:crypto", () => {
  const transcript = new Uint8Array(3000);
  randomFillSync(transcript);
  for (const [kind, name] of CASES) {
    it(`${kind} ${name}`, () => {
      const s = clientSchemeByName(name)!;
      const { scheme, signature } = parseVerify(signCertificateVerify(creds[kind], s, transcript, random));
      expect(scheme).toBe(s.id);
      expect(verifySignature(creds[kind].publicKey, s.algorithm, transcript, signature)).toBe(true);
      expect(nodeVerifies(kind, name, transcript, signature)).toBe(true);
      // Any other transcript fails: the signature covers the messages.
      const other = transcript.slice();
      other[0] ^= 1;
      expect(nodeVerifies(kind, name, other, signature)).toBe(false);
    });
  }

  it("encodeCertificateVerify frames the body as a certificate_verify message", () => {
    const s = clientSchemeByName("ecdsa_secp256r1_sha256")!;
    const msg = encodeCertificateVerify(creds.p256, s, transcript, random);
    expect(msg[0]).toBe(HandshakeType.certificate_verify);
    expect((msg[1] << 16) | (msg[2] << 8) | msg[3]).toBe(msg.length - 4);
    expect(parseVerify(msg.subarray(4)).scheme).toBe(0x0403);
  });
});

describe("the sign hook (external signer)", () => {
  const transcript = new Uint8Array(1200);
  randomFillSync(transcript);

  function signerFor(kind: KeyKind, encoding: "der" | "ieee-p1363" = "der", seen?: Array<{ scheme: string; hash: string; digestOk: boolean }>): ExternalSigner {
    const key = createPrivateKey(pki.clients[kind].keyPem);
    return (scheme, data, info) => {
      seen?.push({ scheme, hash: info.hash, digestOk: createHash(info.hash).update(data).digest().equals(Buffer.from(info.digest)) });
      const alg = clientSchemeByName(scheme)!.algorithm as { kind: string; hash: string };
      if (alg.kind === "rsa-pss") return nodeSign(alg.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
      return nodeSign(alg.hash, data, { key, dsaEncoding: encoding });
    };
  }

  for (const [kind, name] of CASES) {
    it(`${kind} ${name} through sign()`, () => {
      const seen: Array<{ scheme: string; hash: string; digestOk: boolean }> = [];
      const cred = resolveClientCredential({ cert: pki.clients[kind].certPem, sign: signerFor(kind, "der", seen) })!;
      const s = clientSchemeByName(name)!;
      const { signature } = parseVerify(signCertificateVerify(cred, s, transcript, random));
      expect(seen).toEqual([{ scheme: name, hash: (s.algorithm as { hash: string }).hash, digestOk: true }]);
      expect(nodeVerifies(kind, name, transcript, signature)).toBe(true);
    });
  }

  it("converts a raw r||s ECDSA signature (what secure elements return) to DER", () => {
    for (const kind of ["p256", "p384"] as KeyKind[]) {
      const cred = resolveClientCredential({ cert: pki.clients[kind].certPem, sign: signerFor(kind, "ieee-p1363") })!;
      const s = clientSchemeByName(kind === "p256" ? "ecdsa_secp256r1_sha256" : "ecdsa_secp384r1_sha384")!;
      const { signature } = parseVerify(signCertificateVerify(cred, s, transcript, random));
      expect(signature[0]).toBe(0x30);
      expect(nodeVerifies(kind, s.name, transcript, signature)).toBe(true);
    }
  });

  function internalError(fn: () => unknown, re: RegExp): void {
    expectTlsError(fn, "INTERNAL_ERROR", Alert.internal_error, re);
  }

  it("a signer with the wrong key is caught before the server sees it", () => {
    const cred = resolveClientCredential({ cert: pki.clients.p256.certPem, sign: signerFor("p384") })!;
    // The P-384 signer signs whatever it is asked; the signature cannot verify under the P-256 certificate.
    internalError(() => signCertificateVerify(cred, clientSchemeByName("ecdsa_secp256r1_sha256")!, transcript, random), /does not verify with the certificate's public key/);
  });

  it("a signer that throws or returns nonsense gives INTERNAL_ERROR with the reason", () => {
    const s = clientSchemeByName("rsa_pkcs1_sha256")!;
    const throwing = resolveClientCredential({ cert: pki.clients.rsa2048.certPem, sign: () => { throw new Error("secure element busy"); } })!;
    internalError(() => signCertificateVerify(throwing, s, transcript, random), /sign function failed for rsa_pkcs1_sha256: secure element busy/);
    const empty = resolveClientCredential({ cert: pki.clients.rsa2048.certPem, sign: () => new Uint8Array(0) })!;
    internalError(() => signCertificateVerify(empty, s, transcript, random), /returned 0 bytes/);
    const notBytes = resolveClientCredential({ cert: pki.clients.rsa2048.certPem, sign: (() => "sig") as unknown as ExternalSigner })!;
    internalError(() => signCertificateVerify(notBytes, s, transcript, random), /returned string/);
  });
});
