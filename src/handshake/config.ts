import type { EcdhGroup, GroupName } from "../crypto/ecdh.js";
import type { CryptoProvider } from "../crypto/provider.js";
import { resolveRandom, type RandomSource } from "../crypto/random.js";
import type { PublicKey, SignatureAlgorithm } from "../crypto/signature.js";
import { type TlsError, tlsError } from "../errors.js";
import type { ClientAuthOptions, ClientAuthSupport, ClientCredential } from "./client-credentials.js";
import { MAX_FRAGMENT_CODES } from "./extensions.js";
import { DEFAULT_MAX_HANDSHAKE_MESSAGE } from "../record/handshake-reassembler.js";
import type { ResumptionSupport, TlsSession } from "./session.js";
import { chooseWithProviders, providerList } from "./provider-config.js";
import { OFFERED_SCHEMES, type SignatureScheme } from "./signature-schemes.js";
import type { CipherSuite } from "./suites.js";
import { loadTrustAnchors } from "./server-certificate.js";
import type { WorkLimits } from "./certificate-check.js";
import type { SignatureVerifier } from "./verifiers.js";
import type { TrustStore } from "../x509/trust-store.js";
import { toBase64 } from "./peer-checks.js";
import type { Certificate } from "../x509/certificate.js";
import { decodeBase64 } from "../x509/pem.js";

export type { SignatureVerifier } from "./verifiers.js";
export type { WorkLimits } from "./certificate-check.js";

// Client certificates and resumption: their interfaces live with the code, which only builds that use them carry.
export type { ClientAuthSupport } from "./client-credentials.js";
export type { ResumptionSupport } from "./session.js";

/**
 * What names in the options resolve to, and the defaults. The `microtls` entry passes every algorithm; `microtls/core`
 * passes none and takes the objects themselves, so a bundle carries only the suites, groups and verifiers it names.
 */
export interface AlgorithmTables {
  /** The suites a name in `cipherSuites` may refer to (RSA key exchange included: it is offered only when named). */
  suites: readonly CipherSuite[];
  /** Offered when `cipherSuites` is absent; null = the option is required. */
  defaultSuites: readonly CipherSuite[] | null;
  groups: readonly EcdhGroup[];
  defaultGroups: readonly EcdhGroup[] | null;
  /** Used when the `verifySignature` option is absent; null = the option is required (ECDHE suites, or verify on). */
  verifySignature: SignatureVerifier | null;
  /** Client certificates and session resumption; null = only when the options bring them. */
  clientAuth: ClientAuthSupport | null;
  resumption: ResumptionSupport | null;
  /** Layered under the `crypto` option's providers (the microtls entry: noble); null = only what the options bring. */
  provider: CryptoProvider | null;
}

/** No names, no defaults: everything comes in through the options as objects. */
export const NO_TABLES: AlgorithmTables = {
  suites: [],
  defaultSuites: null,
  groups: [],
  defaultGroups: null,
  verifySignature: null,
  clientAuth: null,
  resumption: null,
  provider: null,
};

