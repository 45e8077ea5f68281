/*
 * test_fd_events.c -- the ZMQ_FD / ZMQ_EVENTS contract (SPEC-2x.md 2.17,
 * 6, 8.2, 8.3).
 *
 * ZMQ_FD is an edge-triggered notification fd: it becomes readable when
 * something may have changed; the application then reads ZMQ_EVENTS (which
 * processes pending commands) and acts until EVENTS no longer shows the
 * condition.  Spurious readability is allowed, a missed transition is not.
 * inproc only.
 */
#include "testutil.h"

#include <poll.h>
#include <pthread.h>
#include <stdint.h>

#define N_MSGS 1000

static int fd_of (void *s)
{
    int fd = get_int (s, ZMQ_FD);
    CHECK (fd >= 0);
    return fd;
}

/* poll(2) for readability; returns poll's result and checks no error bits. */
static int fd_wait (int fd, int timeout_ms)
{
    struct pollfd p;
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    int rc = poll (&p, 1, timeout_ms);
    CHECK (rc >= 0);
    CHECK ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) == 0);
    if (rc == 1)
        CHECK (p.revents & POLLIN);
    return rc;
}

struct sender
{
    void *ctx;
    const char *endpoint;
    int count;
    int delay_us;
};

/* Own PUSH socket; sends "0".."count-1", pausing every 100 messages so the
   receiver sees the queue run dry and refill many times. */
static void *sender_fn (void *arg)
{
    struct sender *sd = (struct sender *) arg;
    void *push = zmq_socket (sd->ctx, ZMQ_PUSH);
    CHECK (push != NULL);
    CHECK_OK (zmq_connect (push, sd->endpoint));
    if (sd->delay_us)
        usleep (sd->delay_us);
    for (int i = 0; i < sd->count; i++) {
        char buf [16];
        snprintf (buf, sizeof buf, "%d", i);
        CHECK_OK (s_send (push, buf, 0));
        if (i % 100 == 99)
            usleep (1000);
    }
    CHECK_OK (zmq_close (push));
    return NULL;
}

static void test_fd_basics (void *ctx)
{
    void *a = zmq_socket (ctx, ZMQ_PULL);
    void *b = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (a && b);
    int fa = fd_of (a);
    int fb = fd_of (b);
    CHECK (fa != fb);
    /* Stable across calls. */
    CHECK (fd_of (a) == fa);

    /* Pollable with poll(2) (no POLLNVAL/POLLERR); nothing has happened on
       a fresh socket once its commands are processed. */
    fd_wait (fa, 0);
    CHECK (get_events_sized (a) == 0);

    /* At-least-size rule: an 8-byte buffer gets 4 bytes, *optvallen = 4. */
    unsigned char buf [8];
    memset (buf, 0xAA, sizeof buf);
    size_t sz = sizeof buf;
    CHECK_OK (zmq_getsockopt (a, ZMQ_FD, buf, &sz));
    CHECK (sz == sizeof (int));
    int fd_copy;
    memcpy (&fd_copy, buf, sizeof fd_copy);
    CHECK (fd_copy == fa);
    CHECK (buf [4] == 0xAA && buf [5] == 0xAA && buf [6] == 0xAA && buf [7] == 0xAA);
    sz = 3;
    CHECK_ERR (zmq_getsockopt (a, ZMQ_FD, buf, &sz), EINVAL);

    /* ZMQ_EVENTS into an 8-byte buffer: 4 bytes written, *optvallen = 4. */
    memset (buf, 0xAA, sizeof buf);
    sz = sizeof buf;
    CHECK_OK (zmq_getsockopt (b, ZMQ_EVENTS, buf, &sz));
    CHECK (sz == 4);
    uint32_t ev;
    memcpy (&ev, buf, sizeof ev);
    CHECK (ev == 0);
    CHECK (buf [4] == 0xAA && buf [5] == 0xAA && buf [6] == 0xAA && buf [7] == 0xAA);
    sz = 3;
    CHECK_ERR (zmq_getsockopt (b, ZMQ_EVENTS, buf, &sz), EINVAL);
    sz = 4;
    CHECK_OK (zmq_getsockopt (b, ZMQ_EVENTS, buf, &sz));
    CHECK (sz == 4);

    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
}

