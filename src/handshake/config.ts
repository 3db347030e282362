import type { EcdhGroup, GroupName } from "../crypto/ecdh.js";
import { p256Group, p384Group } from "../crypto/nist-ecdh.js";
import { resolveRandom, type RandomSource } from "../crypto/random.js";
import { x25519Group } from "../crypto/x25519.js";
import { TlsError } from "../errors.js";
import { resolveClientCredential, type ClientAuthOptions, type ClientCredential } from "./client-credentials.js";
import { MAX_FRAGMENT_CODES } from "./extensions.js";
import { decodeSession, encodeSession, type TlsSession } from "./session.js";
import { DEFAULT_SUITES, suiteByName, type CipherSuite } from "./suites.js";
import { loadTrustAnchors, type TrustAnchors } from "./server-certificate.js";

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
  /** IANA names, in preference order. RSA key exchange suites are offered only when named here. */
  cipherSuites?: string[];
  /** Default ["x25519", "secp256r1", "secp384r1"]. */
  groups?: GroupName[];
  /** RFC 6066: 512 | 1024 | 2048 | 4096. */
  maxFragmentLength?: number;
  /** RFC 8449: the largest record plaintext we accept, 64..16385. */
  recordSizeLimit?: number;
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
}

/** The options checked once, at construction, so a bad configuration never reaches the wire. */
export interface ClientConfig {
  serverName: string | null;
  /** "dns" names get SNI; "ip" names are matched against IP SANs only. */
  serverNameKind: "dns" | "ip" | null;
  trustAnchors: TrustAnchors | null;
  verify: boolean;
  suites: readonly CipherSuite[];
  groups: readonly EcdhGroup[];
  maxFragmentLength: number | null;
  recordSizeLimit: number | null;
  alpn: readonly string[];
  random: RandomSource;
  now: (() => number) | null;
  allowUnknownTime: boolean;
  requireExtendedMasterSecret: boolean;
  trace: ((line: string) => void) | null;
  keyLog: ((line: string) => void) | null;
  clientCredential: ClientCredential | null;
  /** The session to offer (already decoded); whether it is usable is checked per handshake. */
  session: TlsSession | null;
  allowLegacyResumption: boolean;
  sessionTickets: boolean;
}

const GROUPS: Record<GroupName, EcdhGroup> = { x25519: x25519Group, secp256r1: p256Group, secp384r1: p384Group };
const DEFAULT_GROUP_LIST: readonly EcdhGroup[] = [x25519Group, p256Group, p384Group];

const NO_ALPN: string[] = [];

function config(message: string): TlsError {
  return new TlsError("CONFIG", message);
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

export function resolveConfig(options: TlsClientOptions): ClientConfig {
  if (options === null || typeof options !== "object") throw config("TlsClient needs an options object");
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

  let trustAnchors: TrustAnchors | null = null;
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

  // The defaults are shared, not copied: per-connection heap counts on small devices.
  let suites: readonly CipherSuite[] = DEFAULT_SUITES;
  if (options.cipherSuites !== undefined) {
    if (!Array.isArray(options.cipherSuites) || options.cipherSuites.length === 0) throw config("cipherSuites must be a non-empty array of IANA names");
    suites = options.cipherSuites.map((name) => {
      const s = suiteByName(name);
      if (!s) throw config(`unsupported cipher suite ${JSON.stringify(name)}`);
      return s;
    });
    uniqueBy(suites, (s) => s.name, "cipherSuites");
  }

  let groups: readonly EcdhGroup[] = DEFAULT_GROUP_LIST;
  if (options.groups !== undefined) {
    if (!Array.isArray(options.groups) || options.groups.length === 0) throw config("groups must be a non-empty array");
    groups = options.groups.map((g) => {
      if (!Object.prototype.hasOwnProperty.call(GROUPS, g)) throw config(`unsupported group ${JSON.stringify(g)}`);
      return GROUPS[g];
    });
    uniqueBy(groups, (g) => g.name, "groups");
  }

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

  const alpn = options.alpn === undefined ? NO_ALPN : options.alpn;
  if (!Array.isArray(alpn) || alpn.some((p) => typeof p !== "string" || p.length === 0 || p.length > 255)) {
    throw config("alpn must be an array of non-empty protocol names of at most 255 bytes");
  }
  uniqueBy(alpn, (p) => p, "alpn");

  for (const fn of ["trace", "keyLog"] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== "function") throw config(`${fn} must be a function (line: string) => void`);
  }

  return {
    serverName,
    serverNameKind,
    trustAnchors,
    verify,
    suites,
    groups,
    maxFragmentLength,
    recordSizeLimit,
    alpn: alpn === NO_ALPN ? NO_ALPN : alpn.slice(),
    random: resolveRandom(options.random),
    now,
    allowUnknownTime,
    requireExtendedMasterSecret: options.requireExtendedMasterSecret === true,
    trace: options.trace ?? null,
    keyLog: options.keyLog ?? null,
    clientCredential: resolveClientCredential(options),
    session: resolveSession(options.session),
    allowLegacyResumption: options.allowLegacyResumption === true,
    sessionTickets: options.sessionTickets !== false,
  };
}


/** A saved session as bytes is decoded; an object is kept as is (the client marks it unusable if the connection fails). */
function resolveSession(session: TlsSession | Uint8Array | null | undefined): TlsSession | null {
  if (session === undefined || session === null) return null;
  if (session instanceof Uint8Array) return decodeSession(session);
  // Round-tripping validates every field with the same checks as a saved blob.
  decodeSession(encodeSession(session));
  return session;
}
