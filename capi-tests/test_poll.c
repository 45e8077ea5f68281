/*
 * test_poll.c -- zmq_poll (SPEC-2x.md 2.22, 8.1, 9, 15, 16).
 *
 * Argument checks, the microsecond timeout with millisecond granularity,
 * 0MQ socket items, raw fd items (pipe(2)), revents recomputation, socket
 * precedence over fd, a closed socket in the items, EINTR from zmq_poll,
 * zmq_recv and zmq_send, and ETERM when the context is terminated from
 * another thread.  inproc only.
 */
#include "testutil.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

/* ---- signals ----------------------------------------------------------- */

static volatile sig_atomic_t sig_count;

/* SIGALRM handler.  The test's own signals come from pthread_kill
   (si_code SI_TKILL); anything else is the test_deadline alarm, which must
   still kill a hung test. */
static void on_sigalrm (int sig, siginfo_t *si, void *uc)
{
    (void) sig;
    (void) uc;
    if (si->si_code != SI_TKILL) {
        static const char msg [] = "test_poll: deadline expired\n";
        if (write (2, msg, sizeof msg - 1) < 0) {
        }
        _exit (1);
    }
    sig_count++;
}

struct killer
{
    pthread_t target;
    int done;
};

/* Sends SIGALRM to the target thread every 100 ms until told to stop, so a
   signal that lands before the target has blocked does not matter: the
   next one interrupts the blocking call. */
static void *killer_fn (void *arg)
{
    struct killer *k = (struct killer *) arg;
    while (!__atomic_load_n (&k->done, __ATOMIC_SEQ_CST)) {
        usleep (100000);
        if (!__atomic_load_n (&k->done, __ATOMIC_SEQ_CST))
            pthread_kill (k->target, SIGALRM);
    }
    return NULL;
}

static void killer_start (struct killer *k, pthread_t *thr)
{
    k->target = pthread_self ();
    __atomic_store_n (&k->done, 0, __ATOMIC_SEQ_CST);
    CHECK (pthread_create (thr, NULL, killer_fn, k) == 0);
}

/* Stops the killer; after the join every signal it sent has been handled,
   so no stray signal can hit a later call. */
static void killer_stop (struct killer *k, pthread_t thr)
{
    __atomic_store_n (&k->done, 1, __ATOMIC_SEQ_CST);
    CHECK (pthread_join (thr, NULL) == 0);
}

/* ---- helper threads ---------------------------------------------------- */

struct late_sender
{
    void *ctx;
    const char *endpoint;
};

/* Connects a PUSH of its own, waits a little, sends "late", closes. */
static void *late_sender_fn (void *arg)
{
    struct late_sender *ls = (struct late_sender *) arg;
    void *push = zmq_socket (ls->ctx, ZMQ_PUSH);
    CHECK (push != NULL);
    CHECK_OK (zmq_connect (push, ls->endpoint));
    usleep (50000);
    CHECK_OK (s_send (push, "late", 0));
    CHECK_OK (zmq_close (push));
    return NULL;
}

/* ---- tests ------------------------------------------------------------- */

static void test_arguments (void)
{
    zmq_pollitem_t item;
    memset (&item, 0, sizeof item);
    item.fd = -1;

    /* nitems < 0 -> EINVAL (checked before the items pointer). */
    CHECK_ERR (zmq_poll (&item, -1, 0), EINVAL);
    CHECK_ERR (zmq_poll (NULL, -1, 0), EINVAL);
    CHECK_ERR (zmq_poll (&item, -5, -1), EINVAL);

    /* items NULL with nitems > 0 -> EFAULT. */
    CHECK_ERR (zmq_poll (NULL, 1, 0), EFAULT);
    CHECK_ERR (zmq_poll (NULL, 3, 1000), EFAULT);

    /* nitems 0, timeout 0: returns 0 at once, NULL items allowed. */
    uint64_t t0 = now_us ();
    CHECK (zmq_poll (NULL, 0, 0) == 0);
    CHECK (zmq_poll (&item, 0, 0) == 0);
    CHECK (now_us () - t0 < 500000);

    /* nitems 0, timeout 20000 us: sleeps ~20 ms, returns 0. */
    t0 = now_us ();
    CHECK (zmq_poll (NULL, 0, 20000) == 0);
    uint64_t el = now_us () - t0;
    CHECK (el >= 19000);
    CHECK (el < 3000000);
}

