/*
 * test_device.c -- zmq_device (SPEC-2x.md 2.23, 10, 16).
 *
 * Argument checks; QUEUE (ROUTER/DEALER), STREAMER (PULL/PUSH) and
 * FORWARDER (SUB/PUB) carrying multipart messages over inproc; the device
 * returning -1/ETERM after zmq_term.  Each device runs in its own thread
 * and context.  Shutdown: the main thread closes its own sockets and calls
 * zmq_term; that makes zmq_device return ETERM in the device thread, which
 * then closes the device's sockets (the sockets were created in the main
 * thread and handed over by pthread_create, a full memory barrier); only
 * then can zmq_term return.  Finally main joins the device thread.
 */
#include "testutil.h"

#include <pthread.h>

struct device
{
    int type;
    void *in;
    void *out;
    int rc;
    int err;
    pthread_t thr;
};

static void *device_fn (void *arg)
{
    struct device *d = (struct device *) arg;
    errno = 0;
    d->rc = zmq_device (d->type, d->in, d->out);
    d->err = errno;
    /* The device's sockets belong to this thread now; zmq_term waits for
       them.  Closing works after ETERM. */
    CHECK_OK (zmq_close (d->in));
    CHECK_OK (zmq_close (d->out));
    return NULL;
}

static void device_start (struct device *d, int type, void *in, void *out)
{
    d->type = type;
    d->in = in;
    d->out = out;
    d->rc = -2;
    d->err = 0;
    CHECK (pthread_create (&d->thr, NULL, device_fn, d) == 0);
}

/* Called after every socket of this thread in ctx is closed. */
static void device_finish (struct device *d, void *ctx)
{
    CHECK_OK (zmq_term (ctx));
    CHECK (pthread_join (d->thr, NULL) == 0);
    CHECK (d->rc == -1);
    CHECK (d->err == ETERM);
}

/* Receives a whole multipart message, joining its parts with '|'. */
static int recv_joined (void *s, char *out, size_t cap)
{
    out [0] = 0;
    int parts = 0;
    for (;;) {
        char part [256];
        CHECK (s_recv (s, part, sizeof part, 0) >= 0);
        if (parts++)
            strncat (out, "|", cap - strlen (out) - 1);
        strncat (out, part, cap - strlen (out) - 1);
        int64_t more = rcvmore (s);
        CHECK (more == 0 || more == 1);
        if (!more)
            break;
    }
    return parts;
}

static void test_arguments (void)
{
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    void *a = zmq_socket (ctx, ZMQ_PULL);
    void *b = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (a && b);

    CHECK_ERR (zmq_device (ZMQ_QUEUE, NULL, b), EFAULT);
    CHECK_ERR (zmq_device (ZMQ_STREAMER, a, NULL), EFAULT);
    CHECK_ERR (zmq_device (ZMQ_FORWARDER, NULL, NULL), EFAULT);
    CHECK_ERR (zmq_device (0, NULL, NULL), EFAULT);
    CHECK_ERR (zmq_device (0, a, b), EINVAL);
    CHECK_ERR (zmq_device (4, a, b), EINVAL);
    CHECK_ERR (zmq_device (-1, a, b), EINVAL);

    /* The sockets are untouched and usable. */
    CHECK_OK (zmq_bind (a, "inproc://dev-args"));
    CHECK_OK (zmq_connect (b, "inproc://dev-args"));
    CHECK_OK (s_send (b, "still-ok", 0));
    CHECK_RECV (a, "still-ok", 0);

    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_term (ctx));
}

/* QUEUE: ROUTER frontend, DEALER backend; two REQ clients, one REP
   worker, all in this thread.  `type` is the device constant to pass: the
   2.2 loop ignores it (SPEC 10), so QUEUE traffic works with any valid
   type. */
