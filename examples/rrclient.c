/*
 * rrclient.c -- a REQ client for the request-reply broker: sends COUNT
 * requests "Hello NAME.i", checks each reply, prints it.
 *
 *   rrclient ENDPOINT NAME COUNT  e.g. rrclient tcp://localhost:5559 c1 10
 *
 * Exits 0 when every reply came back and matched its request.
 */
#include <zmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main (int argc, char *argv [])
{
    const char *endpoint = argc > 1 ? argv [1] : "tcp://localhost:5559";
    const char *name = argc > 2 ? argv [2] : "client";
    int count = argc > 3 ? atoi (argv [3]) : 10;

    void *context = zmq_init (1);
    void *requester = zmq_socket (context, ZMQ_REQ);
    if (zmq_connect (requester, endpoint) != 0) {
        fprintf (stderr, "rrclient: connect: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    int ok = 0;
    for (int i = 0; i < count; i++) {
        char text [128];
        int n = snprintf (text, sizeof text, "Hello %s.%d", name, i);
        zmq_msg_t request, reply;
        zmq_msg_init_size (&request, (size_t) n);
        memcpy (zmq_msg_data (&request), text, (size_t) n);
        if (zmq_send (requester, &request, 0) != 0)
            break;
        zmq_msg_close (&request);
        zmq_msg_init (&reply);
        if (zmq_recv (requester, &reply, 0) != 0)
            break;
        size_t size = zmq_msg_size (&reply);
        if (size >= (size_t) n && memcmp (zmq_msg_data (&reply), text, (size_t) n) == 0)
            ok++;
        printf ("rrclient %s: %.*s\n", name, (int) size, (char *) zmq_msg_data (&reply));
        zmq_msg_close (&reply);
    }
    zmq_close (requester);
    zmq_term (context);
    printf ("rrclient %s: %d/%d replies ok\n", name, ok, count);
    return ok == count ? 0 : 1;
}
