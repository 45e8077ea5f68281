/*
 * test_linger_term.c -- zmq_close / zmq_term / ZMQ_LINGER over inproc
 * (SPEC-2x.md 2.13, 2.15, 9, 11.4, 17).
 *
 * inproc has no sessions: messages already in the pipe stay readable by
 * the peer after the sender closed, whatever its linger; zmq_close returns
 * at once; zmq_term returns once every socket is closed (unread inbound
 * messages do not hold it up), makes blocked and later calls fail with
 * ETERM, and waits for sockets still open in other threads.
 * (zmq_term's EINTR restart is not tested: no reliable way to interrupt it.)
 */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

static void set_linger (void *s, int v)
{
    set_int (s, ZMQ_LINGER, v);
    CHECK (get_int (s, ZMQ_LINGER) == v);
}

/* A 100-byte body (larger than a VSM, so it is shared heap content). */
static const char *big_body (void)
{
    static char big [101];
    if (!big [0]) {
        for (int i = 0; i < 100; i++)
            big [i] = (char) ('a' + i % 26);
        big [100] = 0;
    }
    return big;
}

/* Timed zmq_close: it must return at once (wide margin: 1 s). */
static void close_fast (void *s)
{
    uint64_t t0 = now_us ();
    CHECK_OK (zmq_close (s));
    CHECK (now_us () - t0 < 1000000);
}

/* Sends the standard batch: "m1", ["mp-a", "", "mp-c"], big, "m4". */
static void send_batch (void *s)
{
    CHECK_OK (s_send (s, "m1", 0));
    CHECK_OK (s_send (s, "mp-a", ZMQ_SNDMORE));
    CHECK_OK (s_send (s, "", ZMQ_SNDMORE));
    CHECK_OK (s_send (s, "mp-c", 0));
    CHECK_OK (s_send (s, big_body (), 0));
    CHECK_OK (s_send (s, "m4", 0));
}

static void recv_batch (void *s)
{
    RECV_PART (s, "m1", 0);
    RECV_PART (s, "mp-a", 1);
    RECV_PART (s, "", 1);
    RECV_PART (s, "mp-c", 0);
    CHECK_RECV (s, big_body (), 0);
    RECV_PART (s, "m4", 0);
}

static void test_linger_option (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (s != NULL);
    /* Default -1 (linger forever). */
    CHECK (get_int (s, ZMQ_LINGER) == -1);
    set_linger (s, 0);
    set_linger (s, 250);
    set_linger (s, -1);
    close_fast (s);
}

/* PULL bound, PUSH connected: the sender closes with the given linger
   before the receiver has read anything; everything still arrives. */
static void test_sender_closed_connect_side (void *ctx, int linger)
{
    /* A fresh name per call: in 2.2.0 a closed socket's inproc name is
       released asynchronously (see test_sender_closed_bind_side). */
    char ep [64];
    snprintf (ep, sizeof ep, "inproc://lt-conn-%d", linger);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (pull && push);
    CHECK_OK (zmq_bind (pull, ep));
    CHECK_OK (zmq_connect (push, ep));
    if (linger != -2)
        set_linger (push, linger);
    set_int (pull, ZMQ_RCVTIMEO, 10000);

    send_batch (push);
    close_fast (push);
    recv_batch (pull);
    /* Nothing more, and no peer left. */
    char tmp [8];
    CHECK_ERR (s_recv (pull, tmp, sizeof tmp, ZMQ_NOBLOCK), EAGAIN);

    /* The bound endpoint still accepts a new peer. */
    push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (push != NULL);
    CHECK_OK (zmq_connect (push, ep));
    CHECK_OK (s_send (push, "again", 0));
    CHECK_RECV (pull, "again", 0);
    close_fast (push);
    close_fast (pull);
}

/* PUSH bound, PULL connected: the bound sender closes; its name goes away
   but the messages stay readable. */