static void test_queue (int type)
{
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    void *front = zmq_socket (ctx, ZMQ_ROUTER);
    void *back = zmq_socket (ctx, ZMQ_DEALER);
    CHECK (front && back);
    CHECK_OK (zmq_bind (front, "inproc://dev-q-front"));
    CHECK_OK (zmq_bind (back, "inproc://dev-q-back"));

    void *worker = zmq_socket (ctx, ZMQ_REP);
    void *c1 = zmq_socket (ctx, ZMQ_REQ);
    void *c2 = zmq_socket (ctx, ZMQ_REQ);
    CHECK (worker && c1 && c2);
    CHECK_OK (zmq_connect (worker, "inproc://dev-q-back"));
    CHECK_OK (zmq_connect (c1, "inproc://dev-q-front"));
    CHECK_OK (zmq_connect (c2, "inproc://dev-q-front"));
    set_int (worker, ZMQ_RCVTIMEO, 10000);
    set_int (c1, ZMQ_RCVTIMEO, 10000);
    set_int (c2, ZMQ_RCVTIMEO, 10000);

    struct device d;
    device_start (&d, type, front, back);

    for (int round = 0; round < 5; round++) {
        char r1 [32], r2 [32];
        snprintf (r1, sizeof r1, "c1-%d", round);
        snprintf (r2, sizeof r2, "c2-%d", round);

        /* Both clients have a request outstanding at once. */
        CHECK_OK (s_send (c1, "hello", ZMQ_SNDMORE));
        CHECK_OK (s_send (c1, r1, 0));
        CHECK_OK (s_send (c2, "hello", ZMQ_SNDMORE));
        CHECK_OK (s_send (c2, r2, ZMQ_SNDMORE));
        CHECK_OK (s_send (c2, "", ZMQ_SNDMORE));
        CHECK_OK (s_send (c2, "extra", 0));

        /* The worker sees each request with its parts intact (the REQ
           envelope is hidden by REP) and echoes them back in a 3-part
           reply. */
        int seen1 = 0, seen2 = 0;
        for (int i = 0; i < 2; i++) {
            char req [512];
            int parts = recv_joined (worker, req, sizeof req);
            char want1 [64], want2 [64];
            snprintf (want1, sizeof want1, "hello|%s", r1);
            snprintf (want2, sizeof want2, "hello|%s||extra", r2);
            if (strcmp (req, want1) == 0) {
                CHECK (parts == 2);
                seen1++;
            }
            else {
                CHECK (strcmp (req, want2) == 0);
                CHECK (parts == 4);
                seen2++;
            }
            CHECK_OK (s_send (worker, "re", ZMQ_SNDMORE));
            CHECK_OK (s_send (worker, "", ZMQ_SNDMORE));
            CHECK_OK (s_send (worker, req, 0));
        }
        CHECK (seen1 == 1 && seen2 == 1);

        /* Each client gets its own reply, multipart intact. */
        char rep [512], want [512];
        snprintf (want, sizeof want, "re||hello|%s", r1);
        CHECK (recv_joined (c1, rep, sizeof rep) == 3);
        CHECK (strcmp (rep, want) == 0);
        snprintf (want, sizeof want, "re||hello|%s||extra", r2);
        CHECK (recv_joined (c2, rep, sizeof rep) == 3);
        CHECK (strcmp (rep, want) == 0);
    }

    CHECK_OK (zmq_close (c1));
    CHECK_OK (zmq_close (c2));
    CHECK_OK (zmq_close (worker));
    device_finish (&d, ctx);
}

