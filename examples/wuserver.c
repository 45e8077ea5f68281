/*
 * wuserver.c -- weather update server: a PUB socket that publishes random
 * updates "ZIPCODE TEMPERATURE RELHUMIDITY" as fast as it can, until
 * Ctrl-C or SIGTERM.
 *
 *   wuserver [ENDPOINT...]   (default: port 5556 on every interface;
 *                             the guide also binds ipc://weather.ipc)
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    s_catch_signals ();
    void *context = zmq_init (1);
    void *publisher = zmq_socket (context, ZMQ_PUB);
    /* In 2.x the high-water mark defaults to 0, no limit: a subscriber
       slower than this loop would make the queues grow without bound.
       With a limit, PUB drops what a slow subscriber cannot take. */
    uint64_t hwm = 10000;
    zmq_setsockopt (publisher, ZMQ_HWM, &hwm, sizeof hwm);

    int endpoints = argc > 1 ? argc - 1 : 1;
    for (int i = 0; i < endpoints; i++) {
        const char *endpoint = argc > 1 ? argv [i + 1] : "tcp://*:5556";
        if (zmq_bind (publisher, endpoint) != 0) {
            fprintf (stderr, "wuserver: cannot bind %s: %s\n", endpoint,
                zmq_strerror (zmq_errno ()));
            return 1;
        }
        printf ("wuserver: publishing on %s\n", endpoint);
    }
    fflush (stdout);

    srandom ((unsigned) time (NULL));
    long sent = 0;
    while (!s_interrupted) {
        int zipcode = randof (100000);
        int temperature = randof (215) - 80;
        int relhumidity = randof (50) + 10;
        char update [32];
        snprintf (update, sizeof update, "%05d %d %d",
            zipcode, temperature, relhumidity);
        if (s_send (publisher, update) != 0)
            break;                  /* EINTR */
        sent++;
    }
    printf ("wuserver: interrupted after %ld updates\n", sent);
    int linger = 0;                 /* drop what is still queued */
    zmq_setsockopt (publisher, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (publisher);
    zmq_term (context);
    return 0;
}
