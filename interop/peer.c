/*
 * peer.c -- one side of an interoperability test, written against the
 * libzmq 2.2 API only (zmq.h).  The same binary is run twice, in two
 * processes, once on our library and once on the reference libzmq 2.2 (or
 * against a pyzmq/libzmq 4.x socket driven by interop/pyzmq_interop.py).
 *
 *   peer ROLE ENDPOINT bind|connect [ARGS...]
 *
 * Roles (MODE = bind|connect; every check failure exits 1 with a message):
 *   push   EP MODE ACKEP SIZE...    send one message per SIZE, patterned; then,
 *                                   unless ACKEP is "-", wait for "done" on a
 *                                   PULL socket at ACKEP (same MODE)
 *   pull   EP MODE ACKEP SIZE...    receive one message per SIZE, check size
 *                                   and content (pattern depends on index);
 *                                   then, unless ACKEP is "-", PUSH "done" to
 *                                   ACKEP
 *   req    EP MODE COUNT            COUNT requests ["hello", i, blob(i,300)],
 *                                   expects ["world", i, blob(i,300)]
 *   rep    EP MODE COUNT            answers COUNT such requests
 *   dealer EP MODE ID COUNT         ID "-" = anonymous; sends ["dealer", i,
 *                                   blob(i,256)], expects ["router", i, blob]
 *   router EP MODE EXPECT COUNT     checks the identity of every message:
 *                                   "=STR" exactly STR, "anon" first byte 0,
 *                                   "any" anything non-empty; replies to it
 *   pub|xpub EP MODE ACKEP TOPIC... sends rounds of [TOPIC:seq, blob] (one per
 *                                   topic) until one message arrives on a
 *                                   PULL socket at ACKEP (same MODE)
 *   sub|xsub EP MODE ACKEP COUNT FILTER...
 *                                   subscribes to every FILTER ("" allowed),
 *                                   receives until it has COUNT messages per
 *                                   filter, checks filtering, parts and
 *                                   per-topic order, then PUSHes "done" to
 *                                   ACKEP
 *   pair   EP MODE ping|pong COUNT  ping sends COUNT multipart messages and
 *                                   checks each echo; pong echoes them
 *   stream EP MODE [HWM]            PUSH: sends "seq:N" (N = 0, 1, ...) about
 *                                   every millisecond until SIGTERM/SIGINT,
 *                                   then exits 0
 *
 * Message pattern: byte j of message number `index` with size `size` is
 * (j + index * 17 + size) % 251.
 *
 * Environment:
 *   PEER_TIMEOUT_MS      overall deadline for any single wait (default 15000)
 *   PEER_TERM_TIMEOUT_MS limit for zmq_term (default 5000); all messages have
 *                        been exchanged (and acknowledged) by then, so a
 *                        longer zmq_term is a hang: reported, exit 1
 *   PEER_EXPECT_LIBDIR   if set, the libzmq mapped into this process must
 *                        live in this directory (checked via /proc/self/maps)
 *
 * Prints "ready" on stdout (flushed) once the socket is bound/connected.
 * Exit status: 0 success, 1 failure, 2 usage, 3 bind failed (address in use).
 *
 * The ACK channels exist because the reference libzmq 2.2 does not keep a
 * connection open until a large message has been written when the sender
 * closes with the default linger (e.g. the tail of a 1 MiB message over ipc
 * is lost when its zmq_term returns); the sender must not close before the
 * receiver has everything.
 */
#include <zmq.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_PARTS 16

static const char *role = "?";
static long timeout_ms = 15000;
static volatile sig_atomic_t stop_requested = 0;

static void on_signal (int sig)
{
    (void) sig;
    stop_requested = 1;
}

static void on_term_alarm (int sig)
{
    static const char text [] =
        ": FAIL: zmq_term did not return (hang; nothing left to deliver)\n";
    (void) sig;
    if (write (2, "peer ", 5) < 0 || write (2, role, strlen (role)) < 0
          || write (2, text, sizeof text - 1) < 0)
        _exit (1);
    _exit (1);
}

static long long now_ms (void)
{
    struct timeval tv;
    gettimeofday (&tv, NULL);
    return (long long) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void fail (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));

