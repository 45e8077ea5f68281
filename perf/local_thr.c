/*
 * local_thr -- receiving side of the throughput test (libzmq 2.2 perf tool
 * command line and output).
 *
 *   local_thr <bind-to> <message-size> <message-count>
 *
 * Binds a ZMQ_PULL socket, waits for the first message, then times the
 * remaining message-count - 1 messages and prints the mean throughput.
 */
#include <zmq.h>
#include <zmq_utils.h>
#include <stdio.h>
#include <stdlib.h>

static int fail (const char *what)
{
    fprintf (stderr, "error in %s: %s\n", what, zmq_strerror (zmq_errno ()));
    return -1;
}

int main (int argc, char *argv [])
{
    if (argc != 4) {
        printf ("usage: local_thr <bind-to> <message-size> <message-count>\n");
        return 1;
    }
    const char *bind_to = argv [1];
    size_t message_size = (size_t) atol (argv [2]);
    int message_count = atoi (argv [3]);
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
    if (zmq_bind (s, bind_to) != 0)
        return fail ("zmq_bind");

    zmq_msg_t msg;
    if (zmq_msg_init (&msg) != 0)
        return fail ("zmq_msg_init");

    /* The clock starts once the first message is in. */
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

    if (zmq_close (s) != 0)
        return fail ("zmq_close");
    if (zmq_term (ctx) != 0)
        return fail ("zmq_term");
    return 0;
}
