// Chains built with the openssl CLI (test/helpers/pki.ts), each broken in one way, checked flag by flag.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pki, pemToDer, type Issued } from "./helpers/pki.js";
import { TrustStore, VerifyFlag, parseCertificate, verifyChain, verifyInfo, type VerifyOptions } from "../src/x509/index.js";

const HOST = "device.x509.test";
const DAY = 86400_000;

let pki: Pki;
let root: Issued;
let inter: Issued;
let leaf: Issued;

function openssl(args: string[]): string {
  return execFileSync("openssl", args, { cwd: pki.dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function verify(chain: Issued[], opts: Partial<VerifyOptions> = {}) {
  return verifyChain({ chain: chain.map((c) => c.der), trusted: [root.der], hostname: HOST, now: Date.now(), ...opts });
}

beforeAll(() => {
  pki = new Pki();
  root = pki.issue({ name: "root", cn: "x509 Test Root", key: "p384", ca: true });
  inter = pki.issue({ name: "inter", cn: "x509 Test Intermediate", ca: 0, issuer: root });
  leaf = pki.issue({ name: "leaf", cn: HOST, issuer: inter, dns: [HOST, "*.wild.x509.test"], ips: ["192.0.2.7", "2001:db8::7"] });
}, 60_000);

afterAll(() => pki.cleanup());

describe("verifyChain on openssl-built chains", () => {
  it("accepts a good chain and returns the path leaf -> anchor", () => {
    const r = verify([leaf, inter]);
    expect(r.flags).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.path.map((c) => c.subject)).toEqual([`CN=${HOST}, O=microtls tests`, "CN=x509 Test Intermediate, O=microtls tests", "CN=x509 Test Root, O=microtls tests"]);
    expect(r.leaf?.dnsNames).toContain(HOST);
  });

  it("accepts a shuffled chain with unrelated extras", () => {
    const stray = pki.issue({ name: "stray", cn: "stray CA", ca: true });
    const r = verify([leaf, stray, root, inter, stray]);
    expect(r.ok).toBe(true);
    expect(r.path).toHaveLength(3);
  });

  it("matches IP literals against iPAddress SANs only", () => {
    expect(verify([leaf, inter], { hostname: undefined, ip: "192.0.2.7" }).ok).toBe(true);
    expect(verify([leaf, inter], { hostname: undefined, ip: "2001:db8:0::7" }).ok).toBe(true);
    expect(verify([leaf, inter], { hostname: "192.0.2.7" }).ok).toBe(true);
    expect(verify([leaf, inter], { hostname: undefined, ip: "192.0.2.8" }).flags).toEqual([VerifyFlag.HOSTNAME_MISMATCH]);
  });

  it("checks host names: wrong host, good and bad wildcards, no CN fallback", () => {
    expect(verify([leaf, inter], { hostname: "other.x509.test" }).flags).toEqual([VerifyFlag.HOSTNAME_MISMATCH]);
    expect(verify([leaf, inter], { hostname: "a.wild.x509.test" }).ok).toBe(true);
    expect(verify([leaf, inter], { hostname: "DEVICE.x509.test." }).ok).toBe(true);
    expect(verify([leaf, inter], { hostname: "wild.x509.test" }).flags).toEqual([VerifyFlag.HOSTNAME_MISMATCH]);
    expect(verify([leaf, inter], { hostname: "a.b.wild.x509.test" }).flags).toEqual([VerifyFlag.HOSTNAME_MISMATCH]);
    const cnOnly = pki.issue({ name: "cn-only", cn: "cn-only.x509.test", issuer: inter });
    expect(verify([cnOnly, inter], { hostname: "cn-only.x509.test" }).flags).toEqual([VerifyFlag.HOSTNAME_MISMATCH]);
  });

  it("refuses a CN that misspells a SAN or names a sibling host; free-text CNs are ignored", () => {
    const issue = (name: string, cn: string, dns: string[]) => pki.issue({ name, cn, issuer: inter, dns });
    expect(verify([issue("cn-case", "DEVICE.x509.test", [HOST]), inter]).flags).toEqual([VerifyFlag.MALFORMED]);
    expect(verify([issue("cn-sibling", "other.x509.test", [HOST]), inter]).flags).toEqual([VerifyFlag.MALFORMED]);
    expect(verify([issue("cn-free-text", "Sensor 42", [HOST]), inter]).ok).toBe(true);
    expect(verify([issue("cn-under-wildcard", "a.wild.x509.test", ["*.wild.x509.test"]), inter], { hostname: "b.wild.x509.test" }).ok).toBe(true);
  });

  it("requires a name unless explicitly opted out", () => {
    expect(verify([leaf, inter], { hostname: undefined }).flags).toEqual([VerifyFlag.HOSTNAME_MISMATCH]);
    expect(verify([leaf, inter], { hostname: undefined, allowNoName: true }).ok).toBe(true);
  });

  it("flags an expired and a not-yet-valid leaf", () => {
    const old = pki.issue({ name: "expired", cn: HOST, issuer: inter, dns: [HOST], notBefore: new Date(Date.now() - 20 * DAY), notAfter: new Date(Date.now() - DAY) });
    expect(verify([old, inter]).flags).toEqual([VerifyFlag.EXPIRED]);
    const future = pki.issue({ name: "future", cn: HOST, issuer: inter, dns: [HOST], notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 20 * DAY) });
    expect(verify([future, inter]).flags).toEqual([VerifyFlag.NOT_YET_VALID]);
  });

  it("reports an expired intermediate precisely", () => {
    const oldInter = pki.issue({ name: "old-inter", cn: "old inter", ca: 0, issuer: root, notBefore: new Date(Date.now() - 20 * DAY), notAfter: new Date(Date.now() - DAY) });
    const l = pki.issue({ name: "leaf-under-old", cn: HOST, issuer: oldInter, dns: [HOST], notBefore: new Date(Date.now() - 2 * DAY) });
    const r = verify([l, oldInter]);
    expect(r.ok).toBe(false);
    expect(r.flags).toEqual([VerifyFlag.EXPIRED]);
  });

  it("flags a self-signed leaf, an untrusted root and a missing intermediate as NOT_TRUSTED", () => {
    const self = pki.issue({ name: "self", cn: HOST, dns: [HOST] });
    expect(verify([self]).flags).toEqual([VerifyFlag.NOT_TRUSTED]);
    const otherRoot = pki.issue({ name: "other-root", cn: "Other Root", ca: true });
    expect(verifyChain({ chain: [leaf.der, inter.der], trusted: [otherRoot.der], hostname: HOST, now: Date.now() }).flags).toEqual([VerifyFlag.NOT_TRUSTED]);
    expect(verify([leaf]).flags).toEqual([VerifyFlag.NOT_TRUSTED]);
  });

  it("accepts a pinned self-signed server certificate that is itself the trust anchor", () => {
    const self = pki.issue({ name: "pinned", cn: HOST, dns: [HOST] });
    expect(verifyChain({ chain: [self.der], trusted: [self.der], hostname: HOST, now: Date.now() }).ok).toBe(true);
  });

  it("flags a non-CA intermediate with NOT_CA", () => {
    const notCa = pki.issue({ name: "not-ca", cn: "not a CA", issuer: root, dns: ["not-ca.x509.test"], eku: [] });
    const l = pki.issue({ name: "leaf-under-not-ca", cn: HOST, issuer: notCa, dns: [HOST] });
    expect(verify([l, notCa]).flags).toContain(VerifyFlag.NOT_CA);
  });

  it("flags a clientAuth-only leaf with EXT_KEY_USAGE", () => {
    const client = pki.issue({ name: "client-only", cn: HOST, issuer: inter, dns: [HOST], eku: ["clientAuth"] });
    expect(verify([client, inter]).flags).toEqual([VerifyFlag.EXT_KEY_USAGE]);
  });

  it("requires serverAuth in the leaf's EKU: absent, anyExtendedKeyUsage or critical is EXT_KEY_USAGE", () => {
    const none = pki.issue({ name: "no-eku", cn: HOST, issuer: inter, dns: [HOST], eku: [] });
    expect(verify([none, inter]).flags).toEqual([VerifyFlag.EXT_KEY_USAGE]);
    const any = pki.issue({ name: "any-eku", cn: HOST, issuer: inter, dns: [HOST], eku: ["serverAuth", "anyExtendedKeyUsage"] });
    expect(verify([any, inter]).flags).toEqual([VerifyFlag.EXT_KEY_USAGE]);
  });

  it("flags a leaf whose keyUsage forbids TLS use with KEY_USAGE", () => {
    const crlOnly = pki.issue({ name: "crl-only", cn: HOST, issuer: inter, dns: [HOST], keyUsage: "nonRepudiation" });
    expect(verify([crlOnly, inter]).flags).toEqual([VerifyFlag.KEY_USAGE]);
  });

  it("enforces pathLenConstraint with PATH_TOO_LONG, and maxDepth", () => {
    const sub = pki.issue({ name: "sub-ca", cn: "sub CA", ca: true, issuer: inter });
    const l = pki.issue({ name: "leaf-under-sub", cn: HOST, issuer: sub, dns: [HOST] });
    expect(verify([l, sub, inter]).flags).toEqual([VerifyFlag.PATH_TOO_LONG]);
    const rootOnly = pki.issue({ name: "inter2", cn: "inter2", ca: true, issuer: root });
    const l2 = pki.issue({ name: "leaf-under-inter2", cn: HOST, issuer: rootOnly, dns: [HOST] });
    expect(verify([l2, rootOnly]).ok).toBe(true);
    expect(verify([l2, rootOnly], { maxDepth: 0 }).flags).toContain(VerifyFlag.PATH_TOO_LONG);
  });

  it("enforces name constraints (NAME_CONSTRAINTS) on DNS and IP", () => {
    const nc = pki.issue({ name: "nc-ca", cn: "NC CA", ca: true, issuer: root, nameConstraints: "permitted;DNS:good.x509.test,permitted;IP:192.0.2.0/255.255.255.0" });
    const good = pki.issue({ name: "nc-good", cn: "good", issuer: nc, dns: ["a.good.x509.test"], ips: ["192.0.2.9"] });
    expect(verify([good, nc], { hostname: "a.good.x509.test" }).ok).toBe(true);
    const bad = pki.issue({ name: "nc-bad", cn: "bad", issuer: nc, dns: ["a.good.x509.test", "evil.x509.test"] });
    expect(verify([bad, nc], { hostname: "a.good.x509.test" }).flags).toEqual([VerifyFlag.NAME_CONSTRAINTS]);
    const badIp = pki.issue({ name: "nc-bad-ip", cn: "bad ip", issuer: nc, dns: ["b.good.x509.test"], ips: ["198.51.100.1"] });
    expect(verify([badIp, nc], { hostname: "b.good.x509.test" }).flags).toEqual([VerifyFlag.NAME_CONSTRAINTS]);
  });

  it("detects a bad signature", () => {
    const der = leaf.der.slice();
    der[der.length - 5] ^= 0x01; // inside the signature value
    const r = verifyChain({ chain: [der, inter.der], trusted: [root.der], hostname: HOST, now: Date.now() });
    expect(r.ok).toBe(false);
    expect(r.flags).toContain(VerifyFlag.BAD_SIGNATURE);
  });

  it("treats now: null as TIME_UNKNOWN, fatal unless allowUnknownTime", () => {
    const old = pki.issue({ name: "expired2", cn: HOST, issuer: inter, dns: [HOST], notBefore: new Date(Date.now() - 20 * DAY), notAfter: new Date(Date.now() - DAY) });
    const r = verify([old, inter], { now: null });
    expect(r).toMatchObject({ ok: false, flags: [VerifyFlag.TIME_UNKNOWN] });
    const r2 = verify([old, inter], { now: null, allowUnknownTime: true });
    expect(r2).toMatchObject({ ok: true, flags: [VerifyFlag.TIME_UNKNOWN] });
  });

  it("reports MALFORMED for garbage instead of throwing", () => {
    expect(verifyChain({ chain: [new Uint8Array([0x30, 0x03, 0x02, 0x01])], trusted: [root.der], hostname: HOST, now: Date.now() }).flags).toEqual([VerifyFlag.MALFORMED]);
    expect(verifyChain({ chain: [], trusted: [], hostname: HOST, now: Date.now() }).ok).toBe(false);
    expect(verifyChain(undefined as unknown as VerifyOptions).flags).toEqual([VerifyFlag.MALFORMED]);
  });

  it("rejects SHA-1 signatures and RSA keys under 2048 bits with UNSUPPORTED_ALGORITHM", () => {
    const ext = join(pki.dir, "plain.ext");
    writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${HOST}\n`);
    openssl(["req", "-new", "-key", leaf.keyPath, "-subj", "/CN=sha1", "-out", "sha1.csr"]);
    openssl(["x509", "-req", "-sha1", "-in", "sha1.csr", "-CA", inter.certPath, "-CAkey", inter.keyPath, "-set_serial", "4660", "-days", "5", "-extfile", ext, "-out", "sha1.pem"]);
    const sha1 = pemToDer(openssl(["x509", "-in", "sha1.pem"]));
    expect(parseCertificate(sha1).signatureAlgorithm).toBeNull();
    expect(verify([{ der: sha1 } as Issued, inter]).flags).toContain(VerifyFlag.UNSUPPORTED_ALGORITHM);

    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "weak.key"]);
    openssl(["req", "-new", "-key", "weak.key", "-subj", "/CN=weak", "-out", "weak.csr"]);
    openssl(["x509", "-req", "-sha256", "-in", "weak.csr", "-CA", inter.certPath, "-CAkey", inter.keyPath, "-set_serial", "4661", "-days", "5", "-extfile", ext, "-out", "weak.pem"]);
    const weak = pemToDer(openssl(["x509", "-in", "weak.pem"]));
    expect(verify([{ der: weak } as Issued, inter]).flags).toEqual([VerifyFlag.UNSUPPORTED_ALGORITHM]);
  });

  it("verifies RSA-PSS and Ed25519 certificate signatures", () => {
    const ext = join(pki.dir, "leaf.ext");
    writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${HOST}\n`);
    openssl(["req", "-new", "-key", leaf.keyPath, "-subj", `/CN=${HOST}`, "-out", "alg.csr"]);

    const rsaRoot = pki.issue({ name: "rsa-root", cn: "RSA Root", key: "rsa2048", ca: true });
    openssl(["x509", "-req", "-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:48", "-in", "alg.csr", "-CA", rsaRoot.certPath, "-CAkey", rsaRoot.keyPath, "-set_serial", "4663", "-days", "5", "-extfile", ext, "-out", "pss.pem"]);
    const pss = pemToDer(openssl(["x509", "-in", "pss.pem"]));
    expect(parseCertificate(pss).signatureAlgorithm).toEqual({ kind: "rsa-pss", hash: "sha384", saltLength: 48 });
    expect(verifyChain({ chain: [pss], trusted: [rsaRoot.der], hostname: HOST, now: Date.now() }).flags).toEqual([]);
    const tampered = pss.slice();
    tampered[tampered.length - 9] ^= 0x40;
    expect(verifyChain({ chain: [tampered], trusted: [rsaRoot.der], hostname: HOST, now: Date.now() }).flags).toContain(VerifyFlag.BAD_SIGNATURE);

    openssl(["genpkey", "-algorithm", "ed25519", "-out", "ed-root.key"]);
    openssl(["req", "-x509", "-key", "ed-root.key", "-subj", "/CN=Ed25519 Root", "-days", "5", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign", "-out", "ed-root.pem"]);
    openssl(["x509", "-req", "-in", "alg.csr", "-CA", "ed-root.pem", "-CAkey", "ed-root.key", "-set_serial", "4664", "-days", "5", "-extfile", ext, "-out", "ed-leaf.pem"]);
    const edLeaf = pemToDer(openssl(["x509", "-in", "ed-leaf.pem"]));
    const edRoot = pemToDer(openssl(["x509", "-in", "ed-root.pem"]));
    expect(parseCertificate(edRoot).publicKey.type).toBe("ed25519");
    expect(verifyChain({ chain: [edLeaf], trusted: [edRoot], hostname: HOST, now: Date.now() }).flags).toEqual([]);
  });

  it("builds around an expired cross-signed alternative", () => {
    // The same intermediate (subject and key) certified twice: by an old root (expired) and by a new root.
    const oldRoot = pki.issue({ name: "old-root", cn: "Old Root", ca: true });
    const newRoot = pki.issue({ name: "new-root", cn: "New Root", ca: true });
    const viaOld = pki.issue({ name: "cross-old", cn: "Cross Inter", ca: 0, issuer: oldRoot, notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
    const ext = join(pki.dir, "cross.ext");
    writeFileSync(ext, "[ext]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
    openssl(["req", "-new", "-key", viaOld.keyPath, "-subj", "/CN=Cross Inter/O=microtls tests", "-out", "cross.csr"]);
    openssl(["x509", "-req", "-sha256", "-in", "cross.csr", "-CA", newRoot.certPath, "-CAkey", newRoot.keyPath, "-set_serial", "4662", "-days", "5", "-extfile", ext, "-extensions", "ext", "-out", "cross-new.pem"]);
    const viaNew = pemToDer(openssl(["x509", "-in", "cross-new.pem"]));
    const l = pki.issue({ name: "cross-leaf", cn: HOST, issuer: viaOld, dns: [HOST], notBefore: new Date(Date.now() - 2 * DAY) });
    const trusted = new TrustStore([oldRoot.certPem, newRoot.certPem]);
    const r = verifyChain({ chain: [l.der, viaOld.der, viaNew], trusted, hostname: HOST, now: Date.now() });
    expect(r.flags).toEqual([]);
    expect(r.path.map((c) => c.subject.split(",")[0])).toEqual([`CN=${HOST}`, "CN=Cross Inter", "CN=New Root"]);
    // Without the new path only the expired one is left, and that is what the result says.
    expect(verifyChain({ chain: [l.der, viaOld.der], trusted, hostname: HOST, now: Date.now() }).flags).toEqual([VerifyFlag.EXPIRED]);
  });

  it("explains every flag in one readable line", () => {
    const lines = verifyInfo(Object.values(VerifyFlag));
    expect(lines).toHaveLength(16);
    for (const l of lines) expect(l).toMatch(/^[A-Z_]+: \w/);
    expect(verifyInfo(["SOMETHING_NEW"])).toEqual(["SOMETHING_NEW"]);
  });
});

describe("TrustStore", () => {
  it("loads PEM bundles, DER and mixes, indexed by subject, and trusts two CAs at once", () => {
    const other = pki.issue({ name: "second-root", cn: "Second Root", ca: true });
    const bundle = `# two CAs during a CA change\n${root.certPem}\nnoise\n${other.certPem}`;
    const store = new TrustStore(bundle);
    expect(store.size).toBe(2);
    store.add(root.der); // duplicate: ignored
    expect(store.size).toBe(2);
    expect(store.bySubject(parseCertificate(root.der).subjectDer)).toHaveLength(1);
    const l2 = pki.issue({ name: "leaf-second", cn: HOST, issuer: other, dns: [HOST] });
    expect(verifyChain({ chain: [leaf.der, inter.der], trusted: store, hostname: HOST, now: Date.now() }).ok).toBe(true);
    expect(verifyChain({ chain: [l2.der], trusted: store, hostname: HOST, now: Date.now() }).ok).toBe(true);
    const mixed = new TrustStore([root.der, other.certPem]);
    expect(mixed.size).toBe(2);
    expect(() => new TrustStore("no certificates here")).toThrow(/malformed/);
  });
});