/** Options of `new TlsClient(options)`. */
export interface TlsClientOptions extends ClientAuthOptions {
  /** A session from an earlier connection (client.session, or its encodeSession bytes) to resume. */
  session?: TlsSession | Uint8Array | null;
  /** Ask servers for RFC 5077 session tickets (an empty session_ticket extension). Default true. */
  sessionTickets?: boolean;
  /** Resume sessions made without extended_master_secret (RFC 7627 §5.3 says SHOULD NOT). Default false. */
  allowLegacyResumption?: boolean;
  /** SNI and the name checked in the certificate; an IP literal is checked against IP SANs and sends no SNI. */
  serverName?: string;
  /** Trust anchors: PEM text with any number of certificates, DER, an array of either, or a TrustStore. */
  ca?: unknown;
  /** Default true. false skips chain and name checks (the chain is still parsed). */
  verify?: boolean;
  /** With verify on and no serverName: verify the chain but check no name. An explicit, visible opt-out. */
  allowNoServerName?: boolean;
  /** IANA names or the exported suite objects, in preference order. RSA key exchange suites are offered only when named here. */
  cipherSuites?: Array<string | CipherSuite>;
  /** Group names or the exported group objects (x25519Group, p256Group, p384Group). Default ["x25519", "secp256r1", "secp384r1"]. */
  groups?: Array<GroupName | EcdhGroup>;
  /**
   * The signature check for the ServerKeyExchange and for every certificate in the server's chain. Default: every
   * algorithm (from `microtls`); `microtls/core` needs one, e.g. signatureVerifier({ ecdsa: ecdsaVerify }), so a build
   * carries only the verifiers it names. A chain signed with an algorithm it lacks is refused (BAD_SIGNATURE).
   */
  verifySignature?: SignatureVerifier;
  /** microtls/core only (the microtls entry has it): pass clientAuthSupport to use cert/key/sign. */
  clientAuthSupport?: ClientAuthSupport;
  /** microtls/core only (the microtls entry has it): pass resumptionSupport to get and offer sessions. */
  resumptionSupport?: ResumptionSupport;
  /**
   * Where the crypto comes from: a CryptoProvider, or a list layered in order (for each algorithm the first provider
   * that has it wins; the microtls entry puts noble last). With it, cipherSuites and groups may be names (also in
   * microtls/core) and default to everything the providers can do; what no provider has is left out (a trace line).
   */
  crypto?: CryptoProvider | CryptoProvider[];
  /** RFC 6066: 512 | 1024 | 2048 | 4096. */
  maxFragmentLength?: number;
  /** RFC 8449: the largest record plaintext we accept, 64..16385. */
  recordSizeLimit?: number;
  /** The largest handshake message accepted, 256..65536 bytes (default 65536): a longer one is refused on its header. */
  maxHandshakeMessageSize?: number;
  /** Most certificates the server may present, leaf included, 1..100 (default 100): more is bad_certificate. */
  maxCertificates?: number;
  /** Largest RSA modulus accepted in any server, chain or client key, 2048..8192 bits (default 8192). */
  maxRsaModulusBits?: number;
  /** Largest RSA public exponent, in bits, 17..32 (default 32: e <= 2^32-1). */
  maxRsaExponentBits?: number;
  /** Signature work the chain verifier may spend, in units of one RSA-2048 check (P-256: 10), 1..150 (default 150). */
  verifyBudget?: number;
  alpn?: string[];
  random?: RandomSource;
  /** Clock in ms since the epoch; null = the device has no clock (needs allowUnknownTime). */
  now?: (() => number) | null;
  /** Accept certificates without checking their validity period when there is no clock. */
  allowUnknownTime?: boolean;
  /** Refuse servers without RFC 7627 extended_master_secret. */
  requireExtendedMasterSecret?: boolean;
  /** One readable line per record and handshake message, no secrets. */
  trace?: (line: string) => void;
  /** NSS key log lines (CLIENT_RANDOM <client random> <master secret>), for Wireshark. Secrets! */
  keyLog?: (line: string) => void;
  /**
   * Public-key pins: base64 SHA-256 of a SubjectPublicKeyInfo, as OkHttp and HPKP write them ("sha256/" prefix
   * optional). After the chain verifies, some certificate of the verified path (leaf to anchor) must match one.
   */
  pinnedPublicKeys?: string[];
  /**
   * Runs after the built-in chain and name checks with the verified path, parsed, leaf first (with verify: false,
   * the chain as sent). Whatever it throws fails the handshake: BAD_CERTIFICATE, alert bad_certificate.
   */
  verifyPeer?: (chain: Certificate[]) => void;
}

/** The options checked once, at construction, so a bad configuration never reaches the wire. */
export interface ClientConfig {
  serverName: string | null;
  /** "dns" names get SNI; "ip" names are matched against IP SANs only. */
  serverNameKind: "dns" | "ip" | null;
  trustAnchors: TrustStore | null;
  verify: boolean;
  suites: readonly CipherSuite[];
  groups: readonly EcdhGroup[];
  verifySignature: SignatureVerifier;
  /** Offered in signature_algorithms: the schemes the verifier can check. */
  schemes: readonly SignatureScheme[];
  /** Names entries of the verified-signature cache (any collision-resistant hash); null = no cache. */
  digest: ((data: Uint8Array) => Uint8Array) | null;
  /** Suites whose names error messages may use (the name table, or just the offered ones). */
  knownSuites: readonly CipherSuite[];
  maxFragmentLength: number | null;
  recordSizeLimit: number | null;
  maxHandshakeMessageSize: number;
  limits: WorkLimits;
  alpn: readonly string[];
  random: RandomSource;
  now: (() => number) | null;
  allowUnknownTime: boolean;
  /** pinnedPublicKeys, canonical base64 (no prefix); null = no pinning. */
  pins: readonly string[] | null;
  /** SHA-256 for the pins (null when there are none). */
  pinHash: ((data: Uint8Array) => Uint8Array) | null;
  verifyPeer: ((chain: Certificate[]) => void) | null;
  requireExtendedMasterSecret: boolean;
  trace: ((line: string) => void) | null;
  keyLog: ((line: string) => void) | null;
  clientAuth: ClientAuthSupport | null;
  clientCredential: ClientCredential | null;
  /** null: sessions are neither offered nor recorded. */
  resumption: ResumptionSupport | null;
  /** The session to offer (already decoded); whether it is usable is checked per handshake. */
  session: TlsSession | null;
  allowLegacyResumption: boolean;
  sessionTickets: boolean;
}