static void test_timeouts (void *ctx)
{
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    CHECK_OK (zmq_bind (pull, "inproc://poll-timeout"));

    zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};

    /* timeout 0: immediate. */
    uint64_t t0 = now_us ();
    CHECK (zmq_poll (&item, 1, 0) == 0);
    CHECK (item.revents == 0);
    CHECK (now_us () - t0 < 500000);

    /* The timeout is in microseconds: 100000 us = 100 ms. */
    t0 = now_us ();
    CHECK (zmq_poll (&item, 1, 100000) == 0);
    uint64_t el = now_us () - t0;
    CHECK (item.revents == 0);
    CHECK (el >= 90000);
    CHECK (el < 5000000);

    /* Below 1000 us the timeout behaves like 0 (millisecond granularity). */
    t0 = now_us ();
    CHECK (zmq_poll (&item, 1, 999) == 0);
    CHECK (zmq_poll (&item, 1, 500) == 0);
    CHECK (zmq_poll (&item, 1, 1) == 0);
    CHECK (item.revents == 0);
    CHECK (now_us () - t0 < 500000);

    /* -1 waits until a message arrives (sent from another thread). */
    struct late_sender ls = {ctx, "inproc://poll-timeout"};
    pthread_t thr;
    CHECK (pthread_create (&thr, NULL, late_sender_fn, &ls) == 0);
    item.revents = 0;
    CHECK (zmq_poll (&item, 1, -1) == 1);
    CHECK (item.revents == ZMQ_POLLIN);
    CHECK_RECV (pull, "late", 0);
    CHECK (pthread_join (thr, NULL) == 0);

    /* Any negative timeout is infinite too. */
    CHECK (pthread_create (&thr, NULL, late_sender_fn, &ls) == 0);
    item.revents = 0;
    CHECK (zmq_poll (&item, 1, -1000) == 1);
    CHECK (item.revents == ZMQ_POLLIN);
    CHECK_RECV (pull, "late", 0);
    CHECK (pthread_join (thr, NULL) == 0);

    /* Nothing left. */
    CHECK (zmq_poll (&item, 1, 0) == 0);
    CHECK (item.revents == 0);

    CHECK_OK (zmq_close (pull));
}

