import type { AeadFactory } from "../crypto/aead.js";
import { illegalPeerKey, type EcdhGroup, type GroupName } from "../crypto/ecdh.js";
import type { HashState } from "../crypto/hash.js";
import { layerProviders, prfFromHmac, type CryptoProvider, type EcdhKeyAgreement } from "../crypto/provider.js";
import { TlsError, tlsError } from "../errors.js";
import { OFFERED_SCHEMES, type SignatureScheme } from "./signature-schemes.js";
import { SUITE_PARAMS, type SuiteParams } from "./suite-params.js";
import type { CipherSuite } from "./suites.js";
import { signatureVerifier, type SignatureVerifier } from "./verifiers.js";

// The `crypto` option: the client's suites, groups, signature schemes and verifier, bound to the providers given
// (layered in order: the first one that has an algorithm supplies it). What no provider has is left out with a trace
// line, so a handshake never reaches a primitive that is missing; when nothing is left the options are a CONFIG error.

/** The groups microtls knows, by TLS NamedGroup code point. */
const GROUP_IDS: Record<GroupName, number> = { x25519: 29, secp256r1: 23, secp384r1: 24 };
const ALL_GROUPS: GroupName[] = ["x25519", "secp256r1", "secp384r1"];

export interface ProviderChoices {
  suites: CipherSuite[];
  groups: EcdhGroup[];
  verifySignature: SignatureVerifier | null;
  schemes: readonly SignatureScheme[];
  provider: CryptoProvider;
}

function config(message: string): TlsError {
  return tlsError("config", message);
}

/** The options' `crypto` (one provider or a list) as a list, checked. */
export function providerList(crypto: unknown): CryptoProvider[] {
  const list = Array.isArray(crypto) ? crypto : [crypto];
  if (list.length === 0) throw config("crypto must be a CryptoProvider or a non-empty array of them");
  for (const p of list) if (p === null || typeof p !== "object") throw config("crypto must be a CryptoProvider object or an array of them");
  return list as CryptoProvider[];
}

type SuiteEntry = SuiteParams & Partial<Pick<CipherSuite, "aead" | "prf" | "createHash" | "rsaEncrypt">>;

function isParams(s: unknown): s is SuiteEntry {
  const x = s as SuiteParams;
  return typeof x === "object" && x !== null && typeof x.name === "string" && typeof x.id === "number" &&
    typeof x.aeadName === "string" && typeof x.recordCipher === "function" && (x.keyExchange === "ECDHE" || x.keyExchange === "RSA") &&
    (x.prfHash === "sha256" || x.prfHash === "sha384") && typeof x.keyLength === "number" && typeof x.ivLength === "number";
}

function suiteEntry(entry: unknown): SuiteEntry {
  if (isParams(entry)) return entry;
  if (typeof entry === "string") for (const s of SUITE_PARAMS) if (s.name === entry) return s;
  throw config(`unsupported cipher suite ${JSON.stringify(entry)}`);
}

function groupEntry(entry: unknown): { name: GroupName; own: EcdhKeyAgreement | null } {
  if (typeof entry === "string" && entry in GROUP_IDS) return { name: entry as GroupName, own: null };
  const g = entry as EcdhGroup;
  if (typeof g === "object" && g !== null && typeof g.name === "string" && g.name in GROUP_IDS && GROUP_IDS[g.name] === g.id) {
    // A group object (e.g. noble's x25519Group) is its own implementation, used when no provider has the group.
    return { name: g.name, own: typeof g.generate === "function" && typeof g.sharedSecret === "function" ? g : null };
  }
  throw config(`unsupported group ${JSON.stringify(entry)}`);
}

function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i];
  return acc === 0;
}

/** The provider's ECDH with the TLS checks every provider shares: encodings before, the all-zero X25519 result after. */
export function bindGroup(name: GroupName, impl: EcdhKeyAgreement): EcdhGroup {
  const x25519 = name === "x25519";
  const pointLength = name === "secp256r1" ? 65 : 97;
  return {
    name,
    id: GROUP_IDS[name],
    generate: (random) => impl.generate(random),
    sharedSecret(privateKey, peerPublic) {
      if (x25519 && peerPublic.length !== 32) throw illegalPeerKey("X25519 key must be 32 bytes");
      // RFC 8422 §5.4.1: TLS 1.2 points are uncompressed only (we never offer compressed formats).
      if (!x25519 && peerPublic.length !== pointLength) throw illegalPeerKey(`${name} point must be ${pointLength} bytes`);
      if (!x25519 && peerPublic[0] !== 0x04) throw illegalPeerKey("not an uncompressed point");
      let shared: Uint8Array;
      try {
        shared = impl.sharedSecret(privateKey, peerPublic);
      } catch (e) {
        if (e instanceof TlsError) throw e;
        throw illegalPeerKey(x25519 ? "low-order X25519 point" : `${name} point not on the curve`);
      }
      if (x25519 && isAllZero(shared)) throw illegalPeerKey("all-zero X25519 shared secret");
      return shared;
    },
  };
}

