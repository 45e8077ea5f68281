/*
 * perf.h -- the message loops the perf tools share: a throughput stream
 * (sender and timed receiver) and a latency ping-pong (echoer and timed
 * pinger), with the output lines of libzmq 2.2's tools.  Any error prints
 * "error in <call>: <reason>" and exits 1.
 */
#ifndef PERF_H_INCLUDED
#define PERF_H_INCLUDED

#include <zmq.h>
#include <zmq_utils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void perf_fail (const char *what)
{
    fprintf (stderr, "error in %s: %s\n", what, zmq_strerror (zmq_errno ()));
    exit (1);
}

#define PERF_CHECK(call) \
    do { if ((call) != 0) perf_fail (#call); } while (0)

/* A socket of `type` bound to (or connected to) `endpoint`. */
static inline void *perf_socket (void *ctx, int type, const char *endpoint, int bind)
{
    void *s = zmq_socket (ctx, type);
    if (!s)
        perf_fail ("zmq_socket");
    if (bind)
        PERF_CHECK (zmq_bind (s, endpoint));
    else
        PERF_CHECK (zmq_connect (s, endpoint));
    return s;
}

static inline void perf_check_size (zmq_msg_t *msg, size_t size)
{
    if (zmq_msg_size (msg) != size) {
        fprintf (stderr, "message of incorrect size received\n");
        exit (1);
    }
}

/* Sends `count` messages of `size` zero bytes. */
static inline void perf_send_stream (void *s, size_t size, int count)
{
    for (int i = 0; i != count; i++) {
        zmq_msg_t msg;
        PERF_CHECK (zmq_msg_init_size (&msg, size));
        memset (zmq_msg_data (&msg), 0, size);
        PERF_CHECK (zmq_send (s, &msg, 0));
        PERF_CHECK (zmq_msg_close (&msg));
    }
}

/* Receives `count` messages (the clock starts once the first is in) and
   prints the mean throughput as local_thr does. */
static inline void perf_recv_stream (void *s, size_t size, int count)
{
    zmq_msg_t msg;
    PERF_CHECK (zmq_msg_init (&msg));
    PERF_CHECK (zmq_recv (s, &msg, 0));
    perf_check_size (&msg, size);
    void *watch = zmq_stopwatch_start ();
    for (int i = 1; i != count; i++) {
        PERF_CHECK (zmq_recv (s, &msg, 0));
        perf_check_size (&msg, size);
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;
    PERF_CHECK (zmq_msg_close (&msg));

    unsigned long throughput = (unsigned long)
        ((double) count / (double) elapsed * 1000000);
    double megabits = (double) throughput * size * 8 / 1000000;
    printf ("message size: %d [B]\n", (int) size);
    printf ("message count: %d\n", (int) count);
    printf ("mean throughput: %d [msg/s]\n", (int) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", (double) megabits);
    /* The figures are out even if shutting down stalls. */
    fflush (stdout);
}

/* Sends every one of `count` received messages back. */
static inline void perf_echo (void *s, size_t size, int count)
{
    zmq_msg_t msg;
    PERF_CHECK (zmq_msg_init (&msg));
    for (int i = 0; i != count; i++) {
        PERF_CHECK (zmq_recv (s, &msg, 0));
        perf_check_size (&msg, size);
        PERF_CHECK (zmq_send (s, &msg, 0));
    }
    PERF_CHECK (zmq_msg_close (&msg));
}

/* Times `count` round trips of a `size`-byte message and prints the
   one-way latency as remote_lat does. */
static inline void perf_ping (void *s, size_t size, int count)
{
    zmq_msg_t msg;
    PERF_CHECK (zmq_msg_init_size (&msg, size));
    memset (zmq_msg_data (&msg), 0, size);
    void *watch = zmq_stopwatch_start ();
    for (int i = 0; i != count; i++) {
        PERF_CHECK (zmq_send (s, &msg, 0));
        PERF_CHECK (zmq_recv (s, &msg, 0));
        perf_check_size (&msg, size);
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    PERF_CHECK (zmq_msg_close (&msg));

    double latency = (double) elapsed / (count * 2);
    printf ("message size: %d [B]\n", (int) size);
    printf ("roundtrip count: %d\n", (int) count);
    printf ("average latency: %.3f [us]\n", (double) latency);
    fflush (stdout);
}

/* Parses a count argument that must be at least 1. */
static inline int perf_count (const char *arg, const char *name)
{
    int n = atoi (arg);
    if (n < 1) {
        fprintf (stderr, "%s must be at least 1\n", name);
        exit (1);
    }
    return n;
}

#endif