static void test_socket_items (void *ctx)
{
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    void *lonely = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (pull && push && lonely);
    CHECK_OK (zmq_bind (pull, "inproc://poll-items"));
    CHECK_OK (zmq_connect (push, "inproc://poll-items"));

    zmq_pollitem_t items [3] = {
        {pull, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0},
        {push, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0},
        {lonely, 0, ZMQ_POLLOUT, 0},
    };

    /* PUSH with a connected peer: POLLOUT (never POLLIN); a PUSH without
       peers: nothing; an empty PULL: nothing. revents are overwritten. */
    items [0].revents = items [1].revents = items [2].revents = 0x7f;
    CHECK (zmq_poll (items, 3, 0) == 1);
    CHECK (items [0].revents == 0);
    CHECK (items [1].revents == ZMQ_POLLOUT);
    CHECK (items [2].revents == 0);

    /* A queued message: POLLIN on the PULL (never POLLOUT). */
    CHECK_OK (s_send (push, "m1", 0));
    CHECK_OK (s_send (push, "m2", 0));
    items [0].revents = items [1].revents = items [2].revents = 0x7f;
    CHECK (zmq_poll (items, 3, 0) == 2);
    CHECK (items [0].revents == ZMQ_POLLIN);
    CHECK (items [1].revents == ZMQ_POLLOUT);
    CHECK (items [2].revents == 0);

    /* revents are masked by events. */
    items [0].events = ZMQ_POLLOUT;
    items [1].events = ZMQ_POLLIN;
    CHECK (zmq_poll (items, 2, 0) == 0);
    CHECK (items [0].revents == 0);
    CHECK (items [1].revents == 0);
    items [0].events = 0;
    items [1].events = 0;
    CHECK (zmq_poll (items, 2, 0) == 0);
    CHECK (items [0].revents == 0);
    CHECK (items [1].revents == 0);
    items [0].events = ZMQ_POLLIN;
    items [1].events = ZMQ_POLLOUT;

    /* Still readable after one message; not after both (recomputed each
       call, level-triggered on the queue). */
    CHECK_RECV (pull, "m1", 0);
    CHECK (zmq_poll (items, 1, 0) == 1);
    CHECK (items [0].revents == ZMQ_POLLIN);
    CHECK_RECV (pull, "m2", 0);
    CHECK (zmq_poll (items, 1, 0) == 0);
    CHECK (items [0].revents == 0);

    /* A multipart message is one POLLIN; all parts are there. */
    CHECK_OK (s_send (push, "a", ZMQ_SNDMORE));
    CHECK_OK (s_send (push, "b", 0));
    CHECK (zmq_poll (items, 1, 1000000) == 1);
    CHECK (items [0].revents == ZMQ_POLLIN);
    CHECK_RECV (pull, "a", ZMQ_NOBLOCK);
    CHECK (rcvmore (pull) == 1);
    CHECK_RECV (pull, "b", ZMQ_NOBLOCK);
    CHECK (rcvmore (pull) == 0);
    CHECK (zmq_poll (items, 1, 0) == 0);

    /* A bound PUSH sees POLLOUT once a PULL connects (the binder attaches
       the pipe when zmq_poll processes its commands). */
    void *bpush = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (bpush != NULL);
    CHECK_OK (zmq_bind (bpush, "inproc://poll-bound-push"));
    zmq_pollitem_t bitem = {bpush, 0, ZMQ_POLLOUT, 0};
    CHECK (zmq_poll (&bitem, 1, 0) == 0);
    CHECK (bitem.revents == 0);
    void *cpull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (cpull != NULL);
    CHECK_OK (zmq_connect (cpull, "inproc://poll-bound-push"));
    CHECK (zmq_poll (&bitem, 1, 5000000) == 1);
    CHECK (bitem.revents == ZMQ_POLLOUT);
    CHECK_OK (s_send (bpush, "x", 0));
    CHECK_RECV (cpull, "x", 0);

    CHECK_OK (zmq_close (cpull));
    CHECK_OK (zmq_close (bpush));
    CHECK_OK (zmq_close (lonely));
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
}

