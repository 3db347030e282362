// Size profile "full": everything the core entry exports (TlsClient with every suite, group and signature
// scheme, and the certificate verifier it needs), as an application importing `microtls` gets it.
export * from "../src/index.js";
