#!/usr/bin/env bash
# Build the REAL libzmq 2.2.0 as a black-box reference for differential tests.
#
# Source: the pyzmq 2.2.0.1 sdist from PyPI, which bundles the untouched
# libzmq 2.2.0 tree in bundled/zeromq/ (src/*.cpp, include/zmq.h,
# include/zmq_utils.h, include/zmq.hpp). There is no ./configure in the
# bundle, so we write src/platform.hpp ourselves (Linux settings).
#
# Output:
#   build/ref/lib/libzmq.so.1      (soname libzmq.so.1)
#   build/ref/lib/libzmq.so -> libzmq.so.1
#   build/ref/include/{zmq.h,zmq_utils.h,zmq.hpp}
#
# Needs: python3 + pip (PyPI access), g++, Debian uuid-dev (<uuid/uuid.h>, -luuid).
# Idempotent: does nothing when build/ref/lib/libzmq.so.1 is newer than this script.
# Set FORCE=1 to rebuild anyway.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="$ROOT/scripts/build-ref.sh"
REF="$ROOT/build/ref"
DL="$REF/dl"
SRC="$REF/src"
OBJ="$REF/obj"
LIB="$REF/lib"
INC="$REF/include"
PYZMQ_VER=2.2.0.1
# PyPI holds this release's sdist twice, as .tar.gz and as .zip (the same tree);
# pip may save either. Both are accepted, each checked against its own sha256.
SHA_TGZ=dae7423f4aa7c93f8c77dadd15e34ce6576121a6e7ae0ecdb6084d855097decc
SHA_ZIP=af63e2a1f9b755f7615a5cc884da3fd91046a3b70bcc67e0b56e44d767134592
ZMQDIR="$SRC/pyzmq-$PYZMQ_VER/bundled/zeromq"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

say() { echo "build-ref: $*"; }

if [[ "${FORCE:-0}" != 1 && -f "$LIB/libzmq.so.1" && "$LIB/libzmq.so.1" -nt "$SCRIPT" \
      && -f "$INC/zmq.h" && -L "$LIB/libzmq.so" ]]; then
    say "reference up to date ($LIB/libzmq.so.1)"
    exit 0
fi

if [[ ! -e /usr/include/uuid/uuid.h ]]; then
    say "ERROR: <uuid/uuid.h> missing; install Debian package uuid-dev" >&2
    exit 1
fi

# 1. Download the sdist (skipped when a verified archive is already present).
mkdir -p "$DL"
find_archive() {
    local f
    for f in "$DL/pyzmq-$PYZMQ_VER.tar.gz" "$DL/pyzmq-$PYZMQ_VER.zip"; do
        if [[ -f "$f" ]]; then echo "$f"; return 0; fi
    done
    return 1
}
if ARCHIVE="$(find_archive)"; then
    say "have $ARCHIVE"
else
    say "downloading pyzmq==$PYZMQ_VER sdist into $DL"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps \
        --no-binary :all: "pyzmq==$PYZMQ_VER" -d "$DL"
    ARCHIVE="$(find_archive)" || {
        say "ERROR: pip saved neither pyzmq-$PYZMQ_VER.tar.gz nor pyzmq-$PYZMQ_VER.zip in $DL:" >&2
        ls -l "$DL" >&2
        exit 1
    }
fi

# Check the archive against the known digest of its format.
case "$ARCHIVE" in
    *.tar.gz) WANT="$SHA_TGZ" ;;
    *.zip)    WANT="$SHA_ZIP" ;;
esac
GOT="$(sha256sum "$ARCHIVE" | cut -d' ' -f1)"
if [[ "$GOT" != "$WANT" ]]; then
    say "ERROR: sha256 mismatch for $ARCHIVE" >&2
    say "  got      $GOT" >&2
    say "  expected $SHA_TGZ (pyzmq-$PYZMQ_VER.tar.gz)" >&2
    say "        or $SHA_ZIP (pyzmq-$PYZMQ_VER.zip)" >&2
    rm -f "$ARCHIVE"
    exit 1
fi
say "sha256 ok ($(basename "$ARCHIVE"))"

# 2. Extract afresh (so a half-extracted or edited tree never survives).
say "extracting into $SRC"
rm -rf "$SRC"
mkdir -p "$SRC"
case "$ARCHIVE" in
    *.tar.gz) tar -xzf "$ARCHIVE" -C "$SRC" ;;
    *.zip)    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
                  "$ARCHIVE" "$SRC" ;;