static void test_fd_items (void *ctx)
{
    int p [2];
    CHECK (pipe (p) == 0);

    zmq_pollitem_t items [2];
    memset (items, 0, sizeof items);
    items [0].fd = p [0];
    items [0].events = ZMQ_POLLIN;
    items [1].fd = p [1];
    items [1].events = ZMQ_POLLOUT;

    /* Empty pipe: the write end is writable, the read end is not. */
    items [0].revents = items [1].revents = 0x7f;
    CHECK (zmq_poll (items, 2, 0) == 1);
    CHECK (items [0].revents == 0);
    CHECK (items [1].revents == ZMQ_POLLOUT);

    /* Timeout applies to fd items as well. */
    uint64_t t0 = now_us ();
    CHECK (zmq_poll (items, 1, 50000) == 0);
    CHECK (now_us () - t0 >= 40000);

    /* Written: POLLIN on the read end. */
    CHECK (write (p [1], "x", 1) == 1);
    CHECK (zmq_poll (items, 2, 0) == 2);
    CHECK (items [0].revents == ZMQ_POLLIN);
    CHECK (items [1].revents == ZMQ_POLLOUT);

    /* Data read again: no longer readable (recomputed). */
    char c;
    CHECK (read (p [0], &c, 1) == 1);
    CHECK (zmq_poll (items, 2, 0) == 1);
    CHECK (items [0].revents == 0);

    /* A socket item takes precedence over its fd: the PULL is empty, so
       the (readable) pipe fd in the same item is ignored. */
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    CHECK (write (p [1], "y", 1) == 1);
    zmq_pollitem_t both = {pull, p [0], ZMQ_POLLIN, 0x7f};
    CHECK (zmq_poll (&both, 1, 0) == 0);
    CHECK (both.revents == 0);
    both.fd = p [1];
    both.events = ZMQ_POLLOUT;
    CHECK (zmq_poll (&both, 1, 0) == 0);
    CHECK (both.revents == 0);
    CHECK_OK (zmq_close (pull));
    CHECK (read (p [0], &c, 1) == 1);

    /* Read end whose writer closed, with data left: POLLIN plus POLLERR
       (the kernel's POLLHUP maps to ZMQ_POLLERR). */
    CHECK (write (p [1], "z", 1) == 1);
    CHECK (close (p [1]) == 0);
    items [0].revents = 0;
    CHECK (zmq_poll (items, 1, 0) == 1);
    CHECK (items [0].revents == (ZMQ_POLLIN | ZMQ_POLLERR));
    CHECK (read (p [0], &c, 1) == 1);
    CHECK (c == 'z');

    /* Drained: revents is exactly ZMQ_POLLERR (POLLHUP alone). */
    CHECK (zmq_poll (items, 1, 0) == 1);
    CHECK (items [0].revents == ZMQ_POLLERR);
    /* ... reported even when not requested. */
    items [0].events = 0;
    CHECK (zmq_poll (items, 1, 0) == 1);
    CHECK (items [0].revents == ZMQ_POLLERR);
    items [0].events = ZMQ_POLLERR;
    CHECK (zmq_poll (items, 1, 0) == 1);
    CHECK (items [0].revents == ZMQ_POLLERR);
    /* An error condition ends a wait at once. */
    items [0].events = ZMQ_POLLIN;
    t0 = now_us ();
    CHECK (zmq_poll (items, 1, -1) == 1);
    CHECK (items [0].revents == ZMQ_POLLERR);
    CHECK (now_us () - t0 < 2000000);
    CHECK (close (p [0]) == 0);

    /* Write end whose reader closed: POLLOUT plus POLLERR. */
    int q [2];
    CHECK (pipe (q) == 0);
    CHECK (close (q [0]) == 0);
    zmq_pollitem_t w = {NULL, q [1], ZMQ_POLLOUT, 0};
    CHECK (zmq_poll (&w, 1, 0) == 1);
    CHECK (w.revents == (ZMQ_POLLOUT | ZMQ_POLLERR));
    CHECK (close (q [1]) == 0);

    /* An fd that is not open (POLLNVAL) reports ZMQ_POLLERR and counts. */
    int bad = 1000;
    while (bad > 100 && fcntl (bad, F_GETFD) != -1)
        bad--;
    CHECK (fcntl (bad, F_GETFD) == -1 && errno == EBADF);
    zmq_pollitem_t nv = {NULL, bad, ZMQ_POLLIN, 0};
    CHECK (zmq_poll (&nv, 1, 0) == 1);
    CHECK (nv.revents == ZMQ_POLLERR);

    /* A negative fd is ignored by poll(2): no event, not counted. */
    zmq_pollitem_t neg = {NULL, -1, ZMQ_POLLIN | ZMQ_POLLOUT, 0x7f};
    CHECK (zmq_poll (&neg, 1, 0) == 0);
    CHECK (neg.revents == 0);
}

static void test_closed_socket (void *ctx)
{
    /* A closed socket in the items -> -1/ENOTSOCK (SPEC 8.1 step 4).
       Not on the reference: 2.2.0 invalidates the socket's tag only in its
       destructor on the reaper thread (SPEC 17, "socket tag invalidation"),
       so right after zmq_close the poll may still use the dying socket
       (observed: rc 0 right after close, ENOTSOCK once reaped) -- a
       use-after-free race. */
    if (!testing_reference ()) {
        void *s = zmq_socket (ctx, ZMQ_PULL);
        CHECK (s != NULL);
        CHECK_OK (zmq_close (s));
        zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
        CHECK_ERR (zmq_poll (&item, 1, 0), ENOTSOCK);
        CHECK_ERR (zmq_poll (&item, 1, -1), ENOTSOCK);
    }
    (void) ctx;
}

