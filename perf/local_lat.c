/*
 * local_lat -- echo side of the latency test (libzmq 2.2 perf tool
 * command line).
 *
 *   local_lat <bind-to> <message-size> <roundtrip-count>
 *
 * Binds a ZMQ_REP socket and bounces roundtrip-count messages back.
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
        printf ("usage: local_lat <bind-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    const char *bind_to = argv [1];
    size_t message_size = (size_t) atol (argv [2]);
    int roundtrip_count = atoi (argv [3]);

    void *ctx = zmq_init (1);
    if (!ctx)
        return fail ("zmq_init");
    void *s = zmq_socket (ctx, ZMQ_REP);
    if (!s)
        return fail ("zmq_socket");
    if (zmq_bind (s, bind_to) != 0)
        return fail ("zmq_bind");

    zmq_msg_t msg;
    if (zmq_msg_init (&msg) != 0)
        return fail ("zmq_msg_init");
    for (int i = 0; i != roundtrip_count; i++) {
        if (zmq_recv (s, &msg, 0) != 0)
            return fail ("zmq_recv");
        if (zmq_msg_size (&msg) != message_size) {
            fprintf (stderr, "message of incorrect size received\n");
            return -1;
        }
        if (zmq_send (s, &msg, 0) != 0)
            return fail ("zmq_send");
    }
    if (zmq_msg_close (&msg) != 0)
        return fail ("zmq_msg_close");

    /* The last reply is flushed by zmq_term (default linger is infinite). */
    if (zmq_close (s) != 0)
        return fail ("zmq_close");
    if (zmq_term (ctx) != 0)
        return fail ("zmq_term");
    return 0;
}