static void fail (const char *fmt, ...)
{
    int err = zmq_errno ();
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "peer %s: FAIL: ", role);
    vfprintf (stderr, fmt, ap);
    va_end (ap);
    fprintf (stderr, " (last errno %d: %s)\n", err, zmq_strerror (err));
    fflush (stdout);
    fflush (stderr);
    /* No zmq_term: it could block on undelivered messages. */
    _exit (1);
}

static unsigned char pattern_byte (size_t j, long index, size_t size)
{
    return (unsigned char) ((j + (size_t) index * 17 + size) % 251);
}

static void fill (unsigned char *data, size_t size, long index)
{
    for (size_t j = 0; j < size; j++)
        data [j] = pattern_byte (j, index, size);
}

/* Returns the index of the first mismatching byte, or -1. */
static long check_pattern (const unsigned char *data, size_t size, long index)
{
    for (size_t j = 0; j < size; j++)
        if (data [j] != pattern_byte (j, index, size))
            return (long) j;
    return -1;
}

static void check_lib (void)
{
    const char *expect = getenv ("PEER_EXPECT_LIBDIR");
    FILE *maps = fopen ("/proc/self/maps", "r");
    char line [4096];
    char found [4096] = "";
    if (maps) {
        while (fgets (line, sizeof line, maps)) {
            char *path = strchr (line, '/');
            if (path && strstr (path, "libzmq")) {
                path [strcspn (path, "\n")] = 0;
                snprintf (found, sizeof found, "%s", path);
                break;
            }
        }
        fclose (maps);
    }
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    fprintf (stderr, "peer %s: libzmq %d.%d.%d from %s\n", role, major, minor,
        patch, found [0] ? found : "(unknown)");
    if (expect && *expect) {
        size_t n = strlen (expect);
        if (strncmp (found, expect, n) != 0 || found [n] != '/') {
            fprintf (stderr, "peer %s: FAIL: expected libzmq from %s, got %s\n",
                role, expect, found [0] ? found : "(none)");
            _exit (1);
        }
    }
}

/* zmq_poll timeouts are in microseconds in 2.x. */
static void wait_for (void *socket, short events, long long deadline,
    const char *what, long a, long b)
{
    while (1) {
        long long left = deadline - now_ms ();
        if (left <= 0)
            fail ("timed out waiting to %s (%ld, %ld)", what, a, b);
        if (stop_requested)
            return;
        zmq_pollitem_t item = { socket, 0, events, 0 };
        int rc = zmq_poll (&item, 1, (long) (left > 100 ? 100 : left) * 1000L);
        if (rc < 0 && zmq_errno () != EINTR)
            fail ("zmq_poll failed while waiting to %s (%ld, %ld)", what, a, b);
        if (rc > 0 && (item.revents & events))
            return;
    }
}

/* Receives one part into msg (initialised by the caller); returns MORE. */
static int recv_part (void *socket, zmq_msg_t *msg, const char *what, long a, long b)
{
    long long deadline = now_ms () + timeout_ms;
    while (1) {
        if (zmq_recv (socket, msg, ZMQ_NOBLOCK) == 0)
            break;
        if (zmq_errno () != EAGAIN && zmq_errno () != EINTR)
            fail ("zmq_recv failed to %s (%ld, %ld)", what, a, b);
        wait_for (socket, ZMQ_POLLIN, deadline, what, a, b);
    }
    int64_t more = 0;
    size_t more_size = sizeof more;
    if (zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &more_size) != 0)
        fail ("getsockopt RCVMORE failed to %s (%ld, %ld)", what, a, b);
    return more != 0;
}

/* Receives a whole message; returns the number of parts. */
static int recv_message (void *socket, zmq_msg_t *parts, const char *what, long a, long b)
{
    int n = 0;
    while (1) {
        if (n == MAX_PARTS)
            fail ("too many parts to %s (%ld, %ld)", what, a, b);
        zmq_msg_init (&parts [n]);
        int more = recv_part (socket, &parts [n], what, a, b);
        n++;
        if (!more)
            return n;
    }
}

