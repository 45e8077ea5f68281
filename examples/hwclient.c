/*
 * hwclient.c -- Hello World client: a REQ socket that sends "Hello" and
 * waits for "World", COUNT times.
 *
 *   hwclient [ENDPOINT] [COUNT]   (defaults: tcp://localhost:5555, 10)
 *
 * Exits 0 when every reply was "World".
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    const char *endpoint = argc > 1 ? argv [1] : "tcp://localhost:5555";
    int count = argc > 2 ? atoi (argv [2]) : 10;

    void *context = zmq_init (1);
    printf ("Connecting to hello world server at %s...\n", endpoint);
    void *requester = zmq_socket (context, ZMQ_REQ);
    if (zmq_connect (requester, endpoint) != 0) {
        fprintf (stderr, "hwclient: cannot connect to %s: %s\n", endpoint,
            zmq_strerror (zmq_errno ()));
        return 1;
    }
    int worlds = 0;
    for (int request_nbr = 0; request_nbr < count; request_nbr++) {
        printf ("Sending Hello %d...\n", request_nbr);
        fflush (stdout);
        if (s_send (requester, "Hello") != 0)
            break;
        char *reply = s_recv (requester);
        if (!reply)
            break;
        printf ("Received %s %d\n", reply, request_nbr);
        if (strcmp (reply, "World") == 0)
            worlds++;
        free (reply);
    }
    zmq_close (requester);
    zmq_term (context);
    printf ("hwclient: %d/%d replies were World\n", worlds, count);
    return worlds == count ? 0 : 1;
}
