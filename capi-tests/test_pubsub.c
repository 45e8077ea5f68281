/*
 * test_pubsub.c -- PUB/SUB and XPUB/XSUB over inproc (SPEC-2x §5.3, §6.2,
 * §6.3, §11.4).
 *
 * Prefix matching on the first part, the empty subscription, the initial
 * "nothing subscribed" state, refcounted subscriptions, filtering at receive
 * time, multipart filtering, fan-out, PUB never blocking (no peer, HWM),
 * XSUB (un)subscription messages, the errors of the wrong direction, and
 * binary subscriptions containing NUL bytes.
 *
 * Note: filtering happens when the SUB reads, so a test that wants a message
 * to be dropped makes the SUB read (a NOBLOCK recv, or a later message it
 * does receive) before changing its subscriptions.
 */
#include "testutil.h"

#include <stdint.h>

static void unsubscribe (void *s, const char *prefix)
{
    CHECK_OK (zmq_setsockopt (s, ZMQ_UNSUBSCRIBE, prefix, strlen (prefix)));
}

/* Receives one part and checks it is exactly the given bytes. */
static void recv_bytes (void *s, const void *data, size_t len)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (s, &m, 0));
    CHECK (zmq_msg_size (&m) == len);
    CHECK (len == 0 || memcmp (zmq_msg_data (&m), data, len) == 0);
    CHECK_OK (zmq_msg_close (&m));
}

/* PUB bound, SUB connected; the PUB attaches the SUB's pipe in
   zmq_getsockopt (ZMQ_EVENTS). */
static void make_pubsub (void *ctx, const char *ep, int pubtype, int subtype,
    void **pub, void **sub)
{
    *pub = zmq_socket (ctx, pubtype);
    CHECK (*pub != NULL);
    CHECK_OK (zmq_bind (*pub, ep));
    *sub = guarded_socket (ctx, subtype);
    CHECK_OK (zmq_connect (*sub, ep));
    CHECK (get_events (*pub) == ZMQ_POLLOUT);
}

