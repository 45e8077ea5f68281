/*
 * interrupt.c -- shutting down cleanly on Ctrl-C: with handlers for SIGINT
 * and SIGTERM installed by sigaction (no SA_RESTART), a zmq_recv blocked in
 * the library returns -1 with errno EINTR; the server then closes its
 * socket, terminates the context and exits 0.
 *
 *   interrupt [ENDPOINT]   (default: port 5555, every interface)
 *
 * Answers "World" to hwclient meanwhile.
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    const char *endpoint = argc > 1 ? argv [1] : "tcp://*:5555";
    s_catch_signals ();

    void *context = zmq_init (1);
    void *socket = zmq_socket (context, ZMQ_REP);
    if (zmq_bind (socket, endpoint) != 0) {
        fprintf (stderr, "interrupt: cannot bind %s: %s\n", endpoint,
            zmq_strerror (zmq_errno ()));
        return 1;
    }
    printf ("interrupt: serving on %s, press Ctrl-C to stop\n", endpoint);
    fflush (stdout);

    int rc = 0;
    while (1) {
        char *request = s_recv (socket);   /* blocks; a signal ends it */
        if (s_interrupted) {
            printf ("W: interrupt received, killing server...\n");
            free (request);
            break;
        }
        if (!request) {
            fprintf (stderr, "E: zmq_recv: %s\n", zmq_strerror (zmq_errno ()));
            rc = 1;
            break;
        }
        printf ("Received %s\n", request);
        fflush (stdout);
        free (request);
        s_send (socket, "World");
    }
    int linger = 0;
    zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (socket);
    zmq_term (context);
    return rc;
}
