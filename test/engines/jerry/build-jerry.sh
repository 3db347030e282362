#!/usr/bin/env bash
# Builds JerryScript 3.0 (commit 5020015, from ../shared/engines/jerryscript-5020015.tar.gz) and the microtls C host
# (host.c) against it, into the git-ignored cache (.cache/engines/jerry-<variant>/, or $MICROTLS_ENGINE_CACHE).
#
#   build-jerry.sh <variant>...     prints one line per variant: the folder holding bin/{jerry,jerry-snapshot,microtls-jerry}
#
# Variants (heap size is a compile-time constant in JerryScript, so each size is a build of about a minute):
#   stock         the unpatched engine, 32-bit pointers, 512 KB heap: shows the BigInt division bug
#   big           patched, 32-bit pointers, 64 MB heap: for measuring peaks with --mem-stats
#   heap<KB>      patched, 32-bit pointers, <KB> KB heap, e.g. heap512: confirms a measured peak fits
#   cp16-<KB>     patched, 16-bit compressed pointers (the engine's default; at most 512 KB), e.g. cp16-64
# Every variant has mem-stats, snapshot save/exec, the jerry and jerry-snapshot command lines, and error messages.
# Idempotent: a variant is rebuilt only when its options, the patches or the host sources change.
# Needs python3, cmake, make and a C compiler (Debian: build-essential cmake python3); with libmbedtls-dev the host
# also gets the Mbed TLS natives (natives-mbedtls.c).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="${MICROTLS_ENGINE_CACHE:-$root/.cache/engines}"
tarball="${MICROTLS_SHARED:-$root/../shared}/engines/jerryscript-5020015.tar.gz"
mkdir -p "$cache"

[ $# -gt 0 ] || { echo "usage: build-jerry.sh <stock|big|heap<KB>|cp16-<KB>>..." >&2; exit 2; }
[ -f "$tarball" ] || { echo "build-jerry: $tarball is missing" >&2; exit 1; }
for tool in python3 cmake make cc tar patch; do
  command -v "$tool" >/dev/null || { echo "build-jerry: '$tool' is missing (Debian: apt-get install build-essential cmake python3)" >&2; exit 1; }
done

# Test files and the bench may ask at once: one builds, the others wait (a lock of our own, not the XS/QuickJS one).
if command -v flock >/dev/null; then
  exec 9>"$cache/.jerry-lock"
  flock 9
fi

patches=("$here/bigint-div-mod.patch" "$here/snapshot-buffer-size.patch" "$here/snapshot-read-only.patch" "$here/static-snapshot-arrow.patch")
shopt -s nullglob
host_sources=("$here/host.c" "$here"/natives-*.c)
shopt -u nullglob
jobs="${MICROTLS_BUILD_JOBS:-2}"

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

build_variant() { # <variant>
  local variant="$1" heap pointers patched=1
  case "$variant" in
    stock) heap=512 pointers=ON patched=0 ;;
    big) heap=65536 pointers=ON ;;
    heap[0-9]*) heap="${variant#heap}" pointers=ON ;;
    cp16-[0-9]*) heap="${variant#cp16-}" pointers=OFF
      [ "$heap" -le 512 ] || { echo "build-jerry: 16-bit pointers address at most 512 KB" >&2; exit 2; } ;;
    *) echo "build-jerry: unknown variant '$variant'" >&2; exit 2 ;;
  esac
  local out="$cache/jerry-$variant"
  # MinSizeRel (build.py's default), as firmware is built; no LTO: it only slows the link on two cores.
  local opts=(--profile=es.next --cpointer-32bit="$pointers" --mem-stats=ON --error-messages=ON
    --jerry-cmdline=ON --jerry-cmdline-snapshot=ON --snapshot-exec=ON --snapshot-save=ON --lto=OFF --mem-heap="$heap")
  local engine_key host_key
  local patch_key=none
  [ $patched = 0 ] || patch_key="$(hash_of "${patches[@]}")"
  engine_key="$(echo "${opts[*]} patches=$patch_key" | sha256sum | cut -c1-16)"
  host_key="$engine_key-$(hash_of "${host_sources[@]}")"

  if [ "$(cat "$out/.engine-key" 2>/dev/null)" != "$engine_key" ]; then
    rm -rf "$out" && mkdir -p "$out/bin"
    tar -xzf "$tarball" -C "$out"
    mv "$out/jerryscript-5020015" "$out/src"
    if [ $patched = 1 ]; then
      for p in "${patches[@]}"; do patch -s -p1 -d "$out/src" <"$p"; done
    fi
    echo "build-jerry: building JerryScript ($variant: ${heap} KB heap, 32-bit pointers $pointers), about a minute" >&2
    local t0=$SECONDS
    (cd "$out/src" && python3 tools/build.py "${opts[@]}" --builddir="$out/build" -j"$jobs") >"$out/build.log" 2>&1 ||
      { tail -n 30 "$out/build.log" >&2; exit 1; }
    echo "build-jerry: $variant built in $((SECONDS - t0)) s" >&2
    cp "$out/build/bin/jerry" "$out/build/bin/jerry-snapshot" "$out/bin/"
    echo "$engine_key" >"$out/.engine-key"
  fi

  if [ "$(cat "$out/.host-key" 2>/dev/null)" != "$host_key" ]; then
    local natives=() defs=()
    # #11's Mbed TLS natives (natives-mbedtls.c) are compiled in when the file exists and Mbed TLS is installed.
    if [ -f "$here/natives-mbedtls.c" ] && [ -f /usr/include/mbedtls/version.h ]; then
      natives=("$here/natives-mbedtls.c") defs=(-DWITH_MBEDTLS -lmbedcrypto)
    fi
    cc -std=c99 -O2 -Wall -Wextra -Werror -D_DEFAULT_SOURCE \
      -I"$out/src/jerry-core/include" -o "$out/bin/microtls-jerry.tmp" "$here/host.c" "${natives[@]}" \
      "$out/build/lib/libjerry-core.a" "$out/build/lib/libjerry-port.a" -lm "${defs[@]}" >"$out/host-build.log" 2>&1 ||
      { cat "$out/host-build.log" >&2; exit 1; }
    mv "$out/bin/microtls-jerry.tmp" "$out/bin/microtls-jerry"
    echo "$host_key" >"$out/.host-key"
  fi
  echo "$out"
}

for v in "$@"; do build_variant "$v"; done
