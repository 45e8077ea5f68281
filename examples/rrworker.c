/*
 * rrworker.c -- a REP worker for the request-reply broker: answers each
 * request "X" with "X -> World (worker NAME)".
 *
 *   rrworker ENDPOINT NAME        e.g. rrworker tcp://localhost:5560 w1
 *
 * Runs until SIGINT/SIGTERM (zmq_recv returns EINTR), then exits 0.
 */
#include <zmq.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static void on_signal (int sig)
{
    (void) sig;
}

int main (int argc, char *argv [])
{
    const char *endpoint = argc > 1 ? argv [1] : "tcp://localhost:5560";
    const char *name = argc > 2 ? argv [2] : "worker";
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);

    void *context = zmq_init (1);
    void *responder = zmq_socket (context, ZMQ_REP);
    if (zmq_connect (responder, endpoint) != 0) {
        fprintf (stderr, "rrworker: connect: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    long served = 0;
    while (1) {
        zmq_msg_t request, reply;
        zmq_msg_init (&request);
        if (zmq_recv (responder, &request, 0) != 0) {
            zmq_msg_close (&request);
            break;               /* EINTR: told to stop */
        }
        char text [512];
        int n = snprintf (text, sizeof text, "%.*s -> World (worker %s)",
            (int) zmq_msg_size (&request), (char *) zmq_msg_data (&request), name);
        zmq_msg_close (&request);
        zmq_msg_init_size (&reply, (size_t) n);
        memcpy (zmq_msg_data (&reply), text, (size_t) n);
        int rc = zmq_send (responder, &reply, 0);
        zmq_msg_close (&reply);
        if (rc != 0)
            break;
        served++;
    }
    printf ("rrworker %s: served %ld requests\n", name, served);
    int linger = 0;
    zmq_setsockopt (responder, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (responder);
    zmq_term (context);
    return 0;
}
