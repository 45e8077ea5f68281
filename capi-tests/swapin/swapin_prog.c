/*
 * swapin_prog.c -- a small libzmq 2.2 client used by scripts/swapin-test.sh.
 *
 * Built against the REAL 2.2.0 headers and library, then run unchanged
 * with another libzmq.so.1 swapped in (LD_LIBRARY_PATH or LD_PRELOAD).
 * Everything printed on stdout must be identical whichever library is
 * loaded, except the one line starting with "LIB ", which names the object
 * that provides zmq_init and how many libzmq objects are mapped (the script
 * checks that line separately and leaves it out of the comparison).
 *
 * Uses inproc only: REQ/REP, PUB/SUB, PUSH/PULL, multipart, zero-copy
 * messages with a free function, zmq_poll, error codes.
 */
#define _GNU_SOURCE
#include <zmq.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REQUIRE(cond)                                                        \
    do {                                                                     \
        if (!(cond)) {                                                       \
            printf ("FAIL line %d: %s (errno %d)\n", __LINE__, #cond, errno); \
            fflush (stdout);                                                 \
            exit (2);                                                        \
        }                                                                    \
    } while (0)

/* ---- which library is this? -------------------------------------------- */

static int n_libzmq;

static int count_libzmq (struct dl_phdr_info *info, size_t size, void *data)
{
    (void) size;
    (void) data;
    if (info->dlpi_name && strstr (info->dlpi_name, "libzmq"))
        n_libzmq++;
    return 0;
}

static void print_lib (void)
{
    void *sym = dlsym (RTLD_DEFAULT, "zmq_init");
    Dl_info info;
    char path [PATH_MAX];
    const char *where = "?";
    if (sym && dladdr (sym, &info) && info.dli_fname) {
        where = info.dli_fname;
        if (realpath (info.dli_fname, path))
            where = path;
    }
    dl_iterate_phdr (count_libzmq, NULL);
    printf ("LIB %s %d\n", where, n_libzmq);
}

/* ---- helpers ------------------------------------------------------------ */

static void send_str (void *s, const char *str, int flags)
{
    zmq_msg_t m;
    size_t len = strlen (str);
    REQUIRE (zmq_msg_init_size (&m, len) == 0);
    memcpy (zmq_msg_data (&m), str, len);
    REQUIRE (zmq_send (s, &m, flags) == 0);
    REQUIRE (zmq_msg_close (&m) == 0);
}

/* Receives a whole message and prints it as  tag: [part|part] (n parts). */
static void recv_print (void *s, const char *tag)
{
    char line [1024];
    size_t used = 0;
    int parts = 0;
    int64_t more;
    do {
        zmq_msg_t m;
        REQUIRE (zmq_msg_init (&m) == 0);
        REQUIRE (zmq_recv (s, &m, 0) == 0);
        size_t n = zmq_msg_size (&m);
        REQUIRE (used + n + 2 < sizeof line);
        if (parts++)
            line [used++] = '|';
        memcpy (line + used, zmq_msg_data (&m), n);
        used += n;
        REQUIRE (zmq_msg_close (&m) == 0);
        size_t sz = sizeof more;
        REQUIRE (zmq_getsockopt (s, ZMQ_RCVMORE, &more, &sz) == 0);
    } while (more);
    line [used] = 0;
    printf ("%s: [%s] (%d parts)\n", tag, line, parts);
}

static void set_int (void *s, int opt, int v)
{
    REQUIRE (zmq_setsockopt (s, opt, &v, sizeof v) == 0);
}

static int ffn_calls;
static void counting_free (void *data, void *hint)
{
    (void) hint;
    ffn_calls++;
    free (data);
}

/* ---- scenarios ---------------------------------------------------------- */

static void reqrep (void *ctx)
{
    void *rep = zmq_socket (ctx, ZMQ_REP);
    void *req = zmq_socket (ctx, ZMQ_REQ);
    REQUIRE (rep && req);
    REQUIRE (zmq_bind (rep, "inproc://swap-reqrep") == 0);
    REQUIRE (zmq_connect (req, "inproc://swap-reqrep") == 0);
    set_int (rep, ZMQ_RCVTIMEO, 10000);
    set_int (req, ZMQ_RCVTIMEO, 10000);

    zmq_msg_t m;
    REQUIRE (zmq_msg_init (&m) == 0);
    errno = 0;
    int rc = zmq_recv (req, &m, 0);
    printf ("req recv before send: rc=%d errno=%d (%s)\n", rc, errno,
        zmq_strerror (errno));
    zmq_msg_close (&m);

    for (int i = 0; i < 3; i++) {
        char body [32];
        snprintf (body, sizeof body, "request-%d", i);
        send_str (req, "hdr", ZMQ_SNDMORE);
        send_str (req, body, 0);
        recv_print (rep, "rep got");
        send_str (rep, "ok", ZMQ_SNDMORE);
        send_str (rep, body, 0);
        recv_print (req, "req got");
    }
    REQUIRE (zmq_close (req) == 0);
    REQUIRE (zmq_close (rep) == 0);
}

static void pushpull (void *ctx)
{
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    REQUIRE (pull && push);
    REQUIRE (zmq_bind (pull, "inproc://swap-pipeline") == 0);
    REQUIRE (zmq_connect (push, "inproc://swap-pipeline") == 0);
    set_int (pull, ZMQ_RCVTIMEO, 10000);

    send_str (push, "one", 0);
    send_str (push, "a", ZMQ_SNDMORE);
    send_str (push, "", ZMQ_SNDMORE);
    send_str (push, "c", 0);

    /* Zero-copy 1000-byte message with a free function. */
    char *data = malloc (1000);
    REQUIRE (data != NULL);
    memset (data, 'z', 1000);
    zmq_msg_t m;
    REQUIRE (zmq_msg_init_data (&m, data, 1000, counting_free, NULL) == 0);
    REQUIRE (zmq_send (push, &m, 0) == 0);
    REQUIRE (zmq_msg_close (&m) == 0);

    recv_print (pull, "pull got");
    recv_print (pull, "pull got");

    zmq_pollitem_t items [] = {{pull, 0, ZMQ_POLLIN, 0}, {push, 0, ZMQ_POLLOUT, 0}};
    int rc = zmq_poll (items, 2, 0);
    printf ("poll: rc=%d revents=%d,%d\n", rc, items [0].revents, items [1].revents);

    REQUIRE (zmq_msg_init (&m) == 0);
    REQUIRE (zmq_recv (pull, &m, 0) == 0);
    size_t n = zmq_msg_size (&m);
    int all_z = 1;
    for (size_t i = 0; i < n; i++)
        all_z &= ((char *) zmq_msg_data (&m)) [i] == 'z';
    printf ("big: size=%zu all_z=%d\n", n, all_z);
    REQUIRE (zmq_msg_close (&m) == 0);
    printf ("free function calls: %d\n", ffn_calls);

    rc = zmq_poll (items, 2, 10000);
    printf ("poll: rc=%d revents=%d,%d\n", rc, items [0].revents, items [1].revents);

    REQUIRE (zmq_msg_init (&m) == 0);
    errno = 0;
    rc = zmq_recv (pull, &m, ZMQ_NOBLOCK);
    printf ("pull empty: rc=%d errno=%d\n", rc, errno);
    errno = 0;
    rc = zmq_recv (push, &m, ZMQ_NOBLOCK);
    printf ("push recv: rc=%d errno=%d\n", rc, errno);
    zmq_msg_close (&m);

    REQUIRE (zmq_close (push) == 0);
    REQUIRE (zmq_close (pull) == 0);
}

static void pubsub (void *ctx)
{
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    REQUIRE (pub && sub);
    REQUIRE (zmq_bind (pub, "inproc://swap-pubsub") == 0);
    REQUIRE (zmq_connect (sub, "inproc://swap-pubsub") == 0);
    REQUIRE (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "A", 1) == 0);
    set_int (sub, ZMQ_RCVTIMEO, 10000);

    /* Let the PUB attach the subscriber before sending (EVENTS processes
       its commands). */
    uint32_t ev = 0;
    size_t sz = sizeof ev;
    REQUIRE (zmq_getsockopt (pub, ZMQ_EVENTS, &ev, &sz) == 0);
    printf ("pub events: %u (size %zu)\n", ev, sz);

    send_str (pub, "B-ignored", 0);
    send_str (pub, "A1", 0);
    send_str (pub, "B", ZMQ_SNDMORE);
    send_str (pub, "also-ignored", 0);
    send_str (pub, "A2", ZMQ_SNDMORE);
    send_str (pub, "B-part", 0);
    recv_print (sub, "sub got");
    recv_print (sub, "sub got");

    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    int rc = zmq_poll (&item, 1, 20000);
    printf ("sub poll: rc=%d revents=%d\n", rc, item.revents);

    zmq_msg_t m;
    REQUIRE (zmq_msg_init (&m) == 0);
    errno = 0;
    rc = zmq_send (sub, &m, 0);
    printf ("sub send: rc=%d errno=%d\n", rc, errno);
    zmq_msg_close (&m);

    REQUIRE (zmq_close (sub) == 0);
    REQUIRE (zmq_close (pub) == 0);
}

int main (void)
{
    alarm (30);
    print_lib ();

    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    /* The patch level is not compared: 2.2.0 says 0, a 2.2.1-level
       implementation says 1. */
    printf ("version %d.%d\n", major, minor);
    printf ("sizeof zmq_msg_t %zu, zmq_pollitem_t %zu\n", sizeof (zmq_msg_t),
        sizeof (zmq_pollitem_t));
    printf ("strerror EFSM: %s\n", zmq_strerror (EFSM));
    printf ("strerror ENOCOMPATPROTO: %s\n", zmq_strerror (ENOCOMPATPROTO));
    printf ("strerror ETERM: %s\n", zmq_strerror (ETERM));
    printf ("strerror EMTHREAD: %s\n", zmq_strerror (EMTHREAD));

    void *ctx = zmq_init (1);
    REQUIRE (ctx != NULL);
    reqrep (ctx);
    pushpull (ctx);
    pubsub (ctx);
    REQUIRE (zmq_term (ctx) == 0);
    printf ("term ok\n");
    return 0;
}
