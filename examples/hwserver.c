/*
 * hwserver.c -- Hello World server: a REP socket that answers each request
 * with "World" after some pretend work.
 *
 *   hwserver [ENDPOINT] [WORK_MS] [COUNT]
 *     ENDPOINT  where to bind              (default: port 5555, every interface)
 *     WORK_MS   pretend work per request    (default 1000 milliseconds)
 *     COUNT     exit after so many requests (default 0: until Ctrl-C)
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    const char *endpoint = argc > 1 ? argv [1] : "tcp://*:5555";
    int work_ms = argc > 2 ? atoi (argv [2]) : 1000;
    int count = argc > 3 ? atoi (argv [3]) : 0;
    s_catch_signals ();

    void *context = zmq_init (1);
    void *responder = zmq_socket (context, ZMQ_REP);
    if (zmq_bind (responder, endpoint) != 0) {
        fprintf (stderr, "hwserver: cannot bind %s: %s\n", endpoint,
            zmq_strerror (zmq_errno ()));
        return 1;
    }
    printf ("hwserver: ready on %s\n", endpoint);
    fflush (stdout);

    int served = 0;
    while (!s_interrupted && (count == 0 || served < count)) {
        char *request = s_recv (responder);
        if (!request)
            break;                  /* EINTR: Ctrl-C or SIGTERM */
        printf ("Received %s\n", request);
        fflush (stdout);
        free (request);
        s_sleep (work_ms);          /* do some 'work' */
        if (s_send (responder, "World") != 0)
            break;
        served++;
    }
    printf ("hwserver: served %d requests\n", served);
    /* The default linger (infinite) makes zmq_term wait until the last
       reply has gone out. */
    zmq_close (responder);
    zmq_term (context);
    return 0;
}
