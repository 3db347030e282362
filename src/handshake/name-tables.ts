import { nobleProvider } from "../crypto/noble-provider.js";
import { p256Group, p384Group } from "../crypto/nist-ecdh.js";
import { verifySignature } from "../crypto/signature.js";
import { x25519Group } from "../crypto/x25519.js";
import { clientAuthSupport } from "./client-auth.js";
import type { AlgorithmTables } from "./config.js";
import { resumptionSupport } from "./session.js";
import { ALL_SUITES, DEFAULT_SUITES } from "./suites.js";

// Every suite, group and verifier, client certificates and resumption, for the `microtls` entry, whose options take
// names. Importing this module is what puts all of them in a bundle: microtls/core does not, so there a build
// carries only the objects it names.
export const ALL_ALGORITHMS: AlgorithmTables = {
  suites: ALL_SUITES,
  defaultSuites: DEFAULT_SUITES,
  groups: [x25519Group, p256Group, p384Group],
  defaultGroups: [x25519Group, p256Group, p384Group],
  verifySignature,
  clientAuth: clientAuthSupport,
  resumption: resumptionSupport,
  // Under the `crypto` option's providers: noble supplies what they lack.
  provider: nobleProvider,
};