static void test_sender_closed_bind_side (void *ctx, int linger)
{
    char ep [64];
    snprintf (ep, sizeof ep, "inproc://lt-bind-%d", linger);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull && push);
    CHECK_OK (zmq_bind (push, ep));
    CHECK_OK (zmq_connect (pull, ep));
    if (linger != -2)
        set_linger (push, linger);
    set_int (pull, ZMQ_RCVTIMEO, 10000);

    /* Wait (blocking poll with a guard) until the bound PUSH has attached
       the PULL, so no send blocks. */
    zmq_pollitem_t item = {push, 0, ZMQ_POLLOUT, 0};
    CHECK (zmq_poll (&item, 1, 10000000) == 1);
    CHECK (item.revents == ZMQ_POLLOUT);

    send_batch (push);
    close_fast (push);

    /* The name is released by zmq_close: a later connect is refused and
       the name can be bound again at once.  Not on the reference: 2.2.0
       unregisters the endpoints only in process_term on the reaper thread
       (socket_base.cpp), so right after zmq_close a connect may still
       succeed (to the dying socket) and a re-bind may fail with
       EADDRINUSE -- a race (SPEC 2.15/11.4 describe the intended
       behaviour). */
    if (!testing_reference ()) {
        void *late = zmq_socket (ctx, ZMQ_PULL);
        CHECK (late != NULL);
        CHECK_ERR (zmq_connect (late, ep), ECONNREFUSED);
        CHECK_OK (zmq_bind (late, ep));
        close_fast (late);
    }

    recv_batch (pull);
    char tmp [8];
    CHECK_ERR (s_recv (pull, tmp, sizeof tmp, ZMQ_NOBLOCK), EAGAIN);
    close_fast (pull);
}

/* PUB bound, SUB connected: the publisher closes right after sending. */
static void test_publisher_closed (void *ctx)
{
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    CHECK (pub && sub);
    CHECK_OK (zmq_bind (pub, "inproc://lt-pub"));
    CHECK_OK (zmq_connect (sub, "inproc://lt-pub"));
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0));
    set_int (sub, ZMQ_RCVTIMEO, 10000);

    /* Make the PUB attach the subscriber before it sends (EVENTS processes
       its pending commands). */
    CHECK (get_events (pub) == ZMQ_POLLOUT);

    send_batch (pub);
    close_fast (pub);
    recv_batch (sub);
    close_fast (sub);
}

/* Sockets closed with unread inbound messages (and, on the other side,
   with messages the peer never read): zmq_term returns promptly, for every
   linger value (-2 = leave the default). */
static void test_term_with_unread (int linger, int close_receiver_first)
{
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (pull && push);
    CHECK_OK (zmq_bind (pull, "inproc://lt-unread"));
    CHECK_OK (zmq_connect (push, "inproc://lt-unread"));
    if (linger != -2) {
        set_linger (push, linger);
        set_linger (pull, linger);
    }
    for (int i = 0; i < 20; i++)
        send_batch (push);
    /* Make sure the receiver has attached the pipe and sees the data. */
    CHECK (get_events (pull) == ZMQ_POLLIN);
    CHECK_RECV (pull, "m1", 0);

    if (close_receiver_first) {
        close_fast (pull);
        close_fast (push);
    }
    else {
        close_fast (push);
        close_fast (pull);
    }
    uint64_t t0 = now_us ();
    CHECK_OK (zmq_term (ctx));
    CHECK (now_us () - t0 < 5000000);
}

/* zmq_term with nothing but closed sockets, and with no sockets at all. */
static void test_term_trivial (void)
{
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    CHECK_OK (zmq_term (ctx));

    ctx = zmq_init (0);
    CHECK (ctx != NULL);
    void *s = zmq_socket (ctx, ZMQ_REQ);
    CHECK (s != NULL);
    close_fast (s);
    CHECK_OK (zmq_term (ctx));
}

struct blocked
{
    void *ctx;
    void *sock;
    int closed;      /* set right before zmq_close */
    int ok;          /* every check in the thread passed */
};

/* Blocks in zmq_recv until zmq_term; then checks the ETERM family, waits a
   little (so zmq_term visibly waits) and closes its socket. */
static void *blocked_fn (void *arg)
{
    struct blocked *b = (struct blocked *) arg;
    void *s = b->sock;
    char buf [16];

    CHECK_ERR (s_recv (s, buf, sizeof buf, 0), ETERM);

    /* Every later call except zmq_close fails with ETERM. */
    CHECK_ERR (s_recv (s, buf, sizeof buf, ZMQ_NOBLOCK), ETERM);
    CHECK_ERR (s_send (s, "x", 0), ETERM);
    int v = 0;
    size_t sz = sizeof v;
    CHECK_ERR (zmq_getsockopt (s, ZMQ_LINGER, &v, &sz), ETERM);
    int fd;
    sz = sizeof fd;
    CHECK_ERR (zmq_getsockopt (s, ZMQ_FD, &fd, &sz), ETERM);
    uint32_t ev;
    sz = sizeof ev;
    CHECK_ERR (zmq_getsockopt (s, ZMQ_EVENTS, &ev, &sz), ETERM);
    CHECK_ERR (zmq_setsockopt (s, ZMQ_LINGER, &v, sizeof v), ETERM);
    CHECK_ERR (zmq_bind (s, "inproc://lt-after-term"), ETERM);
    CHECK_ERR (zmq_connect (s, "inproc://lt-blocked"), ETERM);
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    CHECK_ERR (zmq_poll (&item, 1, 0), ETERM);
    CHECK_ERR (zmq_poll (&item, 1, -1), ETERM);
    /* The context is terminating: no new sockets. */
    CHECK_NULL_ERR (zmq_socket (b->ctx, ZMQ_PUSH), ETERM);

    usleep (100000);
    __atomic_store_n (&b->closed, 1, __ATOMIC_SEQ_CST);
    CHECK_OK (zmq_close (s));
    b->ok = 1;
    return NULL;
}

