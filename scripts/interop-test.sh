#!/usr/bin/env bash
# End-to-end interoperability tests with real peers.
#
#   scripts/interop-test.sh OURLIB REFLIB BUILDDIR
#
#   OURLIB    directory holding our libzmq.so.1 (e.g. build/lib)
#   REFLIB    directory holding the reference libzmq 2.2 libzmq.so.1
#             (e.g. build/ref/lib; build/ref is accepted too)
#   BUILDDIR  where to build the programs (BUILDDIR/interop/)
#
# Three groups of cases:
#   ref.*     interop/peer.c run twice, in two processes, one on our library
#             and one on the reference libzmq 2.2, over tcp and ipc, for
#             every pairing (PUSH/PULL with sizes 0..1 MiB, REQ/REP,
#             DEALER/ROUTER with identities, PUB/SUB and XPUB/XSUB with
#             filters, PAIR multipart), with each side being ours once and
#             each side binding once.
#   py.*      interop/pyzmq_interop.py: our peer against pyzmq (libzmq 4.x)
#             sockets; skipped (and counted as such) if pyzmq can't be
#             imported.  The venv ROOT/.venv is used if it exists.
#   broker.*  the guide's request-reply broker (examples/rr*.c) with the
#             broker on one library and workers/clients on the other.
# Every process runs under `timeout`; all processes are killed on exit.
# Prints "ok   NAME" / "FAIL NAME" (with the tail of the logs) per case and
# "interop: N passed, M failed[, K skipped]"; exits non-zero on any failure.
#
# Environment: CC (default cc), INTEROP_FILTER (only run cases whose name
# contains this string), INTEROP_KEEP=1 (keep the work directory),
# INTEROP_BUDGET (seconds for the whole run, default 150: cases that would
# start later are reported as failed, not run; normally the run takes ~20 s).
set -u

