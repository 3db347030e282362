// microtls/x509: the standalone certificate verifier. The X.509 issue fills this in.
export {};
