/*
 * test_pair.c -- ZMQ_PAIR over inproc (SPEC-2x §5.3, §6.1, §9, §11.4).
 *
 * Exchange both ways, multipart and ZMQ_RCVMORE, send without a peer
 * (EAGAIN with NOBLOCK, EAGAIN after SNDTIMEO), the summed inproc HWM
 * (5+5 -> 10, 1+1 -> 2, 5+0 -> unlimited), multipart messages never split by
 * the HWM, messages outliving the sender's zmq_close, zero-length parts and
 * a 1 MB message.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Sends a zero-length part. */
static int send_empty (void *s, int flags)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    int rc = zmq_send (s, &m, flags);
    int e = errno;
    CHECK_OK (zmq_msg_close (&m));
    errno = e;
    return rc;
}

/* A connected pair: 'b' bound, 'c' connected; both with a receive guard. */
static void make_pair (void *ctx, const char *ep, uint64_t hwm_b,
    uint64_t hwm_c, void **b, void **c)
{
    *b = guarded_socket (ctx, ZMQ_PAIR);
    *c = guarded_socket (ctx, ZMQ_PAIR);
    set_hwm (*b, hwm_b);
    set_hwm (*c, hwm_c);
    CHECK_OK (zmq_bind (*b, ep));
    CHECK_OK (zmq_connect (*c, ep));
}

/* Fills the pipe from 'from' with NOBLOCK sends "m0", "m1", ...; returns
   how many fitted (stops at 'limit'). */
static int fill (void *from, int limit)
{
    return send_until_full (from, "m", 0, limit);
}

/* Receives exactly n messages "m0".."m<n-1>" then checks nothing is left. */
static void drain_expect (void *to, int n)
{
    recv_numbered (to, "m", 0, n);
    EXPECT_NOTHING (to);
}

