/*
 * taskwork.c -- task worker of the parallel pipeline: pulls tasks
 * "NUMBER MSECS" from the ventilator, sleeps MSECS, pushes "NUMBER" to the
 * sink.  Runs until Ctrl-C or SIGTERM.
 *
 *   taskwork [VENTILATOR] [SINK]
 *     (defaults: tcp://localhost:5557, tcp://localhost:5558)
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    const char *vent_ep = argc > 1 ? argv [1] : "tcp://localhost:5557";
    const char *sink_ep = argc > 2 ? argv [2] : "tcp://localhost:5558";
    s_catch_signals ();

    void *context = zmq_init (1);
    void *receiver = zmq_socket (context, ZMQ_PULL);
    void *sender = zmq_socket (context, ZMQ_PUSH);
    if (zmq_connect (receiver, vent_ep) != 0 || zmq_connect (sender, sink_ep) != 0) {
        fprintf (stderr, "taskwork: cannot connect: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    int done = 0;
    while (!s_interrupted) {
        char *task = s_recv (receiver);
        if (!task)
            break;                  /* EINTR */
        int task_nbr = 0, msec = 0;
        sscanf (task, "%d %d", &task_nbr, &msec);
        free (task);
        printf ("%d.", msec);       /* show progress */
        fflush (stdout);
        s_sleep (msec);             /* do the work */
        char result [16];
        snprintf (result, sizeof result, "%d", task_nbr);
        if (s_send (sender, result) != 0)
            break;
        done++;
    }
    printf ("\ntaskwork: interrupted after %d tasks\n", done);
    int linger = 0;                 /* nobody may be left to take a result */
    zmq_setsockopt (sender, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (receiver);
    zmq_close (sender);
    zmq_term (context);
    return 0;
}