static void test_term_waits_for_close (void)
{
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    CHECK_OK (zmq_bind (pull, "inproc://lt-blocked"));

    /* A peer that connected and closed again before term. */
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (push != NULL);
    CHECK_OK (zmq_connect (push, "inproc://lt-blocked"));
    close_fast (push);

    /* The PULL migrates to the helper thread (pthread_create is a full
       barrier) and is used only there from now on. */
    struct blocked b = {ctx, pull, 0, 0};
    pthread_t thr;
    CHECK (pthread_create (&thr, NULL, blocked_fn, &b) == 0);
    usleep (50000);

    /* zmq_term wakes the blocked recv with ETERM and cannot return before
       the helper has closed its socket. */
    CHECK_OK (zmq_term (ctx));
    CHECK (__atomic_load_n (&b.closed, __ATOMIC_SEQ_CST) == 1);
    CHECK (pthread_join (thr, NULL) == 0);
    CHECK (b.ok == 1);
}

/* Closing after zmq_term (in the same thread) works: term in a helper
   thread, the owner closes after seeing ETERM. */
static void test_close_after_term (void)
{
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    void *a = zmq_socket (ctx, ZMQ_PUSH);
    void *b = zmq_socket (ctx, ZMQ_PULL);
    CHECK (a && b);
    CHECK_OK (zmq_bind (b, "inproc://lt-cat"));
    CHECK_OK (zmq_connect (a, "inproc://lt-cat"));
    /* Outbound messages nobody will read, default linger. */
    for (int i = 0; i < 10; i++)
        CHECK_OK (s_send (a, "pending", 0));

    struct termer t = {ctx, 0, -2};
    pthread_t thr;
    CHECK (pthread_create (&thr, NULL, term_fn, &t) == 0);
    /* A PUSH never has POLLIN: this poll blocks until zmq_term. */
    zmq_pollitem_t item = {a, 0, ZMQ_POLLIN, 0};
    CHECK_ERR (zmq_poll (&item, 1, -1), ETERM);
    CHECK_ERR (s_send (a, "late", 0), ETERM);
    close_fast (a);
    close_fast (b);
    CHECK (pthread_join (thr, NULL) == 0);
    CHECK (t.rc == 0);
}

static void test_double_close (void *ctx)
{
    /* A second zmq_close of the same handle -> -1/ENOTSOCK.  Not on the
       reference: 2.2.0 invalidates the tag only in the socket's destructor
       on the reaper thread (SPEC 17, "socket tag invalidation"), so a
       second close soon after the first passes the tag check (double reap,
       use-after-free). */
    if (!testing_reference ()) {
        void *s = zmq_socket (ctx, ZMQ_PULL);
        CHECK (s != NULL);
        CHECK_OK (zmq_close (s));
        CHECK_ERR (zmq_close (s), ENOTSOCK);
    }
    (void) ctx;
}

int main (void)
{
    test_deadline (60);

    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    test_linger_option (ctx);
    test_sender_closed_connect_side (ctx, -2);
    test_sender_closed_connect_side (ctx, 0);
    test_sender_closed_connect_side (ctx, 100);
    test_sender_closed_bind_side (ctx, -2);
    test_sender_closed_bind_side (ctx, 0);
    test_publisher_closed (ctx);
    test_double_close (ctx);
    uint64_t t0 = now_us ();
    CHECK_OK (zmq_term (ctx));
    CHECK (now_us () - t0 < 5000000);

    test_term_with_unread (-2, 0);
    test_term_with_unread (-2, 1);
    test_term_with_unread (0, 0);
    test_term_with_unread (0, 1);
    test_term_with_unread (100, 1);
    test_term_trivial ();
    test_term_waits_for_close ();
    test_close_after_term ();

    printf ("PASS test_linger_term\n");
    return 0;
}
