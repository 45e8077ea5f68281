/*
 * idle_conns -- peak memory of processes holding many idle connections.
 *
 *   idle_conns <endpoint> <connection-count>
 *
 * Forks.  The parent (server) binds one ZMQ_ROUTER socket; the child
 * (client) opens connection-count ZMQ_DEALER sockets, each connected to
 * the endpoint (spread over contexts of at most 250 sockets, as a 2.2
 * context holds at most 512).  Every dealer sends one message and waits
 * for the router's reply, so all connections are up in both directions.
 * Both then sit idle for a moment and report VmHWM / VmRSS from
 * /proc/self/status:
 *
 *   connections: N
 *   setup time: T [ms]
 *   server peak RSS: K [kB]
 *   server RSS: K [kB]
 *   client peak RSS: K [kB]
 *   client RSS: K [kB]
 */
#include <zmq.h>
#include <zmq_utils.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PER_CONTEXT 250

static long status_kb (const char *field)
{
    FILE *f = fopen ("/proc/self/status", "r");
    if (!f)
        return -1;
    char line [256];
    size_t n = strlen (field);
    long value = -1;
    while (fgets (line, sizeof line, f))
        if (strncmp (line, field, n) == 0 && line [n] == ':') {
            value = atol (line + n + 1);
            break;
        }
    fclose (f);
    return value;
}

static void idle_pause (void)
{
    struct timespec ts = { 0, 300 * 1000 * 1000 };
    nanosleep (&ts, NULL);
}

static int die (const char *who, const char *what)
{
    fprintf (stderr, "idle_conns %s: error in %s: %s\n", who, what,
        zmq_strerror (zmq_errno ()));
    return 1;
}

static int send_str (void *s, const char *text, int flags)
{
    zmq_msg_t msg;
    size_t n = strlen (text);
    if (zmq_msg_init_size (&msg, n) != 0)
        return -1;
    memcpy (zmq_msg_data (&msg), text, n);
    int rc = zmq_send (s, &msg, flags);
    zmq_msg_close (&msg);
    return rc;
}

/* Child: connection-count dealers; writes its two figures to `out`. */
static int run_client (const char *endpoint, int count, int out, int in)
{
    int nctx = (count + PER_CONTEXT - 1) / PER_CONTEXT;
    void **ctxs = calloc ((size_t) nctx, sizeof *ctxs);
    void **socks = calloc ((size_t) count, sizeof *socks);
    if (!ctxs || !socks)
        return 1;
    for (int i = 0; i < nctx; i++)
        if (!(ctxs [i] = zmq_init (1)))
            return die ("client", "zmq_init");
    for (int i = 0; i < count; i++) {
        socks [i] = zmq_socket (ctxs [i / PER_CONTEXT], ZMQ_DEALER);
        if (!socks [i])
            return die ("client", "zmq_socket");
        if (zmq_connect (socks [i], endpoint) != 0)
            return die ("client", "zmq_connect");
        if (send_str (socks [i], "hello", 0) != 0)
            return die ("client", "zmq_send");
    }
    for (int i = 0; i < count; i++) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (zmq_recv (socks [i], &msg, 0) != 0)
            return die ("client", "zmq_recv");
        zmq_msg_close (&msg);
    }
    idle_pause ();
    long figures [2] = { status_kb ("VmHWM"), status_kb ("VmRSS") };
    if (write (out, figures, sizeof figures) != (ssize_t) sizeof figures)
        return 1;
    /* Hold the connections until the server has measured too. */
    char byte;
    if (read (in, &byte, 1) < 0)
        return 1;
    int linger = 0;
    for (int i = 0; i < count; i++) {
        zmq_setsockopt (socks [i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_close (socks [i]);
    }
    for (int i = 0; i < nctx; i++)
        zmq_term (ctxs [i]);
    free (socks);
    free (ctxs);
    return 0;
}

int main (int argc, char *argv [])
{
    if (argc != 3) {
        printf ("usage: idle_conns <endpoint> <connection-count>\n");
        return 1;
    }
    const char *endpoint = argv [1];
    int count = atoi (argv [2]);
    if (count < 1) {
        fprintf (stderr, "idle_conns: connection-count must be at least 1\n");
        return 1;
    }
    /* Each connection is a file descriptor on either side. */
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit (RLIMIT_NOFILE, &rl);
    }

    /* Fork before any 0MQ call, so the client inherits no library state
       and neither process's figures include the other's.  Pipes: parent ->
       child "bound" and later "you may go" (EOF); child -> parent its
       figures. */
    int up [2], down [2];
    if (pipe (up) != 0 || pipe (down) != 0)
        return 1;
    fflush (stdout);
    pid_t pid = fork ();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        close (up [0]);
        close (down [1]);
        char byte;
        if (read (down [0], &byte, 1) != 1)
            _exit (1);           /* the server could not bind */
        _exit (run_client (endpoint, count, up [1], down [0]));
    }
    close (up [1]);
    close (down [0]);

    void *ctx = zmq_init (1);
    if (!ctx)
        return die ("server", "zmq_init");
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    if (!router)
        return die ("server", "zmq_socket");
    if (zmq_bind (router, endpoint) != 0)
        return die ("server", "zmq_bind");
    void *watch = zmq_stopwatch_start ();
    if (write (down [1], "b", 1) != 1)
        return 1;

    int rc = 0;
    for (int i = 0; i < count && rc == 0; i++) {
        zmq_msg_t id, body;
        zmq_msg_init (&id);
        zmq_msg_init (&body);
        if (zmq_recv (router, &id, 0) != 0 || zmq_recv (router, &body, 0) != 0)
            rc = die ("server", "zmq_recv");
        else if (zmq_send (router, &id, ZMQ_SNDMORE) != 0 || send_str (router, "ok", 0) != 0)
            rc = die ("server", "zmq_send");
        zmq_msg_close (&id);
        zmq_msg_close (&body);
    }
    long client [2] = { -1, -1 };
    if (rc == 0 && read (up [0], client, sizeof client) != (ssize_t) sizeof client) {
        fprintf (stderr, "idle_conns: client failed\n");
        rc = 1;
    }
    unsigned long setup_us = zmq_stopwatch_stop (watch);
    long server_hwm = -1, server_rss = -1;
    if (rc == 0) {
        idle_pause ();
        server_hwm = status_kb ("VmHWM");
        server_rss = status_kb ("VmRSS");
    }
    close (down [1]);            /* lets the client close and exit */
    int status = 0;
    waitpid (pid, &status, 0);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
        fprintf (stderr, "idle_conns: client exited abnormally (status %d)\n", status);
        rc = 1;
    }
    if (rc == 0) {
        printf ("connections: %d\n", count);
        printf ("setup time: %.3f [ms]\n", setup_us / 1000.0);
        printf ("server peak RSS: %ld [kB]\n", server_hwm);
        printf ("server RSS: %ld [kB]\n", server_rss);
        printf ("client peak RSS: %ld [kB]\n", client [0]);
        printf ("client RSS: %ld [kB]\n", client [1]);
    }
    int linger = 0;
    zmq_setsockopt (router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (router);
    zmq_term (ctx);
    return rc;
}