static void test_filtering (void *ctx)
{
    void *pub, *sub;
    make_pubsub (ctx, "inproc://ps-filter", ZMQ_PUB, ZMQ_SUB, &pub, &sub);

    /* Initially subscribed to nothing: everything is dropped. */
    CHECK_OK (s_send (pub, "hello", 0));
    CHECK_OK (s_send (pub, "", 0));
    EXPECT_NOTHING (sub);
    CHECK (get_events (sub) == 0);

    /* ... dropped for good: subscribing now does not resurrect them. */
    subscribe (sub, "");
    EXPECT_NOTHING (sub);
    CHECK_OK (s_send (pub, "after", 0));
    RECV_PART (sub, "after", 0);
    /* The empty subscription matches everything, the empty message too. */
    CHECK_OK (s_send (pub, "", 0));
    CHECK_OK (s_send (pub, "zzz", 0));
    CHECK_RECV (sub, "", 0);
    CHECK_RECV (sub, "zzz", 0);
    unsubscribe (sub, "");
    CHECK_OK (s_send (pub, "gone", 0));
    EXPECT_NOTHING (sub);

    /* Prefix matching on the first part. */
    subscribe (sub, "ab");
    subscribe (sub, "end");
    const char *sent [] = {"a", "ab", "abc", "b", "xab", "Ab", "aab", "ab ",
        "abab", "end"};
    for (size_t i = 0; i < sizeof sent / sizeof sent [0]; i++)
        CHECK_OK (s_send (pub, sent [i], 0));
    CHECK_RECV (sub, "ab", 0);
    CHECK_RECV (sub, "abc", 0);
    CHECK_RECV (sub, "ab ", 0);
    CHECK_RECV (sub, "abab", 0);
    CHECK_RECV (sub, "end", 0);
    EXPECT_NOTHING (sub);

    /* Overlapping subscriptions deliver a message once. */
    subscribe (sub, "a");
    CHECK_OK (s_send (pub, "abx", 0));
    CHECK_OK (s_send (pub, "end", 0));
    CHECK_RECV (sub, "abx", 0);
    CHECK_RECV (sub, "end", 0);
    EXPECT_NOTHING (sub);
    unsubscribe (sub, "a");
    unsubscribe (sub, "ab");

    /* Refcounted: "k" subscribed twice needs two unsubscribes. */
    subscribe (sub, "k");
    subscribe (sub, "k");
    unsubscribe (sub, "k");
    CHECK_OK (s_send (pub, "k1", 0));
    CHECK_RECV (sub, "k1", 0);
    unsubscribe (sub, "k");
    CHECK_OK (s_send (pub, "k2", 0));
    CHECK_OK (s_send (pub, "end2", 0));
    CHECK_RECV (sub, "end2", 0);
    EXPECT_NOTHING (sub);
    /* A third unsubscribe and unknown prefixes are silently accepted. */
    unsubscribe (sub, "k");
    unsubscribe (sub, "never-subscribed");
    unsubscribe (sub, "");
    CHECK_OK (s_send (pub, "k3", 0));
    CHECK_OK (s_send (pub, "end3", 0));
    CHECK_RECV (sub, "end3", 0);
    /* An unknown unsubscribe did not disturb the existing "end". */
    EXPECT_NOTHING (sub);

    /* Filtering happens at receive time: queued messages are subject to
       later (un)subscriptions. */
    subscribe (sub, "q");
    CHECK_OK (s_send (pub, "q1", 0));
    CHECK_OK (s_send (pub, "q2", 0));
    CHECK_OK (s_send (pub, "late1", 0));
    unsubscribe (sub, "q");
    subscribe (sub, "late");
    CHECK_OK (s_send (pub, "end4", 0));
    CHECK_RECV (sub, "late1", 0);
    CHECK_RECV (sub, "end4", 0);
    EXPECT_NOTHING (sub);
    unsubscribe (sub, "late");

    /* Multipart: a non-matching message is dropped with all its parts
       (even parts that would match); a matching one delivers every part. */
    subscribe (sub, "m");
    CHECK_OK (s_send (pub, "x", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "m-not-first", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "m-last", 0));
    CHECK_OK (s_send (pub, "m", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "x-part2", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "x-part4", 0));
    CHECK_OK (s_send (pub, "y", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "m", 0));
    CHECK_OK (s_send (pub, "end5", 0));
    RECV_PART (sub, "m", 1);
    RECV_PART (sub, "x-part2", 1);
    RECV_PART (sub, "", 1);
    RECV_PART (sub, "x-part4", 0);
    RECV_PART (sub, "end5", 0);
    EXPECT_NOTHING (sub);

    /* EVENTS on SUB: POLLIN only when a matching message is queued, never
       POLLOUT. */
    CHECK (get_events (sub) == 0);
    CHECK_OK (s_send (pub, "nomatch", 0));
    CHECK (get_events (sub) == 0);
    CHECK_OK (s_send (pub, "match", 0));
    CHECK (get_events (sub) == ZMQ_POLLIN);
    CHECK_RECV (sub, "match", 0);
    CHECK (get_events (sub) == 0);

    CHECK_OK (zmq_close (sub));
    CHECK_OK (zmq_close (pub));
}

/* Binary subscriptions with embedded NUL bytes. */
static void test_binary (void *ctx)
{
    void *pub, *sub;
    make_pubsub (ctx, "inproc://ps-binary", ZMQ_PUB, ZMQ_SUB, &pub, &sub);

    const char topic [] = {'a', 0, 'b'};
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, topic, 3));
    const char nul [] = {0};
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, nul, 1));

    const char m1 [] = {'a', 0, 'b', 'c'};
    const char m2 [] = {'a', 0, 'c'};
    const char m3 [] = {'a'};
    const char m4 [] = {'a', 0};
    const char m5 [] = {0, 'z'};
    const char m6 [] = {'a', 0, 'b'};
    const char m7 [] = {1, 0};
    CHECK_OK (send_bytes (pub, m1, sizeof m1, 0));
    CHECK_OK (send_bytes (pub, m2, sizeof m2, 0));
    CHECK_OK (send_bytes (pub, m3, sizeof m3, 0));
    CHECK_OK (send_bytes (pub, m4, sizeof m4, 0));
    CHECK_OK (send_bytes (pub, m5, sizeof m5, 0));
    CHECK_OK (send_bytes (pub, m6, sizeof m6, 0));
    CHECK_OK (send_bytes (pub, m7, sizeof m7, 0));
    CHECK_OK (send_bytes (pub, "", 0, 0));
    recv_bytes (sub, m1, sizeof m1);
    recv_bytes (sub, m5, sizeof m5);
    recv_bytes (sub, m6, sizeof m6);
    EXPECT_NOTHING (sub);

    /* Unsubscribing the binary prefix works on its exact bytes:
       "a" (a different, shorter prefix) is ignored. */
    CHECK_OK (zmq_setsockopt (sub, ZMQ_UNSUBSCRIBE, "a", 1));
    CHECK_OK (send_bytes (pub, m1, sizeof m1, 0));
    recv_bytes (sub, m1, sizeof m1);
    CHECK_OK (zmq_setsockopt (sub, ZMQ_UNSUBSCRIBE, topic, 3));
    CHECK_OK (send_bytes (pub, m1, sizeof m1, 0));
    CHECK_OK (send_bytes (pub, m5, sizeof m5, 0));
    recv_bytes (sub, m5, sizeof m5);
    EXPECT_NOTHING (sub);

    CHECK_OK (zmq_close (sub));
    CHECK_OK (zmq_close (pub));
}