static void test_eintr (void *ctx)
{
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigalrm;
    sa.sa_flags = SA_SIGINFO; /* no SA_RESTART */
    sigemptyset (&sa.sa_mask);
    CHECK (sigaction (SIGALRM, &sa, NULL) == 0);

    void *pull = zmq_socket (ctx, ZMQ_PULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (pull && push);
    CHECK_OK (zmq_bind (pull, "inproc://poll-eintr"));

    struct killer k;
    pthread_t thr;

    /* zmq_poll with an infinite timeout -> -1/EINTR. */
    zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
    sig_count = 0;
    killer_start (&k, &thr);
    errno = 0;
    int rc = zmq_poll (&item, 1, -1);
    int e = errno;
    killer_stop (&k, thr);
    CHECK (rc == -1);
    CHECK (e == EINTR);
    CHECK (sig_count >= 1);

    /* ... also with a finite (long) timeout. */
    sig_count = 0;
    killer_start (&k, &thr);
    errno = 0;
    rc = zmq_poll (&item, 1, 30000000);
    e = errno;
    killer_stop (&k, thr);
    CHECK (rc == -1);
    CHECK (e == EINTR);
    CHECK (sig_count >= 1);

    /* Blocking zmq_recv on an empty PULL -> -1/EINTR. */
    zmq_msg_t msg;
    CHECK_OK (zmq_msg_init (&msg));
    sig_count = 0;
    killer_start (&k, &thr);
    errno = 0;
    rc = zmq_recv (pull, &msg, 0);
    e = errno;
    killer_stop (&k, thr);
    CHECK (rc == -1);
    CHECK (e == EINTR);
    CHECK (sig_count >= 1);
    CHECK (zmq_msg_size (&msg) == 0);
    CHECK_OK (zmq_msg_close (&msg));

    /* Blocking zmq_send on a PUSH without peers -> -1/EINTR, message not
       consumed. */
    CHECK_OK (zmq_msg_init_size (&msg, 5));
    memcpy (zmq_msg_data (&msg), "hello", 5);
    sig_count = 0;
    killer_start (&k, &thr);
    errno = 0;
    rc = zmq_send (push, &msg, 0);
    e = errno;
    killer_stop (&k, thr);
    CHECK (rc == -1);
    CHECK (e == EINTR);
    CHECK (sig_count >= 1);
    CHECK (zmq_msg_size (&msg) == 5);
    CHECK (memcmp (zmq_msg_data (&msg), "hello", 5) == 0);

    /* The sockets still work afterwards: connect and send the same
       message. */
    CHECK_OK (zmq_connect (push, "inproc://poll-eintr"));
    CHECK_OK (zmq_send (push, &msg, 0));
    CHECK_OK (zmq_msg_close (&msg));
    CHECK (zmq_poll (&item, 1, 5000000) == 1);
    CHECK (item.revents == ZMQ_POLLIN);
    CHECK_RECV (pull, "hello", 0);

    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));

    /* Back to the default disposition so test_deadline kills again. */
    signal (SIGALRM, SIG_DFL);
}

static void test_eterm (void)
{
    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (pull != NULL);
    CHECK_OK (zmq_bind (pull, "inproc://poll-eterm"));

    /* zmq_term from another thread (after 100 ms) while this one polls
       forever. */
    struct termer t = {ctx, 100, -2};
    pthread_t thr;
    CHECK (pthread_create (&thr, NULL, term_fn, &t) == 0);
    zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
    CHECK_ERR (zmq_poll (&item, 1, -1), ETERM);
    /* Every later poll of that socket fails the same way. */
    CHECK_ERR (zmq_poll (&item, 1, 0), ETERM);
    CHECK_ERR (zmq_poll (&item, 1, -1), ETERM);
    /* Closing is the application's job; then zmq_term returns 0. */
    CHECK_OK (zmq_close (pull));
    CHECK (pthread_join (thr, NULL) == 0);
    CHECK (t.rc == 0);
}

int main (void)
{
    test_deadline (60);

    test_arguments ();

    void *ctx = zmq_init (1);
    CHECK (ctx != NULL);
    test_timeouts (ctx);
    test_socket_items (ctx);
    test_fd_items (ctx);
    test_closed_socket (ctx);
    test_eintr (ctx);
    CHECK_OK (zmq_term (ctx));

    test_eterm ();

    printf ("PASS test_poll\n");
    return 0;
}
