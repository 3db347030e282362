import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { TlsError } from "../src/errors.js";
import { parseCertificate } from "../src/x509/certificate.js";
import { checkKeyMatchesCertificate, parsePrivateKey, privateKeyMatches, publicKeyOfPrivate, type PrivateKey } from "../src/x509/private-key.js";
import { clientPkiFor, keyDir, keyIn, openssl, type ClientPki, type KeyFormat } from "./helpers/client-keys.js";
import { expectTlsError } from "./helpers/expect-tls-error.js";
import type { KeyKind } from "./helpers/pki.js";

const FORMATS: KeyFormat[] = ["pkcs8-pem", "pkcs8-der", "traditional-pem", "traditional-der"];
const KINDS: KeyKind[] = ["p256", "p384", "rsa2048"];

function b64url(s: string): bigint {
  return BigInt("0x" + Buffer.from(s, "base64url").toString("hex"));
}

/** node:crypto's reading of the same key, as the reference. */
function expectSameAsNode(key: PrivateKey, pem: string): void {
  const jwk = createPrivateKey(pem).export({ format: "jwk" });
  if (key.type === "rsa") {
    expect(jwk.kty).toBe("RSA");
    expect(key.n).toBe(b64url(jwk.n!));
    expect(key.e).toBe(b64url(jwk.e!));
    expect(key.d).toBe(b64url(jwk.d!));
    expect(key.qinv).toBe(b64url(jwk.qi!));
    expect(key.bits).toBe(2048);
  } else {
    expect(jwk.kty).toBe("EC");
    expect(key.curve).toBe(jwk.crv);
    expect(Buffer.from(key.d).toString("base64url")).toBe(jwk.d);
    const pub = publicKeyOfPrivate(key);
    expect(pub.type === "ec" && Buffer.from(pub.point.subarray(1, 1 + key.d.length)).toString("base64url")).toBe(jwk.x);
  }
}

function configError(fn: () => unknown, pattern: RegExp): void {
  expectTlsError(fn, "CONFIG", undefined, pattern);
}

let pki: ClientPki;
beforeAll(() => {
  pki = clientPkiFor();
});

