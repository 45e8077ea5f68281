/*
 * local_lat -- echoing side of the latency test (libzmq 2.2 perf tool
 * command line).
 *
 *   local_lat <bind-to> <message-size> <roundtrip-count>
 *
 * Binds a ZMQ_REP socket and sends every request back.
 */
#include "perf.h"

int main (int argc, char *argv [])
{
    if (argc != 4) {
        printf ("usage: local_lat <bind-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    size_t size = (size_t) atol (argv [2]);
    int count = atoi (argv [3]);
    void *ctx = zmq_init (1);
    if (!ctx)
        perf_fail ("zmq_init");
    void *s = perf_socket (ctx, ZMQ_REP, argv [1], 1);
    perf_echo (s, size, count);
    /* The last reply is flushed by zmq_term (default linger is infinite). */
    PERF_CHECK (zmq_close (s));
    PERF_CHECK (zmq_term (ctx));
    return 0;
}