static void close_parts (zmq_msg_t *parts, int n)
{
    for (int i = 0; i < n; i++)
        zmq_msg_close (&parts [i]);
}

static void send_part (void *socket, const void *data, size_t size, int more,
    const char *what, long a, long b)
{
    long long deadline = now_ms () + timeout_ms;
    zmq_msg_t msg;
    if (zmq_msg_init_size (&msg, size) != 0)
        fail ("zmq_msg_init_size failed to %s (%ld, %ld)", what, a, b);
    if (size)
        memcpy (zmq_msg_data (&msg), data, size);
    while (1) {
        if (zmq_send (socket, &msg, ZMQ_NOBLOCK | (more ? ZMQ_SNDMORE : 0)) == 0)
            break;
        if (zmq_errno () != EAGAIN && zmq_errno () != EINTR)
            fail ("zmq_send failed to %s (%ld, %ld)", what, a, b);
        if (stop_requested && zmq_errno () == EINTR)
            break;
        wait_for (socket, ZMQ_POLLOUT, deadline, what, a, b);
        if (stop_requested)
            break;
    }
    zmq_msg_close (&msg);
}

static void send_str (void *socket, const char *s, int more, const char *what, long a, long b)
{
    send_part (socket, s, strlen (s), more, what, a, b);
}

static void send_blob (void *socket, size_t size, long index, int more,
    const char *what, long a, long b)
{
    unsigned char *data = malloc (size ? size : 1);
    if (!data)
        fail ("out of memory to %s (%ld, %ld)", what, a, b);
    fill (data, size, index);
    send_part (socket, data, size, more, what, a, b);
    free (data);
}

static int part_is (zmq_msg_t *msg, const char *s)
{
    size_t n = strlen (s);
    return zmq_msg_size (msg) == n && memcmp (zmq_msg_data (msg), s, n) == 0;
}

static int part_is_num (zmq_msg_t *msg, long value)
{
    char text [32];
    snprintf (text, sizeof text, "%ld", value);
    return part_is (msg, text);
}

static void check_blob (zmq_msg_t *msg, size_t size, long index, const char *what)
{
    if (zmq_msg_size (msg) != size)
        fail ("%s: wrong blob size %lu, expected %lu (message %ld)", what,
            (unsigned long) zmq_msg_size (msg), (unsigned long) size, index);
    long bad = check_pattern (zmq_msg_data (msg), size, index);
    if (bad >= 0)
        fail ("%s: blob content differs at byte %ld of message %ld", what, bad, index);
}

static void print_part (const char *label, zmq_msg_t *msg)
{
    size_t size = zmq_msg_size (msg);
    const unsigned char *data = zmq_msg_data (msg);
    int printable = size > 0;
    for (size_t j = 0; j < size; j++)
        if (data [j] < 32 || data [j] > 126)
            printable = 0;
    printf ("%s (%lu bytes) ", label, (unsigned long) size);
    if (printable)
        printf ("\"%.*s\"\n", (int) size, (const char *) data);
    else {
        for (size_t j = 0; j < size && j < 40; j++)
            printf ("%02x", data [j]);
        printf ("%s\n", size > 40 ? "..." : "");
    }
}

static void *open_socket (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    if (!s)
        fail ("zmq_socket type %d", type);
    return s;
}

static void attach (void *s, const char *endpoint, const char *mode)
{
    int rc;
    if (strcmp (mode, "bind") == 0) {
        rc = zmq_bind (s, endpoint);
        if (rc != 0 && zmq_errno () == EADDRINUSE) {
            fprintf (stderr, "peer %s: bind %s: address in use\n", role, endpoint);
            _exit (3);
        }
    }
    else
        rc = zmq_connect (s, endpoint);
    if (rc != 0)
        fail ("%s %s failed", mode, endpoint);
}

static long parse_long (const char *s)
{
    char *end;
    long v = strtol (s, &end, 10);
    if (*s == 0 || *end != 0 || v < 0) {
        fprintf (stderr, "peer %s: bad number '%s'\n", role, s);
        _exit (2);
    }
    return v;
}

static void set_linger (void *s, int linger)
{
    zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger);
}

