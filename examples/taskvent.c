/*
 * taskvent.c -- task ventilator of the parallel pipeline: a PUSH socket
 * that hands out TASKS tasks to the workers, each "NUMBER MSECS" (task
 * numbers 1..TASKS, 1-100 milliseconds of pretend work), and a PUSH socket
 * that tells the sink "0": a batch starts.
 *
 *   taskvent [BIND] [SINK] [TASKS]
 *     BIND   where workers fetch tasks  (default: port 5557, every interface)
 *     SINK   the sink                   (default tcp://localhost:5558)
 *     TASKS  tasks in the batch         (default 100; give the sink the same)
 *
 * Waits for Enter before sending, so that the workers have time to connect
 * and the tasks get spread over all of them (end of input counts as Enter).
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    const char *bind_ep = argc > 1 ? argv [1] : "tcp://*:5557";
    const char *sink_ep = argc > 2 ? argv [2] : "tcp://localhost:5558";
    int tasks = argc > 3 ? atoi (argv [3]) : 100;

    void *context = zmq_init (1);
    void *sender = zmq_socket (context, ZMQ_PUSH);
    if (zmq_bind (sender, bind_ep) != 0) {
        fprintf (stderr, "taskvent: cannot bind %s: %s\n", bind_ep,
            zmq_strerror (zmq_errno ()));
        return 1;
    }
    void *sink = zmq_socket (context, ZMQ_PUSH);
    if (zmq_connect (sink, sink_ep) != 0) {
        fprintf (stderr, "taskvent: cannot connect to %s: %s\n", sink_ep,
            zmq_strerror (zmq_errno ()));
        return 1;
    }
    printf ("Press Enter when the workers are ready: ");
    fflush (stdout);
    getchar ();
    printf ("Sending tasks to workers...\n");

    s_send (sink, "0");             /* the batch starts */

    srandom ((unsigned) time (NULL));
    int total_msec = 0;
    for (int task_nbr = 1; task_nbr <= tasks; task_nbr++) {
        int workload = randof (100) + 1;
        total_msec += workload;
        char task [32];
        snprintf (task, sizeof task, "%d %d", task_nbr, workload);
        if (s_send (sender, task) != 0) {
            fprintf (stderr, "taskvent: send: %s\n", zmq_strerror (zmq_errno ()));
            return 1;
        }
    }
    printf ("Total expected cost: %d msec\n", total_msec);
    /* With the default linger (infinite), zmq_term returns once every task
       went out: no sleep needed to "give 0MQ time to deliver". */
    zmq_close (sink);
    zmq_close (sender);
    zmq_term (context);
    return 0;
}
