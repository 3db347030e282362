// microtls/x509: the standalone certificate verifier (also used by TlsClient for the server's chain).
export { parseCertificate } from "./certificate.js";
export type { Certificate } from "./certificate.js";
export { parsePem } from "./pem.js";
export { TrustStore } from "./trust-store.js";
export type { AnchorInput } from "./trust-store.js";
export { verifyChain } from "./verify-chain.js";
export { DEFAULT_MAX_DEPTH } from "./verify.js";
export type { VerifyOptions, VerifyResult } from "./verify.js";
export { VerifyFlag, verifyInfo } from "./flags.js";
export type { VerifyFlagName } from "./flags.js";
export { KeyUsageBit } from "./extensions.js";
export type { ParsedExtensions, NameConstraints } from "./extensions.js";
export type { GeneralName } from "./general-names.js";