static void ready (void)
{
    printf ("ready\n");
    fflush (stdout);
}

/* ------------------------------------------------------------------ roles */

/* The acknowledgement channel: a PULL (waiter) or PUSH (notifier) at ACKEP. */
static void *open_ack (void *ctx, int type, const char *ackep, const char *mode)
{
    if (strcmp (ackep, "-") == 0)
        return NULL;
    void *s = open_socket (ctx, type);
    attach (s, ackep, mode);
    return s;
}

static void wait_ack (void *ack)
{
    if (!ack)
        return;
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    recv_part (ack, &msg, "receive ack", 0, 0);
    if (!part_is (&msg, "done"))
        fail ("unexpected acknowledgement");
    zmq_msg_close (&msg);
    zmq_close (ack);
}

static void send_ack (void *ack)
{
    if (!ack)
        return;
    send_str (ack, "done", 0, "send ack", 0, 0);
    zmq_close (ack);     /* default linger: the ack gets delivered */
}

static int run_push (void *ctx, const char *ep, const char *mode, int argc, char **argv)
{
    if (argc < 1)
        return 2;
    void *s = open_socket (ctx, ZMQ_PUSH);
    attach (s, ep, mode);
    void *ack = open_ack (ctx, ZMQ_PULL, argv [0], mode);
    ready ();
    for (int i = 1; i < argc; i++) {
        size_t size = (size_t) parse_long (argv [i]);
        send_blob (s, size, i - 1, 0, "send message", i - 1, (long) size);
    }
    printf ("push: sent %d messages\n", argc - 1);
    wait_ack (ack);
    zmq_close (s);      /* default linger */
    return 0;
}

static int run_pull (void *ctx, const char *ep, const char *mode, int argc, char **argv)
{
    if (argc < 1)
        return 2;
    void *s = open_socket (ctx, ZMQ_PULL);
    attach (s, ep, mode);
    void *ack = open_ack (ctx, ZMQ_PUSH, argv [0], mode);
    ready ();
    argc--;
    argv++;
    for (int i = 0; i < argc; i++) {
        size_t size = (size_t) parse_long (argv [i]);
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (recv_part (s, &msg, "receive message", i, (long) size))
            fail ("pull: message %d has MORE set", i);
        if (zmq_msg_size (&msg) != size)
            fail ("pull: message %d has size %lu, expected %lu", i, (unsigned long) zmq_msg_size (&msg), (unsigned long) size);
        long bad = check_pattern (zmq_msg_data (&msg), size, i);
        if (bad >= 0)
            fail ("pull: message %d (%lu bytes) differs at byte %ld", i, (unsigned long) size, bad);
        printf ("pull: message %d: %lu bytes ok\n", i, (unsigned long) size);
        zmq_msg_close (&msg);
    }
    send_ack (ack);
    zmq_close (s);
    return 0;
}

static int run_req (void *ctx, const char *ep, const char *mode, int argc, char **argv)
{
    if (argc != 1)
        return 2;
    long count = parse_long (argv [0]);
    void *s = open_socket (ctx, ZMQ_REQ);
    attach (s, ep, mode);
    ready ();
    for (long i = 0; i < count; i++) {
        char num [32];
        snprintf (num, sizeof num, "%ld", i);
        send_str (s, "hello", 1, "send request", i, 0);
        send_str (s, num, 1, "send request", i, 1);
        send_blob (s, 300, i, 0, "send request", i, 2);
        zmq_msg_t parts [MAX_PARTS];
        int n = recv_message (s, parts, "receive reply", i, 0);
        if (n != 3 || !part_is (&parts [0], "world") || !part_is_num (&parts [1], i)) {
            for (int k = 0; k < n; k++)
                print_part ("reply part", &parts [k]);
            fail ("req: unexpected reply %ld (%d parts)", i, n);
        }
        check_blob (&parts [2], 300, i, "req reply");
        close_parts (parts, n);
        printf ("req: reply %ld ok\n", i);
    }
    zmq_close (s);
    return 0;
}

