import type { TrustStore } from "../x509/trust-store.js";
import type { Certificate } from "../x509/certificate.js";
import type { LeafKeyUse } from "../x509/profile.js";
import type { SignatureVerifier } from "./verifiers.js";

// What the server-certificate check takes: a types-only file, so the checks it is split into (peer-checks,
// chain-details) and the configuration can name it without importing one another.

/** The work bounds against a hostile server (README, "Limits"). */
export interface WorkLimits {
  maxCertificates: number;
  maxRsaModulusBits: number;
  maxRsaExponentBits: number;
  verifyBudget: number;
}

export interface CertificateCheck {
  chain: Uint8Array[];
  anchors: TrustStore | null;
  serverName: string | null;
  serverNameKind: "dns" | "ip" | null;
  now: number | null;
  allowUnknownTime: boolean;
  /** The client's verifySignature: the chain is checked with the same algorithms as the ServerKeyExchange. */
  verifier: SignatureVerifier;
  /** Names the verified-signature cache's entries; null = no cache. */
  digest: ((data: Uint8Array) => Uint8Array) | null;
  limits: WorkLimits;
  /** What the negotiated key exchange needs the leaf's key for (its keyUsage bit). */
  leafKeyUsage: LeafKeyUse;
  /** pinnedPublicKeys (canonical base64) and the SHA-256 they are made with; null = no pinning. */
  pins?: readonly string[] | null;
  pinHash?: ((data: Uint8Array) => Uint8Array) | null;
  /** The application's own check, after ours: it throws to refuse. */
  verifyPeer?: ((chain: Certificate[]) => void) | null;
}
