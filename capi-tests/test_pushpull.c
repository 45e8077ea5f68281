/*
 * test_pushpull.c -- PUSH/PULL over inproc (SPEC-2x §5.3, §5.4, §5.6, §6.8,
 * §6.9, §11.4).
 *
 * Round-robin over several PULLs, fair-queueing from several PUSHes,
 * PUSH without peers (EAGAIN / SNDTIMEO), the wrong-direction errors, HWM
 * back-pressure with the exact low-water mark, a long ordered stream and
 * large messages.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

static void test_basic (void *ctx)
{
    void *pull = guarded_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "inproc://pp-basic"));
    void *push = guarded_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, "inproc://pp-basic"));

    int type = -1;
    size_t sz = sizeof type;
    CHECK_OK (zmq_getsockopt (push, ZMQ_TYPE, &type, &sz));
    CHECK (type == ZMQ_PUSH);
    CHECK (get_events (push) == ZMQ_POLLOUT);
    CHECK (get_events (pull) == 0);

    CHECK_OK (s_send (push, "one", 0));
    CHECK_OK (s_send (push, "two", ZMQ_SNDMORE));
    CHECK_OK (s_send (push, "", ZMQ_SNDMORE));
    CHECK_OK (s_send (push, "four", 0));
    CHECK (get_events (pull) == ZMQ_POLLIN);
    RECV_PART (pull, "one", 0);
    RECV_PART (pull, "two", 1);
    RECV_PART (pull, "", 1);
    RECV_PART (pull, "four", 0);
    EXPECT_NOTHING (pull);
    CHECK (get_events (pull) == 0);

    /* Wrong directions. */
    char buf [16];
    CHECK_ERR (s_send (pull, "x", 0), ENOTSUP);
    CHECK_ERR (s_send (pull, "x", ZMQ_NOBLOCK), ENOTSUP);
    CHECK_ERR (s_recv (push, buf, sizeof buf, 0), ENOTSUP);
    CHECK_ERR (s_recv (push, buf, sizeof buf, ZMQ_NOBLOCK), ENOTSUP);

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

static void test_no_peer (void *ctx)
{
    char buf [16];
    void *push = guarded_socket (ctx, ZMQ_PUSH);
    CHECK (get_events (push) == 0);
    CHECK_ERR (s_send (push, "x", ZMQ_NOBLOCK), EAGAIN);
    CHECK_ERR (s_send (push, "x", ZMQ_NOBLOCK | ZMQ_SNDMORE), EAGAIN);
    /* Blocking send waits (here: until SNDTIMEO). */
    set_int (push, ZMQ_SNDTIMEO, 100);
    int64_t t0 = now_ms ();
    CHECK_ERR (s_send (push, "x", 0), EAGAIN);
    int64_t el = now_ms () - t0;
    CHECK (el >= 90);
    CHECK (el < 5000);
    /* Bound with nobody connected: the same. */
    CHECK_OK (zmq_bind (push, "inproc://pp-nopeer"));
    CHECK_ERR (s_send (push, "x", ZMQ_NOBLOCK), EAGAIN);
    CHECK (get_events (push) == 0);
    CHECK_ERR (s_recv (push, buf, sizeof buf, ZMQ_NOBLOCK), ENOTSUP);

    /* Once a peer connected the PUSH sends; the earlier failed attempts
       left nothing behind. */
    void *pull = guarded_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_connect (pull, "inproc://pp-nopeer"));
    CHECK (get_events (push) == ZMQ_POLLOUT);
    CHECK_OK (s_send (push, "first", 0));
    RECV_PART (pull, "first", 0);
    EXPECT_NOTHING (pull);
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_close (push));

    /* A PULL without peers: EAGAIN, RCVTIMEO. */
    pull = guarded_socket (ctx, ZMQ_PULL);
    set_int (pull, ZMQ_RCVTIMEO, 50);
    t0 = now_ms ();
    CHECK_ERR (s_recv (pull, buf, sizeof buf, 0), EAGAIN);
    el = now_ms () - t0;
    CHECK (el >= 40);
    CHECK (el < 5000);
    CHECK_OK (zmq_close (pull));
}

