/*
 * remote_thr -- sending side of the throughput test (libzmq 2.2 perf tool
 * command line).
 *
 *   remote_thr <connect-to> <message-size> <message-count>
 *
 * Connects a ZMQ_PUSH socket and sends message-count messages of
 * message-size bytes; zmq_term waits (default linger) until all are out.
 */
#include <zmq.h>
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
        printf ("usage: remote_thr <connect-to> <message-size> <message-count>\n");
        return 1;
    }
    const char *connect_to = argv [1];
    size_t message_size = (size_t) atol (argv [2]);
    int message_count = atoi (argv [3]);

    void *ctx = zmq_init (1);
    if (!ctx)
        return fail ("zmq_init");
    void *s = zmq_socket (ctx, ZMQ_PUSH);
    if (!s)
        return fail ("zmq_socket");
    if (zmq_connect (s, connect_to) != 0)
        return fail ("zmq_connect");

    for (int i = 0; i != message_count; i++) {
        zmq_msg_t msg;
        if (zmq_msg_init_size (&msg, message_size) != 0)
            return fail ("zmq_msg_init_size");
        memset (zmq_msg_data (&msg), 0, message_size);
        if (zmq_send (s, &msg, 0) != 0)
            return fail ("zmq_send");
        if (zmq_msg_close (&msg) != 0)
            return fail ("zmq_msg_close");
    }

    if (zmq_close (s) != 0)
        return fail ("zmq_close");
    if (zmq_term (ctx) != 0)
        return fail ("zmq_term");
    return 0;
}
