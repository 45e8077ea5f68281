/*
 * inproc_lat -- latency test within one process over inproc:// (libzmq 2.2
 * perf tool command line and output, same lines as remote_lat).
 *
 *   inproc_lat <message-size> <roundtrip-count>
 *
 * The main thread binds a ZMQ_REQ socket and times the round trips; a
 * second thread connects a ZMQ_REP socket and echoes.
 */
#include "perf.h"
#include <pthread.h>

#define ENDPOINT "inproc://lat_test"

static size_t size;
static int count;

static void *echoer (void *ctx)
{
    void *s = perf_socket (ctx, ZMQ_REP, ENDPOINT, 0);
    perf_echo (s, size, count);
    PERF_CHECK (zmq_close (s));
    return NULL;
}

int main (int argc, char *argv [])
{
    if (argc != 3) {
        printf ("usage: inproc_lat <message-size> <roundtrip-count>\n");
        return 1;
    }
    size = (size_t) atol (argv [1]);
    count = perf_count (argv [2], "roundtrip-count");
    void *ctx = zmq_init (1);
    if (!ctx)
        perf_fail ("zmq_init");
    void *s = perf_socket (ctx, ZMQ_REQ, ENDPOINT, 1);
    pthread_t thread;
    if (pthread_create (&thread, NULL, echoer, ctx) != 0)
        perf_fail ("pthread_create");
    perf_ping (s, size, count);
    pthread_join (thread, NULL);
    PERF_CHECK (zmq_close (s));
    PERF_CHECK (zmq_term (ctx));
    return 0;
}
