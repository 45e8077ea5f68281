/*
 * tasksink.c -- sink of the parallel pipeline: a PULL socket that collects
 * the ventilator's start signal "0" and the workers' results "NUMBER",
 * checks that every task 1..TASKS came back exactly once, and prints the
 * total elapsed time.
 *
 *   tasksink [BIND] [TASKS]   (defaults: port 5558 on every interface, 100)
 *
 * Exits 0 when all TASKS results arrived.
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    const char *bind_ep = argc > 1 ? argv [1] : "tcp://*:5558";
    int tasks = argc > 2 ? atoi (argv [2]) : 100;
    if (tasks < 1)
        tasks = 1;

    void *context = zmq_init (1);
    void *receiver = zmq_socket (context, ZMQ_PULL);
    if (zmq_bind (receiver, bind_ep) != 0) {
        fprintf (stderr, "tasksink: cannot bind %s: %s\n", bind_ep,
            zmq_strerror (zmq_errno ()));
        return 1;
    }
    printf ("tasksink: waiting for %d results on %s\n", tasks, bind_ep);
    fflush (stdout);

    /* Messages come from several peers, so the start signal and the first
       results may arrive in either order: the clock starts at the first
       message of any kind. */
    char *seen = calloc ((size_t) tasks + 1, 1);
    int results = 0, unexpected = 0, started = 0;
    int64_t start_time = 0;
    while (results < tasks) {
        char *message = s_recv (receiver);
        if (!message)
            break;
        if (!started) {
            start_time = s_clock ();
            started = 1;
        }
        int task_nbr = atoi (message);
        free (message);
        if (task_nbr == 0)
            continue;               /* the start of the batch */
        if (task_nbr < 0 || task_nbr > tasks || seen [task_nbr]) {
            unexpected++;
            continue;
        }
        seen [task_nbr] = 1;
        results++;
        putchar (results % 10 == 0 ? ':' : '.');
        fflush (stdout);
    }
    printf ("\nTotal elapsed time: %d msec\n", (int) (s_clock () - start_time));
    if (results == tasks && unexpected == 0)
        printf ("tasksink: all %d results received\n", tasks);
    else
        printf ("tasksink: %d of %d results received, %d unexpected\n",
            results, tasks, unexpected);
    free (seen);
    zmq_close (receiver);
    zmq_term (context);
    return results == tasks && unexpected == 0 ? 0 : 1;
}