export const DEFAULT_LIMITS: WorkLimits = { maxCertificates: 100, maxRsaModulusBits: 8192, maxRsaExponentBits: 32, verifyBudget: 150 };
const LIMIT_FLOORS: WorkLimits = { maxCertificates: 1, maxRsaModulusBits: 2048, maxRsaExponentBits: 17, verifyBudget: 1 };

/** Each bound may only be lowered, to no less than its floor. */
function workLimits(options: TlsClientOptions): WorkLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(DEFAULT_LIMITS) as Array<keyof WorkLimits>) {
    const v = options[name];
    if (v === undefined) continue;
    if (typeof v !== "number" || !(v >= LIMIT_FLOORS[name] && v <= DEFAULT_LIMITS[name]) || Math.floor(v) !== v) {
      throw config(`${name} must be an integer in ${LIMIT_FLOORS[name]}..${DEFAULT_LIMITS[name]} (a work bound can only be lowered)`);
    }
    out[name] = v;
  }
  return out;
}

const NO_ALPN: string[] = [];

function config(message: string): TlsError {
  return tlsError("config", message);
}

/** Pins as OkHttp writes them ("sha256/" optional), each 32 bytes of base64; stored canonical (no prefix). */
function resolvePins(value: unknown, verify: boolean): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0) throw config("pinnedPublicKeys must be a non-empty array of base64 SHA-256 SPKI hashes");
  if (!verify) throw config("pinnedPublicKeys are checked against the verified path: they need verify on (and a ca)");
  return value.map((pin) => {
    const text = typeof pin === "string" ? pin.replace(/^sha256\//, "") : "";
    let bytes: Uint8Array | null = null;
    try {
      bytes = decodeBase64(text);
    } catch {
      bytes = null;
    }
    if (!bytes || bytes.length !== 32) throw config(`pinnedPublicKeys: ${JSON.stringify(pin)} is not base64 of a SHA-256 hash (32 bytes)`);
    return toBase64(bytes);
  });
}

export function isIpv4Literal(name: string): boolean {
  const parts = name.split(".");
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

export function isIpLiteral(name: string): boolean {
  return isIpv4Literal(name) || (name.indexOf(":") >= 0 && /^\[?[0-9a-fA-F:.]+\]?$/.test(name));
}

function checkHostname(name: string): string {
  // SNI carries an ASCII hostname without the trailing dot (RFC 6066 §3); internationalised names must be A-labels.
  const host = name.replace(/\.$/, "");
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(host) || host.length > 253) {
    throw config(`serverName ${JSON.stringify(name)} is not a valid DNS name or IP literal (use the A-label form of internationalised names)`);
  }
  return host;
}

function uniqueBy<T>(list: readonly T[], key: (t: T) => unknown, what: string): void {
  list.forEach((t, i) => {
    if (list.findIndex((u) => key(u) === key(t)) !== i) throw config(`${what} lists ${String(key(t))} twice`);
  });
}

function isSuite(s: unknown): s is CipherSuite {
  const x = s as CipherSuite;
  return typeof x === "object" && x !== null && typeof x.name === "string" && typeof x.id === "number" &&
    typeof x.aead === "function" && typeof x.recordCipher === "function" && typeof x.prf === "function" && typeof x.createHash === "function" &&
    (x.keyExchange === "ECDHE" || (x.keyExchange === "RSA" && typeof x.rsaEncrypt === "function"));
}

function isGroup(g: unknown): g is EcdhGroup {
  const x = g as EcdhGroup;
  return typeof x === "object" && x !== null && typeof x.name === "string" && typeof x.id === "number" &&
    typeof x.generate === "function" && typeof x.sharedSecret === "function";
}