/* Round robin over three PULLs: with every peer attached, each gets every
   third message, in connect order. */
static void test_round_robin (void *ctx)
{
    /* PUSH bound, PULLs connected; the PUSH attaches them in
       ZMQ_EVENTS. */
    void *push = guarded_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_bind (push, "inproc://pp-rr"));
    void *pulls [3];
    for (int i = 0; i < 3; i++) {
        pulls [i] = guarded_socket (ctx, ZMQ_PULL);
        CHECK_OK (zmq_connect (pulls [i], "inproc://pp-rr"));
    }
    CHECK (get_events (push) == ZMQ_POLLOUT);
    send_numbered (push, "m", 0, 6, 0);
    for (int p = 0; p < 3; p++) {
        char want [16];
        snprintf (want, sizeof want, "m%d", p);
        RECV_PART (pulls [p], want, 0);
        snprintf (want, sizeof want, "m%d", p + 3);
        RECV_PART (pulls [p], want, 0);
        EXPECT_NOTHING (pulls [p]);
    }

    /* Multipart messages go whole to one peer; the rotation continues
       where it was. */
    for (int i = 0; i < 3; i++) {
        char buf [16];
        snprintf (buf, sizeof buf, "mp%d", i);
        CHECK_OK (s_send (push, buf, ZMQ_SNDMORE));
        CHECK_OK (s_send (push, "x", ZMQ_SNDMORE));
        CHECK_OK (s_send (push, "y", 0));
    }
    for (int p = 0; p < 3; p++) {
        char want [16];
        snprintf (want, sizeof want, "mp%d", p);
        RECV_PART (pulls [p], want, 1);
        RECV_PART (pulls [p], "x", 1);
        RECV_PART (pulls [p], "y", 0);
        EXPECT_NOTHING (pulls [p]);
    }
    for (int i = 0; i < 3; i++)
        CHECK_OK (zmq_close (pulls [i]));
    CHECK_OK (zmq_close (push));

    /* PUSH connected to three bound PULLs: same distribution. */
    push = guarded_socket (ctx, ZMQ_PUSH);
    for (int i = 0; i < 3; i++) {
        char ep [32];
        snprintf (ep, sizeof ep, "inproc://pp-rr-%d", i);
        pulls [i] = guarded_socket (ctx, ZMQ_PULL);
        CHECK_OK (zmq_bind (pulls [i], ep));
        CHECK_OK (zmq_connect (push, ep));
    }
    send_numbered (push, "n", 0, 30, 0);
    for (int p = 0; p < 3; p++) {
        for (int k = 0; k < 10; k++) {
            char want [16];
            snprintf (want, sizeof want, "n%d", p + 3 * k);
            RECV_PART (pulls [p], want, 0);
        }
        EXPECT_NOTHING (pulls [p]);
    }

    /* With hwm 1 + 1 = 2 per pipe, two PULLs take 4 messages in
       alternation, then the PUSH has no room. */
    for (int i = 0; i < 3; i++)
        CHECK_OK (zmq_close (pulls [i]));
    CHECK_OK (zmq_close (push));

    push = guarded_socket (ctx, ZMQ_PUSH);
    set_hwm (push, 1);
    void *a = guarded_socket (ctx, ZMQ_PULL);
    void *b = guarded_socket (ctx, ZMQ_PULL);
    set_hwm (a, 1);
    set_hwm (b, 1);
    CHECK_OK (zmq_bind (a, "inproc://pp-skip-a"));
    CHECK_OK (zmq_bind (b, "inproc://pp-skip-b"));
    CHECK_OK (zmq_connect (push, "inproc://pp-skip-a"));
    CHECK_OK (zmq_connect (push, "inproc://pp-skip-b"));
    CHECK (send_until_full (push, "s", 0, 100) == 4);
    CHECK (get_events (push) == 0);
    RECV_PART (a, "s0", 0);
    RECV_PART (a, "s2", 0);
    RECV_PART (b, "s1", 0);
    RECV_PART (b, "s3", 0);
    EXPECT_NOTHING (a);
    EXPECT_NOTHING (b);
    /* Both drained: room again. */
    CHECK (get_events (push) == ZMQ_POLLOUT);
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (push));

    /* A full peer is skipped: drain only a (lwm of hwm 2 is 1); the next
       messages all go to a, because b is still full. */
    push = guarded_socket (ctx, ZMQ_PUSH);
    set_hwm (push, 1);
    a = guarded_socket (ctx, ZMQ_PULL);
    b = guarded_socket (ctx, ZMQ_PULL);
    set_hwm (a, 1);
    set_hwm (b, 1);
    CHECK_OK (zmq_bind (a, "inproc://pp-skip2-a"));
    CHECK_OK (zmq_bind (b, "inproc://pp-skip2-b"));
    CHECK_OK (zmq_connect (push, "inproc://pp-skip2-a"));
    CHECK_OK (zmq_connect (push, "inproc://pp-skip2-b"));
    send_numbered (push, "t", 0, 4, ZMQ_NOBLOCK);
    CHECK_ERR (s_send (push, "no", ZMQ_NOBLOCK), EAGAIN);
    RECV_PART (a, "t0", 0);
    RECV_PART (a, "t2", 0);
    CHECK (get_events (push) == ZMQ_POLLOUT);
    CHECK_OK (s_send (push, "t4", ZMQ_NOBLOCK));
    CHECK_OK (s_send (push, "t5", ZMQ_NOBLOCK));
    CHECK_ERR (s_send (push, "no", ZMQ_NOBLOCK), EAGAIN);
    RECV_PART (a, "t4", 0);
    RECV_PART (a, "t5", 0);
    RECV_PART (b, "t1", 0);
    RECV_PART (b, "t3", 0);
    EXPECT_NOTHING (a);
    EXPECT_NOTHING (b);
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (push));
}

