/*
 * remote_lat -- measuring side of the latency test (libzmq 2.2 perf tool
 * command line and output).
 *
 *   remote_lat <connect-to> <message-size> <roundtrip-count>
 *
 * Connects a ZMQ_REQ socket, does roundtrip-count request/reply round
 * trips and prints half the mean round-trip time.
 */
#include <zmq.h>
#include <zmq_utils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail (const char *what)
{
    fprintf (stderr, "error in %s: %s\n", what, zmq_strerror (zmq_errno ()));
    return -1;
}

int main (int argc, char *argv [])
{
    if (argc != 4) {
        printf ("usage: remote_lat <connect-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    const char *connect_to = argv [1];
    size_t message_size = (size_t) atol (argv [2]);
    int roundtrip_count = atoi (argv [3]);
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
    if (zmq_connect (s, connect_to) != 0)
        return fail ("zmq_connect");

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

    if (zmq_close (s) != 0)
        return fail ("zmq_close");
    if (zmq_term (ctx) != 0)
        return fail ("zmq_term");
    return 0;
}