static void test_basic (void *ctx)
{
    void *b, *c;
    make_pair (ctx, "inproc://pair-basic", 0, 0, &b, &c);

    int type = -1;
    size_t sz = sizeof type;
    CHECK_OK (zmq_getsockopt (b, ZMQ_TYPE, &type, &sz));
    CHECK (type == ZMQ_PAIR);

    /* Connecter -> binder (the connecter's pipes exist after connect). */
    CHECK_OK (s_send (c, "hello", 0));
    RECV_PART (b, "hello", 0);

    /* Binder -> connecter. */
    CHECK_OK (s_send (b, "world", 0));
    RECV_PART (c, "world", 0);

    /* Several messages keep their order in both directions. */
    for (int i = 0; i < 10; i++) {
        char buf [16];
        snprintf (buf, sizeof buf, "c%d", i);
        CHECK_OK (s_send (c, buf, 0));
        snprintf (buf, sizeof buf, "b%d", i);
        CHECK_OK (s_send (b, buf, 0));
    }
    for (int i = 0; i < 10; i++) {
        char want [16];
        snprintf (want, sizeof want, "c%d", i);
        CHECK_RECV (b, want, 0);
        snprintf (want, sizeof want, "b%d", i);
        CHECK_RECV (c, want, 0);
    }

    /* Multipart, with RCVMORE after every part. */
    CHECK_OK (s_send (c, "p1", ZMQ_SNDMORE));
    CHECK_OK (s_send (c, "p2", ZMQ_SNDMORE));
    CHECK_OK (s_send (c, "p3", 0));
    CHECK_OK (s_send (c, "single", 0));
    RECV_PART (b, "p1", 1);
    RECV_PART (b, "p2", 1);
    RECV_PART (b, "p3", 0);
    RECV_PART (b, "single", 0);

    CHECK_OK (s_send (b, "q1", ZMQ_SNDMORE));
    CHECK_OK (s_send (b, "q2", 0));
    RECV_PART (c, "q1", 1);
    RECV_PART (c, "q2", 0);

    /* Nothing else is pending; EVENTS: POLLOUT, no POLLIN. */
    char buf [16];
    CHECK_ERR (s_recv (b, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    CHECK_ERR (s_recv (c, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    CHECK (get_events_sized (b) == ZMQ_POLLOUT);
    CHECK (get_events_sized (c) == ZMQ_POLLOUT);
    CHECK_OK (s_send (c, "x", 0));
    CHECK (get_events_sized (b) == (ZMQ_POLLIN | ZMQ_POLLOUT));
    CHECK_RECV (b, "x", 0);

    /* A partial multipart message becomes visible only when complete. */
    CHECK_OK (s_send (c, "half", ZMQ_SNDMORE));
    CHECK (get_events_sized (b) == ZMQ_POLLOUT);
    CHECK_ERR (s_recv (b, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    CHECK_OK (s_send (c, "done", 0));
    RECV_PART (b, "half", 1);
    RECV_PART (b, "done", 0);

    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
}

static void test_zero_length (void *ctx)
{
    void *b, *c;
    make_pair (ctx, "inproc://pair-zero", 0, 0, &b, &c);
    zmq_msg_t m;

    CHECK_OK (send_empty (c, 0));
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (b, &m, 0));
    CHECK (zmq_msg_size (&m) == 0);
    CHECK_OK (zmq_msg_close (&m));
    CHECK (rcvmore (b) == 0);

    /* Empty parts inside a multipart message. */
    CHECK_OK (send_empty (c, ZMQ_SNDMORE));
    CHECK_OK (s_send (c, "mid", ZMQ_SNDMORE));
    CHECK_OK (send_empty (c, 0));
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (b, &m, 0));
    CHECK (zmq_msg_size (&m) == 0);
    CHECK_OK (zmq_msg_close (&m));
    CHECK (rcvmore (b) == 1);
    RECV_PART (b, "mid", 1);
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (b, &m, 0));
    CHECK (zmq_msg_size (&m) == 0);
    CHECK_OK (zmq_msg_close (&m));
    CHECK (rcvmore (b) == 0);

    /* The other way. */
    CHECK_OK (send_empty (b, 0));
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (c, &m, 0));
    CHECK (zmq_msg_size (&m) == 0);
    CHECK_OK (zmq_msg_close (&m));
    CHECK (rcvmore (c) == 0);

    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
}

static void test_large (void *ctx)
{
    void *b, *c;
    make_pair (ctx, "inproc://pair-large", 0, 0, &b, &c);
    const size_t size = 1000000;

    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, size));
    unsigned char *d = (unsigned char *) zmq_msg_data (&m);
    for (size_t i = 0; i < size; i++)
        d [i] = (unsigned char) (i * 7 + 3);
    CHECK_OK (zmq_send (c, &m, 0));
    CHECK_OK (zmq_msg_close (&m));

    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (b, &m, 0));
    CHECK (zmq_msg_size (&m) == size);
    d = (unsigned char *) zmq_msg_data (&m);
    size_t bad = 0;
    for (size_t i = 0; i < size; i++)
        if (d [i] != (unsigned char) (i * 7 + 3))
            bad++;
    CHECK (bad == 0);
    CHECK (rcvmore (b) == 0);

    /* Send it straight back (binder -> connecter). */
    CHECK_OK (zmq_send (b, &m, 0));
    CHECK_OK (zmq_msg_close (&m));
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (c, &m, 0));
    CHECK (zmq_msg_size (&m) == size);
    d = (unsigned char *) zmq_msg_data (&m);
    bad = 0;
    for (size_t i = 0; i < size; i++)
        if (d [i] != (unsigned char) (i * 7 + 3))
            bad++;
    CHECK (bad == 0);
    CHECK_OK (zmq_msg_close (&m));

    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
}