/* Fair queueing from three PUSHes into one PULL: one whole message from
   each in turn; multipart messages stay contiguous. */
static void test_fair_queue (void *ctx)
{
    void *pull = guarded_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "inproc://pp-fq"));
    void *push [3];
    for (int i = 0; i < 3; i++) {
        push [i] = guarded_socket (ctx, ZMQ_PUSH);
        CHECK_OK (zmq_connect (push [i], "inproc://pp-fq"));
    }
    /* Everything is queued before the PULL reads anything. */
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 4; k++) {
            char buf [16];
            snprintf (buf, sizeof buf, "p%d-%d", i, k);
            if (i == 1 && k % 2 == 1) {
                CHECK_OK (s_send (push [i], buf, ZMQ_SNDMORE));
                CHECK_OK (s_send (push [i], "more-a", ZMQ_SNDMORE));
                CHECK_OK (s_send (push [i], "more-b", 0));
            }
            else
                CHECK_OK (s_send (push [i], buf, 0));
        }
    }
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < 3; i++) {
            char want [16];
            snprintf (want, sizeof want, "p%d-%d", i, k);
            if (i == 1 && k % 2 == 1) {
                RECV_PART (pull, want, 1);
                RECV_PART (pull, "more-a", 1);
                RECV_PART (pull, "more-b", 0);
            }
            else
                RECV_PART (pull, want, 0);
        }
    }
    EXPECT_NOTHING (pull);

    /* Uneven queues: when a peer runs dry the others continue, and every
       message arrives exactly once, in order per sender. */
    send_numbered (push [0], "u0-", 0, 5, 0);
    CHECK_OK (s_send (push [2], "u2-0", 0));
    int next [3] = {0, 0, 0};
    for (int n = 0; n < 6; n++) {
        char b [32];
        CHECK (s_recv (pull, b, sizeof b, 0) == 4);
        CHECK (rcvmore (pull) == 0);
        CHECK (b [0] == 'u' && (b [1] == '0' || b [1] == '2'));
        int p = b [1] - '0';
        CHECK (b [3] - '0' == next [p]);
        next [p]++;
    }
    CHECK (next [0] == 5 && next [2] == 1);
    EXPECT_NOTHING (pull);

    for (int i = 0; i < 3; i++)
        CHECK_OK (zmq_close (push [i]));
    CHECK_OK (zmq_close (pull));
}

