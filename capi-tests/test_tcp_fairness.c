/*
 * test_tcp_fairness.c -- one io thread serves all its connections in turn:
 * a peer that floods a bound socket as fast as loopback allows must not
 * starve the other connections, the listener or the io thread's commands.
 *
 * Every context here has one io thread, so the flood, the listener and the
 * well-behaved peers all share it.  The flooders are raw TCP clients (plain
 * BSD sockets in threads of this process) writing 100-byte ZMTP/1.0 frames
 * in 100 KB batches, blocking, until told to stop.
 *
 *  1. well-behaved peer: while a flood runs into a bound PULL (HWM 0), a zmq
 *     PUSH from another context connects and sends 1000 numbered messages;
 *     all arrive, in order, while the flood is still going.  Repeated over
 *     several rounds, so a starvation that depends on timing would show.
 *  2. close and term: with a flood running, zmq_close (linger 0) and
 *     zmq_term complete within a generous bound (the Term command and the
 *     engine's teardown are processed between turns).
 *  3. two equal flooders into one PULL: of the messages received once both
 *     are flowing, neither gets less than a third.
 *
 * Real 2.2 passes all three (it reads one batch per readiness event).
 */
#include "testutil.h"
#include "net_util.h"
#include <pthread.h>

#define FRAME_BODY 100
#define FRAMES_PER_WRITE 1000
#define GOOD_MSGS 1000
#define ROUNDS 10
#define MAX_FLOOD_BEFORE_GOOD 1000000L

struct flooder {
    int port;
    char tag;
    int fd;
    volatile int stop;
    volatile int failed;      /* a write failed before stop was asked */
    volatile long batches;    /* batches written so far */
    pthread_t thread;
};

static void *flood_fn (void *arg)
{
    struct flooder *f = (struct flooder *) arg;
    static __thread unsigned char buf [FRAMES_PER_WRITE * (FRAME_BODY + 2)];
    for (int i = 0; i < FRAMES_PER_WRITE; i++) {
        unsigned char *fr = buf + (size_t) i * (FRAME_BODY + 2);
        fr [0] = FRAME_BODY + 1;   /* length: flags byte + body */
        fr [1] = 0;                /* flags: last part */
        memset (fr + 2, f->tag, FRAME_BODY);
    }
    const unsigned char identity [2] = {1, 0};   /* anonymous */
    if (nu_raw_write (f->fd, identity, sizeof identity) != 0) {
        f->failed = 1;
        return NULL;
    }
    while (!f->stop) {
        if (nu_raw_write (f->fd, buf, sizeof buf) != 0) {
            if (!f->stop)
                f->failed = 1;
            break;
        }
        f->batches++;
    }
    return NULL;
}

static void flood_start (struct flooder *f, int port, char tag)
{
    memset (f, 0, sizeof *f);
    f->port = port;
    f->tag = tag;
    f->fd = nu_raw_connect_tcp (port);
    CHECK_OK (pthread_create (&f->thread, NULL, flood_fn, f));
}

/* Stops the flooder; its blocking write is woken by the shutdown. */
static void flood_stop (struct flooder *f)
{
    f->stop = 1;
    shutdown (f->fd, SHUT_RDWR);
    CHECK_OK (pthread_join (f->thread, NULL));
    CHECK_OK (close (f->fd));
}

/* Receives one message into buf (blocking, the alarm is the safety net);
   returns its size. */
static size_t recv_one (void *s, char *buf, size_t cap)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (s, &m, 0));
    size_t n = zmq_msg_size (&m);
    memcpy (buf, zmq_msg_data (&m), n < cap ? n : cap);
    CHECK_OK (zmq_msg_close (&m));
    return n;
}

/* Receives until a message from the flooder arrives. */
static void wait_flood (void *pull, char tag)
{
    char buf [FRAME_BODY];
    for (;;) {
        size_t n = recv_one (pull, buf, sizeof buf);
        if (n == FRAME_BODY && buf [0] == tag)
            return;
    }
}

/* A context with one io thread and a PULL (HWM 0) bound on a free tcp
   port of it; returns the port. */
static int bind_pull (void **ctx, void **pull, char *ep, size_t cap)
{
    *ctx = zmq_init (1);
    CHECK (*ctx != NULL);
    *pull = nu_socket (*ctx, ZMQ_PULL);
    set_hwm (*pull, 0);
    return nu_bind_tcp (*pull, ep, cap);
}

