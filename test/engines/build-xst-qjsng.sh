#!/usr/bin/env bash
# Builds the engines that come as source tarballs in ../shared/engines (see ../shared/README.md):
#   xst    — Moddable XS 17.9.1 (moddable-xs-48ee02d), the engine Moddable devices run, with xst-hostcall.patch
#   qjsng  — QuickJS-ng 0.16.2 (quickjs-ng-05b2db9)
# Usage: build-xst-qjsng.sh [xst|qjsng]... (default: both). Prints the binary paths.
# Needs a C compiler, make and (for QuickJS-ng) cmake. Idempotent: a finished build is reused from the git-ignored
# cache (.cache/engines/, or $MICROTLS_ENGINE_CACHE) as long as its tarball and patch are unchanged.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${MICROTLS_SHARED_ENGINES:-$root/../shared/engines}"
cache="${MICROTLS_ENGINE_CACHE:-$root/.cache/engines}"
bin="$cache/bin"
mkdir -p "$cache/src" "$bin"

XS_TARBALL=moddable-xs-48ee02d.tar.gz
QJSNG_TARBALL=quickjs-ng-05b2db9.tar.gz

[ -d "$shared" ] || { echo "build-xst-qjsng: $shared is missing" >&2; exit 1; }

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "build-xst-qjsng: '$tool' is missing (Debian: apt-get install build-essential cmake)" >&2; exit 1; }
  done
}

# Unpacks <tarball> into a fresh $cache/src/<top folder> and prints that folder.
unpack() {
  local tgz="$shared/$1" top
  # sed, not head: head would close the pipe early and, with pipefail, fail on a long listing.
  top="$(tar -tzf "$tgz" | sed -n 1p | cut -d/ -f1)"
  rm -rf "$cache/src/$top"
  tar -xzf "$tgz" -C "$cache/src"
  echo "$cache/src/$top"
}

# What a cached binary was built from: the tarball and, for xst, the patch.
stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

build_xst() {
  local stamp
  stamp="$(stamp_of "$shared/$XS_TARBALL" "$here/xst-hostcall.patch")"
  if [ -x "$bin/xst" ] && [ "$(cat "$bin/xst.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  need cc make tar
  local src start=$SECONDS
  src="$(unpack "$XS_TARBALL")"
  # The patch adds __microtlsHost (a blocking host call on fds 3/4), heap sizes from the environment and a
  # peak-heap report at exit.
  if command -v patch >/dev/null; then
    patch -s -p1 -d "$src" <"$here/xst-hostcall.patch"
  else
    git -C "$src" apply -p1 "$here/xst-hostcall.patch"
  fi
  echo "build-xst-qjsng: building Moddable XS (xst), about 30 s on two cores" >&2
  mkdir -p "$src/build"
  MODDABLE="$src" make -C "$src/xs/makefiles/lin" -f xst.mk GOAL=release -j2 >"$cache/xst-build.log" 2>&1 ||
    { tail -n 30 "$cache/xst-build.log" >&2; exit 1; }
  cp "$src/build/bin/lin/release/xst" "$bin/xst.tmp"
  mv "$bin/xst.tmp" "$bin/xst"
  echo "$stamp" >"$bin/xst.stamp"
  echo "build-xst-qjsng: xst built in $((SECONDS - start)) s" >&2
}

build_qjsng() {
  local stamp
  stamp="$(stamp_of "$shared/$QJSNG_TARBALL")"
  if [ -x "$bin/qjs-ng" ] && [ "$(cat "$bin/qjs-ng.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  need cc make tar cmake
  local src start=$SECONDS
  src="$(unpack "$QJSNG_TARBALL")"
  echo "build-xst-qjsng: building QuickJS-ng (qjs), about 50 s on two cores" >&2
  { cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release && cmake --build "$src/build" --target qjs_exe -j2; } \
    >"$cache/qjs-ng-build.log" 2>&1 || { tail -n 30 "$cache/qjs-ng-build.log" >&2; exit 1; }
  cp "$src/build/qjs" "$bin/qjs-ng.tmp"
  mv "$bin/qjs-ng.tmp" "$bin/qjs-ng"
  echo "$stamp" >"$bin/qjs-ng.stamp"
  echo "build-xst-qjsng: qjs-ng built in $((SECONDS - start)) s" >&2
}

[ $# -gt 0 ] || set -- xst qjsng
for engine in "$@"; do
  # Test files run in parallel workers and may ask for the same engine at once: one builds, the others wait.
  if command -v flock >/dev/null; then
    exec 9>"$cache/.lock-$engine"
    flock 9
  fi
  case "$engine" in
    xst) build_xst && echo "$bin/xst" ;;
    qjsng) build_qjsng && echo "$bin/qjs-ng" ;;
    *) echo "build-xst-qjsng: unknown engine '$engine' (xst, qjsng)" >&2; exit 1 ;;
  esac
  exec 9>&-
done
