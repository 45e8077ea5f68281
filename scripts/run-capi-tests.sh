#!/usr/bin/env bash
# Runs every compiled C API test against one library directory.
#   scripts/run-capi-tests.sh LIBDIR BINDIR [reference]
# With "reference" the tests run against the real libzmq 2.2.0 and see
# ZMQ_TEST_REFERENCE=1, so checks of documented deviations are skipped.
set -u
libdir=$1
bindir=$2
mode=${3:-ours}
pass=0
fail=0
failed=""
for t in "$bindir"/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if [ "$mode" = reference ]; then
        out=$(ZMQ_TEST_REFERENCE=1 LD_LIBRARY_PATH="$libdir" timeout 120 "$t" 2>&1)
    else
        out=$(LD_LIBRARY_PATH="$libdir" timeout 120 "$t" 2>&1)
    fi
    rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        failed="$failed $name"
        echo "FAIL $name (exit $rc)"
        echo "$out" | tail -n 20 | sed 's/^/     /'
    fi
done
echo "capi-$mode: $pass passed, $fail failed"
[ $fail -eq 0 ]
