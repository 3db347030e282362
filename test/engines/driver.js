// Engine-side test driver: the "application" a device would run on top of dist/microtls.engine.js.
// Plain ES2020 script, no imports; loaded after the bundle (global `microtls`) and after one engine glue file
// (glue-*.js), which defines `microtlsHostCall(op, payload) -> Uint8Array`: a synchronous call into the host,
// the way firmware exposes sockets, a random generator and a clock to the JavaScript on a device.
//
// Host operations (one ASCII letter, then a payload):
//   S <bytes>       send to the TCP socket                        -> empty
//   R <u32 max>     receive what has arrived, without waiting     -> 0x00 <bytes> (none = nothing yet) | 0x01 (EOF)
//   W               wait until the socket is readable             -> empty (waited) | 0x01 (cannot block: yield)
//   N <u32 n>       n bytes from the host's CSPRNG                -> n bytes
//   T               wall clock, ms since the epoch, ASCII         -> digits
//   C               close the socket, connect again to the server -> empty (blocking hosts only)
//   M <text>        a named moment (the host timestamps it)       -> empty
//   D <json>        the final result                              -> empty
(function (global) {
  "use strict";
  var call = global.microtlsHostCall;

  function ascii(s) {
    var b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
    return b;
  }
  function text(b) {
    var s = "";
    for (var i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, Array.prototype.slice.call(b.subarray(i, i + 4096)));
    return s;
  }
  function u32(n) {
    return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  }
  function fromHex(h) {
    var b = new Uint8Array(h.length >> 1);
    for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16);
    return b;
  }
  function toHex(b) {
    var s = "";
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    var d = 0;
    for (var i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }

  // The device's I/O, as the TLS client sees it through setBio, plus the firmware's RNG and clock.
  var host = {
    send: function (data) {
      call("S", data);
      return data.length;
    },
    recv: function (buf) {
      var r = call("R", u32(buf.length));
      if (r[0] === 1) return 0;
      if (r.length === 1) return microtls.WANT_READ;
      buf.set(r.subarray(1));
      return r.length - 1;
    },
    /** true once readable; false when the host cannot block (the event loop will call step() again). */
    waitReadable: function () {
      var r = call("W", new Uint8Array(0));
      return r.length === 0;
    },
    random: function (buf) {
      buf.set(call("N", u32(buf.length)));
    },
    now: function () {
      return Number(text(call("T", new Uint8Array(0))));
    },
    mark: function (name) {
      call("M", ascii(name));
    },
    done: function (result) {
      call("D", ascii(JSON.stringify(result)));
    },
  };

  function describeError(e) {
    if (e && typeof e === "object") {
      return { code: e.code || e.name || "Error", message: String(e.message), verifyFlags: e.verifyFlags || null, stack: String(e.stack || "") };
    }
    return { code: "thrown", message: String(e), stack: "" };
  }

  /**
   * A TLS session against the host's socket: handshake (verification on), write cfg.echoBytes, read the echo back,
   * close_notify, then read until the server's close_notify. Returns step(): call it until it returns true.
   * With a blocking host, one call runs everything; with an event-loop host, step() returns false on WANT_READ.
   * echoBytes 0: handshake and close only. `prefix` names this session's marks; `done` takes the result.
   */
  function echoSession(cfg, prefix, done) {
    prefix = prefix || "";
    done = done || host.done;
    var mark = function (name) {
      host.mark(prefix + name);
    };
    mark("start");
    var client = new microtls.TlsClient({
      serverName: cfg.serverName,
      ca: cfg.caPem,
      cipherSuites: [cfg.suite],
      groups: cfg.groups,
      random: host.random,
      now: host.now,
    });
    client.setBio(host.send, host.recv);
    mark("constructed");
    var size = cfg.echoBytes;
    var payload = new Uint8Array(size);
    for (var i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
    var echoed = new Uint8Array(size);
    var buf = new Uint8Array(4096);
    var phase = "handshake", written = 0, got = 0, finished = false, stalls = 0;

    function finish(result) {
      finished = true;
      done(result);
      return true;
    }

    return function step() {
      if (finished) return true;
      try {
        for (;;) {
          var r;
          if (phase === "handshake") {
            r = client.handshake();
            if (r === 0) {
              mark("handshake");
              phase = size > 0 ? "write" : "close";
              continue;
            }
          } else if (phase === "write") {
            r = client.write(payload.subarray(written));
            if (r >= 0) {
              written += r;
              if (written === size) phase = "read";
              continue;
            }
          } else if (phase === "read") {
            r = client.read(buf);
            if (r > 0) {
              if (got + r > size) throw new Error("the server sent more than we wrote");
              echoed.set(buf.subarray(0, r), got);
              got += r;
              if (got === size) {
                mark("echo");
                phase = "close";
              }
              continue;
            }
            if (r === 0) throw new Error("close_notify before the whole echo arrived (" + got + " of " + size + ")");
          } else if (phase === "close") {
            r = client.close();
            if (r === 0) {
              phase = "drain";
              continue;
            }
          } else if (phase === "drain") {
            r = client.read(buf);
            if (r === 0) {
              mark("closed");
              return finish({
                ok: true,
                cipherSuite: client.cipherSuite,
                group: client.group,
                extendedMasterSecret: client.extendedMasterSecret,
                verifyFlags: client.verifyFlags,
                peerSubjects: client.peerCertificates.map(function (c) {
                  return c.subject;
                }),
                echoBytes: got,
                echoMatches: equal(echoed, payload),
                state: client.state,
              });
            }
            if (r > 0) throw new Error("data after our close_notify");
          }
          if (r === microtls.WANT_READ) {
            if (!host.waitReadable()) return false;
            continue;
          }
          if (r === microtls.WANT_WRITE) {
            // Our send accepts everything, so this only means "call again to flush"; never spin forever.
            if (++stalls > 1000) throw new Error("WANT_WRITE without progress in phase " + phase);
            continue;
          }
          throw new Error("unexpected return " + r + " in phase " + phase);
        }
      } catch (e) {
        return finish({ ok: false, phase: phase, error: describeError(e) });
      }
    };
  }

  /** Runs a list of known-answer cases through the crypto entry points (global microtlsCrypto). */
  function runVectors(cases) {
    var C = global.microtlsCrypto;
    var groups = { x25519: C.x25519Group, secp256r1: C.p256Group, secp384r1: C.p384Group };
    var accepted = [];
    for (var i = 0; i < cases.length; i++) {
      var c = cases[i], ok = false;
      var needs = { aead: c.alg === "aes-gcm" ? "aesGcm" : "chacha20Poly1305", ecdh: c.group, ecdsa: "ecdsaVerify", "rsa-pkcs1": "rsaPkcs1Verify", "rsa-pss": "rsaPssVerify", hmac: "hmac", prf: "prf", hash: "hash" }[c.kind];
      if (c.kind === "ecdh" ? !groups[needs] : typeof C[needs] !== "function") {
        // A test bundle without this primitive says so, instead of failing as a wrong answer.
        accepted.push("missing: " + needs);
        continue;
      }
      try {
        if (c.kind === "aead") {
          var aead = (c.alg === "aes-gcm" ? C.aesGcm : C.chacha20Poly1305)(fromHex(c.key));
          var iv = fromHex(c.iv), aad = fromHex(c.aad), msg = fromHex(c.msg), sealed = fromHex(c.sealed);
          var opened = aead.open(iv, sealed, aad);
          ok = opened !== null && equal(opened, msg) && equal(aead.seal(iv, msg, aad), sealed);
        } else if (c.kind === "ecdh") {
          ok = equal(groups[c.group].sharedSecret(fromHex(c.priv), fromHex(c.pub)), fromHex(c.shared));
        } else if (c.kind === "ecdsa") {
          ok = C.ecdsaVerify(c.curve, fromHex(c.key), c.hash, fromHex(c.msg), fromHex(c.sig));
        } else if (c.kind === "rsa-pkcs1" || c.kind === "rsa-pss") {
          var n = BigInt("0x" + c.n);
          var key = { n: n, e: BigInt("0x" + c.e), bits: n.toString(2).length };
          ok =
            c.kind === "rsa-pkcs1"
              ? C.rsaPkcs1Verify(key, c.hash, fromHex(c.msg), fromHex(c.sig))
              : C.rsaPssVerify(key, c.hash, fromHex(c.msg), fromHex(c.sig), c.saltLength);
        } else if (c.kind === "hmac") {
          var tag = fromHex(c.tag);
          ok = equal(C.hmac(c.hash, fromHex(c.key), fromHex(c.msg)).subarray(0, tag.length), tag);
        } else if (c.kind === "prf") {
          ok = toHex(C.prf(c.hash, fromHex(c.secret), c.label, fromHex(c.seed), c.length)) === c.output;
        } else if (c.kind === "hash") {
          ok = toHex(C.hash(c.hash, fromHex(c.msg))) === c.digest;
        } else throw new Error("unknown case kind " + c.kind);
      } catch (e) {
        // Rejection by exception counts as "not accepted" only for the documented TlsError.
        if (!(e && e.name === "TlsError")) {
          accepted.push("error: " + describeError(e).message);
          continue;
        }
        ok = false;
      }
      accepted.push(ok);
    }
    return accepted;
  }

  /**
   * Replays recorded handshakes (vectors/transcript-*.json, as test/helpers/handshake-kit.ts replay() does in Node): the
   * recorded random bytes and clock, the server's bytes all available at once, then request, response and
   * close_notify. Byte-identical output is the proof that the engine computed every key, MAC and signature check alike.
   */
  function replayTranscript(t) {
    var random = fromHex(t.random), server = fromHex(t.server), at = 0, used = 0;
    var opts = { serverName: t.serverName, ca: t.ca, sessionTickets: false };
    for (var k in t.options) opts[k] = t.options[k];
    opts.now = function () {
      return t.now;
    };
    opts.random = function (buf) {
      if (used + buf.length > random.length) throw new Error("replay ran out of recorded random bytes");
      buf.set(random.subarray(used, used + buf.length));
      used += buf.length;
    };
    var client = new microtls.TlsClient(opts);
    var sent = [], sentBytes = 0, response = [], responseBytes = 0;
    client.setBio(
      function (data) {
        sent.push(data.slice());
        sentBytes += data.length;
        return data.length;
      },
      function (buf) {
        if (at >= server.length) return microtls.WANT_READ;
        var n = Math.min(buf.length, server.length - at);
        buf.set(server.subarray(at, at + n));
        at += n;
        return n;
      },
    );
    function settle(call) {
      for (var i = 0; i < 100000; i++) {
        var r = call();
        if (r !== microtls.WANT_WRITE) return r;
      }
      throw new Error("transport never became writable");
    }
    function joined(parts, size) {
      var out = new Uint8Array(size), off = 0;
      for (var i = 0; i < parts.length; i++) {
        out.set(parts[i], off);
        off += parts[i].length;
      }
      return out;
    }
    var outcome = "closed";
    try {
      if (settle(function () { return client.handshake(); }) === microtls.WANT_READ) outcome = "stalled";
      var request = fromHex(t.request), written = 0, buf = new Uint8Array(1000);
      while (outcome === "closed" && written < request.length) {
        var w = settle(function () { return client.write(request.subarray(written)); });
        if (w === microtls.WANT_READ) outcome = "stalled";
        else written += w;
      }
      while (outcome === "closed") {
        var n = settle(function () { return client.read(buf); });
        if (n === microtls.WANT_READ) outcome = "stalled";
        else if (n === 0) break;
        else {
          response.push(buf.slice(0, n));
          responseBytes += n;
        }
      }
      if (outcome === "closed") settle(function () { return client.close(); });
    } catch (e) {
      return { name: t.name, outcome: "failed", error: describeError(e) };
    }
    var output = toHex(joined(sent, sentBytes));
    return {
      name: t.name,
      outcome: outcome,
      cipherSuite: client.cipherSuite,
      group: client.group,
      outputMatches: output === t.client,
      outputBytes: sentBytes,
      // Where the engine's bytes first differ from the recorded client's (-1: identical).
      firstDifference: output === t.client ? -1 : firstDifference(output, t.client) >> 1,
      responseMatches: toHex(joined(response, responseBytes)) === t.response,
    };
  }
  function firstDifference(a, b) {
    for (var i = 0; i < Math.min(a.length, b.length); i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return i;
    return Math.min(a.length, b.length);
  }

  global.microtlsDriver = {
    /** Blocking hosts: `sessions` sessions one after the other in this engine, reconnecting between them (marks of
     * session k > 1 are prefixed "k."): the second handshake is the warm one. The result is the last session's,
     * with ok only if every session was. */
    runSessions: function (cfg, sessions) {
      var all = [];
      for (var k = 1; k <= sessions; k++) {
        if (k > 1) call("C", new Uint8Array(0));
        echoSession(cfg, k > 1 ? k + "." : "", function (r) {
          all.push(r);
        })();
      }
      var last = all[all.length - 1];
      last.ok = all.every(function (r) {
        return r.ok;
      });
      last.sessions = all.length;
      host.done(last);
    },
    /** Replays each transcript; reports one entry per transcript. */
    replay: function (transcripts) {
      host.done({ ok: true, transcripts: transcripts.map(replayTranscript) });
    },
    /** Blocking hosts: runs the whole session now. */
    runEcho: function (cfg) {
      echoSession(cfg)();
    },
    /** Event-loop hosts: returns step(), to call again whenever the socket is readable. */
    startEcho: echoSession,
    runVectors: function (cases) {
      var t0 = host.now();
      var accepted = runVectors(cases);
      host.done({ ok: true, accepted: accepted, ms: host.now() - t0 });
    },
    /** What the bundle defined and what the engine itself offers (before any host injection). */
    describe: function () {
      var m = global.microtls;
      host.done({
        ok: true,
        exports: m ? Object.keys(m).sort() : null,
        verifyChain: m ? typeof m.verifyChain : null,
        engine: {
          BigInt: typeof BigInt,
          ObjectHasOwn: typeof Object.hasOwn,
          TextEncoder: typeof global.TextEncoder,
          TextDecoder: typeof global.TextDecoder,
          getRandomValues: typeof (global.crypto && global.crypto.getRandomValues),
          // A device clock may be absent or wrong: the host injects `now` instead of relying on this.
          dateNow: String(Date.now()),
        },
      });
    },
    /** Memory probes for the bisection: AES/ChaCha key setup, asn1 parsing alone, chain verification. */
    probe: function (what, cfg) {
      if (what === "aes") global.microtlsCrypto.aesGcm(new Uint8Array(16)).seal(new Uint8Array(12), new Uint8Array(16), new Uint8Array(0));
      if (what === "chacha") global.microtlsCrypto.chacha20Poly1305(new Uint8Array(32)).seal(new Uint8Array(12), new Uint8Array(16), new Uint8Array(0));
      if (what === "asn1") cfg.chainDer.concat([cfg.rootDer]).forEach(function (h) { global.asn1Probe.parseCertificate(fromHex(h)); });
      if (what === "x509") {
        var r = global.microtls.verifyChain({ chain: cfg.chainDer.map(fromHex), trusted: [fromHex(cfg.rootDer)], hostname: cfg.serverName, now: host.now() });
        if (!r.ok) throw new Error("probe chain did not verify: " + r.flags.join(","));
      }
      host.done({ ok: true, what: what });
    },
  };
})(typeof globalThis !== "undefined" ? globalThis : this);
