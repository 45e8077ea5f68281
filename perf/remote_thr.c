/*
 * remote_thr -- sending side of the throughput test (libzmq 2.2 perf tool
 * command line).
 *
 *   remote_thr <connect-to> <message-size> <message-count>
 *
 * Connects a ZMQ_PUSH socket and sends the messages; zmq_term waits until
 * they are all out (default linger).
 */
#include "perf.h"

int main (int argc, char *argv [])
{
    if (argc != 4) {
        printf ("usage: remote_thr <connect-to> <message-size> <message-count>\n");
        return 1;
    }
    size_t size = (size_t) atol (argv [2]);
    int count = atoi (argv [3]);
    void *ctx = zmq_init (1);
    if (!ctx)
        perf_fail ("zmq_init");
    void *s = perf_socket (ctx, ZMQ_PUSH, argv [1], 0);
    perf_send_stream (s, size, count);
    PERF_CHECK (zmq_close (s));
    PERF_CHECK (zmq_term (ctx));
    return 0;
}
