#!/usr/bin/env bash
# Runs the 0MQ guide examples (examples/*.c, built into BINDIR) as tests on
# the library in LIBDIR, then, given the real libzmq 2.2.0, swaps our library
# into examples built against it.
#
#   scripts/examples-test.sh LIBDIR BINDIR [REFLIB REFINC]
#
#   LIBDIR  directory holding our libzmq.so.1
#   BINDIR  the examples compiled against our headers (make examples)
#   REFLIB  directory holding the real libzmq.so.1 (build/ref/lib)
#   REFINC  the real 2.2.0 headers (build/ref/include)
#
# Each case starts its processes on free loopback ports (20000-32000, probed
# with python3) with bounded counts, each under `timeout` in a process group
# of its own; it waits for what the servers print once bound (never a fixed
# sleep), checks the outputs and exit statuses, and stops whatever is left.
# With REFLIB and REFINC the examples are also compiled against the real
# headers and linked to the real library (RUNPATH REFLIB, as if installed),
# `ldd` must resolve libzmq.so.1 to REFLIB, and the hello world and pipeline
# cases run three ways: on the real library (the baseline), with
# LD_PRELOAD=LIBDIR/libzmq.so.1 and with LD_LIBRARY_PATH=LIBDIR; the last two
# must show our library in /proc/PID/maps of a running example, and not the
# real one (and `ldd` under LD_LIBRARY_PATH must show ours).
#
# Prints "ok   NAME" or "FAIL NAME: why" (with the tails of the logs) per
# case and "examples: N passed, M failed"; exits non-zero on any failure.
set -u

