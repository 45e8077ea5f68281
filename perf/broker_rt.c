/*
 * broker_rt -- round trips per second through a request-reply broker such
 * as examples/rrbroker (ROUTER frontend, DEALER backend, REP workers).
 *
 *   broker_rt <connect-to> <message-size> <roundtrip-count> [clients]
 *
 * Starts `clients` threads (default 1), each with its own ZMQ_REQ socket
 * connected to the broker frontend.  Every client first does one untimed
 * round trip (so connection set-up is not measured), then all clients
 * start together and share roundtrip-count round trips between them.
 * Requests are filled with 'x' so text-echoing workers handle them.
 */
#include <zmq.h>
#include <zmq_utils.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *connect_to;
static size_t message_size;
static void *ctx;
static pthread_barrier_t ready, go;

struct client {
    pthread_t thread;
    int count;
    int failed;
};

static void report (const char *what)
{
    fprintf (stderr, "broker_rt: error in %s: %s\n", what, zmq_strerror (zmq_errno ()));
}

static int roundtrip (void *s)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size (&msg, message_size) != 0) {
        report ("zmq_msg_init_size");
        return -1;
    }
    memset (zmq_msg_data (&msg), 'x', message_size);
    if (zmq_send (s, &msg, 0) != 0) {
        report ("zmq_send");
        zmq_msg_close (&msg);
        return -1;
    }
    if (zmq_recv (s, &msg, 0) != 0) {
        report ("zmq_recv");
        zmq_msg_close (&msg);
        return -1;
    }
    int ok = zmq_msg_size (&msg) >= message_size;
    zmq_msg_close (&msg);
    if (!ok) {
        fprintf (stderr, "broker_rt: reply shorter than the request\n");
        return -1;
    }
    return 0;
}

static void *client_main (void *arg)
{
    struct client *c = (struct client *) arg;
    void *s = zmq_socket (ctx, ZMQ_REQ);
    if (!s || zmq_connect (s, connect_to) != 0) {
        report ("zmq_socket/zmq_connect");
        c->failed = 1;
    }
    if (!c->failed && roundtrip (s) != 0)
        c->failed = 1;
    pthread_barrier_wait (&ready);
    pthread_barrier_wait (&go);
    for (int i = 0; !c->failed && i < c->count; i++)
        if (roundtrip (s) != 0)
            c->failed = 1;
    if (s) {
        int linger = 0;
        zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close (s);
    }
    return NULL;
}

int main (int argc, char *argv [])
{
    if (argc != 4 && argc != 5) {
        printf ("usage: broker_rt <connect-to> <message-size> <roundtrip-count> [clients]\n");
        return 1;
    }
    connect_to = argv [1];
    message_size = (size_t) atol (argv [2]);
    int roundtrip_count = atoi (argv [3]);
    int clients = argc == 5 ? atoi (argv [4]) : 1;
    if (roundtrip_count < 1 || clients < 1 || clients > 256) {
        fprintf (stderr, "broker_rt: bad roundtrip-count or clients\n");
        return 1;
    }
    if (message_size < 1)
        message_size = 1;

    ctx = zmq_init (1);
    if (!ctx) {
        report ("zmq_init");
        return 1;
    }
    struct client *cs = calloc ((size_t) clients, sizeof *cs);
    if (!cs)
        return 1;
    pthread_barrier_init (&ready, NULL, (unsigned) clients + 1);
    pthread_barrier_init (&go, NULL, (unsigned) clients + 1);
    for (int i = 0; i < clients; i++) {
        cs [i].count = roundtrip_count / clients + (i < roundtrip_count % clients);
        if (pthread_create (&cs [i].thread, NULL, client_main, &cs [i]) != 0) {
            fprintf (stderr, "broker_rt: pthread_create failed\n");
            return 1;
        }
    }
    pthread_barrier_wait (&ready);
    void *watch = zmq_stopwatch_start ();
    pthread_barrier_wait (&go);
    for (int i = 0; i < clients; i++)
        pthread_join (cs [i].thread, NULL);
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;

    int failed = 0;
    for (int i = 0; i < clients; i++)
        failed |= cs [i].failed;
    if (failed)
        return 1;

    double rate = (double) roundtrip_count / (double) elapsed * 1000000;
    printf ("message size: %d [B]\n", (int) message_size);
    printf ("clients: %d\n", clients);
    printf ("roundtrip count: %d\n", roundtrip_count);
    printf ("roundtrips per second: %d [rt/s]\n", (int) rate);
    printf ("average roundtrip: %.3f [us]\n",
        (double) elapsed * clients / roundtrip_count);
    /* The figures are out even if shutting down stalls. */
    fflush (stdout);

    free (cs);
    if (zmq_term (ctx) != 0) {
        report ("zmq_term");
        return 1;
    }
    return 0;
}