function resolveSuite(entry: unknown, tables: AlgorithmTables): CipherSuite {
  if (isSuite(entry)) return entry;
  if (typeof entry === "string") {
    for (const s of tables.suites) if (s.name === entry) return s;
    if (tables.suites.length === 0) throw config(`cipher suite names need the microtls entry; microtls/core takes the suite objects (import ${entry} from microtls/core)`);
  }
  throw config(`unsupported cipher suite ${JSON.stringify(entry)}`);
}

function resolveGroup(entry: unknown, tables: AlgorithmTables): EcdhGroup {
  if (isGroup(entry)) return entry;
  if (typeof entry === "string") {
    for (const g of tables.groups) if (g.name === entry) return g;
    if (tables.groups.length === 0) throw config(`group names need the microtls entry; microtls/core takes the group objects (x25519Group, p256Group, p384Group)`);
  }
  throw config(`unsupported group ${JSON.stringify(entry)}`);
}

/** Checks the options against the algorithms the entry point makes available (see AlgorithmTables). */
// Every option TlsClient reads. Anything else is a mistake worth stopping for: node:tls's `servername`, silently
// ignored, used to check the wrong name and surface as a misleading HOSTNAME_MISMATCH.
const KNOWN_OPTIONS = new Set([
  "session", "sessionTickets", "allowLegacyResumption", "serverName", "ca", "verify", "allowNoServerName", "cipherSuites",
  "groups", "verifySignature", "clientAuthSupport", "resumptionSupport", "crypto", "maxFragmentLength", "recordSizeLimit",
  "maxHandshakeMessageSize", "maxCertificates", "maxRsaModulusBits", "maxRsaExponentBits", "verifyBudget", "alpn", "random",
  "now", "allowUnknownTime", "requireExtendedMasterSecret", "trace", "keyLog", "cert", "key", "sign", "signSchemes",
  "pinnedPublicKeys", "verifyPeer",
]);
/** node:tls option names a port from node:tls brings along, and what microtls calls them. */
const NODE_TLS_NAMES: Record<string, string> = {
  servername: "serverName",
  rejectUnauthorized: "verify (rejectUnauthorized: false is verify: false)",
  checkServerIdentity: "serverName (microtls checks the name itself, after the chain) and, for checks of your own, verifyPeer(chain), run after microtls's",
  minVersion: "nothing: microtls speaks TLS 1.2 only",
  maxVersion: "nothing: microtls speaks TLS 1.2 only",
  ciphers: "cipherSuites (IANA names)",
  ecdhCurve: "groups",
  ALPNProtocols: "alpn",
  secureContext: "ca, cert and key",
};

function checkOptionNames(options: object): void {
  for (const name of Object.keys(options)) {
    if (KNOWN_OPTIONS.has(name) || (options as Record<string, unknown>)[name] === undefined) continue;
    const ours = Object.prototype.hasOwnProperty.call(NODE_TLS_NAMES, name) ? NODE_TLS_NAMES[name] : undefined;
    throw config(ours ? `${name} is a node:tls option; microtls uses ${ours}` : `unknown option ${JSON.stringify(name)}`);
  }
}