esac
[[ -f "$ZMQDIR/include/zmq.h" ]] || { say "ERROR: $ZMQDIR/include/zmq.h missing" >&2; exit 1; }

# 3. platform.hpp. The bundle ships only src/platform.hpp.in and
#    builds/msvc/platform.hpp (Windows); the sources include "platform.hpp"
#    from src/. Macros the 2.2.0 sources actually test on Linux:
#    ZMQ_HAVE_LINUX (OS), ZMQ_HAVE_IFADDRS (ip.cpp: NIC names via getifaddrs),
#    HAVE_SOCK_CLOEXEC (ip.cpp), HAVE_CLOCK_GETTIME (clock.cpp: CLOCK_MONOTONIC),
#    HAVE_LIBUUID (informational; uuid.cpp uses <uuid/uuid.h> under ZMQ_HAVE_LINUX).
#    There is no ZMQ_HAVE_UIO in 2.2.0. ZMQ_HAVE_OPENPGM stays undefined, which
#    makes pgm_*.cpp compile to empty translation units.
say "writing $ZMQDIR/src/platform.hpp (Linux)"
cat > "$ZMQDIR/src/platform.hpp" <<'EOF'
/* platform.hpp for libzmq 2.2.0 on Linux, written by scripts/build-ref.sh */
#ifndef __ZMQ_PLATFORM_HPP_INCLUDED__
#define __ZMQ_PLATFORM_HPP_INCLUDED__
#define ZMQ_HAVE_LINUX 1
#define ZMQ_HAVE_IFADDRS 1
#define HAVE_LIBUUID 1
#define HAVE_LIBPTHREAD 1
#define HAVE_LIBRT 1
#define HAVE_CLOCK_GETTIME 1
#define HAVE_SOCK_CLOEXEC 1
#define HAVE_GETIFADDRS 1
#define HAVE_FREEIFADDRS 1
#define HAVE_IFADDRS_H 1
#define HAVE_GETTIMEOFDAY 1
#define PACKAGE "zeromq"
#define PACKAGE_VERSION "2.2.0"
#define VERSION "2.2.0"
#endif
EOF

# 4. Compile every src/*.cpp in parallel, then link.
CXXFLAGS=(-O2 -fPIC -D_REENTRANT -D_THREAD_SAFE -D_GNU_SOURCE -w
          -I"$ZMQDIR/include" -I"$ZMQDIR/src")
rm -rf "$OBJ"
mkdir -p "$OBJ" "$LIB" "$INC"
mapfile -t SOURCES < <(cd "$ZMQDIR/src" && ls -1 *.cpp)
say "compiling ${#SOURCES[@]} sources with g++ (-j$JOBS)"
export ZMQDIR OBJ
printf '%s\n' "${SOURCES[@]}" | xargs -P "$JOBS" -I{} \
    g++ "${CXXFLAGS[@]}" -c "$ZMQDIR/src/{}" -o "$OBJ/{}.o"
OBJS=()
for s in "${SOURCES[@]}"; do OBJS+=("$OBJ/$s.o"); done
say "linking $LIB/libzmq.so.1"
g++ -shared -fPIC -Wl,-soname,libzmq.so.1 -o "$LIB/libzmq.so.1.tmp" "${OBJS[@]}" \
    -lpthread -lrt -luuid
mv -f "$LIB/libzmq.so.1.tmp" "$LIB/libzmq.so.1"
ln -sfn libzmq.so.1 "$LIB/libzmq.so"

# 5. Reference headers.
say "copying headers into $INC"
for h in zmq.h zmq_utils.h zmq.hpp; do
    if [[ -f "$ZMQDIR/include/$h" ]]; then cp -f "$ZMQDIR/include/$h" "$INC/$h"; fi
done

# 6. Sanity: the C API is exported.
n="$(nm -D --defined-only "$LIB/libzmq.so.1" | grep -c ' T zmq_' || true)"
if [[ "$n" -lt 20 ]]; then
    say "ERROR: only $n zmq_* symbols exported by $LIB/libzmq.so.1" >&2
    exit 1
fi
touch "$LIB/libzmq.so.1"
say "done: $LIB/libzmq.so.1 exports $n zmq_* functions"