/* One PUB, three SUBs: every SUB gets every message it subscribed to.
   Two SUBs connect to the bound PUB, the third is bound and the PUB
   connects to it. */
static void test_fanout (void *ctx)
{
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    CHECK (pub != NULL);
    CHECK_OK (zmq_bind (pub, "inproc://ps-fanout"));
    void *subs [3];
    for (int i = 0; i < 3; i++)
        subs [i] = guarded_socket (ctx, ZMQ_SUB);
    CHECK_OK (zmq_connect (subs [0], "inproc://ps-fanout"));
    CHECK_OK (zmq_connect (subs [1], "inproc://ps-fanout"));
    CHECK_OK (zmq_bind (subs [2], "inproc://ps-fanout-sub"));
    CHECK_OK (zmq_connect (pub, "inproc://ps-fanout-sub"));
    subscribe (subs [0], "");
    subscribe (subs [1], "even");
    subscribe (subs [2], "");
    CHECK (get_events (pub) == ZMQ_POLLOUT);

    for (int i = 0; i < 100; i++) {
        char buf [32];
        snprintf (buf, sizeof buf, "%s-%d", i % 2 ? "odd" : "even", i);
        CHECK_OK (s_send (pub, buf, ZMQ_SNDMORE));
        CHECK_OK (s_send (pub, "tail", 0));
    }
    for (int s = 0; s < 3; s++) {
        for (int i = 0; i < 100; i++) {
            if (s == 1 && i % 2)
                continue;
            char want [32];
            snprintf (want, sizeof want, "%s-%d", i % 2 ? "odd" : "even", i);
            RECV_PART (subs [s], want, 1);
            RECV_PART (subs [s], "tail", 0);
        }
        EXPECT_NOTHING (subs [s]);
    }

    /* A large message (shared, not copied) reaches all of them intact. */
    const size_t size = 100000;
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, size));
    memset (zmq_msg_data (&m), 'e', size);
    memcpy (zmq_msg_data (&m), "even", 4);
    CHECK_OK (zmq_send (pub, &m, 0));
    CHECK_OK (zmq_msg_close (&m));
    for (int s = 0; s < 3; s++) {
        CHECK_OK (zmq_msg_init (&m));
        CHECK_OK (zmq_recv (subs [s], &m, 0));
        CHECK (zmq_msg_size (&m) == size);
        const char *d = (const char *) zmq_msg_data (&m);
        CHECK (memcmp (d, "even", 4) == 0 && d [size / 2] == 'e' && d [size - 1] == 'e');
        CHECK_OK (zmq_msg_close (&m));
    }

    /* Closing one subscriber does not disturb the others. */
    CHECK_OK (zmq_close (subs [0]));
    CHECK_OK (s_send (pub, "even-last", 0));
    CHECK_RECV (subs [1], "even-last", 0);
    CHECK_RECV (subs [2], "even-last", 0);

    for (int i = 1; i < 3; i++)
        CHECK_OK (zmq_close (subs [i]));
    CHECK_OK (zmq_close (pub));
}