/* STREAMER: PULL frontend, PUSH backend. */
static void test_streamer (void)
{
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    void *in = zmq_socket (ctx, ZMQ_PULL);
    void *out = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (in && out);
    CHECK_OK (zmq_bind (in, "inproc://dev-s-in"));
    CHECK_OK (zmq_bind (out, "inproc://dev-s-out"));

    void *producer = zmq_socket (ctx, ZMQ_PUSH);
    void *consumer = zmq_socket (ctx, ZMQ_PULL);
    CHECK (producer && consumer);
    CHECK_OK (zmq_connect (producer, "inproc://dev-s-in"));
    CHECK_OK (zmq_connect (consumer, "inproc://dev-s-out"));
    set_int (consumer, ZMQ_RCVTIMEO, 10000);

    struct device d;
    device_start (&d, ZMQ_STREAMER, in, out);

    CHECK_OK (s_send (producer, "s1", 0));
    CHECK_OK (s_send (producer, "m1", ZMQ_SNDMORE));
    CHECK_OK (s_send (producer, "", ZMQ_SNDMORE));
    CHECK_OK (s_send (producer, "m3", 0));
    send_numbered (producer, "n", 0, 100, 0);
    CHECK_OK (s_send (producer, "last", 0));

    char msg [512];
    CHECK (recv_joined (consumer, msg, sizeof msg) == 1);
    CHECK (strcmp (msg, "s1") == 0);
    CHECK (recv_joined (consumer, msg, sizeof msg) == 3);
    CHECK (strcmp (msg, "m1||m3") == 0);
    for (int i = 0; i < 100; i++) {
        char want [16];
        snprintf (want, sizeof want, "n%d", i);
        CHECK (recv_joined (consumer, msg, sizeof msg) == 1);
        CHECK (strcmp (msg, want) == 0);
    }
    RECV_PART (consumer, "last", 0);

    CHECK_OK (zmq_close (producer));
    CHECK_OK (zmq_close (consumer));
    device_finish (&d, ctx);
}

/* FORWARDER: SUB frontend (subscribed to everything), PUB backend.  PUB
   drops messages for subscribers it has not attached yet, so probes are
   sent until one comes through before the real traffic starts. */
static void test_forwarder (void)
{
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    void *in = zmq_socket (ctx, ZMQ_SUB);
    void *out = zmq_socket (ctx, ZMQ_PUB);
    CHECK (in && out);
    CHECK_OK (zmq_setsockopt (in, ZMQ_SUBSCRIBE, "", 0));
    CHECK_OK (zmq_bind (in, "inproc://dev-f-in"));
    CHECK_OK (zmq_bind (out, "inproc://dev-f-out"));

    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    CHECK (pub && sub);
    CHECK_OK (zmq_connect (pub, "inproc://dev-f-in"));
    CHECK_OK (zmq_connect (sub, "inproc://dev-f-out"));
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0));
    set_int (sub, ZMQ_RCVTIMEO, 10000);

    struct device d;
    device_start (&d, ZMQ_FORWARDER, in, out);

    /* Probe until the path is up (at most ~10 s). */
    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    int up = 0;
    for (int i = 0; i < 100 && !up; i++) {
        CHECK_OK (s_send (pub, "probe", 0));
        int rc = zmq_poll (&item, 1, 100000);
        CHECK (rc >= 0);
        up = rc == 1;
    }
    CHECK (up);

    CHECK_OK (s_send (pub, "f1", 0));
    CHECK_OK (s_send (pub, "topic", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "body", 0));
    CHECK_OK (s_send (pub, "f3", 0));

    /* Skip the probes still in flight; then the messages in order. */
    char msg [512];
    int parts;
    do {
        parts = recv_joined (sub, msg, sizeof msg);
    } while (parts == 1 && strcmp (msg, "probe") == 0);
    CHECK (parts == 1);
    CHECK (strcmp (msg, "f1") == 0);
    CHECK (recv_joined (sub, msg, sizeof msg) == 3);
    CHECK (strcmp (msg, "topic||body") == 0);
    CHECK (recv_joined (sub, msg, sizeof msg) == 1);
    CHECK (strcmp (msg, "f3") == 0);

    CHECK_OK (zmq_close (pub));
    CHECK_OK (zmq_close (sub));
    device_finish (&d, ctx);
}

/* A device with no traffic at all still returns ETERM on zmq_term. */
static void test_idle_term (void)
{
    void *ctx = zmq_init (0);
    CHECK (ctx != NULL);
    void *in = zmq_socket (ctx, ZMQ_PULL);
    void *out = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (in && out);
    struct device d;
    device_start (&d, ZMQ_STREAMER, in, out);
    usleep (20000);
    device_finish (&d, ctx);
}

int main (void)
{
    test_deadline (60);

    test_arguments ();
    test_queue (ZMQ_QUEUE);
    test_queue (ZMQ_STREAMER);
    test_streamer ();
    test_forwarder ();
    test_idle_term ();

    printf ("PASS test_device\n");
    return 0;
}