/* A PUSH in a context of its own, connected to ep. */
static void *connect_push (void **ctx, const char *ep)
{
    *ctx = zmq_init (1);
    CHECK (*ctx != NULL);
    void *push = nu_socket (*ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    return push;
}

static void test_well_behaved_peer_served (int round)
{
    void *ctx, *pull;
    char ep [128];
    int port = bind_pull (&ctx, &pull, ep, sizeof ep);

    struct flooder f;
    flood_start (&f, port, 'F');
    wait_flood (pull, 'F');

    /* The well-behaved peer lives in its own context. */
    void *ctx2;
    void *push = connect_push (&ctx2, ep);
    char text [32];
    for (int i = 0; i < GOOD_MSGS; i++) {
        snprintf (text, sizeof text, "good-%d", i);
        CHECK_OK (s_send (push, text, 0));
    }

    int good = 0;
    long flood_msgs = 0;
    int64_t start = now_ms ();
    char buf [FRAME_BODY + 1];
    while (good < GOOD_MSGS) {
        size_t n = recv_one (pull, buf, sizeof buf - 1);
        if (n == FRAME_BODY && buf [0] == 'F') {
            flood_msgs++;
            continue;
        }
        buf [n < sizeof buf - 1 ? n : sizeof buf - 1] = 0;
        snprintf (text, sizeof text, "good-%d", good);
        if (strcmp (buf, text) != 0) {
            fprintf (stderr, "round %d: expected %s, got '%s'\n", round, text, buf);
            CHECK (0);
        }
        good++;
    }
    /* Served in turn: the good messages came in while a bounded part of the
       flood did (a progress bound, not a clock: 100 MB of flood; a fair
       io thread lets through a few hundred KB, a starved listener or
       connection waits for gigabytes). */
    CHECK (flood_msgs < MAX_FLOOD_BEFORE_GOOD);
    /* The flood was still going while the good messages arrived: its
       connection is alive and more of it arrives after them. */
    CHECK (!f.failed);
    wait_flood (pull, 'F');
    printf ("  round %d: %d good messages among %ld flood messages in %lld ms\n",
        round, good, flood_msgs, (long long) (now_ms () - start));

    flood_stop (&f);
    nu_close0 (push);
    CHECK_OK (zmq_term (ctx2));
    nu_close0 (pull);
    CHECK_OK (zmq_term (ctx));
}

static void test_close_and_term_under_flood (void)
{
    void *ctx, *pull;
    char ep [128];
    int port = bind_pull (&ctx, &pull, ep, sizeof ep);

    struct flooder f;
    flood_start (&f, port, 'F');
    wait_flood (pull, 'F');
    /* A second connection arrives while the flood runs, and is served. */
    void *ctx2;
    void *push = connect_push (&ctx2, ep);
    CHECK_OK (s_send (push, "hello", 0));
    char buf [FRAME_BODY + 1];
    for (;;) {
        size_t n = recv_one (pull, buf, sizeof buf - 1);
        if (n == 5 && memcmp (buf, "hello", 5) == 0)
            break;
    }
    nu_close0 (push);
    CHECK_OK (zmq_term (ctx2));

    int64_t start = now_ms ();
    nu_close0 (pull);          /* linger 0 */
    CHECK_OK (zmq_term (ctx));
    int64_t took = now_ms () - start;
    printf ("  close + term under flood: %lld ms\n", (long long) took);
    /* Generous: a starved io thread would take as long as the flood lasts
       (until the alarm). */
    CHECK (took < 20000);
    flood_stop (&f);
}

static void test_two_flooders_share (void)
{
    void *ctx, *pull;
    char ep [128];
    int port = bind_pull (&ctx, &pull, ep, sizeof ep);

    struct flooder a, b;
    flood_start (&a, port, 'A');
    flood_start (&b, port, 'B');
    /* Both flowing. */
    int seen_a = 0, seen_b = 0;
    char buf [FRAME_BODY];
    while (!(seen_a && seen_b)) {
        size_t n = recv_one (pull, buf, sizeof buf);
        CHECK (n == FRAME_BODY);
        seen_a |= buf [0] == 'A';
        seen_b |= buf [0] == 'B';
    }
    long count_a = 0, count_b = 0;
    const long total = 300000;
    for (long i = 0; i < total; i++) {
        size_t n = recv_one (pull, buf, sizeof buf);
        CHECK (n == FRAME_BODY);
        if (buf [0] == 'A')
            count_a++;
        else if (buf [0] == 'B')
            count_b++;
        else
            CHECK (0);
    }
    printf ("  two flooders: A %ld, B %ld of %ld (written: A %ld, B %ld batches)\n", count_a, count_b, total, a.batches, b.batches);
    CHECK (count_a * 3 >= total);
    CHECK (count_b * 3 >= total);
    CHECK (!a.failed && !b.failed);
    flood_stop (&a);
    flood_stop (&b);
    nu_close0 (pull);
    CHECK_OK (zmq_term (ctx));
}

int main (void)
{
    test_deadline (110);
    for (int round = 0; round < ROUNDS; round++)
        test_well_behaved_peer_served (round);
    test_close_and_term_under_flood ();
    test_two_flooders_share ();
    printf ("test_tcp_fairness: ok\n");
    return 0;
}