/* HWM back-pressure: 5 + 5 = 10 messages fit; the full pipe re-opens after
   the PULL read lwm = (10 + 1) / 2 = 5 of them, and then exactly 5 more
   fit. */
static void test_hwm (void *ctx)
{
    void *pull = guarded_socket (ctx, ZMQ_PULL);
    set_hwm (pull, 5);
    CHECK_OK (zmq_bind (pull, "inproc://pp-hwm"));
    void *push = guarded_socket (ctx, ZMQ_PUSH);
    set_hwm (push, 5);
    CHECK_OK (zmq_connect (push, "inproc://pp-hwm"));

    int sent = send_until_full (push, "m", 0, 1000);
    CHECK (sent == 10);
    CHECK (get_events (push) == 0);
    /* A blocking send at HWM waits (here: until SNDTIMEO). */
    set_int (push, ZMQ_SNDTIMEO, 50);
    int64_t t0 = now_ms ();
    CHECK_ERR (s_send (push, "blocked", 0), EAGAIN);
    int64_t el = now_ms () - t0;
    CHECK (el >= 40);
    CHECK (el < 5000);
    /* Multipart: not even the first part goes in. */
    CHECK_ERR (s_send (push, "p", ZMQ_NOBLOCK | ZMQ_SNDMORE), EAGAIN);

    /* Reading 4 messages does not re-open the pipe ... */
    for (int i = 0; i < 4; i++) {
        char want [16];
        snprintf (want, sizeof want, "m%d", i);
        RECV_PART (pull, want, 0);
        CHECK (get_events (push) == 0);
        CHECK_ERR (s_send (push, "no", ZMQ_NOBLOCK), EAGAIN);
    }
    /* ... the 5th does (EVENTS processes the reader's report). */
    RECV_PART (pull, "m4", 0);
    CHECK (get_events (push) == ZMQ_POLLOUT);
    /* Now exactly 5 more fit (written 10 - acknowledged 5 = 5 in the
       pipe). */
    CHECK (send_until_full (push, "m", sent, 1000) == 5);
    recv_numbered (pull, "m", 5, 10);
    /* 10 read in total -> second report -> room for 5 again. */
    CHECK (get_events (push) == ZMQ_POLLOUT);
    /* A multipart message counts once against the HWM and is never
       split. */
    for (int i = 0; i < 4; i++)
        CHECK_OK (s_send (push, "single", ZMQ_NOBLOCK));
    CHECK_OK (s_send (push, "mp1", ZMQ_NOBLOCK | ZMQ_SNDMORE));
    CHECK_OK (s_send (push, "mp2", ZMQ_NOBLOCK | ZMQ_SNDMORE));
    CHECK_OK (s_send (push, "mp3", ZMQ_NOBLOCK));
    CHECK_ERR (s_send (push, "no", ZMQ_NOBLOCK), EAGAIN);
    recv_numbered (pull, "m", 10, 15);
    for (int i = 0; i < 4; i++)
        RECV_PART (pull, "single", 0);
    RECV_PART (pull, "mp1", 1);
    RECV_PART (pull, "mp2", 1);
    RECV_PART (pull, "mp3", 0);
    EXPECT_NOTHING (pull);

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    /* 1 + 1 = 2; 5 + 0 = unlimited. */
    pull = guarded_socket (ctx, ZMQ_PULL);
    set_hwm (pull, 1);
    CHECK_OK (zmq_bind (pull, "inproc://pp-hwm-11"));
    push = guarded_socket (ctx, ZMQ_PUSH);
    set_hwm (push, 1);
    CHECK_OK (zmq_connect (push, "inproc://pp-hwm-11"));
    CHECK_OK (s_send (push, "a", ZMQ_NOBLOCK));
    CHECK_OK (s_send (push, "b", ZMQ_NOBLOCK));
    CHECK_ERR (s_send (push, "c", ZMQ_NOBLOCK), EAGAIN);
    RECV_PART (pull, "a", 0);
    /* lwm of 2 is 1: one read re-opens the pipe. */
    CHECK (get_events (push) == ZMQ_POLLOUT);
    CHECK_OK (s_send (push, "c", ZMQ_NOBLOCK));
    CHECK_ERR (s_send (push, "d", ZMQ_NOBLOCK), EAGAIN);
    RECV_PART (pull, "b", 0);
    RECV_PART (pull, "c", 0);
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    pull = guarded_socket (ctx, ZMQ_PULL);
    set_hwm (pull, 5);
    CHECK_OK (zmq_bind (pull, "inproc://pp-hwm-50"));
    push = guarded_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, "inproc://pp-hwm-50"));
    for (int i = 0; i < 10000; i++)
        CHECK_OK (s_send (push, "u", ZMQ_NOBLOCK));
    CHECK (get_events (push) == ZMQ_POLLOUT);
    for (int i = 0; i < 10000; i++)
        RECV_PART (pull, "u", 0);
    EXPECT_NOTHING (pull);
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

