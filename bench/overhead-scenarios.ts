// The four suites of issue #12's overhead figures (bench/overhead.ts, bench/vs-reclaim.ts).
import type { Scenario } from "./scenarios.js";

export const OVERHEAD_SCENARIOS: Scenario[] = [
  { id: "rsa-kx", label: "TLS_RSA_WITH_AES_128_GCM_SHA256", chain: "rsa", suite: "TLS_RSA_WITH_AES_128_GCM_SHA256", opensslCipher: "AES128-GCM-SHA256", group: null, offered: [], version: "TLSv1.2" },
  { id: "rsa-p256", label: "ECDHE-RSA P-256", chain: "rsa", suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", opensslCipher: "ECDHE-RSA-AES128-GCM-SHA256", group: "secp256r1", offered: ["secp256r1"], version: "TLSv1.2" },
  { id: "rsa-x25519", label: "ECDHE-RSA x25519", chain: "rsa", suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", opensslCipher: "ECDHE-RSA-AES128-GCM-SHA256", group: "x25519", offered: ["x25519"], version: "TLSv1.2" },
  { id: "ecdsa-p256", label: "ECDHE-ECDSA P-256", chain: "ecdsa", suite: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", opensslCipher: "ECDHE-ECDSA-AES128-GCM-SHA256", group: "secp256r1", offered: ["secp256r1"], version: "TLSv1.2" },
];
