/*
 * rrbroker_threads.c -- the request-reply broker of the 0MQ guide, with its
 * clients and workers as threads of one process, over inproc.
 *
 * A ROUTER frontend faces REQ clients, a DEALER backend faces REP workers,
 * and a zmq_poll loop moves whole messages between them.  Each client sends
 * a few requests and checks every reply; the program exits 0 when all
 * replies came back.
 */
#include <zmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENTS 4
#define WORKERS 3
#define REQUESTS 5

static void *context;

static int send_str (void *s, const char *text, int flags)
{
    zmq_msg_t m;
    zmq_msg_init_size (&m, strlen (text));
    memcpy (zmq_msg_data (&m), text, strlen (text));
    int rc = zmq_send (s, &m, flags);
    zmq_msg_close (&m);
    return rc;
}

static int recv_str (void *s, char *buf, size_t cap)
{
    zmq_msg_t m;
    zmq_msg_init (&m);
    if (zmq_recv (s, &m, 0) != 0) {
        zmq_msg_close (&m);
        return -1;
    }
    size_t n = zmq_msg_size (&m) < cap - 1 ? zmq_msg_size (&m) : cap - 1;
    memcpy (buf, zmq_msg_data (&m), n);
    buf [n] = 0;
    zmq_msg_close (&m);
    return (int) n;
}

static void *worker (void *arg)
{
    int id = (int) (long) arg;
    void *rep = zmq_socket (context, ZMQ_REP);
    zmq_connect (rep, "inproc://backend");
    char req [256], reply [300];
    while (recv_str (rep, req, sizeof req) >= 0) {
        snprintf (reply, sizeof reply, "%s -> World from worker %d", req, id);
        if (send_str (rep, reply, 0) != 0)
            break;
    }
    zmq_close (rep);   /* zmq_recv failed with ETERM: the broker ended */
    return NULL;
}

static void *client (void *arg)
{
    int id = (int) (long) arg;
    void *req = zmq_socket (context, ZMQ_REQ);
    zmq_connect (req, "inproc://frontend");
    long ok = 1;
    for (int i = 0; i < REQUESTS; i++) {
        char text [64], reply [300];
        snprintf (text, sizeof text, "Hello %d.%d", id, i);
        if (send_str (req, text, 0) != 0 || recv_str (req, reply, sizeof reply) < 0
            || strncmp (reply, text, strlen (text)) != 0) {
            ok = 0;
            break;
        }
        printf ("client %d: %s\n", id, reply);
    }
    zmq_close (req);
    return (void *) ok;
}

int main (void)
{
    context = zmq_init (1);
    void *frontend = zmq_socket (context, ZMQ_ROUTER);
    void *backend = zmq_socket (context, ZMQ_DEALER);
    if (zmq_bind (frontend, "inproc://frontend") != 0
        || zmq_bind (backend, "inproc://backend") != 0) {
        fprintf (stderr, "bind: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    pthread_t workers [WORKERS], clients [CLIENTS];
    for (long i = 0; i < WORKERS; i++)
        pthread_create (&workers [i], NULL, worker, (void *) i);
    for (long i = 0; i < CLIENTS; i++)
        pthread_create (&clients [i], NULL, client, (void *) i);

    /* The broker: move whole messages until every reply went out. */
    int replies = 0;
    zmq_pollitem_t items [] = {
        { frontend, 0, ZMQ_POLLIN, 0 },
        { backend, 0, ZMQ_POLLIN, 0 },
    };
    while (replies < CLIENTS * REQUESTS) {
        if (zmq_poll (items, 2, -1) < 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (!(items [i].revents & ZMQ_POLLIN))
                continue;
            void *from = items [i].socket, *to = items [1 - i].socket;
            while (1) {
                zmq_msg_t m;
                int64_t more;
                size_t sz = sizeof more;
                zmq_msg_init (&m);
                zmq_recv (from, &m, 0);
                zmq_getsockopt (from, ZMQ_RCVMORE, &more, &sz);
                zmq_send (to, &m, more ? ZMQ_SNDMORE : 0);
                zmq_msg_close (&m);
                if (!more)
                    break;
            }
            if (i == 1)
                replies++;
        }
    }
    int failed = 0;
    for (int i = 0; i < CLIENTS; i++) {
        void *ok;
        pthread_join (clients [i], &ok);
        failed += ok == NULL;
    }
    zmq_close (frontend);
    zmq_close (backend);
    zmq_term (context);   /* workers blocked in zmq_recv get ETERM */
    for (int i = 0; i < WORKERS; i++)
        pthread_join (workers [i], NULL);
    printf ("broker: %d replies routed, %d clients failed\n", replies, failed);
    return failed ? 1 : 0;
}