static void test_fd_readable_after_send (void *ctx)
{
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (pull && push);
    CHECK_OK (zmq_bind (pull, "inproc://fdev-1"));
    CHECK_OK (zmq_connect (push, "inproc://fdev-1"));
    int fd = fd_of (pull);

    /* EVENTS processes the pending attach; nothing to read yet. */
    CHECK ((get_events_sized (pull) & ZMQ_POLLIN) == 0);

    /* The peer sends: the fd becomes readable, EVENTS shows POLLIN. */
    CHECK_OK (s_send (push, "one", 0));
    CHECK (fd_wait (fd, 10000) == 1);
    CHECK (get_events_sized (pull) == ZMQ_POLLIN);
    CHECK_RECV (pull, "one", ZMQ_NOBLOCK);
    CHECK (get_events_sized (pull) == 0);

    /* EVENTS is level-triggered on the queue: two queued, one read, still
       POLLIN (whatever the fd says); both read, no POLLIN. */
    CHECK_OK (s_send (push, "two", 0));
    CHECK_OK (s_send (push, "three", 0));
    CHECK (fd_wait (fd, 10000) == 1);
    CHECK (get_events_sized (pull) == ZMQ_POLLIN);
    CHECK_RECV (pull, "two", ZMQ_NOBLOCK);
    CHECK (get_events_sized (pull) == ZMQ_POLLIN);
    CHECK_RECV (pull, "three", ZMQ_NOBLOCK);
    CHECK (get_events_sized (pull) == 0);
    char tmp [8];
    CHECK_ERR (s_recv (pull, tmp, sizeof tmp, ZMQ_NOBLOCK), EAGAIN);

    /* A message from another thread wakes a poll(2) on the fd. */
    struct sender sd = {ctx, "inproc://fdev-1", 1, 50000};
    pthread_t thr;
    CHECK (pthread_create (&thr, NULL, sender_fn, &sd) == 0);
    int got = 0;
    while (!got) {
        if (get_events_sized (pull) & ZMQ_POLLIN) {
            CHECK_RECV (pull, "0", ZMQ_NOBLOCK);
            got = 1;
        }
        else
            CHECK (fd_wait (fd, 10000) == 1);
    }
    CHECK (pthread_join (thr, NULL) == 0);
    CHECK ((get_events_sized (pull) & ZMQ_POLLIN) == 0);

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

static void test_edge_loop (void *ctx)
{
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    CHECK_OK (zmq_bind (pull, "inproc://fdev-loop"));
    int fd = fd_of (pull);

    struct sender sd = {ctx, "inproc://fdev-loop", N_MSGS, 0};
    pthread_t thr;
    CHECK (pthread_create (&thr, NULL, sender_fn, &sd) == 0);

    /* The textbook edge-triggered loop: drain while EVENTS says POLLIN,
       then wait for the fd.  A missed transition shows up as a poll(2)
       timeout (10 s, far beyond the sender's total run time). */
    int got = 0;
    int wakeups = 0;
    while (got < N_MSGS) {
        if (get_events_sized (pull) & ZMQ_POLLIN) {
            char buf [16], want [16];
            snprintf (want, sizeof want, "%d", got);
            CHECK (s_recv (pull, buf, sizeof buf, ZMQ_NOBLOCK) >= 0);
            CHECK (strcmp (buf, want) == 0);
            got++;
            continue;
        }
        CHECK (fd_wait (fd, 10000) == 1);
        wakeups++;
    }
    CHECK (got == N_MSGS);
    CHECK (wakeups >= 1);
    CHECK (pthread_join (thr, NULL) == 0);
    CHECK ((get_events_sized (pull) & ZMQ_POLLIN) == 0);
    CHECK_OK (zmq_close (pull));
}

static void test_reqrep_events (void *ctx)
{
    void *rep = zmq_socket (ctx, ZMQ_REP);
    void *req = zmq_socket (ctx, ZMQ_REQ);
    CHECK (rep && req);
    CHECK_OK (zmq_bind (rep, "inproc://fdev-reqrep"));

    /* Unconnected REQ: nothing; REP: nothing. */
    CHECK (get_events_sized (req) == 0);
    CHECK (get_events_sized (rep) == 0);
    CHECK_OK (zmq_connect (req, "inproc://fdev-reqrep"));

    /* REQ in sending state with a peer: POLLOUT only. */
    CHECK (get_events_sized (req) == ZMQ_POLLOUT);
    CHECK (get_events_sized (rep) == 0);

    /* Mid-request REQ stays in the sending state; the partial request is
       invisible to REP. */
    CHECK_OK (s_send (req, "a", ZMQ_SNDMORE));
    CHECK (get_events_sized (req) == ZMQ_POLLOUT);
    CHECK (get_events_sized (rep) == 0);
    CHECK_OK (s_send (req, "b", 0));

    /* Request sent: REQ waits (neither flag); REP has POLLIN only. */
    CHECK (get_events_sized (req) == 0);
    CHECK (get_events_sized (rep) == ZMQ_POLLIN);

    /* REP mid-request: still POLLIN (the rest of the request), no
       POLLOUT; after the last part: POLLOUT only. */
    CHECK_RECV (rep, "a", 0);
    CHECK (get_events_sized (rep) == ZMQ_POLLIN);
    CHECK_RECV (rep, "b", 0);
    CHECK (get_events_sized (rep) == ZMQ_POLLOUT);
    CHECK (get_events_sized (req) == 0);

    /* REP mid-reply: POLLOUT; the partial reply is invisible to REQ. */
    CHECK_OK (s_send (rep, "x", ZMQ_SNDMORE));
    CHECK (get_events_sized (rep) == ZMQ_POLLOUT);
    CHECK (get_events_sized (req) == 0);
    CHECK_OK (s_send (rep, "y", 0));
    CHECK (get_events_sized (rep) == 0);

    /* Reply waiting: REQ has POLLIN only, until the last part is read. */
    CHECK (get_events_sized (req) == ZMQ_POLLIN);
    CHECK_RECV (req, "x", 0);
    CHECK (get_events_sized (req) == ZMQ_POLLIN);
    CHECK_RECV (req, "y", 0);
    CHECK (get_events_sized (req) == ZMQ_POLLOUT);
    CHECK (get_events_sized (rep) == 0);

    /* The fd contract with REQ: after the request, the reply arriving
       (sent from this thread) makes REQ's fd readable. */
    int fd = fd_of (req);
    CHECK_OK (s_send (req, "again", 0));
    CHECK (get_events_sized (req) == 0);
    CHECK_RECV (rep, "again", 0);
    CHECK_OK (s_send (rep, "ok", 0));
    CHECK (fd_wait (fd, 10000) == 1);
    CHECK (get_events_sized (req) == ZMQ_POLLIN);
    CHECK_RECV (req, "ok", 0);
    CHECK (get_events_sized (req) == ZMQ_POLLOUT);

    CHECK_OK (zmq_close (req));
    CHECK_OK (zmq_close (rep));
}

static void test_pubsub_events (void *ctx)
{
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    CHECK (pub && sub);

    /* PUB always has POLLOUT, even without peers; SUB never has it. */
    CHECK (get_events_sized (pub) == ZMQ_POLLOUT);
    CHECK (get_events_sized (sub) == 0);

    CHECK_OK (zmq_bind (pub, "inproc://fdev-pubsub"));
    CHECK_OK (zmq_connect (sub, "inproc://fdev-pubsub"));
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "A", 1));
    /* Processing the attach: still POLLOUT only. */
    CHECK (get_events_sized (pub) == ZMQ_POLLOUT);
    CHECK (get_events_sized (sub) == 0);

    /* A non-matching message never shows as POLLIN. */
    CHECK_OK (s_send (pub, "B", 0));
    CHECK (get_events_sized (pub) == ZMQ_POLLOUT);
    CHECK (get_events_sized (sub) == 0);

    /* A matching one: POLLIN, never POLLOUT. */
    CHECK_OK (s_send (pub, "A1", 0));
    CHECK (get_events_sized (pub) == ZMQ_POLLOUT);
    CHECK (get_events_sized (sub) == ZMQ_POLLIN);
    CHECK_RECV (sub, "A1", ZMQ_NOBLOCK);
    CHECK (get_events_sized (sub) == 0);

    /* fd contract on SUB. */
    int fd = fd_of (sub);
    CHECK_OK (s_send (pub, "A2", 0));
    CHECK (fd_wait (fd, 10000) == 1);
    CHECK (get_events_sized (sub) == ZMQ_POLLIN);
    CHECK_RECV (sub, "A2", ZMQ_NOBLOCK);
    CHECK (get_events_sized (sub) == 0);

    /* PUB stays POLLOUT after its peer is gone. */
    CHECK_OK (zmq_close (sub));
    CHECK (get_events_sized (pub) == ZMQ_POLLOUT);
    CHECK_OK (zmq_close (pub));
}

int main (void)
{
    test_deadline (60);

    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    test_fd_basics (ctx);
    test_fd_readable_after_send (ctx);
    test_edge_loop (ctx);
    test_reqrep_events (ctx);
    test_pubsub_events (ctx);
    CHECK_OK (zmq_term (ctx));

    printf ("PASS test_fd_events\n");
    return 0;
}
