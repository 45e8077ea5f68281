#!/usr/bin/env bash
# The request-reply broker of the 0MQ guide over tcp, as separate processes:
# one broker, WORKERS workers and CLIENTS clients, all C programs linked
# with -lzmq, run on the library in LIBDIR.  Exits 0 when every client got
# every reply and every process ended cleanly.
#   scripts/demo.sh LIBDIR BINDIR [CLIENTS] [WORKERS] [REQUESTS]
set -u
libdir=$1 bindir=$2 clients=${3:-3} workers=${4:-2} requests=${5:-5}
export LD_LIBRARY_PATH=$libdir
# Two free ports outside the ephemeral range (outgoing connections can't
# take them between this probe and the broker's bind).
read -r fport bport < <(python3 -c 'import random, socket
ports = []
while len(ports) < 2:
    p = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("0.0.0.0", p)); ports.append(p)
    except OSError:
        pass
    s.close()
print(*ports)')
"$bindir/rrbroker" "tcp://*:$fport" "tcp://*:$bport" & broker=$!
wpids=()
for i in $(seq 1 "$workers"); do
    "$bindir/rrworker" "tcp://localhost:$bport" "w$i" & wpids+=($!)
done
cpids=()
for i in $(seq 1 "$clients"); do
    timeout 60 "$bindir/rrclient" "tcp://localhost:$fport" "c$i" "$requests" & cpids+=($!)
done
failed=0
for p in "${cpids[@]}"; do wait "$p" || failed=$((failed + 1)); done
kill -TERM "${wpids[@]}" "$broker" 2>/dev/null
for p in "${wpids[@]}" "$broker"; do
    timeout 20 tail --pid="$p" -f /dev/null || { echo "demo: process $p did not exit"; failed=$((failed + 1)); kill -9 "$p"; }
    wait "$p" || { echo "demo: process $p exited with $?"; failed=$((failed + 1)); }
done
if [ "$failed" -eq 0 ]; then echo "demo: $clients clients x $requests requests through the broker: ok"; fi
exit "$failed"
