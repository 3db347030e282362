// What is measured: the handshake configurations the issue names, and the legacy one node-forge can speak.
import type { ChainKind } from "./pki.js";

export type GroupName = "x25519" | "secp256r1";

export interface Scenario {
  id: string;
  label: string;
  chain: ChainKind;
  /** IANA name (our client, @reclaimprotocol/tls). */
  suite: string;
  /** OpenSSL name (Node's tls, openssl s_server). */
  opensslCipher: string;
  /** The key-exchange group the server picks; null for RSA key exchange. */
  group: GroupName | null;
  /**
   * Groups the client offers, preferred first. With an ECDSA P-256 leaf, OpenSSL (RFC 4492 §5.1) refuses the
   * handshake unless the client's supported_groups also lists P-256, so "ECDSA with x25519" offers both.
   */
  offered: GroupName[];
  /** TLS version the servers are pinned to. */
  version: "TLSv1.2" | "TLSv1.1";
}

export const HANDSHAKE_SCENARIOS: Scenario[] = [
  {
    id: "ecdsa-x25519",
    label: "ECDHE-ECDSA P-256, x25519",
    chain: "ecdsa",
    suite: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    opensslCipher: "ECDHE-ECDSA-AES128-GCM-SHA256",
    group: "x25519",
    offered: ["x25519", "secp256r1"],
    version: "TLSv1.2",
  },
  {
    id: "ecdsa-p256",
    label: "ECDHE-ECDSA P-256, secp256r1",
    chain: "ecdsa",
    suite: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    opensslCipher: "ECDHE-ECDSA-AES128-GCM-SHA256",
    group: "secp256r1",
    offered: ["secp256r1"],
    version: "TLSv1.2",
  },
  {
    id: "rsa-x25519",
    label: "ECDHE-RSA-2048, x25519",
    chain: "rsa",
    suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    opensslCipher: "ECDHE-RSA-AES128-GCM-SHA256",
    group: "x25519",
    offered: ["x25519"],
    version: "TLSv1.2",
  },
  {
    id: "rsa-kx",
    label: "RSA key exchange (RSA-2048)",
    chain: "rsa",
    suite: "TLS_RSA_WITH_AES_128_GCM_SHA256",
    opensslCipher: "AES128-GCM-SHA256",
    group: null,
    offered: [],
    version: "TLSv1.2",
  },
];

/** node-forge speaks TLS 1.0/1.1 with RSA-CBC only; OpenSSL 3 needs security level 0 to allow it at all. */
export const LEGACY_SCENARIO: Scenario = {
  id: "rsa-cbc-tls11",
  label: "TLS 1.1 RSA kx AES128-SHA (SECLEVEL=0)",
  chain: "rsa",
  suite: "TLS_RSA_WITH_AES_128_CBC_SHA",
  opensslCipher: "AES128-SHA@SECLEVEL=0",
  group: null,
  offered: [],
  version: "TLSv1.1",
};

/** Bulk transfer: ECDSA chain, x25519, one suite per AEAD. */
export interface BulkSuite {
  id: string;
  label: string;
  suite: string;
  opensslCipher: string;
  aead: "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305";
}

export const BULK_SUITES: BulkSuite[] = [
  { id: "aes128gcm", label: "AES-128-GCM", suite: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", opensslCipher: "ECDHE-ECDSA-AES128-GCM-SHA256", aead: "aes-128-gcm" },
  { id: "aes256gcm", label: "AES-256-GCM", suite: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", opensslCipher: "ECDHE-ECDSA-AES256-GCM-SHA384", aead: "aes-256-gcm" },
  { id: "chacha", label: "ChaCha20-Poly1305", suite: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", opensslCipher: "ECDHE-ECDSA-CHACHA20-POLY1305", aead: "chacha20-poly1305" },
];

/** OpenSSL's names for the groups. */
export function opensslGroup(g: GroupName): string {
  return g === "x25519" ? "X25519" : "P-256";
}

/** OpenSSL group list (server ecdhCurve / -groups, Node client ecdhCurve): the offered groups, else a default. */
export function opensslGroups(s: Scenario): string {
  return s.offered.length > 0 ? s.offered.map(opensslGroup).join(":") : "X25519:P-256";
}
