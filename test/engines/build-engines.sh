#!/usr/bin/env bash
# Builds the two native embedded engines the engine tests run microtls in, from sources that ship in npm packages:
#   Moddable XS   — @agoric/xsnap@0.15.0 (moddable/ + xsnap-native/), binary: xsnap-worker
#   QuickJS 2021  — qjsc@0.3.0 (deps/quickjs_2021_03_27), binary: qjs
# Needs only a C compiler and make (Debian: build-essential). Idempotent: a finished build is reused
# from the git-ignored cache (.cache/engines/, or $MICROTLS_ENGINE_CACHE). Prints the two binary paths.
set -euo pipefail

XSNAP_VERSION=0.15.0
QJSC_VERSION=0.3.0
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${MICROTLS_ENGINE_CACHE:-$root/.cache/engines}"
bin="$cache/bin"
mkdir -p "$cache" "$bin"

# Test files run in parallel workers and may all ask for the engines at once: one builds, the others wait.
if command -v flock >/dev/null; then
  exec 9>"$cache/.lock"
  flock 9
fi

for tool in cc make tar npm; do
  command -v "$tool" >/dev/null || { echo "build-engines: '$tool' is missing (Debian: apt-get install build-essential)" >&2; exit 1; }
done

# npm pack into the cache and unpack into <dir>; skipped when <dir> already holds the package.
fetch() { # <package@version> <dir>
  local spec="$1" dir="$2"
  [ -f "$dir/package.json" ] && return 0
  local tgz
  tgz="$(cd "$cache" && npm pack --silent "$spec" 2>/dev/null | tail -n 1)"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  tar -xzf "$cache/$tgz" -C "$dir.tmp" && rm -f "$cache/$tgz"
  rm -rf "$dir" && mv "$dir.tmp/package" "$dir" && rmdir "$dir.tmp"
}

# XS. The package's own build (src/build.js) makes xsnap-worker.mk: the xsnap variant whose host talks to the
# machine over netstrings on fds 3/4 and whose issueCommand() is a blocking round trip to the parent, which
# is the shape a device firmware's socket call has. (Plain xsnap.mk has no input channel at all.)
if [ ! -x "$bin/xsnap-worker" ]; then
  src="$cache/xsnap-$XSNAP_VERSION"
  fetch "@agoric/xsnap@$XSNAP_VERSION" "$src"
  echo "build-engines: building XS (xsnap-worker $XSNAP_VERSION), about a minute" >&2
  make -C "$src/xsnap-native/xsnap/makefiles/lin" -f xsnap-worker.mk \
    MODDABLE="$src/moddable" GOAL=release XSNAP_VERSION="$XSNAP_VERSION" -j"$(nproc)" >"$cache/xsnap-build.log" 2>&1 ||
    { tail -n 30 "$cache/xsnap-build.log" >&2; exit 1; }
  cp "$src/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker" "$bin/xsnap-worker.tmp"
  mv "$bin/xsnap-worker.tmp" "$bin/xsnap-worker"
fi

# QuickJS. The package ships an empty placeholder named qjs: remove it so make really links the binary.
if [ ! -x "$bin/qjs" ] || [ ! -s "$bin/qjs" ]; then
  src="$cache/qjsc-$QJSC_VERSION"
  fetch "qjsc@$QJSC_VERSION" "$src"
  qdir="$src/deps/quickjs_2021_03_27"
  rm -f "$qdir/qjs"
  echo "build-engines: building QuickJS $(cat "$qdir/VERSION"), about a minute" >&2
  # CONFIG_LTO= : link-time optimisation triples the link time on two cores and changes nothing we measure.
  make -C "$qdir" CONFIG_LTO= -j"$(nproc)" qjs >"$cache/qjs-build.log" 2>&1 ||
    { tail -n 30 "$cache/qjs-build.log" >&2; exit 1; }
  cp "$qdir/qjs" "$bin/qjs.tmp"
  mv "$bin/qjs.tmp" "$bin/qjs"
fi

echo "$bin/xsnap-worker"
echo "$bin/qjs"
