/*
 * identity.c -- what a ROUTER socket sees of its peers: a REQ socket
 * without an identity, then one with ZMQ_IDENTITY set, each send a request,
 * and the ROUTER prints every part it receives (as the guide's s_dump):
 * first the peer's identity (a generated 17-byte one, a zero byte and a
 * UUID, for the anonymous peer), then the empty delimiter, then the data.
 *
 *   identity [ENDPOINT] [IDENTITY]   (defaults: inproc://example, "Hello")
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    const char *endpoint = argc > 1 ? argv [1] : "inproc://example";
    const char *identity = argc > 2 ? argv [2] : "Hello";

    void *context = zmq_init (1);
    void *sink = zmq_socket (context, ZMQ_ROUTER);
    if (zmq_bind (sink, endpoint) != 0) {
        fprintf (stderr, "identity: cannot bind %s: %s\n", endpoint,
            zmq_strerror (zmq_errno ()));
        return 1;
    }

    /* First let 0MQ make up the identity. */
    void *anonymous = zmq_socket (context, ZMQ_REQ);
    zmq_connect (anonymous, endpoint);
    s_send (anonymous, "ROUTER uses a generated UUID");
    s_dump (sink);

    /* Then set the identity ourselves. */
    void *identified = zmq_socket (context, ZMQ_REQ);
    zmq_setsockopt (identified, ZMQ_IDENTITY, identity, strlen (identity));
    zmq_connect (identified, endpoint);
    s_send (identified, "ROUTER socket uses REQ's socket identity");
    s_dump (sink);

    zmq_close (sink);
    zmq_close (anonymous);
    zmq_close (identified);
    zmq_term (context);
    return 0;
}