export function resolveConfig(options: TlsClientOptions, tables: AlgorithmTables): ClientConfig {
  if (options === null || typeof options !== "object") throw config("TlsClient needs an options object");
  checkOptionNames(options);
  const verify = options.verify !== false;

  let serverName: string | null = null;
  let serverNameKind: "dns" | "ip" | null = null;
  if (options.serverName !== undefined && options.serverName !== "") {
    if (typeof options.serverName !== "string") throw config("serverName must be a string");
    if (isIpLiteral(options.serverName)) {
      serverName = options.serverName.replace(/^\[|\]$/g, "");
      serverNameKind = "ip";
    } else {
      serverName = checkHostname(options.serverName);
      serverNameKind = "dns";
    }
  }
  if (verify && serverName === null && options.allowNoServerName !== true) {
    throw config(
      "verify is on but no serverName was given: without it any certificate from the CA would be accepted. " +
        "Pass serverName (a hostname or IP address), or allowNoServerName: true to verify the chain only",
    );
  }

  let trustAnchors: TrustStore | null = null;
  if (verify) {
    if (options.ca === undefined || options.ca === null) {
      throw config("verify is on but no ca was given: pass the trust anchors (PEM, DER, an array or a TrustStore), or verify: false");
    }
    trustAnchors = loadTrustAnchors(options.ca);
  }

  const now = options.now === undefined ? () => Date.now() : options.now;
  if (now !== null && typeof now !== "function") throw config("now must be a function returning ms since the epoch, or null");
  const allowUnknownTime = options.allowUnknownTime === true;
  if (verify && now === null && !allowUnknownTime) {
    throw config("now is null (no clock), so certificate validity cannot be checked: pass allowUnknownTime: true to accept that");
  }

  for (const fn of ["trace", "keyLog"] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== "function") throw config(`${fn} must be a function (line: string) => void`);
  }
  if (options.verifySignature !== undefined && typeof options.verifySignature !== "function") throw config("verifySignature must be a function");

  // The defaults are shared, not copied: per-connection heap counts on small devices.
  let suites: readonly CipherSuite[];
  let groups: readonly EcdhGroup[];
  let verifySignature: SignatureVerifier | null;
  let schemes: readonly SignatureScheme[] = OFFERED_SCHEMES;
  let providerRandom: RandomSource | undefined;
  let sha256: (() => { update(d: Uint8Array): { digest(): Uint8Array } }) | undefined;
  if (options.crypto !== undefined) {
    if (options.cipherSuites !== undefined && (!Array.isArray(options.cipherSuites) || options.cipherSuites.length === 0)) throw config("cipherSuites must be a non-empty array of IANA names or suite objects");
    if (options.groups !== undefined && (!Array.isArray(options.groups) || options.groups.length === 0)) throw config("groups must be a non-empty array");
    const layers = providerList(options.crypto);
    const chosen = chooseWithProviders(options, tables.provider ? [...layers, tables.provider] : layers, options.trace ?? null);
    suites = chosen.suites;
    groups = chosen.groups;
    verifySignature = chosen.verifySignature;
    schemes = chosen.schemes;
    providerRandom = chosen.provider.random;
    sha256 = chosen.provider.hash?.sha256;
    if (verifySignature === null && verify) throw config("verify is on but no crypto provider verifies signatures (give one with verify, or verifySignature)");
  } else {
    ({ suites, groups, verifySignature } = chooseFromObjects(options, tables, verify));
  }
  // The signature cache's names: the provider's SHA-256, else the first suite's own hash (any such hash will do).
  const cacheHash = sha256 ?? suites[0].createHash;
  const digest = (data: Uint8Array) => cacheHash().update(data).digest();

  const pins = resolvePins(options.pinnedPublicKeys, verify);
  let pinHash: ((data: Uint8Array) => Uint8Array) | null = null;
  if (pins) {
    // SHA-256 from the provider, else from a suite whose PRF hash it is (every default build has one).
    const suite256 = suites.find((x) => x.prfHash === "sha256");
    const h = sha256 ?? (suite256 ? suite256.createHash : undefined);
    if (!h) throw config("pinnedPublicKeys needs SHA-256: offer a SHA-256 suite, or a crypto provider with hash.sha256");
    pinHash = (data: Uint8Array) => h().update(data).digest();
  }
  if (options.verifyPeer !== undefined && typeof options.verifyPeer !== "function") throw config("verifyPeer must be a function (chain) => void that throws to refuse");

  let maxFragmentLength: number | null = null;
  if (options.maxFragmentLength !== undefined) {
    if (!MAX_FRAGMENT_CODES[options.maxFragmentLength as number]) throw config("maxFragmentLength must be 512, 1024, 2048 or 4096");
    maxFragmentLength = options.maxFragmentLength;
  }
  let recordSizeLimit: number | null = null;
  if (options.recordSizeLimit !== undefined) {
    const v = options.recordSizeLimit;
    if (typeof v !== "number" || !(v >= 64 && v <= 16385) || Math.floor(v) !== v) throw config("recordSizeLimit must be an integer in 64..16385");
    recordSizeLimit = v;
  }

  let maxHandshakeMessageSize = DEFAULT_MAX_HANDSHAKE_MESSAGE;
  if (options.maxHandshakeMessageSize !== undefined) {
    const v = options.maxHandshakeMessageSize;
    if (typeof v !== "number" || !(v >= 256 && v <= DEFAULT_MAX_HANDSHAKE_MESSAGE) || Math.floor(v) !== v) {
      throw config(`maxHandshakeMessageSize must be an integer in 256..${DEFAULT_MAX_HANDSHAKE_MESSAGE}`);
    }
    maxHandshakeMessageSize = v;
  }

  const alpn = options.alpn === undefined ? NO_ALPN : options.alpn;
  if (!Array.isArray(alpn) || alpn.some((p) => typeof p !== "string" || p.length === 0 || p.length > 255)) {
    throw config("alpn must be an array of non-empty protocol names of at most 255 bytes");
  }
  uniqueBy(alpn, (p) => p, "alpn");

  const clientAuth = options.clientAuthSupport ?? tables.clientAuth;
  if (!clientAuth && (options.cert !== undefined || options.key !== undefined || options.sign !== undefined)) {
    throw config("client certificates need clientAuthSupport here: import it from microtls/core and pass it in the options");
  }
  const resumption = options.resumptionSupport ?? tables.resumption;
  if (!resumption && options.session !== undefined && options.session !== null) {
    throw config("session needs resumptionSupport here: import it from microtls/core and pass it in the options");
  }

  return {
    serverName,
    serverNameKind,
    trustAnchors,
    verify,
    suites,
    groups,
    // RSA key exchange with verify off checks no signature at all: a verifier that refuses keeps the type simple.
    verifySignature: verifySignature ?? refuseSignature,
    schemes,
    digest,
    knownSuites: tables.suites.length > 0 ? tables.suites : suites,
    maxFragmentLength,
    recordSizeLimit,
    maxHandshakeMessageSize,
    limits: workLimits(options),
    alpn: alpn === NO_ALPN ? NO_ALPN : alpn.slice(),
    random: options.random === undefined && providerRandom ? providerRandom : resolveRandom(options.random),
    now,
    allowUnknownTime,
    pins,
    pinHash,
    verifyPeer: options.verifyPeer ?? null,
    requireExtendedMasterSecret: options.requireExtendedMasterSecret === true,
    trace: options.trace ?? null,
    keyLog: options.keyLog ?? null,
    clientAuth,
    clientCredential: clientAuth ? clientAuth.resolve(options) : null,
    resumption,
    session: resumption ? resolveSession(options.session, resumption) : null,
    allowLegacyResumption: options.allowLegacyResumption === true,
    sessionTickets: resumption !== null && options.sessionTickets !== false,
  };
}