if [ $# -ne 2 ] && [ $# -ne 4 ]; then
    echo "usage: $0 LIBDIR BINDIR [REFLIB REFINC]" >&2
    exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIBDIR="$(cd "$1" 2>/dev/null && pwd)" || { echo "examples: no directory $1" >&2; exit 2; }
BINDIR="$(cd "$2" 2>/dev/null && pwd)" || { echo "examples: no directory $2" >&2; exit 2; }
[ -f "$LIBDIR/libzmq.so.1" ] || { echo "examples: no $LIBDIR/libzmq.so.1" >&2; exit 2; }
REFLIB="" REFINC=""
if [ $# -eq 4 ]; then
    REFLIB="$(cd "$3" 2>/dev/null && pwd)" || { echo "examples: no directory $3" >&2; exit 2; }
    REFINC="$(cd "$4" 2>/dev/null && pwd)" || { echo "examples: no directory $4" >&2; exit 2; }
    [ -f "$REFLIB/libzmq.so.1" ] || { echo "examples: no $REFLIB/libzmq.so.1" >&2; exit 2; }
    [ -f "$REFINC/zmq.h" ] || { echo "examples: no $REFINC/zmq.h" >&2; exit 2; }
fi
OUR_SO="$(realpath "$LIBDIR/libzmq.so.1")"
REF_SO=""
[ -n "$REFLIB" ] && REF_SO="$(realpath "$REFLIB/libzmq.so.1")"

PROC_TIMEOUT=${PROC_TIMEOUT:-40}   # seconds any one process may run
TMP="$(mktemp -d "${TMPDIR:-/tmp}/examples-test.XXXXXX")"
PIDS=()

# ---- processes -------------------------------------------------------------

# Kills (process group and process) everything started and not yet reaped.
# (Within { } 2>/dev/null: bash reports a job killed by a signal on stderr.)
kill_all() {
    local p
    for p in "${PIDS[@]}"; do
        {
            if kill -0 "$p"; then
                kill -KILL -- "-$p" || kill -KILL "$p"
            fi
            wait "$p"
        } 2>/dev/null
    done
    PIDS=()
}
# EXAMPLES_KEEP=1 keeps the logs (and the swap-in binaries) in TMP.
trap 'kill_all; if [ -n "${EXAMPLES_KEEP:-}" ]; then echo "examples: logs in $TMP" >&2; else rm -rf "$TMP"; fi' EXIT
trap 'exit 130' INT TERM

# How the examples are run: BIN is the directory of the programs, RUNENV the
# environment changes (for env(1)) that pick the library.
BIN=$BINDIR
RUNENV=(-u LD_PRELOAD "LD_LIBRARY_PATH=$LIBDIR")
CHECK_MAPS=""     # set: check /proc/PID/maps of the servers for OUR_SO

# spawn LOG PROG ARGS...: starts BIN/PROG in the background under timeout
# (which makes a process group of its own, led by timeout: PID), its output
# in CASEDIR/LOG, its input from STDIN (default /dev/null).
spawn() {
    local log=$1 prog=$2
    shift 2
    timeout -k 5 "$PROC_TIMEOUT" env "${RUNENV[@]}" "$BIN/$prog" "$@" \
        >"$CASEDIR/$log" 2>&1 <"${STDIN:-/dev/null}" &
    PID=$!
    PIDS+=("$PID")
}

# wait_for LOG PATTERN PID: waits (20 s at most) until LOG holds PATTERN;
# fails early when the process is gone without printing it.
wait_for() {
    local log=$CASEDIR/$1 pattern=$2 pid=$3 i
    for ((i = 0; i < 400; i++)); do
        grep -qE -- "$pattern" "$log" 2>/dev/null && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            grep -qE -- "$pattern" "$log" 2>/dev/null
            return
        fi
        sleep 0.05
    done
    return 1
}

# stop PID [SIGNAL]: signals the process group (again every half second, a
# signal may come just before the program blocks) until it exits, 10 s at
# most, then SIGKILL.  Returns the program's exit status.
stop() {
    local pid=$1 sig=${2:-TERM} i
    {
        for ((i = 0; i < 200; i++)); do
            kill -0 "$pid" || break
            if ((i % 10 == 0)); then
                kill -s "$sig" -- "-$pid" || kill -s "$sig" "$pid"
            fi
            sleep 0.05
        done
        if kill -0 "$pid"; then
            kill -KILL -- "-$pid" || kill -KILL "$pid"
        fi
        wait "$pid"
    } 2>/dev/null
}

# free_ports N: N distinct free ports in 20000-32000 (below the ephemeral
# range, so outgoing connections can't take them before the bind).
free_ports() {
    python3 - "$1" <<'EOF'
import random, socket, sys
ports = []
while len(ports) < int(sys.argv[1]):
    p = random.randrange(20000, 32000)
    if p in ports:
        continue
    s = socket.socket()
    try:
        s.bind(("0.0.0.0", p))
        ports.append(p)
    except OSError:
        pass
    s.close()
print(*ports)
EOF
}

# check_maps PID: the program run by timeout PID has our library mapped and
# not the real one.
check_maps() {
    local child maps
    child=$(ps -o pid= --ppid "$1" | head -n 1 | tr -d ' ')
    maps=/proc/$child/maps
    if [ -z "$child" ] || ! [ -r "$maps" ]; then
        WHY="no process to inspect under $1"
        return 1
    fi
    case "$(readlink "/proc/$child/exe")" in
        "$BIN"/*) ;;
        *) WHY="pid $child under $1 is not an example"; return 1 ;;
    esac
    if ! grep -qF "$OUR_SO" "$maps"; then
        WHY="$(readlink "/proc/$child/exe"): $OUR_SO not in $maps"
        return 1
    fi
    if [ -n "$REF_SO" ] && grep -qF "$REF_SO" "$maps"; then
        WHY="$(readlink "/proc/$child/exe"): the real library is mapped too"
        return 1
    fi
    echo "maps of $(readlink "/proc/$child/exe") (pid $child): $(grep -F "$OUR_SO" "$maps" | head -n 1 | awk '{print $6}')" >>"$CASEDIR/maps.log"
}

# expect MESSAGE COMMAND...: runs COMMAND; when it fails, MESSAGE becomes
# the reason (unless one was recorded already).
expect() {
    local msg=$1
    shift
    if ! "$@"; then
        [ -z "$WHY" ] && WHY=$msg
        return 1
    fi
}

# count LOG REGEX: lines of CASEDIR/LOG matching REGEX.
count() { grep -cE -- "$2" "$CASEDIR/$1" 2>/dev/null; }

# ---- the cases -------------------------------------------------------------
# Each sets WHY and returns non-zero on failure.

case_hello() {
    local p srv cli rc n=5
    read -r p < <(free_ports 1)
    spawn server.log hwserver "tcp://127.0.0.1:$p" 10 "$n"; srv=$PID
    if [ -n "$CHECK_MAPS" ]; then
        expect "hwserver not ready" wait_for server.log "ready on" "$srv" || return 1
        check_maps "$srv" || return 1
    fi
    spawn client.log hwclient "tcp://127.0.0.1:$p" "$n"; cli=$PID
    wait "$cli"; rc=$?
    expect "hwclient exited $rc" [ $rc -eq 0 ] || return 1
    wait "$srv"; rc=$?
    expect "hwserver exited $rc" [ $rc -eq 0 ] || return 1
    expect "hwclient did not get $n World replies" [ "$(count client.log '^Received World [0-9]+$')" -eq "$n" ] &&
    expect "hwserver did not get $n Hello requests" [ "$(count server.log '^Received Hello$')" -eq "$n" ]
}

# weather_ok LOG ZIP: the client printed an average in the temperature range.
weather_ok() {
    local avg
    avg=$(sed -n "s/^Average temperature for zipcode '$2' was \(-\{0,1\}[0-9]\{1,\}\)F$/\1/p" "$CASEDIR/$1")
    [ -n "$avg" ] && [ "$avg" -ge -80 ] && [ "$avg" -le 134 ] &&
        grep -q '^wuclient: 50 updates, 0 malformed$' "$CASEDIR/$1"
}

case_weather() {
    local p srv c1 c2 rc1 rc2 rc ipc="ipc://$CASEDIR/weather.ipc"
    read -r p < <(free_ports 1)
    spawn server.log wuserver "tcp://127.0.0.1:$p" "$ipc"; srv=$PID
    expect "wuserver not ready" wait_for server.log "publishing on ipc" "$srv" || return 1
    # Zipcodes starting with 1 (a tenth of the updates) over tcp, with 2 over
    # ipc; the server publishes all the time, so the clients just collect.
    spawn tcp.log wuclient 1 "tcp://127.0.0.1:$p" 50; c1=$PID
    spawn ipc.log wuclient 2 "$ipc" 50; c2=$PID
    wait "$c1"; rc1=$?
    wait "$c2"; rc2=$?
    stop "$srv" TERM; rc=$?
    expect "wuclient (tcp) exited $rc1" [ $rc1 -eq 0 ] &&
    expect "wuclient (ipc) exited $rc2" [ $rc2 -eq 0 ] &&
    expect "wuserver exited $rc after SIGTERM" [ $rc -eq 0 ] &&
    expect "wuclient (tcp): no average in -80..134 over 50 good updates" weather_ok tcp.log 1 &&
    expect "wuclient (ipc): no average in -80..134 over 50 good updates" weather_ok ipc.log 2 &&
    expect "wuserver did not report its updates" grep -q '^wuserver: interrupted after [0-9]* updates' "$CASEDIR/server.log"
}

# established PORT: established tcp connections to local port PORT.
established() { ss -Htn state established "( sport = :$1 )" 2>/dev/null | wc -l; }

case_pipeline() {
    local tasks=40 workers=3 pv ps sink vent fd i rc wpids=()
    read -r pv ps < <(free_ports 2)
    spawn sink.log tasksink "tcp://127.0.0.1:$ps" "$tasks"; sink=$PID
    expect "tasksink not ready" wait_for sink.log "waiting for" "$sink" || return 1
    if [ -n "$CHECK_MAPS" ]; then check_maps "$sink" || return 1; fi
    # The ventilator waits for Enter: its input is a fifo we hold open.
    mkfifo "$CASEDIR/vent.in"
    exec {fd}<>"$CASEDIR/vent.in"
    STDIN=$CASEDIR/vent.in spawn vent.log taskvent "tcp://127.0.0.1:$pv" "tcp://127.0.0.1:$ps" "$tasks"; vent=$PID
    expect "taskvent not ready" wait_for vent.log "Press Enter" "$vent" || { exec {fd}>&-; return 1; }
    for ((i = 1; i <= workers; i++)); do
        spawn "worker$i.log" taskwork "tcp://127.0.0.1:$pv" "tcp://127.0.0.1:$ps"; wpids+=("$PID")
    done
    # "Press Enter when the workers are ready": once they are connected (or
    # after 5 s: the results must all come back anyway).
    for ((i = 0; i < 100; i++)); do
        [ "$(established "$pv")" -ge "$workers" ] && break
        sleep 0.05
    done
    printf '\n' >&"$fd"
    exec {fd}>&-
    wait "$vent"; rc=$?
    expect "taskvent exited $rc" [ $rc -eq 0 ] || return 1
    wait "$sink"; rc=$?
    expect "tasksink exited $rc" [ $rc -eq 0 ] || return 1
    for i in "${!wpids[@]}"; do
        stop "${wpids[$i]}" TERM; rc=$?
        expect "taskwork $((i + 1)) exited $rc after SIGTERM" [ $rc -eq 0 ] || return 1
    done
    expect "tasksink did not receive all $tasks results" grep -q "^tasksink: all $tasks results received$" "$CASEDIR/sink.log" &&
    expect "tasksink printed no elapsed time" grep -qE '^Total elapsed time: [0-9]+ msec$' "$CASEDIR/sink.log" &&
    expect "taskvent printed no expected cost" grep -qE '^Total expected cost: [0-9]+ msec$' "$CASEDIR/vent.log"
}

# case_broker PROG: PROG (rrbroker or msgqueue) with 2 rrworkers and 2
# rrclients of 10 requests each.
case_broker() {
    local prog=$1 pf pb broker i rc cpids=() wpids=()
    read -r pf pb < <(free_ports 2)
    spawn broker.log "$prog" "tcp://127.0.0.1:$pf" "tcp://127.0.0.1:$pb"; broker=$PID
    expect "$prog not ready" wait_for broker.log "frontend" "$broker" || return 1
    for i in 1 2; do
        spawn "worker$i.log" rrworker "tcp://127.0.0.1:$pb" "w$i"; wpids+=("$PID")
    done
    for i in 1 2; do
        spawn "client$i.log" rrclient "tcp://127.0.0.1:$pf" "c$i" 10; cpids+=("$PID")
    done
    for i in 1 2; do
        wait "${cpids[$((i - 1))]}"; rc=$?
        expect "rrclient c$i exited $rc" [ $rc -eq 0 ] || return 1
        expect "rrclient c$i: not 10/10 replies ok" grep -q "^rrclient c$i: 10/10 replies ok$" "$CASEDIR/client$i.log" || return 1
    done
    for i in 1 2; do
        stop "${wpids[$((i - 1))]}" TERM; rc=$?
        expect "rrworker w$i exited $rc after SIGTERM" [ $rc -eq 0 ] || return 1
    done
    stop "$broker" TERM; rc=$?
    expect "$prog exited $rc after SIGTERM" [ $rc -eq 0 ]
}

case_rrbroker_threads() {
    local rc
    spawn out.log rrbroker_threads; wait "$PID"; rc=$?
    expect "rrbroker_threads exited $rc" [ $rc -eq 0 ] &&
    expect "not every reply routed" grep -q '^broker: 20 replies routed, 0 clients failed$' "$CASEDIR/out.log"
}

case_mtserver() {
    local p srv i rc cpids=()
    read -r p < <(free_ports 1)
    spawn server.log mtserver "tcp://127.0.0.1:$p" 3 20; srv=$PID
    expect "mtserver not ready" wait_for server.log "serving on" "$srv" || return 1
    for i in 1 2 3; do
        spawn "client$i.log" hwclient "tcp://127.0.0.1:$p" 4; cpids+=("$PID")
    done
    for i in 1 2 3; do
        wait "${cpids[$((i - 1))]}"; rc=$?
        expect "hwclient $i exited $rc" [ $rc -eq 0 ] || return 1
        expect "hwclient $i: not 4/4 World replies" grep -q '^hwclient: 4/4 replies were World$' "$CASEDIR/client$i.log" || return 1
    done
    stop "$srv" TERM; rc=$?
    expect "mtserver exited $rc after SIGTERM" [ $rc -eq 0 ] &&
    expect "mtserver workers did not log 12 requests" [ "$(count server.log '^Received request: \[Hello\]$')" -eq 12 ]
}

# case_identity ENDPOINT IDENTITY
case_identity() {
    local endpoint=$1 id=$2 rc got want
    spawn out.log identity "$endpoint" "$id"; wait "$PID"; rc=$?
    expect "identity exited $rc" [ $rc -eq 0 ] || return 1
    # The anonymous REQ's identity: 17 bytes, a zero byte then a UUID.
    got=$(sed -E 's/^\[017\] 00[0-9A-F]{32}$/[017] 00<uuid>/' "$CASEDIR/out.log")
    want=$(printf '%s\n' \
        "----------------------------------------" \
        "[017] 00<uuid>" \
        "[000] " \
        "[028] ROUTER uses a generated UUID" \
        "----------------------------------------" \
        "$(printf '[%03d] %s' "${#id}" "$id")" \
        "[000] " \
        "[040] ROUTER socket uses REQ's socket identity")
    if [ "$got" != "$want" ]; then
        WHY="unexpected parts"
        diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") >"$CASEDIR/diff.log"
        return 1
    fi
}

case_identity_tcp() {
    local p
    read -r p < <(free_ports 1)
    case_identity "tcp://127.0.0.1:$p" PEER2
}

case_interrupt() {
    local p srv rc
    read -r p < <(free_ports 1)
    spawn server.log interrupt "tcp://127.0.0.1:$p"; srv=$PID
    expect "interrupt not ready" wait_for server.log "press Ctrl-C" "$srv" || return 1
    spawn client.log hwclient "tcp://127.0.0.1:$p" 1; wait "$PID"; rc=$?
    expect "hwclient exited $rc" [ $rc -eq 0 ] || return 1
    stop "$srv" INT; rc=$?
    expect "interrupt exited $rc after SIGINT" [ $rc -eq 0 ] &&
    expect "no interrupt message" grep -q '^W: interrupt received, killing server\.\.\.$' "$CASEDIR/server.log"
}

# ---- the swap-in cases -------------------------------------------------------

# Builds every example against the real headers, linked to the real library
# with RUNPATH REFLIB (as if it were installed: LD_LIBRARY_PATH still wins).
case_swapin_build() {
    local src name
    mkdir -p "$SWAPBIN"
    for src in "$ROOT"/examples/*.c; do
        name=$(basename "$src" .c)
        if ! "${CC:-cc}" -Wall -Wextra -Werror -O2 -I"$REFINC" -o "$SWAPBIN/$name" "$src" \
                -L"$REFLIB" -Wl,-rpath,"$REFLIB" -Wl,--enable-new-dtags -lzmq -lpthread \
                >>"$CASEDIR/build.log" 2>&1; then
            WHY="$name does not build against $REFINC"
            return 1
        fi
    done
}

# ldd_resolves BINARY SO [ENV...]: ldd (under env ENV) resolves libzmq.so.1
# of BINARY to the file SO.
ldd_resolves() {
    local bin=$1 want=$2 got
    shift 2
    got=$(env -u LD_PRELOAD -u LD_LIBRARY_PATH "$@" ldd "$bin" | awk '$1 == "libzmq.so.1" { print $3 }')
    echo "ldd $* $(basename "$bin"): libzmq.so.1 => $got" >>"$CASEDIR/ldd.log"
    [ -n "$got" ] && [ "$(realpath "$got")" = "$want" ]
}

case_swapin_ldd() {
    local bin
    for bin in "$SWAPBIN"/*; do
        expect "$(basename "$bin"): ldd does not resolve libzmq.so.1 to $REFLIB" \
            ldd_resolves "$bin" "$REF_SO" || return 1
    done
}

# case_swapin_libpath_ldd: under LD_LIBRARY_PATH=LIBDIR, ours.
case_swapin_libpath_ldd() {
    local bin
    for bin in "$SWAPBIN"/*; do
        expect "$(basename "$bin"): ldd under LD_LIBRARY_PATH=$LIBDIR does not show $OUR_SO" \
            ldd_resolves "$bin" "$OUR_SO" "LD_LIBRARY_PATH=$LIBDIR" || return 1
    done
}

# ---- running -----------------------------------------------------------------

pass=0
fail=0

# run_case NAME FUNCTION ARGS...: runs a case, again (up to 3 times) only
# when a port turned out to be taken by someone else between probe and bind.
run_case() {
    local name=$1 attempt f
    shift
    for attempt in 1 2 3; do
        CASEDIR=$TMP/${name//\//_}.$attempt
        mkdir -p "$CASEDIR"
        WHY=""
        if "$@"; then
            kill_all
            pass=$((pass + 1))
            echo "ok   $name"
            return 0
        fi
        kill_all
        grep -qsE 'cannot bind|bind: Address already in use' "$CASEDIR"/*.log || break
    done
    fail=$((fail + 1))
    echo "FAIL $name: ${WHY:-failed}"
    for f in "$CASEDIR"/*.log; do
        [ -f "$f" ] || continue
        tail -n 6 "$f" | awk -v p="     $(basename "$f" .log): " '{ print p $0 }'
    done
    return 1
}

need() {
    local prog
    for prog in "$@"; do
        [ -x "$BIN/$prog" ] || { WHY="no $BIN/$prog (make examples)"; return 1; }
    done
}

# with PROGS... -- CASE...: runs the case if the programs were built.
with() {
    local progs=()
    while [ "$1" != -- ]; do progs+=("$1"); shift; done
    shift
    need "${progs[@]}" && "$@"
}

start=$(date +%s)
run_case hello         with hwserver hwclient -- case_hello
run_case weather       with wuserver wuclient -- case_weather
run_case pipeline      with tasksink taskvent taskwork -- case_pipeline
run_case rrbroker      with rrbroker rrworker rrclient -- case_broker rrbroker
run_case rrbroker_threads with rrbroker_threads -- case_rrbroker_threads
run_case msgqueue      with msgqueue rrworker rrclient -- case_broker msgqueue
run_case mtserver      with mtserver hwclient -- case_mtserver
run_case identity      with identity -- case_identity inproc://example Hello
run_case identity-tcp  with identity -- case_identity_tcp
run_case interrupt     with interrupt hwclient -- case_interrupt

if [ -n "$REFLIB" ]; then
    SWAPBIN=$TMP/swapin-bin
    if run_case swapin-build case_swapin_build; then
        BIN=$SWAPBIN
        run_case swapin-ldd-real case_swapin_ldd
        RUNENV=(-u LD_PRELOAD -u LD_LIBRARY_PATH)
        run_case real/hello case_hello
        run_case real/pipeline case_pipeline
        CHECK_MAPS=1
        RUNENV=(-u LD_LIBRARY_PATH "LD_PRELOAD=$LIBDIR/libzmq.so.1")
        run_case preload/hello case_hello
        run_case preload/pipeline case_pipeline
        run_case libpath/ldd case_swapin_libpath_ldd
        RUNENV=(-u LD_PRELOAD "LD_LIBRARY_PATH=$LIBDIR")
        run_case libpath/hello case_hello
        run_case libpath/pipeline case_pipeline
    fi
fi

echo "examples: took $(($(date +%s) - start)) s"
echo "examples: $pass passed, $fail failed"
[ $fail -eq 0 ]