/** The suites, groups and verifier the options ask for, bound to `layers`; what cannot be bound is left out. */
export function chooseWithProviders(
  options: { cipherSuites?: unknown[]; groups?: unknown[]; verifySignature?: SignatureVerifier; verify?: boolean },
  layers: readonly CryptoProvider[],
  trace: ((line: string) => void) | null,
): ProviderChoices {
  const p = layerProviders(layers);
  const leftOut: string[] = [];
  const drop = (what: string, why: string) => {
    leftOut.push(`${what} (${why})`);
    trace?.(`crypto: ${what} left out: ${why}`);
  };

  // Signature schemes: an application's verifySignature is opaque (every scheme is offered, as without providers).
  const v = p.verify ?? {};
  const own = options.verifySignature;
  const kinds = { ecdsa: !!own || !!v.ecdsa, "rsa-pss": !!own || !!v.rsaPss, "rsa-pkcs1": !!own || !!v.rsaPkcs1 };
  const schemes = OFFERED_SCHEMES.filter((s) => {
    const ok = kinds[s.algorithm.kind as keyof typeof kinds];
    if (!ok) drop(`signature scheme ${s.name}`, `no provider verifies ${s.algorithm.kind}`);
    return ok;
  });
  const verifySignature = own ?? (v.ecdsa || v.rsaPkcs1 || v.rsaPss || v.ed25519 ? signatureVerifier(v) : null);

  // Groups.
  const wantedGroups = options.groups !== undefined ? options.groups : ALL_GROUPS;
  const groups: EcdhGroup[] = [];
  for (const entry of wantedGroups) {
    const { name, own: ownImpl } = groupEntry(entry);
    if (groups.some((g) => g.name === name)) throw config(`groups lists ${name} twice`);
    const fromProvider = p.ecdh ? p.ecdh[name] : undefined;
    if (fromProvider) groups.push(bindGroup(name, fromProvider));
    else if (ownImpl) groups.push(ownImpl as EcdhGroup);
    else drop(`group ${name}`, "no provider has it");
  }

  // Suites: the named ones, or the ECDHE ones in the default order.
  const wantedSuites: unknown[] = options.cipherSuites !== undefined ? options.cipherSuites : SUITE_PARAMS.filter((s) => s.keyExchange === "ECDHE");
  const suites: CipherSuite[] = [];
  for (const entry of wantedSuites) {
    const s = suiteEntry(entry);
    if (suites.some((t) => t.name === s.name)) throw config(`cipherSuites lists ${s.name} twice`);
    const aead: AeadFactory | undefined = (p.aead && p.aead[s.aeadName]) || s.aead;
    const hashFn = p.hash && p.hash[s.prfHash];
    const createHash: (() => HashState) | undefined = hashFn ? () => hashFn() : s.createHash;
    const prfFn = p.prf && p.prf[s.prfHash];
    const hmacFn = p.hmac && p.hmac[s.prfHash];
    const prf = prfFn ? prfFn : hmacFn ? prfFromHmac(hmacFn) : s.prf;
    const rsaEncrypt = s.keyExchange === "RSA" ? p.rsaEncrypt ?? s.rsaEncrypt : undefined;
    const signs = s.keyExchange === "ECDHE" || options.verify !== false;
    const authOk = !signs || (s.auth === "ECDSA" ? kinds.ecdsa : kinds["rsa-pss"] || kinds["rsa-pkcs1"]);
    if (!aead) drop(s.name, `no provider has ${s.aeadName}`);
    else if (!createHash) drop(s.name, `no provider has ${s.prfHash}`);
    else if (!prf) drop(s.name, `no provider has HMAC-${s.prfHash.toUpperCase()}`);
    else if (s.keyExchange === "RSA" && !rsaEncrypt) drop(s.name, "no provider has RSA encryption");
    else if (!authOk) drop(s.name, `no provider verifies ${s.auth} signatures`);
    else if (s.keyExchange === "ECDHE" && groups.length === 0) drop(s.name, "no ECDH group is available");
    else suites.push({ ...s, aead, createHash, prf, ...(rsaEncrypt ? { rsaEncrypt } : {}) } as CipherSuite);
  }
  if (suites.length === 0) {
    throw config(`no cipher suite can be offered with these crypto providers: ${leftOut.join("; ")}`);
  }
  return { suites, groups: suites.some((s) => s.keyExchange === "ECDHE") ? groups : [], verifySignature, schemes, provider: p };
}