/** Without `crypto`: the suite, group and verifier objects (or names the entry's tables know), as given. */
function chooseFromObjects(options: TlsClientOptions, tables: AlgorithmTables, verify: boolean): { suites: readonly CipherSuite[]; groups: readonly EcdhGroup[]; verifySignature: SignatureVerifier | null } {
  let suites: readonly CipherSuite[];
  let groups: readonly EcdhGroup[];
  if (options.cipherSuites !== undefined) {
    if (!Array.isArray(options.cipherSuites) || options.cipherSuites.length === 0) throw config("cipherSuites must be a non-empty array of IANA names or suite objects");
    suites = options.cipherSuites.map((entry) => resolveSuite(entry, tables));
    uniqueBy(suites, (s) => s.name, "cipherSuites");
  } else if (tables.defaultSuites) {
    suites = tables.defaultSuites;
  } else {
    throw config("cipherSuites is required here: microtls/core has no defaults (pass the suite objects to offer)");
  }
  const ecdhe = suites.some((s) => s.keyExchange === "ECDHE");

  if (options.groups !== undefined) {
    if (!Array.isArray(options.groups) || options.groups.length === 0) throw config("groups must be a non-empty array");
    groups = options.groups.map((entry) => resolveGroup(entry, tables));
    uniqueBy(groups, (g) => g.name, "groups");
  } else if (tables.defaultGroups) {
    groups = tables.defaultGroups;
  } else if (!ecdhe) {
    groups = [];
  } else {
    throw config("groups is required here: microtls/core has no defaults (pass the group objects, e.g. x25519Group)");
  }

  const verifySignature = options.verifySignature ?? tables.verifySignature;
  // With verify on, the chain's signatures need it even when the key exchange signs nothing (RSA key exchange).
  if (verifySignature === null && (ecdhe || verify)) {
    throw config("verifySignature is required here: microtls/core has no default (e.g. signatureVerifier({ ecdsa: ecdsaVerify }), or pass crypto)");
  }
  return { suites, groups, verifySignature };
}

/** A saved session as bytes is decoded; an object is kept as is (the client marks it unusable if the connection fails). */
function resolveSession(session: TlsSession | Uint8Array | null | undefined, support: ResumptionSupport): TlsSession | null {
  if (session === undefined || session === null) return null;
  if (session instanceof Uint8Array) return support.decode(session);
  // Round-tripping validates every field with the same checks as a saved blob.
  support.decode(support.encode(session));
  return session;
}

function refuseSignature(): boolean {
  return false;
}
