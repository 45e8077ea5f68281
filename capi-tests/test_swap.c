/*
 * test_swap.c -- ZMQ_SWAP: past the HWM, messages overflow to a disk file
 * of the given size and come back, in order, as the reader drains the
 * pipe.  Over inproc (sizes summed as HWM is) and tcp.
 */
#include "testutil.h"
#include "net_util.h"

static void set_swap (void *s, int64_t bytes)
{
    CHECK_OK (zmq_setsockopt (s, ZMQ_SWAP, &bytes, sizeof bytes));
}

/* Sends 100-byte messages "<i>..." without blocking until EAGAIN. */
static int fill_100 (void *s, int limit)
{
    int n = 0;
    for (; n < limit; n++) {
        char body [100];
        memset (body, 'x', sizeof body);
        snprintf (body, sizeof body, "%d", n);
        if (send_buf (s, body, sizeof body, ZMQ_NOBLOCK) != 0) {
            CHECK (errno == EAGAIN);
            break;
        }
    }
    return n;
}

/* Receives the n messages of fill_100.  The swapping writer is the
   sending socket, and sockets act only inside calls: `poke` (the sender)
   is given a ZMQ_EVENTS call before each receive so it moves swapped
   messages back into the pipe as the reader reports progress. */
static void recv_100 (void *s, void *poke, int n)
{
    for (int i = 0; i < n; i++) {
        if (poke)
            get_events (poke);
        char buf [128], want [16];
        int got = s_recv (s, buf, sizeof buf, 0);
        if (got != 100)
            fprintf (stderr, "recv_100: message %d of %d: got %d\n", i, n, got);
        CHECK (got == 100);
        snprintf (want, sizeof want, "%d", i);
        CHECK (strcmp (buf, want) == 0);
    }
}

int main (void)
{
    test_deadline (60);
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);

    /* inproc: HWM 2+2, swap 1 MB: 200 messages all go, and all arrive in
       order. */
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    set_hwm (push, 2);
    set_swap (push, 1000000);
    CHECK_OK (zmq_bind (push, "inproc://swap"));
    void *pull = guarded_socket (ctx, ZMQ_PULL);
    set_hwm (pull, 2);
    CHECK_OK (zmq_connect (pull, "inproc://swap"));
    CHECK (fill_100 (push, 200) == 200);
    recv_100 (pull, push, 200);
    EXPECT_NOTHING (pull);

    /* Multipart messages keep their parts across the swap. */
    for (int i = 0; i < 50; i++) {
        CHECK_OK (s_send (push, "a", ZMQ_SNDMORE | ZMQ_NOBLOCK));
        CHECK_OK (s_send (push, "b", ZMQ_SNDMORE | ZMQ_NOBLOCK));
        CHECK_OK (s_send (push, "c", ZMQ_NOBLOCK));
    }
    for (int i = 0; i < 50; i++) {
        get_events (push);
        RECV_PART (pull, "a", 1);
        RECV_PART (pull, "b", 1);
        RECV_PART (pull, "c", 0);
    }
    zmq_close (pull);
    zmq_close (push);

    /* A small swap fills up: then EAGAIN, as a full pipe. */
    push = zmq_socket (ctx, ZMQ_PUSH);
    set_hwm (push, 1);
    set_swap (push, 1000);
    CHECK_OK (zmq_bind (push, "inproc://swap-small"));
    pull = guarded_socket (ctx, ZMQ_PULL);
    set_hwm (pull, 1);
    CHECK_OK (zmq_connect (pull, "inproc://swap-small"));
    int n = fill_100 (push, 1000);
    /* 2 in the pipe (1+1), then 9 records of 8 + 1 + 100 bytes (as 2.2). */
    CHECK (n == 11);
    recv_100 (pull, push, n);
    EXPECT_NOTHING (pull);
    zmq_close (pull);
    zmq_close (push);

    /* tcp: a connecter with HWM 1 and a swap queues far past its HWM
       before the peer exists; everything arrives once it binds. */
    char ep [64];
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", nu_quiet_port ());
    push = zmq_socket (ctx, ZMQ_PUSH);
    set_hwm (push, 1);
    set_swap (push, 100000);
    CHECK_OK (zmq_connect (push, ep));
    CHECK (fill_100 (push, 300) == 300);
    pull = guarded_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, ep));
    recv_100 (pull, push, 300);
    zmq_close (pull);
    zmq_close (push);

    CHECK_OK (zmq_term (ctx));
    printf ("PASS test_swap\n");
    return 0;
}