if [ $# -ne 3 ]; then
    echo "usage: $0 OURLIB REFLIB BUILDDIR" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
START=$SECONDS

# The directory the dynamic loader will really map libzmq.so.1 from (peers
# compare it with /proc/self/maps).
libdir_of() {
    local d
    for d in "$1" "$1/lib"; do
        if [ -e "$d/libzmq.so.1" ]; then
            dirname "$(realpath "$d/libzmq.so.1")"
            return 0
        fi
    done
    return 1
}
OURLIB="$(libdir_of "$1")" || { echo "interop: no libzmq.so.1 in $1" >&2; exit 2; }
REFLIB="$(libdir_of "$2")" || { echo "interop: no libzmq.so.1 in $2" >&2; exit 2; }
if [ "$OURLIB" = "$REFLIB" ]; then
    echo "interop: OURLIB and REFLIB are the same library ($OURLIB)" >&2
    exit 2
fi
mkdir -p "$3/interop" || exit 2
OUT="$(cd "$3/interop" && pwd)"
CC="${CC:-cc}"
FILTER="${INTEROP_FILTER:-}"

PEER="$OUT/peer"
if ! "$CC" -Wall -Wextra -Werror -O2 -I"$ROOT/include" -o "$PEER" \
        "$ROOT/interop/peer.c" -L"$OURLIB" -lzmq; then
    echo "interop: cannot build $PEER" >&2
    exit 2
fi
for ex in rrbroker rrworker rrclient; do
    if ! "$CC" -Wall -Wextra -Werror -O2 -I"$ROOT/include" -o "$OUT/$ex" \
            "$ROOT/examples/$ex.c" -L"$OURLIB" -lzmq -lpthread; then
        echo "interop: cannot build $OUT/$ex" >&2
        exit 2
    fi
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/zmq-interop.XXXXXX")" || exit 2
mkdir -p "$WORK/ipc" "$WORK/logs"

PROC_TIMEOUT=30          # hard limit per process (timeout(1))
PEER_TIMEOUT_MS=10000    # a peer's own limit for any single wait
BUDGET="${INTEROP_BUDGET:-150}"
export PEER_TIMEOUT_MS

# ------------------------------------------------------------ processes

declare -A LIVE=()       # pids of our background children (timeout(1) processes)

cleanup() {
    local p
    for p in "${!LIVE[@]}"; do
        kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
    done
    for p in "${!LIVE[@]}"; do
        local i=0
        while is_running "$p" && [ $i -lt 50 ]; do sleep 0.05; i=$((i + 1)); done
        if is_running "$p"; then
            kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null
        fi
        wait "$p" 2>/dev/null
        unset "LIVE[$p]"
    done
    if [ -n "${PYPID:-}" ]; then
        kill -TERM -- "-$PYPID" 2>/dev/null
    fi
    if [ "${INTEROP_KEEP:-0}" = 1 ]; then
        echo "interop: work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# True while PID is alive and not a zombie.
is_running() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [ "${stat%% *}" != Z ]
}

# launch VAR LOG LIBDIR CMD...: runs CMD on LIBDIR under timeout, in the
# background, output to LOG; stores the pid (of timeout) in VAR.
launch() {
    local _lvar=$1 _llog=$2 _llib=$3
    shift 3
    LD_LIBRARY_PATH="$_llib" PEER_EXPECT_LIBDIR="$_llib" \
        timeout -k 3 "$PROC_TIMEOUT" "$@" >"$_llog" 2>&1 </dev/null &
    local _lpid=$!
    LIVE[$_lpid]=1
    printf -v "$_lvar" %s "$_lpid"
}

# reap PID: waits for it, returns its exit status.
reap() {
    local rc
    wait "$1"
    rc=$?
    unset "LIVE[$1]"
    return $rc
}

# stop PID: SIGTERM to the process run by timeout(1) (so its own exit
# status is reported), then reap; returns the exit status.
stop() {
    local children
    children="$(cat "/proc/$1/task/$1/children" 2>/dev/null)"
    if [ -n "$children" ]; then
        kill -TERM $children 2>/dev/null
    else
        kill -TERM "$1" 2>/dev/null
    fi
    reap "$1"
}

# kill_group PID: kills timeout(1) and what it runs (its process group).
kill_group() {
    kill -KILL -- "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null
}

# wait_ready PID LOG: waits for a line "ready" in LOG; fails if the
# process exits first or after 10 s.
wait_ready() {
    local deadline=$((SECONDS + 10))
    while [ $SECONDS -lt $deadline ]; do
        if grep -qx ready "$2" 2>/dev/null; then return 0; fi
        is_running "$1" || { grep -qx ready "$2" 2>/dev/null; return; }
        sleep 0.02
    done
    return 1
}

# wait_all RCVAR PID...: waits for every PID; as soon as one fails the
# others are killed.  Stores "rc1 rc2 ..." in RCVAR; returns 0 iff all 0.
wait_all() {
    local _var=$1
    shift
    local -a pids=("$@")
    local -A _rcs=()
    local failed=0 left=$# p
    while [ $left -gt 0 ]; do
        for p in "${pids[@]}"; do
            [ -n "${_rcs[$p]:-}" ] && continue
            if ! is_running "$p"; then
                reap "$p"
                _rcs[$p]=$?
                left=$((left - 1))
                if [ "${_rcs[$p]}" != 0 ] && [ $failed = 0 ]; then
                    failed=1
                    local q
                    for q in "${pids[@]}"; do
                        [ -z "${_rcs[$q]:-}" ] && kill_group "$q"
                    done
                fi
            fi
        done
        [ $left -gt 0 ] && sleep 0.02
    done
    local _out=""
    for p in "${pids[@]}"; do _out="$_out${_out:+ }${_rcs[$p]}"; done
    printf -v "$_var" %s "$_out"
    return $failed
}

# ------------------------------------------------------------ endpoints

# Free loopback ports outside the ephemeral range, probed once; a peer that
# still hits EADDRINUSE exits 3 and the case is retried with new ports.
PY_PROBE="$(command -v python3 || true)"
PORTS=()
if [ -n "$PY_PROBE" ]; then
    read -r -a PORTS < <("$PY_PROBE" -c 'import random, socket
ports = set()
while len(ports) < 400:
    p = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); ports.add(p)
    except OSError:
        pass
    s.close()
print(*ports)')
fi
PORT_INDEX=0
IPC_INDEX=0

# next_ep VAR tcp|ipc
next_ep() {
    local _ep
    if [ "$2" = tcp ]; then
        if [ $PORT_INDEX -lt ${#PORTS[@]} ]; then
            _ep="tcp://127.0.0.1:${PORTS[$PORT_INDEX]}"
            PORT_INDEX=$((PORT_INDEX + 1))
        else
            _ep="tcp://127.0.0.1:$((20000 + RANDOM % 12000))"
        fi
    else
        IPC_INDEX=$((IPC_INDEX + 1))
        _ep="ipc://$WORK/ipc/$IPC_INDEX.sock"
    fi
    printf -v "$1" %s "$_ep"
}

# ------------------------------------------------------------ reporting

PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()

selected() {
    [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]
}

budget_left() {
    echo $((BUDGET - (SECONDS - START)))
}

# over_budget NAME: reports NAME as failed (not run) once the budget is spent.
over_budget() {
    if [ "$(budget_left)" -le 0 ]; then
        report "$1" 1 "not run: time budget of $BUDGET s exhausted"
        return 0
    fi
    return 1
}

report() {   # NAME STATUS(0 ok) DETAIL LOG...
    local name=$1 status=$2 detail=$3
    shift 3
    if [ "$status" = 0 ]; then
        echo "ok   $name"
        PASSED=$((PASSED + 1))
    else
        echo "FAIL $name ($detail)"
        FAILED=$((FAILED + 1))
        FAILED_NAMES+=("$name")
        local log
        for log in "$@"; do
            [ -f "$log" ] || continue
            echo "    --- $(basename "$log") (last lines)"
            tail -n 12 "$log" | sed 's/^/    | /'
        done
    fi
}

lib_name() {
    if [ "$1" = "$OURLIB" ]; then echo ours; else echo ref; fi
}

# ------------------------------------------------------------ ref.* cases

# c2c NAME TRANSPORT BINDLIB "BIND_ROLE ARGS" CONNLIB "CONNECT_ROLE ARGS"
# ARGS may contain ACK (replaced by a second endpoint of the same transport).
c2c() {
    local name=$1 tr=$2 blib=$3 bspec=$4 clib=$5 cspec=$6
    selected "$name" || return 0
    over_budget "$name" && return 0
    local logdir="$WORK/logs/$name"
    mkdir -p "$logdir"
    local blog="$logdir/bind-$(lib_name "$blib").log"
    local clog="$logdir/connect-$(lib_name "$clib").log"
    local attempt ep ack bpid cpid rcs status=1 detail=""
    for attempt in 1 2 3 4 5; do
        next_ep ep "$tr"
        next_ep ack "$tr"
        local -a bargs=($bspec) cargs=($cspec)
        bargs=("${bargs[@]/#ACK/$ack}")
        cargs=("${cargs[@]/#ACK/$ack}")
        launch bpid "$blog" "$blib" "$PEER" "${bargs[0]}" "$ep" bind "${bargs[@]:1}"
        if ! wait_ready "$bpid" "$blog"; then
            kill_group "$bpid"
            reap "$bpid"
            local rc=$?
            if [ $rc = 3 ]; then continue; fi
            detail="binding side not ready, exit $rc"
            break
        fi
        launch cpid "$clog" "$clib" "$PEER" "${cargs[0]}" "$ep" connect "${cargs[@]:1}"
        if wait_all rcs "$bpid" "$cpid"; then
            status=0
        else
            detail="exit status: bind side $(lib_name "$blib") ${rcs% *}, connect side $(lib_name "$clib") ${rcs#* }"
        fi
        break
    done
    [ -z "$detail" ] && [ $status != 0 ] && detail="no free endpoint"
    report "$name" "$status" "$detail" "$blog" "$clog"
}

SIZES="0 1 253 254 255 256 65536 1048576"
# Pairings: "short-name|A role+args|B role+args"
PAIRINGS=(
    "push-pull|push ACK $SIZES|pull ACK $SIZES"
    "req-rep|req 10|rep 10"
    "dealer-router|dealer DEALER-2X 10|router =DEALER-2X 10"
    "pub-sub|pub ACK wx.eu nw wx.us sp|sub ACK 20 wx. sp"
    "xpub-xsub|xpub ACK wx.eu nw wx.us sp|xsub ACK 20 wx. sp"
    "pair|pair ping 12|pair pong 12"
)

run_ref_cases() {
    local tr p short a b oursrole binder
    for tr in tcp ipc; do
        for p in "${PAIRINGS[@]}"; do
            IFS='|' read -r short a b <<<"$p"
            local ra=${a%% *} rb=${b%% *}
            [ "$ra" = "$rb" ] && { ra="${ra}-${a#* }"; ra=${ra%% *}; rb="${rb}-${b#* }"; rb=${rb%% *}; }
            for oursrole in A B; do
                for binder in A B; do
                    local la lb
                    if [ $oursrole = A ]; then la=$OURLIB lb=$REFLIB; else la=$REFLIB lb=$OURLIB; fi
                    local oname bname
                    if [ $oursrole = A ]; then oname=$ra; else oname=$rb; fi
                    if [ $binder = A ]; then bname=$ra; else bname=$rb; fi
                    local name="ref.$tr.$short.ours=$oname.bind=$bname"
                    if [ $binder = A ]; then
                        c2c "$name" "$tr" "$la" "$a" "$lb" "$b"
                    else
                        c2c "$name" "$tr" "$lb" "$b" "$la" "$a"
                    fi
                done
            done
        done
        # Anonymous DEALER: a bound ROUTER sees a generated identity
        # (0x00 + 16 bytes).
        c2c "ref.$tr.dealer-router-anon.ours=router.bind=router" "$tr" \
            "$OURLIB" "router anon 5" "$REFLIB" "dealer - 5"
        c2c "ref.$tr.dealer-router-anon.ours=dealer.bind=router" "$tr" \
            "$REFLIB" "router anon 5" "$OURLIB" "dealer - 5"
    done
}

# ------------------------------------------------------------ broker.* cases

# tcp_listening PORT: some socket listens on 127.0.0.1/0.0.0.0:PORT.
tcp_listening() {
    local hex
    hex="$(printf '%04X' "$1")"
    grep -qE "^ *[0-9]+: [0-9A-F]{8}:$hex [0-9A-F]{8}:0000 0A " /proc/net/tcp 2>/dev/null
}

# maps_lib PID: the libzmq mapped by the program timeout(1) PID runs.
maps_lib() {
    local child
    child="$(cat "/proc/$1/task/$1/children" 2>/dev/null)"
    [ -n "$child" ] || return 1
    grep -m1 -o '/[^ ]*libzmq[^ ]*' "/proc/${child%% *}/maps" 2>/dev/null
}

# broker_case NAME BROKERLIB "WORKERLIB..." "CLIENTLIB..."
broker_case() {
    local name=$1 brlib=$2
    local -a wlibs=($3) clibs=($4)
    selected "$name" || return 0
    over_budget "$name" && return 0
    local logdir="$WORK/logs/$name"
    mkdir -p "$logdir"
    local attempt fport bport bpid status=1 detail="" logs=()
    local blog="$logdir/broker-$(lib_name "$brlib").log"
    for attempt in 1 2 3 4 5; do
        local fep bep
        next_ep fep tcp
        next_ep bep tcp
        fport=${fep##*:} bport=${bep##*:}
        launch bpid "$blog" "$brlib" "$OUT/rrbroker" "$fep" "$bep"
        local deadline=$((SECONDS + 10)) up=0
        while [ $SECONDS -lt $deadline ] && is_running "$bpid"; do
            if tcp_listening "$fport" && tcp_listening "$bport"; then up=1; break; fi
            sleep 0.02
        done
        if [ $up = 0 ]; then
            kill_group "$bpid"
            reap "$bpid"
            detail="broker did not listen (exit $?)"
            continue
        fi
        detail=""
        break
    done
    logs=("$blog")
    if [ -n "$detail" ]; then
        report "$name" 1 "$detail" "${logs[@]}"
        return
    fi
    local maps
    maps="$(maps_lib "$bpid")"
    if [[ "$maps" != "$brlib/"* ]]; then
        detail="broker runs on ${maps:-?}, expected $brlib"
    fi
    local -a wpids=() cpids=()
    local i pid
    for i in "${!wlibs[@]}"; do
        local wlog="$logdir/worker$i-$(lib_name "${wlibs[$i]}").log"
        logs+=("$wlog")
        launch pid "$wlog" "${wlibs[$i]}" "$OUT/rrworker" "$bep" "w$i-$(lib_name "${wlibs[$i]}")"
        wpids+=("$pid")
    done
    for i in "${!clibs[@]}"; do
        local clog="$logdir/client$i-$(lib_name "${clibs[$i]}").log"
        logs+=("$clog")
        launch pid "$clog" "${clibs[$i]}" "$OUT/rrclient" "$fep" "c$i-$(lib_name "${clibs[$i]}")" 6
        cpids+=("$pid")
    done
    local rcs
    if ! wait_all rcs "${cpids[@]}"; then
        detail="${detail:+$detail; }client exit statuses: $rcs"
    fi
    # Every worker must really run on its library.
    for i in "${!wpids[@]}"; do
        maps="$(maps_lib "${wpids[$i]}")"
        if [[ "$maps" != "${wlibs[$i]}/"* ]]; then
            detail="${detail:+$detail; }worker $i runs on ${maps:-?}"
        fi
    done
    # Workers and broker stop cleanly on SIGTERM.
    for pid in "${wpids[@]}" "$bpid"; do
        stop "$pid"
        local rc=$?
        [ $rc = 0 ] || detail="${detail:+$detail; }a worker/broker exited with $rc after SIGTERM"
    done
    if [ -z "$detail" ]; then status=0; fi
    report "$name" "$status" "$detail" "${logs[@]}"
}

run_broker_cases() {
    broker_case "broker.tcp.broker=ours.workers=ref.clients=ref" "$OURLIB" \
        "$REFLIB $REFLIB" "$REFLIB $REFLIB $REFLIB"
    broker_case "broker.tcp.broker=ref.workers=ours.clients=ours" "$REFLIB" \
        "$OURLIB $OURLIB" "$OURLIB $OURLIB $OURLIB"
    broker_case "broker.tcp.broker=ours.workers=mixed.clients=mixed" "$OURLIB" \
        "$OURLIB $REFLIB" "$REFLIB $OURLIB $REFLIB $OURLIB"
    broker_case "broker.tcp.broker=ref.workers=mixed.clients=mixed" "$REFLIB" \
        "$REFLIB $OURLIB" "$OURLIB $REFLIB $OURLIB $REFLIB"
}

# ------------------------------------------------------------ py.* cases

run_py_cases() {
    local py=""
    if [ -x "$ROOT/.venv/bin/python" ] && "$ROOT/.venv/bin/python" -c 'import zmq' 2>/dev/null; then
        py="$ROOT/.venv/bin/python"
    elif command -v python3 >/dev/null && python3 -c 'import zmq' 2>/dev/null; then
        py="$(command -v python3)"
    fi
    if [ -z "$py" ]; then
        local n=0
        if command -v python3 >/dev/null; then
            n="$(python3 "$ROOT/interop/pyzmq_interop.py" --list --filter "$FILTER" 2>/dev/null | wc -l)"
        fi
        [ "$n" -gt 0 ] 2>/dev/null || n=1
        echo "SKIP pyzmq (not installed)"
        SKIPPED=$((SKIPPED + n))
        return
    fi
    local pylog="$WORK/logs/pyzmq.log" line left pybudget
    : >"$pylog"
    left="$(budget_left)"
    pybudget=$((left - 15))
    [ $pybudget -ge 0 ] || pybudget=0
    [ "$left" -ge 20 ] || left=20
    # The script prints "ok   NAME" / "FAIL NAME" plus indented detail.
    timeout -k 5 "$left" "$py" "$ROOT/interop/pyzmq_interop.py" --peer "$PEER" \
        --lib "$OURLIB" --work "$WORK/py" --filter "$FILTER" \
        --budget "$pybudget" >"$pylog" 2>&1 </dev/null &
    PYPID=$!
    LIVE[$PYPID]=1
    # Stream the output as it comes.
    local n=0 total
    while :; do
        total=$(wc -l <"$pylog")
        if [ "$total" -gt "$n" ]; then
            sed -n "$((n + 1)),${total}p" "$pylog"
            n=$total
        fi
        is_running "$PYPID" || break
        sleep 0.05
    done
    reap "$PYPID"
    local rc=$?
    PYPID=""
    sed -n "$((n + 1)),\$p" "$pylog"
    local ok fail
    ok=$(grep -c '^ok   ' "$pylog")
    fail=$(grep -c '^FAIL ' "$pylog")
    PASSED=$((PASSED + ok))
    FAILED=$((FAILED + fail))
    while IFS= read -r line; do
        line=${line#FAIL }
        FAILED_NAMES+=("${line%% *}")
    done < <(grep '^FAIL ' "$pylog")
    if [ $rc != 0 ] && [ "$fail" = 0 ]; then
        echo "FAIL py (pyzmq_interop.py exited with $rc)"
        tail -n 20 "$pylog" | sed 's/^/    | /'
        FAILED=$((FAILED + 1))
        FAILED_NAMES+=("py")
    fi
}

# ------------------------------------------------------------ main

echo "interop: ours = $OURLIB, reference = $REFLIB"
run_ref_cases
run_broker_cases
run_py_cases

summary="interop: $PASSED passed, $FAILED failed"
[ $SKIPPED -gt 0 ] && summary="$summary, $SKIPPED skipped"
if [ $FAILED -gt 0 ]; then
    echo "interop: failed cases: ${FAILED_NAMES[*]}"
fi
echo "interop: total time $((SECONDS - START)) s"
echo "$summary"
[ $FAILED -eq 0 ]