/* PUB never blocks: no peer, unsubscribed peer, peer at HWM. */
static void test_never_blocks (void *ctx)
{
    /* No peer at all: the message is dropped, send returns 0 (also without
       NOBLOCK). */
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    CHECK (pub != NULL);
    CHECK (get_events (pub) == ZMQ_POLLOUT);
    for (int i = 0; i < 1000; i++)
        CHECK_OK (s_send (pub, "into the void", 0));
    CHECK_OK (s_send (pub, "x", ZMQ_NOBLOCK));
    CHECK_OK (s_send (pub, "part", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "part", 0));
    CHECK_OK (zmq_bind (pub, "inproc://ps-void"));
    for (int i = 0; i < 1000; i++)
        CHECK_OK (s_send (pub, "still void", 0));

    /* Recv on PUB: EAGAIN (not ENOTSUP), and a blocking recv waits for
       RCVTIMEO. */
    char buf [16];
    CHECK_ERR (s_recv (pub, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    set_int (pub, ZMQ_RCVTIMEO, 20);
    CHECK_ERR (s_recv (pub, buf, sizeof buf, 0), EAGAIN);
    CHECK_OK (zmq_close (pub));

    /* Peer at HWM (10 + 10 summed): the PUB drops, never EAGAIN; the SUB
       gets exactly the first 20 messages of a burst it did not read. */
    pub = zmq_socket (ctx, ZMQ_PUB);
    CHECK (pub != NULL);
    set_hwm (pub, 10);
    CHECK_OK (zmq_bind (pub, "inproc://ps-hwm"));
    void *sub = guarded_socket (ctx, ZMQ_SUB);
    set_hwm (sub, 10);
    subscribe (sub, "");
    CHECK_OK (zmq_connect (sub, "inproc://ps-hwm"));
    CHECK (get_events (pub) == ZMQ_POLLOUT);
    send_numbered (pub, "h", 0, 1000, ZMQ_NOBLOCK);
    send_numbered (pub, "b", 0, 1000, 0);
    CHECK (get_events (pub) == ZMQ_POLLOUT);
    int got = 0;
    while (1) {
        char b [16];
        int n = s_recv (sub, b, sizeof b, ZMQ_NOBLOCK);
        if (n < 0) {
            CHECK (errno == EAGAIN);
            break;
        }
        char want [16];
        snprintf (want, sizeof want, "h%d", got);
        CHECK (strcmp (b, want) == 0);
        got++;
        CHECK (got <= 20);
    }
    CHECK (got == 20);
    /* Drained: the pipe accepts messages again (EVENTS makes the PUB
       process the SUB's progress report). */
    CHECK (get_events (pub) == ZMQ_POLLOUT);
    CHECK_OK (s_send (pub, "again", 0));
    CHECK_RECV (sub, "again", 0);
    EXPECT_NOTHING (sub);

    CHECK_OK (zmq_close (sub));
    CHECK_OK (zmq_close (pub));

    /* Dropping at HWM never splits a multipart message (fresh pipe,
       hwm 10 + 10 again). */
    pub = zmq_socket (ctx, ZMQ_PUB);
    CHECK (pub != NULL);
    set_hwm (pub, 10);
    CHECK_OK (zmq_bind (pub, "inproc://ps-hwm-multi"));
    sub = guarded_socket (ctx, ZMQ_SUB);
    set_hwm (sub, 10);
    subscribe (sub, "");
    CHECK_OK (zmq_connect (sub, "inproc://ps-hwm-multi"));
    CHECK (get_events (pub) == ZMQ_POLLOUT);
    for (int i = 0; i < 30; i++) {
        snprintf (buf, sizeof buf, "mp%d", i);
        CHECK_OK (s_send (pub, buf, ZMQ_SNDMORE));
        CHECK_OK (s_send (pub, "b", ZMQ_SNDMORE));
        CHECK_OK (s_send (pub, "c", 0));
    }
    got = 0;
    while (1) {
        char b [16];
        int n = s_recv (sub, b, sizeof b, ZMQ_NOBLOCK);
        if (n < 0) {
            CHECK (errno == EAGAIN);
            break;
        }
        char want [16];
        snprintf (want, sizeof want, "mp%d", got);
        CHECK (strcmp (b, want) == 0);
        CHECK (rcvmore (sub) == 1);
        CHECK_RECV (sub, "b", ZMQ_NOBLOCK);
        CHECK (rcvmore (sub) == 1);
        CHECK_RECV (sub, "c", ZMQ_NOBLOCK);
        CHECK (rcvmore (sub) == 0);
        got++;
    }
    CHECK (got == 20);

    CHECK_OK (zmq_close (sub));
    CHECK_OK (zmq_close (pub));
}

/* Wrong-direction calls and option errors. */
static void test_errors (void *ctx)
{
    char buf [16];
    void *sub = guarded_socket (ctx, ZMQ_SUB);
    CHECK_ERR (s_send (sub, "x", 0), ENOTSUP);
    CHECK_ERR (s_send (sub, "x", ZMQ_NOBLOCK), ENOTSUP);
    CHECK (get_events (sub) == 0);
    /* ZMQ_SUBSCRIBE is write-only. */
    size_t sz = sizeof buf;
    CHECK_ERR (zmq_getsockopt (sub, ZMQ_SUBSCRIBE, buf, &sz), EINVAL);
    /* Nothing connected: recv NOBLOCK is EAGAIN. */
    CHECK_ERR (s_recv (sub, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    CHECK_OK (zmq_close (sub));

    void *pub = zmq_socket (ctx, ZMQ_PUB);
    CHECK (pub != NULL);
    CHECK_ERR (s_recv (pub, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    /* SUBSCRIBE is for SUB only. */
    CHECK_ERR (zmq_setsockopt (pub, ZMQ_SUBSCRIBE, "", 0), EINVAL);
    CHECK_ERR (zmq_setsockopt (pub, ZMQ_UNSUBSCRIBE, "", 0), EINVAL);
    CHECK_OK (zmq_close (pub));

    void *xpub = zmq_socket (ctx, ZMQ_XPUB);
    CHECK (xpub != NULL);
    CHECK (get_events (xpub) == ZMQ_POLLOUT);
    CHECK_ERR (s_recv (xpub, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    CHECK_OK (s_send (xpub, "nobody", 0));
    CHECK_OK (zmq_close (xpub));

    void *xsub = guarded_socket (ctx, ZMQ_XSUB);
    CHECK (get_events (xsub) == ZMQ_POLLOUT);
    CHECK_ERR (zmq_setsockopt (xsub, ZMQ_SUBSCRIBE, "a", 1), EINVAL);
    CHECK_ERR (zmq_setsockopt (xsub, ZMQ_UNSUBSCRIBE, "a", 1), EINVAL);
    CHECK_ERR (s_recv (xsub, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    CHECK_OK (zmq_close (xsub));
}

/* XPUB publishes like PUB; XSUB subscribes by sending "\1prefix" and
   unsubscribes with "\0prefix"; other messages are ignored. */
static void test_xpub_xsub (void *ctx)
{
    void *xpub, *xsub;
    make_pubsub (ctx, "inproc://ps-x", ZMQ_XPUB, ZMQ_XSUB, &xpub, &xsub);

    CHECK_OK (s_send (xpub, "early", 0));
    EXPECT_NOTHING (xsub);

    CHECK_OK (send_bytes (xsub, "\1pre", 4, 0));
    CHECK_OK (send_bytes (xsub, "\1end", 4, 0));
    CHECK (get_events (xsub) == ZMQ_POLLOUT);
    CHECK_OK (s_send (xpub, "pre1", 0));
    CHECK_OK (s_send (xpub, "other", 0));
    CHECK_OK (s_send (xpub, "pre2", ZMQ_SNDMORE));
    CHECK_OK (s_send (xpub, "more", 0));
    CHECK (get_events (xsub) == (ZMQ_POLLIN | ZMQ_POLLOUT));
    RECV_PART (xsub, "pre1", 0);
    RECV_PART (xsub, "pre2", 1);
    RECV_PART (xsub, "more", 0);
    EXPECT_NOTHING (xsub);

    /* Ignored: empty messages and other first bytes (send still 0). */
    CHECK_OK (send_bytes (xsub, "", 0, 0));
    CHECK_OK (send_bytes (xsub, "\2other", 6, 0));
    CHECK_OK (send_bytes (xsub, "xother", 6, 0));
    CHECK_OK (s_send (xpub, "other", 0));
    CHECK_OK (s_send (xpub, "end1", 0));
    CHECK_RECV (xsub, "end1", 0);
    EXPECT_NOTHING (xsub);

    /* Refcounted like SUB; "\0pre" unsubscribes. */
    CHECK_OK (send_bytes (xsub, "\1pre", 4, 0));
    CHECK_OK (send_bytes (xsub, "\0pre", 4, 0));
    CHECK_OK (s_send (xpub, "pre3", 0));
    CHECK_RECV (xsub, "pre3", 0);
    CHECK_OK (send_bytes (xsub, "\0pre", 4, 0));
    CHECK_OK (s_send (xpub, "pre4", 0));
    CHECK_OK (s_send (xpub, "end2", 0));
    CHECK_RECV (xsub, "end2", 0);
    EXPECT_NOTHING (xsub);
    /* Unknown unsubscribe: ignored. */
    CHECK_OK (send_bytes (xsub, "\0unknown", 8, 0));

    /* "\1" alone subscribes to everything. */
    CHECK_OK (send_bytes (xsub, "\1", 1, 0));
    CHECK_OK (s_send (xpub, "anything", 0));
    CHECK_RECV (xsub, "anything", 0);
    CHECK_OK (send_bytes (xsub, "\0", 1, 0));
    CHECK_OK (s_send (xpub, "nothing", 0));
    CHECK_OK (s_send (xpub, "end3", 0));
    CHECK_RECV (xsub, "end3", 0);
    EXPECT_NOTHING (xsub);

    /* A plain SUB works with XPUB and an XSUB with PUB. */
    void *sub = guarded_socket (ctx, ZMQ_SUB);
    CHECK_OK (zmq_connect (sub, "inproc://ps-x"));
    subscribe (sub, "s");
    CHECK (get_events (xpub) == ZMQ_POLLOUT);
    CHECK_OK (s_send (xpub, "s1", 0));
    CHECK_OK (s_send (xpub, "end4", 0));
    CHECK_RECV (sub, "s1", 0);
    CHECK_RECV (xsub, "end4", 0);
    EXPECT_NOTHING (sub);
    EXPECT_NOTHING (xsub);
    CHECK_OK (zmq_close (sub));

    void *pub = zmq_socket (ctx, ZMQ_PUB);
    CHECK (pub != NULL);
    CHECK_ERR (zmq_connect (pub, "inproc://ps-x-bound-xsub"), ECONNREFUSED);
    void *xsub2 = guarded_socket (ctx, ZMQ_XSUB);
    CHECK_OK (zmq_bind (xsub2, "inproc://ps-x-bound-xsub2"));
    CHECK_OK (zmq_connect (pub, "inproc://ps-x-bound-xsub2"));
    CHECK_OK (send_bytes (xsub2, "\1", 1, 0));
    CHECK_OK (s_send (pub, "via-pub", 0));
    CHECK_RECV (xsub2, "via-pub", 0);
    CHECK_OK (zmq_close (xsub2));
    CHECK_OK (zmq_close (pub));

    CHECK_OK (zmq_close (xsub));
    CHECK_OK (zmq_close (xpub));
}

/* §5.7: where 2.2 aborts, we refuse instead. */
static void test_deviations (void *ctx)
{
    if (!testing_reference ()) {
        /* SPEC-2x §5.7 / §15: inproc connect of an incompatible type aborts
           2.2 in the binder (PUB connecting to a bound PUB, SUB to a bound
           SUB). Ours: zmq_connect fails with ENOCOMPATPROTO. */
        void *pub1 = zmq_socket (ctx, ZMQ_PUB);
        CHECK (pub1 != NULL);
        CHECK_OK (zmq_bind (pub1, "inproc://ps-pub-pub"));
        void *pub2 = zmq_socket (ctx, ZMQ_PUB);
        CHECK (pub2 != NULL);
        CHECK_ERR (zmq_connect (pub2, "inproc://ps-pub-pub"), ENOCOMPATPROTO);
        CHECK (get_events (pub1) == ZMQ_POLLOUT);
        CHECK_OK (s_send (pub1, "survived", 0));
        CHECK_OK (zmq_close (pub2));
        CHECK_OK (zmq_close (pub1));

        void *sub1 = guarded_socket (ctx, ZMQ_SUB);
        CHECK_OK (zmq_bind (sub1, "inproc://ps-sub-sub"));
        void *sub2 = guarded_socket (ctx, ZMQ_SUB);
        CHECK_ERR (zmq_connect (sub2, "inproc://ps-sub-sub"), ENOCOMPATPROTO);
        CHECK (get_events (sub1) == 0);
        CHECK_OK (zmq_close (sub2));
        CHECK_OK (zmq_close (sub1));
    }
}

int main (void)
{
    test_deadline (60);
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);

    test_filtering (ctx);
    test_binary (ctx);
    test_fanout (ctx);
    test_never_blocks (ctx);
    test_errors (ctx);
    test_xpub_xsub (ctx);
    test_deviations (ctx);

    CHECK_OK (zmq_term (ctx));
    printf ("PASS test_pubsub\n");
    return 0;
}
