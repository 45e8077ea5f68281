/*
 * rrbroker.c -- the request-reply broker of the 0MQ guide: a ROUTER
 * frontend for REQ clients, a DEALER backend for REP workers, and a
 * zmq_poll loop that moves whole messages between them.
 *
 *   rrbroker FRONTEND BACKEND   (defaults: port 5559 and 5560 on every interface)
 *
 * Ctrl-C (SIGINT) or SIGTERM makes zmq_poll return EINTR; the broker then
 * closes its sockets and exits 0.
 */
#include <zmq.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t interrupted = 0;

static void on_signal (int sig)
{
    (void) sig;
    interrupted = 1;
}

static void catch_signals (void)
{
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);
}

/* Moves one whole message (all its parts) from one socket to the other. */
static int forward (void *from, void *to)
{
    while (1) {
        zmq_msg_t part;
        int64_t more;
        size_t more_size = sizeof more;
        zmq_msg_init (&part);
        if (zmq_recv (from, &part, 0) != 0) {
            zmq_msg_close (&part);
            return -1;
        }
        zmq_getsockopt (from, ZMQ_RCVMORE, &more, &more_size);
        int rc = zmq_send (to, &part, more ? ZMQ_SNDMORE : 0);
        zmq_msg_close (&part);
        if (rc != 0)
            return -1;
        if (!more)
            return 0;
    }
}

int main (int argc, char *argv [])
{
    const char *front_ep = argc > 1 ? argv [1] : "tcp://*:5559";
    const char *back_ep = argc > 2 ? argv [2] : "tcp://*:5560";
    catch_signals ();
    void *context = zmq_init (1);
    void *frontend = zmq_socket (context, ZMQ_ROUTER);
    void *backend = zmq_socket (context, ZMQ_DEALER);
    if (zmq_bind (frontend, front_ep) != 0 || zmq_bind (backend, back_ep) != 0) {
        fprintf (stderr, "rrbroker: bind: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    printf ("rrbroker: frontend %s, backend %s\n", front_ep, back_ep);
    fflush (stdout);

    long routed = 0;
    zmq_pollitem_t items [] = {
        { frontend, 0, ZMQ_POLLIN, 0 },
        { backend, 0, ZMQ_POLLIN, 0 },
    };
    while (!interrupted) {
        if (zmq_poll (items, 2, -1) < 0)
            break;               /* EINTR: a signal arrived */
        if ((items [0].revents & ZMQ_POLLIN) && forward (frontend, backend) != 0)
            break;
        if (items [1].revents & ZMQ_POLLIN) {
            if (forward (backend, frontend) != 0)
                break;
            routed++;
        }
    }
    printf ("rrbroker: %ld replies routed, shutting down\n", routed);
    int linger = 0;
    zmq_setsockopt (frontend, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (backend, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (frontend);
    zmq_close (backend);
    zmq_term (context);
    return 0;
}
