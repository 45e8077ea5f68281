/*
 * inproc_thr -- throughput test within one process over inproc:// (libzmq
 * 2.2 perf tool command line and output, same lines as local_thr).
 *
 *   inproc_thr <message-size> <message-count>
 *
 * The main thread binds a ZMQ_PULL socket; a second thread connects a
 * ZMQ_PUSH socket in the same context and sends the messages.
 */
#include "perf.h"
#include <pthread.h>

#define ENDPOINT "inproc://thr_test"

static size_t size;
static int count;

static void *sender (void *ctx)
{
    void *s = perf_socket (ctx, ZMQ_PUSH, ENDPOINT, 0);
    perf_send_stream (s, size, count);
    PERF_CHECK (zmq_close (s));
    return NULL;
}

int main (int argc, char *argv [])
{
    if (argc != 3) {
        printf ("usage: inproc_thr <message-size> <message-count>\n");
        return 1;
    }
    size = (size_t) atol (argv [1]);
    count = perf_count (argv [2], "message-count");
    void *ctx = zmq_init (1);
    if (!ctx)
        perf_fail ("zmq_init");
    /* inproc: bind before the peer connects. */
    void *s = perf_socket (ctx, ZMQ_PULL, ENDPOINT, 1);
    pthread_t thread;
    if (pthread_create (&thread, NULL, sender, ctx) != 0)
        perf_fail ("pthread_create");
    perf_recv_stream (s, size, count);
    pthread_join (thread, NULL);
    PERF_CHECK (zmq_close (s));
    PERF_CHECK (zmq_term (ctx));
    return 0;
}
