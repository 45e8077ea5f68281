/*
 * inproc_thr -- throughput test within one process over inproc:// (libzmq
 * 2.2 perf tool command line and output, same lines as local_thr).
 *
 *   inproc_thr <message-size> <message-count>
 *
 * The main thread binds a ZMQ_PULL socket; a second thread connects a
 * ZMQ_PUSH socket in the same context and sends the messages.
 */
#include <zmq.h>
#include <zmq_utils.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENDPOINT "inproc://thr_test"

static size_t message_size;
static int message_count;

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

static void *sender (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_PUSH);
    if (!s)
        return fail_null ("zmq_socket");
    if (zmq_connect (s, ENDPOINT) != 0)
        return fail_null ("zmq_connect");
    for (int i = 0; i != message_count; i++) {
        zmq_msg_t msg;
        if (zmq_msg_init_size (&msg, message_size) != 0)
            return fail_null ("zmq_msg_init_size");
        memset (zmq_msg_data (&msg), 0, message_size);
        if (zmq_send (s, &msg, 0) != 0)
            return fail_null ("zmq_send");
        if (zmq_msg_close (&msg) != 0)
            return fail_null ("zmq_msg_close");
    }
    if (zmq_close (s) != 0)
        return fail_null ("zmq_close");
    return NULL;
}

int main (int argc, char *argv [])
{
    if (argc != 3) {
        printf ("usage: inproc_thr <message-size> <message-count>\n");
        return 1;
    }
    message_size = (size_t) atol (argv [1]);
    message_count = atoi (argv [2]);
    if (message_count < 1) {
        fprintf (stderr, "message-count must be at least 1\n");
        return 1;
    }

    void *ctx = zmq_init (1);
    if (!ctx)
        return fail ("zmq_init");
    void *s = zmq_socket (ctx, ZMQ_PULL);
    if (!s)
        return fail ("zmq_socket");
    /* inproc: bind before the peer connects. */
    if (zmq_bind (s, ENDPOINT) != 0)
        return fail ("zmq_bind");

    pthread_t thread;
    if (pthread_create (&thread, NULL, sender, ctx) != 0) {
        fprintf (stderr, "error in pthread_create\n");
        return 1;
    }

    zmq_msg_t msg;
    if (zmq_msg_init (&msg) != 0)
        return fail ("zmq_msg_init");
    if (zmq_recv (s, &msg, 0) != 0)
        return fail ("zmq_recv");
    if (zmq_msg_size (&msg) != message_size) {
        fprintf (stderr, "message of incorrect size received\n");
        return -1;
    }
    void *watch = zmq_stopwatch_start ();
    for (int i = 1; i != message_count; i++) {
        if (zmq_recv (s, &msg, 0) != 0)
            return fail ("zmq_recv");
        if (zmq_msg_size (&msg) != message_size) {
            fprintf (stderr, "message of incorrect size received\n");
            return -1;
        }
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;
    if (zmq_msg_close (&msg) != 0)
        return fail ("zmq_msg_close");

    unsigned long throughput = (unsigned long)
        ((double) message_count / (double) elapsed * 1000000);
    double megabits = (double) throughput * message_size * 8 / 1000000;

    printf ("message size: %d [B]\n", (int) message_size);
    printf ("message count: %d\n", (int) message_count);
    printf ("mean throughput: %d [msg/s]\n", (int) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", (double) megabits);
    /* The figures are out even if shutting down stalls. */
    fflush (stdout);

    pthread_join (thread, NULL);
    if (zmq_close (s) != 0)
        return fail ("zmq_close");
    if (zmq_term (ctx) != 0)
        return fail ("zmq_term");
    return 0;
}
