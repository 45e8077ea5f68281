/*
 * local_thr -- receiving side of the throughput test (libzmq 2.2 perf tool
 * command line and output).
 *
 *   local_thr <bind-to> <message-size> <message-count>
 *
 * Binds a ZMQ_PULL socket, waits for the first message, then times the
 * remaining messages and prints the mean throughput.
 */
#include "perf.h"

int main (int argc, char *argv [])
{
    if (argc != 4) {
        printf ("usage: local_thr <bind-to> <message-size> <message-count>\n");
        return 1;
    }
    size_t size = (size_t) atol (argv [2]);
    int count = perf_count (argv [3], "message-count");
    void *ctx = zmq_init (1);
    if (!ctx)
        perf_fail ("zmq_init");
    void *s = perf_socket (ctx, ZMQ_PULL, argv [1], 1);
    perf_recv_stream (s, size, count);
    PERF_CHECK (zmq_close (s));
    PERF_CHECK (zmq_term (ctx));
    return 0;
}
