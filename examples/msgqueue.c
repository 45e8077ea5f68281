/*
 * msgqueue.c -- the request-reply broker of rrbroker.c in three calls: a
 * ROUTER frontend for REQ clients, a DEALER backend for REP workers, and
 * zmq_device (ZMQ_QUEUE, ...) moving messages both ways.
 *
 *   msgqueue [FRONTEND] [BACKEND]   (defaults: ports 5559 and 5560,
 *                                    every interface)
 *
 * Works with rrclient and rrworker.  zmq_device returns only on error: after
 * Ctrl-C or SIGTERM with EINTR, and the broker then exits 0.
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    const char *front_ep = argc > 1 ? argv [1] : "tcp://*:5559";
    const char *back_ep = argc > 2 ? argv [2] : "tcp://*:5560";
    s_catch_signals ();

    void *context = zmq_init (1);
    void *frontend = zmq_socket (context, ZMQ_ROUTER);
    void *backend = zmq_socket (context, ZMQ_DEALER);
    if (zmq_bind (frontend, front_ep) != 0 || zmq_bind (backend, back_ep) != 0) {
        fprintf (stderr, "msgqueue: cannot bind: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    printf ("msgqueue: frontend %s, backend %s\n", front_ep, back_ep);
    fflush (stdout);

    zmq_device (ZMQ_QUEUE, frontend, backend);

    int interrupted = s_interrupted;
    printf ("msgqueue: %s, shutting down\n",
        interrupted ? "interrupted" : zmq_strerror (zmq_errno ()));
    int linger = 0;
    zmq_setsockopt (frontend, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (backend, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (frontend);
    zmq_close (backend);
    zmq_term (context);
    return interrupted ? 0 : 1;
}
