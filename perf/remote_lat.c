/*
 * remote_lat -- timing side of the latency test (libzmq 2.2 perf tool
 * command line and output).
 *
 *   remote_lat <connect-to> <message-size> <roundtrip-count>
 *
 * Connects a ZMQ_REQ socket, times the round trips and prints the average
 * one-way latency.
 */
#include "perf.h"

int main (int argc, char *argv [])
{
    if (argc != 4) {
        printf ("usage: remote_lat <connect-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    size_t size = (size_t) atol (argv [2]);
    int count = perf_count (argv [3], "roundtrip-count");
    void *ctx = zmq_init (1);
    if (!ctx)
        perf_fail ("zmq_init");
    void *s = perf_socket (ctx, ZMQ_REQ, argv [1], 0);
    perf_ping (s, size, count);
    PERF_CHECK (zmq_close (s));
    PERF_CHECK (zmq_term (ctx));
    return 0;
}