static int run_rep (void *ctx, const char *ep, const char *mode, int argc, char **argv)
{
    if (argc != 1)
        return 2;
    long count = parse_long (argv [0]);
    void *s = open_socket (ctx, ZMQ_REP);
    attach (s, ep, mode);
    ready ();
    for (long i = 0; i < count; i++) {
        zmq_msg_t parts [MAX_PARTS];
        int n = recv_message (s, parts, "receive request", i, 0);
        if (n != 3 || !part_is (&parts [0], "hello") || !part_is_num (&parts [1], i)) {
            for (int k = 0; k < n; k++)
                print_part ("request part", &parts [k]);
            fail ("rep: unexpected request %ld (%d parts)", i, n);
        }
        check_blob (&parts [2], 300, i, "rep request");
        close_parts (parts, n);
        char num [32];
        snprintf (num, sizeof num, "%ld", i);
        send_str (s, "world", 1, "send reply", i, 0);
        send_str (s, num, 1, "send reply", i, 1);
        send_blob (s, 300, i, 0, "send reply", i, 2);
        printf ("rep: request %ld ok\n", i);
    }
    zmq_close (s);
    return 0;
}

static int run_dealer (void *ctx, const char *ep, const char *mode, int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const char *id = argv [0];
    long count = parse_long (argv [1]);
    void *s = open_socket (ctx, ZMQ_DEALER);
    if (strcmp (id, "-") != 0 && zmq_setsockopt (s, ZMQ_IDENTITY, id, strlen (id)) != 0)
        fail ("setsockopt IDENTITY %s", id);
    attach (s, ep, mode);
    ready ();
    for (long i = 0; i < count; i++) {
        char num [32];
        snprintf (num, sizeof num, "%ld", i);
        send_str (s, "dealer", 1, "send", i, 0);
        send_str (s, num, 1, "send", i, 1);
        send_blob (s, 256, i, 0, "send", i, 2);
        zmq_msg_t parts [MAX_PARTS];
        int n = recv_message (s, parts, "receive reply", i, 0);
        if (n != 3 || !part_is (&parts [0], "router") || !part_is_num (&parts [1], i)) {
            for (int k = 0; k < n; k++)
                print_part ("reply part", &parts [k]);
            fail ("dealer: unexpected reply %ld (%d parts)", i, n);
        }
        check_blob (&parts [2], 256, i, "dealer reply");
        close_parts (parts, n);
        printf ("dealer: reply %ld ok\n", i);
    }
    zmq_close (s);
    return 0;
}

static int run_router (void *ctx, const char *ep, const char *mode, int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const char *expect = argv [0];
    long count = parse_long (argv [1]);
    void *s = open_socket (ctx, ZMQ_ROUTER);
    attach (s, ep, mode);
    ready ();
    for (long i = 0; i < count; i++) {
        zmq_msg_t parts [MAX_PARTS];
        int n = recv_message (s, parts, "receive", i, 0);
        print_part ("router: identity", &parts [0]);
        int id_ok;
        size_t id_size = zmq_msg_size (&parts [0]);
        const unsigned char *id = zmq_msg_data (&parts [0]);
        if (expect [0] == '=')
            id_ok = part_is (&parts [0], expect + 1);
        else if (strcmp (expect, "anon") == 0)
            id_ok = id_size > 1 && id [0] == 0;
        else
            id_ok = id_size > 0;
        if (!id_ok)
            fail ("router: identity does not match '%s' (message %ld, size %ld)",
                expect, i, (long) id_size);
        if (n != 4 || !part_is (&parts [1], "dealer") || !part_is_num (&parts [2], i)) {
            for (int k = 0; k < n; k++)
                print_part ("part", &parts [k]);
            fail ("router: unexpected message %ld (%d parts)", i, n);
        }
        check_blob (&parts [3], 256, i, "router message");
        char num [32];
        snprintf (num, sizeof num, "%ld", i);
        send_part (s, zmq_msg_data (&parts [0]), id_size, 1, "send reply", i, 0);
        send_str (s, "router", 1, "send reply", i, 1);
        send_str (s, num, 1, "send reply", i, 2);
        send_blob (s, 256, i, 0, "send reply", i, 3);
        close_parts (parts, n);
        printf ("router: message %ld ok\n", i);
    }
    zmq_close (s);
    return 0;
}

