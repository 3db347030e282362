import { describe, expect, it } from "vitest";
import { toHex } from "../src/bytes.js";
import { parsePem, TrustStore } from "../src/x509/index.js";
import { loadTranscript, replay, splitRecords, TRANSCRIPTS } from "./helpers/handshake-kit.js";

// A recorded handshake with openssl s_server, replayed offline: with the same random bytes and clock the core
// must send byte-identical output, whatever the transport's chunking.
describe.each(TRANSCRIPTS)("replay of %s", (name) => {
  const t = loadTranscript(name);

  it("reproduces every byte we sent and decrypts the response", () => {
    const r = replay(t);
    expect(r.error).toBeNull();
    expect(r.outcome).toBe("closed");
    expect(toHex(r.output)).toBe(toHex(t.client));
    expect(toHex(r.response)).toBe(toHex(t.response));
    expect(r.client.cipherSuite).toBe(t.cipherSuite);
    expect(r.client.group).toBe(t.group);
    expect(r.client.extendedMasterSecret).toBe(true);
    expect(r.client.verifyFlags).toEqual([]);
    expect(r.client.peerCertificates[0].dnsNames).toContain(t.serverName);
  });

  it("is the same when recv gives one byte at a time", () => {
    const r = replay(t, { recvChunk: 1 });
    expect(r.error).toBeNull();
    expect(toHex(r.output)).toBe(toHex(t.client));
    expect(toHex(r.response)).toBe(toHex(t.response));
  });

  it("resumes partial sends where they stopped (1 byte per send, WANT_WRITE in between)", () => {
    const r = replay(t, { sendChunk: 1, sendPushBack: true });
    expect(r.error).toBeNull();
    expect(r.sendCalls).toBeGreaterThan(2 * t.client.length - 2);
    expect(toHex(r.output)).toBe(toHex(t.client));
    expect(toHex(r.response)).toBe(toHex(t.response));
  });

  it("logs the NSS key line, and traces no secret", () => {
    const keyLog: string[] = [];
    const trace: string[] = [];
    replay(t, { clientOptions: { keyLog: (l) => keyLog.push(l), trace: (l) => trace.push(l) } });
    expect(keyLog).toHaveLength(1);
    const [label, clientRandom, master] = keyLog[0].split(" ");
    expect(label).toBe("CLIENT_RANDOM");
    expect(clientRandom).toBe(toHex(t.random.subarray(0, 32)));
    expect(master).toMatch(/^[0-9a-f]{96}$/);
    expect(trace.some((l) => l.includes("server_hello"))).toBe(true);
    expect(trace.some((l) => l.startsWith("handshake complete"))).toBe(true);
    expect(trace.join("\n")).not.toContain(master);
    expect(trace.join("\n")).not.toContain(master.slice(0, 16));
  });

  it("returns all data that came before close_notify, then 0", () => {
    // Cut the stream just before the close_notify record: the data must still all arrive, then EOF is TRUNCATED.
    const records = splitRecords(t.server);
    const lastAlert = records.map((r) => r.type).lastIndexOf(21);
    let cut = 0;
    for (let i = 0; i < lastAlert; i++) cut += 5 + records[i].data.length;
    const r = replay(t, { server: t.server.subarray(0, cut), eofAtEnd: true });
    expect(toHex(r.response)).toBe(toHex(t.response));
    expect(r.error?.code).toBe("TRUNCATED");
    expect(r.client.state).toBe("closed");
    expect(r.client.error).toBe(r.error);
    expect(() => r.client.read(new Uint8Array(10))).toThrow(r.error!);
  });

  it("after our own close_notify, an EOF without the server's is a clean end, not TRUNCATED", () => {
    const records = splitRecords(t.server);
    const lastAlert = records.map((r) => r.type).lastIndexOf(21);
    let cut = 0;
    for (let i = 0; i < lastAlert; i++) cut += 5 + records[i].data.length;
    // The server's data arrives, then the transport stalls: the application closes first.
    const r = replay(t, { server: t.server.subarray(0, cut) });
    expect(r.outcome).toBe("stalled");
    expect(toHex(r.response)).toBe(toHex(t.response));
    expect(r.client.close()).toBe(0);
    r.client.setBio((d) => d.length, () => 0);
    expect(r.client.read(new Uint8Array(10))).toBe(0);
    expect(r.client.error).toBe(null);
  });

  it("verifies the chain at the recorded time: later it is expired, without a clock it says TIME_UNKNOWN", () => {
    const expired = replay(t, { clientOptions: { now: () => t.now + 20 * 365 * 86400_000 } });
    expect(expired.error?.code).toBe("BAD_CERTIFICATE");
    expect(expired.error?.verifyFlags).toContain("EXPIRED");
    expect(expired.error?.alert).toBe(45);
    // The alert went out in plaintext, as the last record we sent.
    const last = splitRecords(expired.output).pop()!;
    expect([last.type, ...last.data]).toEqual([21, 2, 45]);

    const noClock = replay(t, { clientOptions: { now: null, allowUnknownTime: true } });
    expect(noClock.error).toBeNull();
    expect(noClock.client.verifyFlags).toEqual(["TIME_UNKNOWN"]);
    expect(toHex(noClock.output)).toBe(toHex(t.client));
  });

  it("refuses another name, and an unknown CA, with the matching alerts", () => {
    const wrongName = replay(t, { clientOptions: { serverName: "other.microtls.test" } });
    expect(wrongName.error?.code).toBe("BAD_CERTIFICATE");
    expect(wrongName.error?.verifyFlags).toContain("HOSTNAME_MISMATCH");
    expect(wrongName.error?.alert).toBe(42);
    expect(wrongName.error?.message).toMatch(/names do not match/);

    const other = loadTranscript(TRANSCRIPTS.find((n) => n !== name)!);
    const unknownCa = replay(t, { clientOptions: { ca: other.ca } });
    expect(unknownCa.error?.code).toBe("BAD_CERTIFICATE");
    expect(unknownCa.error?.verifyFlags).toContain("NOT_TRUSTED");
    expect(unknownCa.error?.alert).toBe(48);
  });

  it("verify: false skips the checks but still parses the chain", () => {
    const r = replay(t, { clientOptions: { verify: false, ca: undefined, serverName: t.serverName } });
    expect(r.error).toBeNull();
    expect(r.client.peerCertificates).toHaveLength(1);
    expect(toHex(r.output)).toBe(toHex(t.client));
  });

  it("takes ca as PEM, DER, an array or a TrustStore, and verifies without a name only when told to", () => {
    const der = parsePem(t.ca)[0];
    for (const ca of [t.ca, der, [der], [t.ca, der], new TrustStore(t.ca)]) {
      const r = replay(t, { clientOptions: { ca } });
      expect(r.error).toBeNull();
      expect(toHex(r.output)).toBe(toHex(t.client));
    }
    // Without SNI our ClientHello differs from the recorded one, so the recorded server Finished cannot match:
    // getting that far (bad_record_mac, not BAD_CERTIFICATE) shows the chain was accepted without a name.
    const noName = replay(t, { clientOptions: { serverName: undefined, allowNoServerName: true } });
    expect(noName.error?.code).toBe("BAD_RECORD_MAC");
  });
});

describe("replay of the gnutls-serv transcript", () => {
  const t = loadTranscript("gnutls-ecdhe-ecdsa-p384-aes256gcm-certreq");

  it("answered the CertificateRequest with an empty Certificate and agreed on record_size_limit", () => {
    const trace: string[] = [];
    const r = replay(t, { clientOptions: { trace: (l) => trace.push(l) } });
    expect(r.error).toBeNull();
    expect(toHex(r.output)).toBe(toHex(t.client));
    expect(trace.some((l) => l.startsWith("<- certificate_request"))).toBe(true);
    expect(trace.some((l) => l.startsWith("-> certificate (empty"))).toBe(true);
    expect(trace.some((l) => l.startsWith("-> certificate_verify"))).toBe(false);
    expect(trace.find((l) => l.startsWith("<- server_hello "))).toContain("record_size_limit");
    // Our empty Certificate: type 11, length 3, an empty list.
    expect(toHex(t.client)).toContain("0b000003000000");
  });
});
