/*
 * inproc_lat -- latency test within one process over inproc:// (libzmq 2.2
 * perf tool command line and output, same lines as remote_lat).
 *
 *   inproc_lat <message-size> <roundtrip-count>
 *
 * The main thread binds a ZMQ_REQ socket; a second thread connects a
 * ZMQ_REP socket in the same context and echoes every message.
 */
#include <zmq.h>
#include <zmq_utils.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENDPOINT "inproc://lat_test"

static size_t message_size;
static int roundtrip_count;

static void *fail_null (const char *what)
{
    fprintf (stderr, "error in %s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
    return NULL;
}

static int fail (const char *what)
{
    fail_null (what);
    return -1;
}

static void *echoer (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_REP);
    if (!s)
        return fail_null ("zmq_socket");
    if (zmq_connect (s, ENDPOINT) != 0)
        return fail_null ("zmq_connect");
    zmq_msg_t msg;
    if (zmq_msg_init (&msg) != 0)
        return fail_null ("zmq_msg_init");
    for (int i = 0; i != roundtrip_count; i++) {
        if (zmq_recv (s, &msg, 0) != 0)
            return fail_null ("zmq_recv");
        if (zmq_msg_size (&msg) != message_size) {
            fprintf (stderr, "message of incorrect size received\n");
            exit (1);
        }
        if (zmq_send (s, &msg, 0) != 0)
            return fail_null ("zmq_send");
    }
    if (zmq_msg_close (&msg) != 0)
        return fail_null ("zmq_msg_close");
    if (zmq_close (s) != 0)
        return fail_null ("zmq_close");
    return NULL;
}

int main (int argc, char *argv [])
{
    if (argc != 3) {
        printf ("usage: inproc_lat <message-size> <roundtrip-count>\n");
        return 1;
    }
    message_size = (size_t) atol (argv [1]);
    roundtrip_count = atoi (argv [2]);
    if (roundtrip_count < 1) {
        fprintf (stderr, "roundtrip-count must be at least 1\n");
        return 1;
    }

    void *ctx = zmq_init (1);
    if (!ctx)
        return fail ("zmq_init");
    void *s = zmq_socket (ctx, ZMQ_REQ);
    if (!s)
        return fail ("zmq_socket");
    if (zmq_bind (s, ENDPOINT) != 0)
        return fail ("zmq_bind");

    pthread_t thread;
    if (pthread_create (&thread, NULL, echoer, ctx) != 0) {
        fprintf (stderr, "error in pthread_create\n");
        return 1;
    }

    zmq_msg_t msg;
    if (zmq_msg_init_size (&msg, message_size) != 0)
        return fail ("zmq_msg_init_size");
    memset (zmq_msg_data (&msg), 0, message_size);

    void *watch = zmq_stopwatch_start ();
    for (int i = 0; i != roundtrip_count; i++) {
        if (zmq_send (s, &msg, 0) != 0)
            return fail ("zmq_send");
        if (zmq_recv (s, &msg, 0) != 0)
            return fail ("zmq_recv");
        if (zmq_msg_size (&msg) != message_size) {
            fprintf (stderr, "message of incorrect size received\n");
            return -1;
        }
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    if (zmq_msg_close (&msg) != 0)
        return fail ("zmq_msg_close");

    double latency = (double) elapsed / (roundtrip_count * 2);

    printf ("message size: %d [B]\n", (int) message_size);
    printf ("roundtrip count: %d\n", (int) roundtrip_count);
    printf ("average latency: %.3f [us]\n", (double) latency);
    /* The figures are out even if shutting down stalls. */
    fflush (stdout);

    pthread_join (thread, NULL);
    if (zmq_close (s) != 0)
        return fail ("zmq_close");
    if (zmq_term (ctx) != 0)
        return fail ("zmq_term");
    return 0;
}
