/*
 * mtserver.c -- multithreaded Hello World server: a ROUTER socket on tcp
 * for the clients, a DEALER socket on inproc for WORKERS worker threads
 * with REP sockets, and zmq_device (ZMQ_QUEUE, ...) in between.  Serves
 * hwclient.
 *
 *   mtserver [ENDPOINT] [WORKERS] [WORK_MS]
 *     (defaults: port 5555 on every interface, 5 workers,
 *      1000 milliseconds of pretend work)
 *
 * Ctrl-C or SIGTERM stops the device; zmq_term then makes the workers'
 * zmq_recv fail with ETERM, they close their sockets, and the server exits 0.
 */
#include "zhelpers.h"
#include <pthread.h>

#define MAX_WORKERS 64

static int work_ms = 1000;

static void *worker_routine (void *context)
{
    void *receiver = zmq_socket (context, ZMQ_REP);
    zmq_connect (receiver, "inproc://workers");
    while (1) {
        char *request = s_recv (receiver);
        if (!request)
            break;                  /* ETERM: the server is shutting down */
        printf ("Received request: [%s]\n", request);
        fflush (stdout);
        free (request);
        s_sleep (work_ms);          /* do some 'work' */
        if (s_send (receiver, "World") != 0)
            break;
    }
    zmq_close (receiver);
    return NULL;
}

int main (int argc, char *argv [])
{
    const char *endpoint = argc > 1 ? argv [1] : "tcp://*:5555";
    int workers = argc > 2 ? atoi (argv [2]) : 5;
    if (argc > 3)
        work_ms = atoi (argv [3]);
    if (workers < 1 || workers > MAX_WORKERS)
        workers = 5;

    void *context = zmq_init (1);
    void *clients = zmq_socket (context, ZMQ_ROUTER);
    if (zmq_bind (clients, endpoint) != 0) {
        fprintf (stderr, "mtserver: cannot bind %s: %s\n", endpoint,
            zmq_strerror (zmq_errno ()));
        return 1;
    }
    /* inproc: bind before the workers connect. */
    void *backend = zmq_socket (context, ZMQ_DEALER);
    zmq_bind (backend, "inproc://workers");

    /* The workers start with every signal blocked, so that Ctrl-C always
       reaches the main thread and interrupts zmq_device. */
    sigset_t all, old;
    sigfillset (&all);
    pthread_sigmask (SIG_BLOCK, &all, &old);
    pthread_t threads [MAX_WORKERS];
    for (int i = 0; i < workers; i++)
        pthread_create (&threads [i], NULL, worker_routine, context);
    pthread_sigmask (SIG_SETMASK, &old, NULL);
    s_catch_signals ();
    printf ("mtserver: %d workers, serving on %s\n", workers, endpoint);
    fflush (stdout);

    zmq_device (ZMQ_QUEUE, clients, backend);

    printf ("mtserver: %s, shutting down\n",
        s_interrupted ? "interrupted" : zmq_strerror (zmq_errno ()));
    int linger = 0;
    zmq_setsockopt (clients, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (clients);
    zmq_close (backend);
    zmq_term (context);             /* returns once every worker closed its socket */
    for (int i = 0; i < workers; i++)
        pthread_join (threads [i], NULL);
    return s_interrupted ? 0 : 1;
}