/* A blocked PUSH in one thread resumes when a PULL in another thread
   drains the pipe.  The reader starts reading only after the writer has
   filled the pipe, so the writer does block. */
typedef struct
{
    void *ctx;
    int total;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int connected;
    int go;
} flow_t;

static void *puller (void *arg)
{
    flow_t *f = (flow_t *) arg;
    void *pull = zmq_socket (f->ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    set_hwm (pull, 5);
    set_int (pull, ZMQ_RCVTIMEO, 10000);
    CHECK_OK (zmq_connect (pull, "inproc://pp-flow"));

    pthread_mutex_lock (&f->lock);
    f->connected = 1;
    pthread_cond_broadcast (&f->cond);
    while (!f->go)
        pthread_cond_wait (&f->cond, &f->lock);
    pthread_mutex_unlock (&f->lock);

    recv_numbered (pull, "f", 0, f->total);
    EXPECT_NOTHING (pull);
    CHECK_OK (zmq_close (pull));
    return NULL;
}

static void test_blocking_flow (void *ctx)
{
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (push != NULL);
    set_hwm (push, 5);
    set_int (push, ZMQ_SNDTIMEO, 10000);
    CHECK_OK (zmq_bind (push, "inproc://pp-flow"));

    flow_t f;
    f.ctx = ctx;
    f.total = 5000;
    f.connected = 0;
    f.go = 0;
    pthread_mutex_init (&f.lock, NULL);
    pthread_cond_init (&f.cond, NULL);
    pthread_t t;
    CHECK (pthread_create (&t, NULL, puller, &f) == 0);

    pthread_mutex_lock (&f.lock);
    while (!f.connected)
        pthread_cond_wait (&f.cond, &f.lock);
    pthread_mutex_unlock (&f.lock);

    /* The PULL has connected; the PUSH attaches it here. */
    CHECK (get_events (push) == ZMQ_POLLOUT);
    int sent = send_until_full (push, "f", 0, INT_MAX);
    CHECK (sent == 10);

    pthread_mutex_lock (&f.lock);
    f.go = 1;
    pthread_cond_broadcast (&f.cond);
    pthread_mutex_unlock (&f.lock);

    /* Blocking sends: each waits until the reader made room. */
    send_numbered (push, "f", sent, f.total, 0);
    CHECK (pthread_join (t, NULL) == 0);
    pthread_cond_destroy (&f.cond);
    pthread_mutex_destroy (&f.lock);
    CHECK_OK (zmq_close (push));
}

static void test_stream (void *ctx)
{
    const int count = 100000;
    void *pull = guarded_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "inproc://pp-stream"));
    void *push = guarded_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, "inproc://pp-stream"));
    send_numbered (push, "", 0, count, 0);
    int bad = 0;
    for (int i = 0; i < count; i++) {
        char want [16], got [16];
        snprintf (want, sizeof want, "%d", i);
        int n = s_recv (pull, got, sizeof got, 0);
        CHECK (n == (int) strlen (want));
        if (strcmp (got, want) != 0)
            bad++;
    }
    CHECK (bad == 0);
    EXPECT_NOTHING (pull);

    /* Large messages arrive intact (64 KiB, 1 MiB), also as parts of one
       multipart message. */
    const size_t sizes [] = {65536, 1048576, 65536};
    for (int i = 0; i < 3; i++) {
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init_size (&m, sizes [i]));
        unsigned char *d = (unsigned char *) zmq_msg_data (&m);
        for (size_t k = 0; k < sizes [i]; k++)
            d [k] = (unsigned char) (k * 31 + i);
        CHECK_OK (zmq_send (push, &m, i == 1 ? ZMQ_SNDMORE : 0));
        CHECK_OK (zmq_msg_close (&m));
    }
    for (int i = 0; i < 3; i++) {
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init (&m));
        CHECK_OK (zmq_recv (pull, &m, 0));
        CHECK (zmq_msg_size (&m) == sizes [i]);
        const unsigned char *d = (const unsigned char *) zmq_msg_data (&m);
        size_t wrong = 0;
        for (size_t k = 0; k < sizes [i]; k++)
            if (d [k] != (unsigned char) (k * 31 + i))
                wrong++;
        CHECK (wrong == 0);
        CHECK (rcvmore (pull) == (i == 1 ? 1 : 0));
        CHECK_OK (zmq_msg_close (&m));
    }
    EXPECT_NOTHING (pull);

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