static int run_pub (void *ctx, int type, const char *ep, const char *mode, int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *ackep = argv [0];
    char **topics = argv + 1;
    int ntopics = argc - 1;
    void *s = open_socket (ctx, type);
    void *ack = open_socket (ctx, ZMQ_PULL);
    attach (s, ep, mode);
    attach (ack, ackep, mode);
    ready ();
    long long deadline = now_ms () + timeout_ms;
    long seq = 0;
    int acked = 0;
    while (!acked) {
        for (int t = 0; t < ntopics; t++) {
            char head [512];
            snprintf (head, sizeof head, "%s:%ld", topics [t], seq);
            /* PUB send never blocks (drops when nobody listens). */
            send_str (s, head, 1, "publish", seq, t);
            send_blob (s, 64, seq, 0, "publish", seq, t);
        }
        seq++;
        if (now_ms () > deadline)
            fail ("pub: no acknowledgement after %ld rounds", seq);
        zmq_pollitem_t item = { ack, 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll (&item, 1, 2000L);     /* 2 ms */
        if (rc < 0 && zmq_errno () != EINTR)
            fail ("zmq_poll");
        if (rc > 0) {
            zmq_msg_t msg;
            zmq_msg_init (&msg);
            recv_part (ack, &msg, "receive ack", 0, 0);
            if (!part_is (&msg, "done"))
                fail ("pub: unexpected acknowledgement");
            zmq_msg_close (&msg);
            acked = 1;
        }
    }
    printf ("pub: acknowledged after %ld rounds\n", seq);
    set_linger (s, 0);      /* undelivered publications don't matter */
    zmq_close (s);
    zmq_close (ack);
    return 0;
}

static int run_sub (void *ctx, int type, const char *ep, const char *mode, int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const char *ackep = argv [0];
    long count = parse_long (argv [1]);
    char **filters = argv + 2;
    int nfilters = argc - 2;
    if (nfilters > 16)
        return 2;
    long got [16] = { 0 };
    void *s = open_socket (ctx, type);
    for (int f = 0; f < nfilters; f++) {
        int rc;
        if (type == ZMQ_XSUB) {
            char sub [512];
            sub [0] = 1;
            size_t n = strlen (filters [f]);
            if (n > sizeof sub - 1)
                return 2;
            memcpy (sub + 1, filters [f], n);
            zmq_msg_t msg;
            zmq_msg_init_size (&msg, n + 1);
            memcpy (zmq_msg_data (&msg), sub, n + 1);
            rc = zmq_send (s, &msg, 0);
            zmq_msg_close (&msg);
        }
        else
            rc = zmq_setsockopt (s, ZMQ_SUBSCRIBE, filters [f], strlen (filters [f]));
        if (rc != 0)
            fail ("subscribe to '%s' failed", filters [f]);
    }
    attach (s, ep, mode);
    void *ack = open_ack (ctx, ZMQ_PUSH, ackep, mode);
    if (!ack)
        return 2;
    ready ();
    /* Last sequence number seen per received topic (topics are whatever
       precedes ':'; at most 16 distinct ones). */
    char seen_topic [16][256];
    long seen_seq [16];
    int nseen = 0;
    long total = 0;
    while (1) {
        int done = 1;
        for (int f = 0; f < nfilters; f++)
            if (got [f] < count)
                done = 0;
        if (done)
            break;
        zmq_msg_t parts [MAX_PARTS];
        int n = recv_message (s, parts, "receive publication", total, 0);
        total++;
        size_t size = zmq_msg_size (&parts [0]);
        const char *data = zmq_msg_data (&parts [0]);
        int matched = 0;
        for (int f = 0; f < nfilters; f++) {
            size_t fl = strlen (filters [f]);
            if (size >= fl && memcmp (data, filters [f], fl) == 0) {
                got [f]++;
                matched = 1;
            }
        }
        if (!matched) {
            print_part ("sub: unexpected", &parts [0]);
            fail ("sub: received a message matching no filter (message %ld)", total);
        }
        const char *colon = memchr (data, ':', size);
        if (!colon || n != 2) {
            print_part ("sub: malformed", &parts [0]);
            fail ("sub: malformed publication %ld (%d parts)", total, n);
        }
        char topic [256];
        size_t tl = (size_t) (colon - data);
        if (tl >= sizeof topic)
            tl = sizeof topic - 1;
        memcpy (topic, data, tl);
        topic [tl] = 0;
        char num [32];
        size_t nl = size - (size_t) (colon - data) - 1;
        if (nl >= sizeof num)
            nl = sizeof num - 1;
        memcpy (num, colon + 1, nl);
        num [nl] = 0;
        long seq = atol (num);
        check_blob (&parts [1], 64, seq, "publication body");
        int k;
        for (k = 0; k < nseen; k++)
            if (strcmp (seen_topic [k], topic) == 0)
                break;
        if (k == nseen) {
            if (nseen == 16)
                fail ("sub: too many topics");
            snprintf (seen_topic [k], sizeof seen_topic [k], "%s", topic);
            seen_seq [k] = -1;
            nseen++;
            printf ("sub: first '%s' message has seq %ld\n", topic, seq);
        }
        if (seq <= seen_seq [k])
            fail ("sub: topic '%s' out of order: seq %ld after %ld", topic, seq, seen_seq [k]);
        seen_seq [k] = seq;
        close_parts (parts, n);
    }
    for (int f = 0; f < nfilters; f++)
        printf ("sub: filter '%s': %ld messages\n", filters [f], got [f]);
    printf ("sub: %ld messages in total, all matching\n", total);
    send_ack (ack);
    zmq_close (s);
    return 0;
}

static int run_pair (void *ctx, const char *ep, const char *mode, int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int ping = strcmp (argv [0], "ping") == 0;
    long count = parse_long (argv [1]);
    static const size_t sizes [] = { 0, 1, 5, 253, 254, 255, 256, 3000, 0 };
    const int nsizes = (int) (sizeof sizes / sizeof sizes [0]);
    void *s = open_socket (ctx, ZMQ_PAIR);
    attach (s, ep, mode);
    ready ();
    for (long i = 0; i < count; i++) {
        /* message i has 1 + (i % nsizes) parts: a header then blobs */
        int nblobs = (int) (i % nsizes);
        if (ping) {
            char num [32];
            snprintf (num, sizeof num, "%ld", i);
            send_str (s, num, nblobs > 0, "send", i, 0);
            for (int k = 0; k < nblobs; k++)
                send_blob (s, sizes [k], i + k, k + 1 < nblobs, "send", i, k + 1);
        }
        zmq_msg_t parts [MAX_PARTS];
        int n = recv_message (s, parts, ping ? "receive echo" : "receive", i, 0);
        if (n != nblobs + 1 || !part_is_num (&parts [0], i)) {
            for (int k = 0; k < n; k++)
                print_part ("part", &parts [k]);
            fail ("pair: unexpected message %ld (%d parts)", i, n);
        }
        for (int k = 0; k < nblobs; k++)
            check_blob (&parts [k + 1], sizes [k], i + k, "pair part");
        if (!ping)
            for (int k = 0; k < n; k++)
                send_part (s, zmq_msg_data (&parts [k]), zmq_msg_size (&parts [k]),
                    k + 1 < n, "echo", i, k);
        close_parts (parts, n);
        printf ("pair %s: message %ld (%d parts) ok\n", argv [0], i, n);
    }
    zmq_close (s);
    return 0;
}

static int run_stream (void *ctx, const char *ep, const char *mode, int argc, char **argv)
{
    void *s = open_socket (ctx, ZMQ_PUSH);
    if (argc > 0) {
        uint64_t hwm = (uint64_t) parse_long (argv [0]);
        zmq_setsockopt (s, ZMQ_HWM, &hwm, sizeof hwm);
    }
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);
    attach (s, ep, mode);
    ready ();
    long seq = 0;
    long long deadline = now_ms () + 4 * timeout_ms;
    while (!stop_requested) {
        if (now_ms () > deadline)
            fail ("stream: not stopped after %ld messages", seq);
        char text [32];
        snprintf (text, sizeof text, "seq:%ld", seq);
        zmq_msg_t msg;
        zmq_msg_init_size (&msg, strlen (text));
        memcpy (zmq_msg_data (&msg), text, strlen (text));
        int rc = zmq_send (s, &msg, ZMQ_NOBLOCK);
        zmq_msg_close (&msg);
        if (rc == 0)
            seq++;
        else if (zmq_errno () != EAGAIN && zmq_errno () != EINTR)
            fail ("stream: zmq_send failed at %ld", seq);
        usleep (1000);      /* pacing, not synchronisation */
    }
    printf ("stream: stopped after %ld messages\n", seq);
    set_linger (s, 0);
    zmq_close (s);
    return 0;
}

