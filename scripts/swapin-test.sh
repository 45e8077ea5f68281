#!/usr/bin/env bash
# Binary swap-in test: a program compiled against the REAL libzmq 2.2.0
# headers and linked against the REAL library must run unchanged, with the
# same output, when our libzmq.so.1 is swapped in.
#
#   scripts/swapin-test.sh OUR_LIB_DIR REF_DIR BUILD_DIR
#
#   OUR_LIB_DIR  directory holding our libzmq.so.1
#   REF_DIR      the reference build: either build/ref (with include/ and
#                lib/ inside) or its lib/ directory itself
#   BUILD_DIR    where to put the program (BUILD_DIR/swapin/swapin_prog)
#
# The program (capi-tests/swapin/swapin_prog.c) is run three ways:
#   ref      LD_LIBRARY_PATH=REF_LIB                          (the baseline)
#   libpath  LD_LIBRARY_PATH=OUR_LIB_DIR
#   preload  LD_PRELOAD=OUR_LIB_DIR/libzmq.so.1, LD_LIBRARY_PATH=REF_LIB
# Each run must exit 0, must have loaded the expected library (the program
# prints "LIB <object providing zmq_init> <number of libzmq objects mapped>";
# with the preload exactly one libzmq may be mapped, i.e. ours must carry
# the soname libzmq.so.1 and replace the reference), and must print exactly
# what the baseline printed (the LIB line excepted).
# Prints one line per run and "swapin: N passed, M failed"; exits non-zero
# on any failure.
set -u

if [ $# -ne 3 ]; then
    echo "usage: $0 OUR_LIB_DIR REF_DIR BUILD_DIR" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OURLIB="$(cd "$1" 2>/dev/null && pwd)" || { echo "swapin: no directory $1" >&2; exit 2; }
REF="$(cd "$2" 2>/dev/null && pwd)" || { echo "swapin: no directory $2" >&2; exit 2; }
mkdir -p "$3/swapin" || exit 2
OUT="$(cd "$3/swapin" && pwd)"

if [ -f "$REF/lib/libzmq.so.1" ]; then
    REFLIB="$REF/lib"
    REFINC="$REF/include"
elif [ -f "$REF/libzmq.so.1" ]; then
    REFLIB="$REF"
    REFINC="$(cd "$REF/.." && pwd)/include"
else
    echo "swapin: no libzmq.so.1 under $REF" >&2
    exit 2
fi
[ -f "$REFINC/zmq.h" ] || { echo "swapin: no $REFINC/zmq.h" >&2; exit 2; }
[ -f "$OURLIB/libzmq.so.1" ] || { echo "swapin: no $OURLIB/libzmq.so.1" >&2; exit 2; }

CC="${CC:-cc}"
PROG="$OUT/swapin_prog"
if ! "$CC" -Wall -Wextra -Werror -I"$REFINC" -o "$PROG" \
        "$ROOT/capi-tests/swapin/swapin_prog.c" -L"$REFLIB" -lzmq -ldl; then
    echo "swapin: cannot build $PROG" >&2
    exit 2
fi

ref_so="$(realpath "$REFLIB/libzmq.so.1")"
our_so="$(realpath "$OURLIB/libzmq.so.1")"

pass=0
fail=0
baseline=""

# run NAME EXPECTED_SO ENV...
run() {
    local name=$1 want=$2
    shift 2
    local out rc lib body why=""
    out="$(env -u LD_PRELOAD -u LD_LIBRARY_PATH "$@" timeout 60 "$PROG" 2>"$OUT/$name.stderr")"
    rc=$?
    printf '%s\n' "$out" >"$OUT/$name.stdout"
    lib="$(printf '%s\n' "$out" | sed -n 's/^LIB //p')"
    body="$(printf '%s\n' "$out" | grep -v '^LIB ')"
    local got_so="${lib% *}" nlib="${lib##* }"
    if [ $rc -ne 0 ]; then
        why="exit $rc"
    elif [ -z "$lib" ]; then
        why="no LIB line"
    elif [ "$got_so" != "$want" ]; then
        why="loaded $got_so, expected $want"
    elif [ "$nlib" != 1 ]; then
        why="$nlib libzmq objects mapped (expected 1)"
    elif [ -n "$baseline" ] && [ "$body" != "$baseline" ]; then
        why="output differs from the reference run"
    fi
    if [ -z "$why" ]; then
        pass=$((pass + 1))
        echo "ok   $name ($got_so)"
        [ -z "$baseline" ] && baseline="$body"
        return 0
    fi
    fail=$((fail + 1))
    echo "FAIL $name: $why"
    if [ -n "$baseline" ] && [ "$body" != "$baseline" ]; then
        diff <(printf '%s\n' "$baseline") <(printf '%s\n' "$body") | head -n 20 | sed 's/^/     /'
    fi
    sed 's/^/     stderr: /' "$OUT/$name.stderr" | head -n 10
    return 1
}

if ! run ref "$ref_so" LD_LIBRARY_PATH="$REFLIB"; then
    echo "swapin: the reference run failed; nothing to compare against" >&2
    echo "swapin: $pass passed, $((fail + 2)) failed"
    exit 1
fi
run libpath "$our_so" LD_LIBRARY_PATH="$OURLIB"
run preload "$our_so" LD_PRELOAD="$our_so" LD_LIBRARY_PATH="$REFLIB"

echo "swapin: $pass passed, $fail failed"
[ $fail -eq 0 ]