static void test_no_peer (void *ctx)
{
    char buf [16];

    /* A PAIR with no peer at all. */
    void *s = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (s != NULL);
    CHECK (get_events_sized (s) == 0);
    CHECK_ERR (s_send (s, "x", ZMQ_NOBLOCK), EAGAIN);
    CHECK_ERR (s_recv (s, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);

    /* A blocking send times out after SNDTIMEO. */
    set_int (s, ZMQ_SNDTIMEO, 50);
    int64_t t0 = now_ms ();
    CHECK_ERR (s_send (s, "x", 0), EAGAIN);
    int64_t el = now_ms () - t0;
    CHECK (el >= 40);
    CHECK (el < 3000);

    /* Likewise a blocking recv after RCVTIMEO. */
    set_int (s, ZMQ_RCVTIMEO, 50);
    t0 = now_ms ();
    CHECK_ERR (s_recv (s, buf, sizeof buf, 0), EAGAIN);
    el = now_ms () - t0;
    CHECK (el >= 40);
    CHECK (el < 3000);

    /* SNDTIMEO 0 behaves as NOBLOCK. */
    set_int (s, ZMQ_SNDTIMEO, 0);
    CHECK_ERR (s_send (s, "x", 0), EAGAIN);

    /* Bound, but nobody connected: still no pipe. */
    CHECK_OK (zmq_bind (s, "inproc://pair-lonely"));
    CHECK_ERR (s_send (s, "x", ZMQ_NOBLOCK), EAGAIN);
    CHECK (get_events_sized (s) == 0);
    CHECK_OK (zmq_close (s));

    /* Connecting to a name nobody bound: ECONNREFUSED (§11.4). */
    s = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (s != NULL);
    CHECK_ERR (zmq_connect (s, "inproc://pair-nobody"), ECONNREFUSED);
    CHECK_ERR (s_send (s, "x", ZMQ_NOBLOCK), EAGAIN);
    CHECK_OK (zmq_close (s));
}

/* Summed inproc HWM, §5.3. */
static void test_hwm (void *ctx)
{
    void *b, *c;

    /* 5 + 5 -> exactly 10, connecter -> binder. */
    make_pair (ctx, "inproc://pair-hwm-55", 5, 5, &b, &c);
    CHECK (fill (c, 1000) == 10);
    CHECK ((get_events_sized (c) & ZMQ_POLLOUT) == 0);
    /* A blocking send with a timeout also gives up. */
    set_int (c, ZMQ_SNDTIMEO, 50);
    int64_t t0 = now_ms ();
    CHECK_ERR (s_send (c, "extra", 0), EAGAIN);
    int64_t el = now_ms () - t0;
    CHECK (el >= 40);
    CHECK (el < 3000);
    /* And the binder -> connecter direction has the same limit. */
    CHECK (get_events_sized (b) == (ZMQ_POLLIN | ZMQ_POLLOUT));
    CHECK (fill (b, 1000) == 10);
    CHECK ((get_events_sized (b) & ZMQ_POLLOUT) == 0);
    drain_expect (b, 10);
    drain_expect (c, 10);
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));

    /* 1 + 1 -> 2. */
    make_pair (ctx, "inproc://pair-hwm-11", 1, 1, &b, &c);
    CHECK (fill (c, 1000) == 2);
    drain_expect (b, 2);
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));

    /* 5 + 0 and 0 + 5 -> unlimited. */
    make_pair (ctx, "inproc://pair-hwm-50", 5, 0, &b, &c);
    CHECK (fill (c, 10000) == 10000);
    CHECK (get_events_sized (c) & ZMQ_POLLOUT);
    drain_expect (b, 10000);
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));

    make_pair (ctx, "inproc://pair-hwm-05", 0, 5, &b, &c);
    CHECK (fill (c, 10000) == 10000);
    drain_expect (b, 10000);
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));

    /* The HWM in force is the one at connect time. */
    b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (b != NULL);
    c = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (c != NULL);
    set_int (b, ZMQ_RCVTIMEO, 5000);
    set_hwm (b, 2);
    set_hwm (c, 2);
    CHECK_OK (zmq_bind (b, "inproc://pair-hwm-late"));
    CHECK_OK (zmq_connect (c, "inproc://pair-hwm-late"));
    set_hwm (c, 100);
    set_hwm (b, 100);
    CHECK (fill (c, 1000) == 4);
    drain_expect (b, 4);
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));

    /* Multipart messages are never split: HWM counts whole messages and
       the parts of a message whose first part was accepted all go in. */
    make_pair (ctx, "inproc://pair-hwm-multi", 1, 1, &b, &c);
    CHECK_OK (s_send (c, "a", ZMQ_NOBLOCK));
    for (int i = 0; i < 5; i++) {
        char part [16];
        snprintf (part, sizeof part, "part%d", i);
        CHECK_OK (s_send (c, part, ZMQ_NOBLOCK | (i < 4 ? ZMQ_SNDMORE : 0)));
    }
    /* Full now: neither a single part nor the first part of a multipart
       message is accepted. */
    CHECK_ERR (s_send (c, "c", ZMQ_NOBLOCK), EAGAIN);
    CHECK_ERR (s_send (c, "c", ZMQ_NOBLOCK | ZMQ_SNDMORE), EAGAIN);
    RECV_PART (b, "a", 0);
    for (int i = 0; i < 5; i++) {
        char part [16];
        snprintf (part, sizeof part, "part%d", i);
        RECV_PART (b, part, i < 4 ? 1 : 0);
    }
    char buf [16];
    CHECK_ERR (s_recv (b, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));

    /* A full pipe re-opens once the reader drained lwm = (hwm+1)/2 messages
       (hwm 4+4 = 8 -> lwm 4); ZMQ_EVENTS processes the reader's report. */
    make_pair (ctx, "inproc://pair-hwm-lwm", 4, 4, &b, &c);
    CHECK (fill (c, 1000) == 8);
    for (int i = 0; i < 3; i++) {
        char want [16];
        snprintf (want, sizeof want, "m%d", i);
        CHECK_RECV (b, want, 0);
    }
    CHECK ((get_events_sized (c) & ZMQ_POLLOUT) == 0);
    CHECK_ERR (s_send (c, "no", ZMQ_NOBLOCK), EAGAIN);
    CHECK_RECV (b, "m3", 0);
    CHECK (get_events_sized (c) & ZMQ_POLLOUT);
    CHECK_OK (s_send (c, "m8", ZMQ_NOBLOCK));
    CHECK_OK (s_send (c, "m9", ZMQ_NOBLOCK));
    CHECK_OK (s_send (c, "m10", ZMQ_NOBLOCK));
    CHECK_OK (s_send (c, "m11", ZMQ_NOBLOCK));
    CHECK_ERR (s_send (c, "no", ZMQ_NOBLOCK), EAGAIN);
    for (int i = 4; i < 12; i++) {
        char want [16];
        snprintf (want, sizeof want, "m%d", i);
        CHECK_RECV (b, want, 0);
    }
    CHECK_ERR (s_recv (b, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
}

/* inproc has no sessions: what is in the pipe stays readable after the
   sender closed (§9). */
static void test_close_keeps_queued (void *ctx)
{
    void *b, *c;
    char buf [16];
    make_pair (ctx, "inproc://pair-close-1", 0, 0, &b, &c);
    CHECK_OK (s_send (c, "one", 0));
    CHECK_OK (s_send (c, "two", ZMQ_SNDMORE));
    CHECK_OK (s_send (c, "three", 0));
    CHECK_OK (zmq_close (c));
    RECV_PART (b, "one", 0);
    RECV_PART (b, "two", 1);
    RECV_PART (b, "three", 0);
    CHECK_ERR (s_recv (b, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    /* The peer is gone: once the (asynchronous) pipe termination reached
       the binder, nothing can be sent any more. */
    int64_t t0 = now_ms ();
    while ((get_events_sized (b) & ZMQ_POLLOUT) && now_ms () - t0 < 10000)
        usleep (1000);
    CHECK (get_events_sized (b) == 0);
    CHECK_ERR (s_send (b, "x", ZMQ_NOBLOCK), EAGAIN);
    CHECK_OK (zmq_close (b));

    /* Binder -> connecter, binder closes (even with LINGER 0). */
    make_pair (ctx, "inproc://pair-close-2", 0, 0, &b, &c);
    set_int (b, ZMQ_LINGER, 0);
    CHECK (get_events_sized (b) == ZMQ_POLLOUT);
    CHECK_OK (s_send (b, "four", 0));
    CHECK_OK (s_send (b, "five", 0));
    CHECK_OK (zmq_close (b));
    CHECK_RECV (c, "four", 0);
    CHECK_RECV (c, "five", 0);
    CHECK_ERR (s_recv (c, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    CHECK_OK (zmq_close (c));

    /* Once the binder closed, its name is released (in 2.2 asynchronously,
       by the reaper), so it can be bound again. */
    b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (b != NULL);
    set_int (b, ZMQ_RCVTIMEO, 5000);
    int64_t t1 = now_ms ();
    int rc;
    while ((rc = zmq_bind (b, "inproc://pair-close-2")) != 0) {
        CHECK (errno == EADDRINUSE);
        CHECK (now_ms () - t1 < 10000);
        usleep (1000);
    }
    c = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (c != NULL);
    CHECK_OK (zmq_connect (c, "inproc://pair-close-2"));
    CHECK_OK (s_send (c, "again", 0));
    CHECK_RECV (b, "again", 0);
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_close (b));
}

/* Blocking send in one thread is released by the reader in another. */
typedef struct
{
    void *ctx;
    int count;
} reader_args_t;

static void *reader_thread (void *arg)
{
    reader_args_t *a = (reader_args_t *) arg;
    void *s = zmq_socket (a->ctx, ZMQ_PAIR);
    CHECK (s != NULL);
    set_hwm (s, 1);
    set_int (s, ZMQ_RCVTIMEO, 10000);
    CHECK_OK (zmq_connect (s, "inproc://pair-thread"));
    for (int i = 0; i < a->count; i++) {
        char want [32];
        snprintf (want, sizeof want, "t%d", i);
        CHECK_RECV (s, want, 0);
    }
    CHECK_OK (s_send (s, "bye", 0));
    CHECK_OK (zmq_close (s));
    return NULL;
}

static void test_blocking_thread (void *ctx)
{
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (b != NULL);
    set_hwm (b, 1);
    set_int (b, ZMQ_RCVTIMEO, 10000);
    set_int (b, ZMQ_SNDTIMEO, 10000);
    CHECK_OK (zmq_bind (b, "inproc://pair-thread"));
    reader_args_t args = { ctx, 2000 };
    pthread_t t;
    CHECK (pthread_create (&t, NULL, reader_thread, &args) == 0);
    /* Blocking sends: the first waits for the peer to attach, later ones
       wait for room (HWM 1+1). */
    send_numbered (b, "t", 0, args.count, 0);
    CHECK_RECV (b, "bye", 0);
    CHECK (pthread_join (t, NULL) == 0);
    CHECK_OK (zmq_close (b));
}

/* §6.1 / §5.7: where 2.2 aborts, we refuse instead. */
static void test_deviations (void *ctx)
{
    if (!testing_reference ()) {
        /* SPEC-2x §6.1: a second inproc PAIR peer aborts 2.2 (pair.cpp:49).
           Ours: the intruder is refused (connect fails with ECONNREFUSED,
           or succeeds but never gets attached); the first pair survives. */
        void *b, *c;
        make_pair (ctx, "inproc://pair-second", 0, 0, &b, &c);
        CHECK_OK (s_send (c, "first", 0));
        CHECK_RECV (b, "first", 0);
        void *x = zmq_socket (ctx, ZMQ_PAIR);
        CHECK (x != NULL);
        set_int (x, ZMQ_LINGER, 0);
        int rc = zmq_connect (x, "inproc://pair-second");
        CHECK (rc == 0 || errno == ECONNREFUSED);
        /* The binder processes the attach attempt here. */
        (void) get_events_sized (b);
        CHECK_OK (s_send (c, "still", 0));
        CHECK_RECV (b, "still", 0);
        CHECK_OK (s_send (b, "back", 0));
        CHECK_RECV (c, "back", 0);
        CHECK_OK (zmq_close (x));
        CHECK_OK (s_send (c, "after", 0));
        CHECK_RECV (b, "after", 0);
        CHECK_OK (zmq_close (c));
        CHECK_OK (zmq_close (b));

        /* SPEC-2x §5.7 / §15: PAIR connecting to a bound PULL aborts 2.2
           (pull.cpp:42). Ours: the connect fails with ENOCOMPATPROTO. */
        void *pull = zmq_socket (ctx, ZMQ_PULL);
        CHECK (pull != NULL);
        CHECK_OK (zmq_bind (pull, "inproc://pair-to-pull"));
        x = zmq_socket (ctx, ZMQ_PAIR);
        CHECK (x != NULL);
        CHECK_ERR (zmq_connect (x, "inproc://pair-to-pull"), ENOCOMPATPROTO);
        char buf [16];
        CHECK_ERR (s_recv (pull, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
        CHECK_OK (zmq_close (x));
        CHECK_OK (zmq_close (pull));
    }
}

/* A bound PAIR takes a new peer once the previous one has gone: three
   peers in turn over inproc.  2.2 aborts here (pair.cpp:49) when the new
   peer's pipes arrive before the old ones finished terminating. */
static void test_successive_peers (void *ctx)
{
    void *a = guarded_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://pair-successive"));
    for (int i = 0; i < 3; i++) {
        void *b = guarded_socket (ctx, ZMQ_PAIR);
        CHECK_OK (zmq_connect (b, "inproc://pair-successive"));
        CHECK_OK (s_send (b, "ping", 0));
        CHECK_RECV (a, "ping", 0);
        CHECK_OK (s_send (a, "pong", 0));
        CHECK_RECV (b, "pong", 0);
        CHECK_OK (zmq_close (b));
        /* Wait (bounded) until a has noticed: no peer to send to. */
        uint32_t ev = ZMQ_POLLOUT;
        for (int k = 0; k < 500 && (ev & ZMQ_POLLOUT); k++) {
            ev = get_events (a);
            if (ev & ZMQ_POLLOUT)
                usleep (10000);
        }
        CHECK (!(ev & ZMQ_POLLOUT));
    }
    CHECK_OK (zmq_close (a));
}

int main (void)
{
    test_deadline (60);
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);

    test_basic (ctx);
    test_zero_length (ctx);
    test_large (ctx);
    test_no_peer (ctx);
    test_hwm (ctx);
    test_close_keeps_queued (ctx);
    test_blocking_thread (ctx);
    test_deviations (ctx);
    if (!testing_reference ())
        test_successive_peers (ctx);

    CHECK_OK (zmq_term (ctx));
    printf ("PASS test_pair\n");
    return 0;
}