static void usage (void)
{
    fprintf (stderr,
        "usage: peer ROLE ENDPOINT bind|connect [ARGS...]\n"
        "  push|pull EP MODE ACKEP|- SIZE...\n"
        "  req|rep EP MODE COUNT\n"
        "  dealer EP MODE ID|- COUNT\n"
        "  router EP MODE =ID|anon|any COUNT\n"
        "  pub|xpub EP MODE ACKEP TOPIC...\n"
        "  sub|xsub EP MODE ACKEP COUNT FILTER...\n"
        "  pair EP MODE ping|pong COUNT\n"
        "  stream EP MODE [HWM]\n");
}

int main (int argc, char *argv [])
{
    if (argc < 4 || (strcmp (argv [3], "bind") != 0 && strcmp (argv [3], "connect") != 0)) {
        usage ();
        return 2;
    }
    role = argv [1];
    const char *ep = argv [2];
    const char *mode = argv [3];
    const char *t = getenv ("PEER_TIMEOUT_MS");
    if (t && atol (t) > 0)
        timeout_ms = atol (t);
    setvbuf (stdout, NULL, _IOLBF, 0);
    check_lib ();

    void *ctx = zmq_init (1);
    if (!ctx)
        fail ("zmq_init");
    int rc;
    int n = argc - 4;
    char **args = argv + 4;
    if (strcmp (role, "push") == 0)
        rc = run_push (ctx, ep, mode, n, args);
    else if (strcmp (role, "pull") == 0)
        rc = run_pull (ctx, ep, mode, n, args);
    else if (strcmp (role, "req") == 0)
        rc = run_req (ctx, ep, mode, n, args);
    else if (strcmp (role, "rep") == 0)
        rc = run_rep (ctx, ep, mode, n, args);
    else if (strcmp (role, "dealer") == 0)
        rc = run_dealer (ctx, ep, mode, n, args);
    else if (strcmp (role, "router") == 0)
        rc = run_router (ctx, ep, mode, n, args);
    else if (strcmp (role, "pub") == 0)
        rc = run_pub (ctx, ZMQ_PUB, ep, mode, n, args);
    else if (strcmp (role, "xpub") == 0)
        rc = run_pub (ctx, ZMQ_XPUB, ep, mode, n, args);
    else if (strcmp (role, "sub") == 0)
        rc = run_sub (ctx, ZMQ_SUB, ep, mode, n, args);
    else if (strcmp (role, "xsub") == 0)
        rc = run_sub (ctx, ZMQ_XSUB, ep, mode, n, args);
    else if (strcmp (role, "pair") == 0)
        rc = run_pair (ctx, ep, mode, n, args);
    else if (strcmp (role, "stream") == 0)
        rc = run_stream (ctx, ep, mode, n, args);
    else
        rc = 2;
    if (rc == 2) {
        usage ();
        _exit (2);
    }
    long term_ms = 5000;
    const char *tt = getenv ("PEER_TERM_TIMEOUT_MS");
    if (tt && atol (tt) > 0)
        term_ms = atol (tt);
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = on_term_alarm;
    sigemptyset (&action.sa_mask);
    sigaction (SIGALRM, &action, NULL);
    alarm ((unsigned) ((term_ms + 999) / 1000));
    if (zmq_term (ctx) != 0)
        fail ("zmq_term");
    alarm (0);
    printf ("peer %s: ok\n", role);
    return 0;
}