describe("parsePrivateKey: every format openssl writes", () => {
  for (const kind of KINDS) {
    for (const format of FORMATS) {
      it(`${kind} ${format}`, () => {
        const client = pki.clients[kind];
        const input = keyIn(client.keyPath, kind, format);
        const key = parsePrivateKey(input);
        expect(key.type).toBe(kind === "rsa2048" ? "rsa" : "ec");
        expectSameAsNode(key, client.keyPem);
        const cert = parseCertificate(client.der);
        expect(privateKeyMatches(key, cert.publicKey)).toBe(true);
        expect(() => checkKeyMatchesCertificate(key, cert.publicKey)).not.toThrow();
      });
    }
  }

  it("reads a SEC1 key preceded by an EC PARAMETERS block (openssl ecparam -genkey)", () => {
    const text = openssl(["ecparam", "-name", "prime256v1", "-genkey"], keyDir());
    expect(text).toContain("EC PARAMETERS");
    const key = parsePrivateKey(text);
    expectSameAsNode(key, text);
  });

  it("reads a SEC1 key without the embedded public key and without parameters inside a PKCS#8 wrapper", () => {
    const dir = keyDir();
    const path = join(dir, "nopub.pem");
    openssl(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", path], dir);
    const noPub = openssl(["ec", "-in", path, "-no_public"], dir);
    const key = parsePrivateKey(noPub);
    expect(key.type === "ec" && key.publicPoint).toBeUndefined();
    expectSameAsNode(key, noPub);
    const p8 = openssl(["pkcs8", "-topk8", "-nocrypt", "-in", path], dir);
    expectSameAsNode(parsePrivateKey(p8), p8);
  });

  it("accepts PEM given as bytes, with CRLF and text around it, and ignores certificates in the same file", () => {
    const client = pki.clients.p256;
    const text = `Bag Attributes\r\n${client.certPem.replace(/\n/g, "\r\n")}junk\r\n${client.keyPem.replace(/\n/g, "\r\n")}`;
    const key = parsePrivateKey(new Uint8Array(Buffer.from(text)));
    expectSameAsNode(key, client.keyPem);
  });
});

describe("parsePrivateKey: refusals say what to do", () => {
  it("refuses an encrypted PKCS#8 key and says how to decrypt it", () => {
    const dir = keyDir();
    const out = join(dir, "enc.p8.pem");
    openssl(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:secret", "-in", pki.clients.p256.keyPath, "-out", out], dir);
    const text = readFileSync(out, "utf8");
    expect(text).toContain("ENCRYPTED PRIVATE KEY");
    configError(() => parsePrivateKey(text), /encrypted.*openssl pkey -in key\.pem -out/);
    // The same as DER, with no label to go by.
    const der = openssl(["asn1parse", "-in", out, "-out", join(dir, "enc.der"), "-noout"], dir);
    expect(der).toBe("");
    configError(() => parsePrivateKey(new Uint8Array(readFileSync(join(dir, "enc.der")))), /encrypted/);
    // The advice works: decrypting with it gives a key we read.
    const plain = join(dir, "dec.pem");
    openssl(["pkey", "-in", out, "-passin", "pass:secret", "-out", plain], dir);
    expectSameAsNode(parsePrivateKey(readFileSync(plain, "utf8")), pki.clients.p256.keyPem);
  });

  it("refuses traditional keys encrypted with Proc-Type headers (RSA and EC)", () => {
    const dir = keyDir();
    for (const [kind, tool] of [["rsa2048", "rsa"], ["p384", "ec"]] as const) {
      const out = join(dir, `enc-${kind}.pem`);
      openssl([tool, "-in", pki.clients[kind].keyPath, "-aes256", "-passout", "pass:secret", "-out", out, ...(tool === "rsa" ? ["-traditional"] : [])], dir);
      const text = readFileSync(out, "utf8");
      expect(text).toMatch(/Proc-Type: 4,ENCRYPTED/);
      configError(() => parsePrivateKey(text), /encrypted .*passphrase.*openssl/);
    }
  });

  it("refuses RSA-1024", () => {
    const dir = keyDir();
    const small = openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"], dir);
    configError(() => parsePrivateKey(small), /1024 bits.*2048 to 4096/);
  });

  it("accepts RSA-4096 at the upper bound", { timeout: 120_000 }, () => {
    const dir = keyDir();
    const path = join(dir, "rsa4096.pem");
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096", "-out", path], dir);
    const text = readFileSync(path, "utf8");
    const key = parsePrivateKey(text);
    expect(key.type === "rsa" && key.bits).toBe(4096);
  });

  it("refuses P-521, secp256k1, Ed25519 and RSA-PSS-only keys by name", () => {
    const dir = keyDir();
    configError(() => parsePrivateKey(openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"], dir)), /P-521.*P-256 or P-384/);
    configError(() => parsePrivateKey(openssl(["ecparam", "-name", "secp256k1", "-genkey", "-noout"], dir)), /secp256k1/);
    configError(() => parsePrivateKey(openssl(["genpkey", "-algorithm", "ED25519"], dir)), /Ed25519/);
    configError(() => parsePrivateKey(openssl(["genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"], dir)), /RSASSA-PSS-only/);
  });

  it("refuses explicit curve parameters", () => {
    const dir = keyDir();
    const path = join(dir, "explicit.pem");
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path], dir);
    const explicit = openssl(["ec", "-in", path, "-param_enc", "explicit"], dir);
    configError(() => parsePrivateKey(explicit), /explicit curve parameters/);
  });

  it("refuses a key that belongs to another certificate", () => {
    const key = parsePrivateKey(pki.clients.p256.keyPem);
    const other = parseCertificate(pki.server.leaves.p256.der);
    expect(privateKeyMatches(key, other.publicKey)).toBe(false);
    configError(() => checkKeyMatchesCertificate(key, other.publicKey), /does not belong to the client certificate/);
    const rsa = parsePrivateKey(pki.clients.rsa2048.keyPem);
    configError(() => checkKeyMatchesCertificate(rsa, parseCertificate(pki.server.leaves.rsa2048.der).publicKey), /RSA-2048/);
    expect(privateKeyMatches(rsa, parseCertificate(pki.clients.p256.der).publicKey)).toBe(false);
  });

  it("refuses an RSA key whose numbers do not belong together", () => {
    const jwk = createPrivateKey(pki.clients.rsa2048.keyPem).export({ format: "jwk" });
    const dq = Buffer.from(jwk.dq!, "base64url");
    dq[dq.length - 1] ^= 1;
    const broken = createPrivateKey({ key: { ...jwk, dq: dq.toString("base64url") }, format: "jwk" }).export({ type: "pkcs1", format: "pem" }) as string;
    configError(() => parsePrivateKey(broken), /inconsistent/);
  });

  it("no key, two keys, not bytes: clear errors", () => {
    configError(() => parsePrivateKey(pki.clients.p256.certPem), /no private key found/);
    configError(() => parsePrivateKey(pki.clients.p256.keyPem + pki.clients.p384.keyPem), /2 private keys/);
    configError(() => parsePrivateKey(42 as unknown as string), /PEM text or DER bytes/);
    configError(() => parsePrivateKey("-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----"), /malformed/);
  });
});

describe("parsePrivateKey: hostile bytes give TlsError CONFIG only", () => {
  it("random mutations of valid keys in every format", () => {
    const samples: Uint8Array[] = [];
    for (const kind of KINDS) {
      samples.push(keyIn(pki.clients[kind].keyPath, kind, "pkcs8-der") as Uint8Array);
      samples.push(keyIn(pki.clients[kind].keyPath, kind, "traditional-der") as Uint8Array);
    }
    fc.assert(
      fc.property(fc.nat(samples.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (which, edits, cut) => {
        const bytes = samples[which].slice();
        for (const [at, v] of edits) bytes[at % bytes.length] = v;
        const input = cut % 3 === 0 ? bytes.subarray(0, cut % bytes.length) : bytes;
        try {
          parsePrivateKey(input);
        } catch (e) {
          if (!(e instanceof TlsError) || e.code !== "CONFIG") throw e;
        }
      }),
      { numRuns: 400 },
    );
  });

  it("arbitrary bytes and strings", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 }).map((s) => `-----BEGIN EC PRIVATE KEY-----\n${s}\n-----END EC PRIVATE KEY-----`)), (input) => {
        try {
          parsePrivateKey(input);
        } catch (e) {
          if (!(e instanceof TlsError) || e.code !== "CONFIG") throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