/* §5.7: where 2.2 aborts, we refuse instead. */
static void test_deviations (void *ctx)
{
    if (!testing_reference ()) {
        /* SPEC-2x §5.7 / §15: an inproc connect of an incompatible type
           aborts 2.2 in the binder's attach (PULL and PUSH binders assert
           the pipe shape). Ours: zmq_connect fails with ENOCOMPATPROTO. */
        void *pull1 = guarded_socket (ctx, ZMQ_PULL);
        CHECK_OK (zmq_bind (pull1, "inproc://pp-pull-pull"));
        void *pull2 = guarded_socket (ctx, ZMQ_PULL);
        CHECK_ERR (zmq_connect (pull2, "inproc://pp-pull-pull"),
            ENOCOMPATPROTO);
        EXPECT_NOTHING (pull1);
        CHECK_OK (zmq_close (pull2));
        CHECK_OK (zmq_close (pull1));

        void *push1 = guarded_socket (ctx, ZMQ_PUSH);
        CHECK_OK (zmq_bind (push1, "inproc://pp-push-push"));
        void *push2 = guarded_socket (ctx, ZMQ_PUSH);
        CHECK_ERR (zmq_connect (push2, "inproc://pp-push-push"),
            ENOCOMPATPROTO);
        CHECK (get_events (push1) == 0);
        CHECK_ERR (s_send (push1, "x", ZMQ_NOBLOCK), EAGAIN);
        CHECK_OK (zmq_close (push2));
        CHECK_OK (zmq_close (push1));
    }
}

int main (void)
{
    test_deadline (60);
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);

    test_basic (ctx);
    test_no_peer (ctx);
    test_round_robin (ctx);
    test_fair_queue (ctx);
    test_hwm (ctx);
    test_blocking_flow (ctx);
    test_stream (ctx);
    test_deviations (ctx);

    CHECK_OK (zmq_term (ctx));
    printf ("PASS test_pushpull\n");
    return 0;
}
