/*
 * test_ctx.c -- contexts, socket creation limits, zmq_term and ETERM,
 * version, errors and the zmq_utils.h helpers
 * (SPEC-2x sections 1.3, 2.1-2.3, 2.12-2.15, 2.24, 4, 9).
 */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

/* ---- a tiny "ready" latch ---------------------------------------------- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready_count;

static void signal_ready (void)
{
    pthread_mutex_lock (&lock);
    ready_count++;
    pthread_cond_broadcast (&cond);
    pthread_mutex_unlock (&lock);
}

static void wait_ready (int n)
{
    pthread_mutex_lock (&lock);
    while (ready_count < n)
        pthread_cond_wait (&cond, &lock);
    pthread_mutex_unlock (&lock);
}

/* ---- zmq_init / zmq_term / zmq_socket argument checks ------------------- */

static void test_init_args (void)
{
    CHECK_NULL_ERR (zmq_init (-1), EINVAL);
    CHECK_NULL_ERR (zmq_init (-100), EINVAL);
    CHECK_ERR (zmq_term (NULL), EFAULT);

    /* A zeroed buffer is not a context (tag mismatch). */
    uint64_t junk [128]; /* 1 KiB of zeros: the 2.2.0 socket tag is at offset 248 */
    memset (junk, 0, sizeof junk);
    CHECK_ERR (zmq_term (junk), EFAULT);
    CHECK_NULL_ERR (zmq_socket (junk, ZMQ_PAIR), EFAULT);
    CHECK_NULL_ERR (zmq_socket (NULL, ZMQ_PAIR), EFAULT);

    /* Contexts with I/O threads start and stop cleanly without sockets. */
    int threads [] = {0, 1, 4};
    for (size_t i = 0; i < sizeof threads / sizeof threads [0]; i++) {
        void *ctx = zmq_init (threads [i]);
        CHECK (ctx != NULL);
        CHECK_OK (zmq_term (ctx));
    }

    void *ctx = zmq_init (0);
    CHECK (ctx != NULL);
    CHECK_NULL_ERR (zmq_socket (ctx, -1), EINVAL);
    CHECK_NULL_ERR (zmq_socket (ctx, 11), EINVAL);
    CHECK_NULL_ERR (zmq_socket (ctx, 1000), EINVAL);
    CHECK (zmq_errno () == EINVAL);

    /* All eleven types can be created on a context without I/O threads. */
    for (int t = 0; t <= 10; t++) {
        void *s = zmq_socket (ctx, t);
        CHECK (s != NULL);
        CHECK_OK (zmq_close (s));
    }
    CHECK_OK (zmq_term (ctx));
}

/* ---- zmq_init(0) is enough for inproc; several contexts coexist --------- */

static void test_contexts (void)
{
    void *c1 = zmq_init (0);
    void *c2 = zmq_init (1);
    void *c3 = zmq_init (0);
    CHECK (c1 && c2 && c3);
    CHECK (c1 != c2 && c2 != c3 && c1 != c3);

    void *ctxs [3] = {c1, c2, c3};
    void *a [3], *b [3];
    /* inproc names are per context: the same name binds in each one. */
    for (int i = 0; i < 3; i++) {
        a [i] = zmq_socket (ctxs [i], ZMQ_PAIR);
        b [i] = zmq_socket (ctxs [i], ZMQ_PAIR);
        CHECK (a [i] && b [i]);
        CHECK_OK (zmq_bind (a [i], "inproc://same"));
        CHECK_OK (zmq_connect (b [i], "inproc://same"));
        set_int (a [i], ZMQ_RCVTIMEO, 5000);
    }
    /* A name bound only in c1 is unknown in c2. */
    CHECK_OK (zmq_bind (a [0], "inproc://only-in-c1"));
    void *x = zmq_socket (c2, ZMQ_PAIR);
    CHECK (x != NULL);
    CHECK_ERR (zmq_connect (x, "inproc://only-in-c1"), ECONNREFUSED);
    CHECK_OK (zmq_close (x));

    CHECK_OK (s_send (b [0], "one", 0));
    CHECK_OK (s_send (b [1], "two", 0));
    CHECK_OK (s_send (b [2], "three", 0));
    CHECK_RECV (a [2], "three", 0);
    CHECK_RECV (a [0], "one", 0);
    CHECK_RECV (a [1], "two", 0);

    for (int i = 0; i < 3; i++) {
        CHECK_OK (zmq_close (a [i]));
        CHECK_OK (zmq_close (b [i]));
    }
    CHECK_OK (zmq_term (c2));
    CHECK_OK (zmq_term (c1));
    CHECK_OK (zmq_term (c3));
}

/* ---- 512 sockets per context -------------------------------------------- */

static void test_max_sockets (void)
{
    /* Each socket needs 2 fds; 2.2 aborts (instead of EMFILE) when it runs
       out of fds (SPEC 1.5), so raise the limit first. */
    struct rlimit rl;
    CHECK_OK (getrlimit (RLIMIT_NOFILE, &rl));
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 1500) {
        struct rlimit want = {1500, 1500};
        if (setrlimit (RLIMIT_NOFILE, &want) == 0)
            rl = want;
    }
    rl.rlim_cur = rl.rlim_max;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536)
        rl.rlim_cur = 65536;
    CHECK_OK (setrlimit (RLIMIT_NOFILE, &rl));
    if (rl.rlim_cur < 1500) {
        fprintf (stderr, "test_ctx: RLIMIT_NOFILE %lu too low, "
            "skipping the 512-socket check\n", (unsigned long) rl.rlim_cur);
        return;
    }

    void *ctx = zmq_init (0);
    CHECK (ctx != NULL);
    static void *socks [512];
    for (int i = 0; i < 512; i++) {
        socks [i] = zmq_socket (ctx, i % 11);
        CHECK (socks [i] != NULL);
    }
    CHECK_NULL_ERR (zmq_socket (ctx, ZMQ_PAIR), EMFILE);
    CHECK_NULL_ERR (zmq_socket (ctx, ZMQ_PUB), EMFILE);
    /* The type is not even looked at when no slot is free. */
    CHECK_NULL_ERR (zmq_socket (ctx, 99), EMFILE);

    /* After closing one, a new socket can be created.  The slot is
       released asynchronously (by the reaper in 2.2), so allow up to 5 s. */
    CHECK_OK (zmq_close (socks [100]));
    void *s = NULL;
    for (int tries = 0; tries < 500 && s == NULL; tries++) {
        s = zmq_socket (ctx, ZMQ_PAIR);
        if (s == NULL) {
            CHECK (errno == EMFILE);
            sleep_ms (10);
        }
    }
    CHECK (s != NULL);
    socks [100] = s;
    CHECK_NULL_ERR (zmq_socket (ctx, ZMQ_PAIR), EMFILE);

    /* A second context has its own 512 slots. */
    void *ctx2 = zmq_init (0);
    CHECK (ctx2 != NULL);
    void *t = zmq_socket (ctx2, ZMQ_PAIR);
    CHECK (t != NULL);
    CHECK_OK (zmq_close (t));
    CHECK_OK (zmq_term (ctx2));

    for (int i = 0; i < 512; i++)
        CHECK_OK (zmq_close (socks [i]));
    CHECK_OK (zmq_term (ctx));
}

/* ---- zmq_term waits for every socket to be closed ---------------------- */

static void *term_ctx;
static int closed_flag;

static void *late_closer (void *arg)
{
    (void) arg;
    void *s = zmq_socket (term_ctx, ZMQ_PAIR);
    CHECK (s != NULL);
    CHECK_OK (zmq_bind (s, "inproc://late"));
    signal_ready ();
    sleep_ms (200);
    __atomic_store_n (&closed_flag, 1, __ATOMIC_SEQ_CST);
    CHECK_OK (zmq_close (s));
    return NULL;
}

static void test_term_waits (void)
{
    ready_count = 0;
    closed_flag = 0;
    term_ctx = zmq_init (0);
    CHECK (term_ctx != NULL);
    pthread_t th;
    CHECK_OK (pthread_create (&th, NULL, late_closer, NULL));
    wait_ready (1);
    uint64_t t0 = now_us ();
    CHECK_OK (zmq_term (term_ctx));
    uint64_t dt = now_us () - t0;
    CHECK (__atomic_load_n (&closed_flag, __ATOMIC_SEQ_CST) == 1);
    CHECK (dt >= 100000);
    CHECK_OK (pthread_join (th, NULL));
}

/* ---- blocked calls return ETERM; the socket is then dead except close --- */

static void *eterm_ctx;
static int threads_done;

static void check_all_eterm (void *s)
{
    int v = 0;
    size_t sz = sizeof v;
    int64_t v64 = 0;
    size_t sz64 = sizeof v64;
    uint32_t ev = 0;
    size_t evsz = sizeof ev;
    zmq_msg_t m;

    CHECK_ERR (zmq_setsockopt (s, ZMQ_LINGER, &v, sizeof v), ETERM);
    CHECK_ERR (zmq_setsockopt (s, ZMQ_HWM, &v64, sizeof v64), ETERM);
    CHECK_ERR (zmq_getsockopt (s, ZMQ_TYPE, &v, &sz), ETERM);
    CHECK_ERR (zmq_getsockopt (s, ZMQ_LINGER, &v, &sz), ETERM);
    CHECK_ERR (zmq_getsockopt (s, ZMQ_FD, &v, &sz), ETERM);
    CHECK_ERR (zmq_getsockopt (s, ZMQ_EVENTS, &ev, &evsz), ETERM);
    CHECK_ERR (zmq_getsockopt (s, ZMQ_RCVMORE, &v64, &sz64), ETERM);
    CHECK_ERR (zmq_bind (s, "inproc://after-term"), ETERM);
    CHECK_ERR (zmq_connect (s, "inproc://after-term"), ETERM);

    CHECK_OK (zmq_msg_init_size (&m, 3));
    CHECK_ERR (zmq_send (s, &m, 0), ETERM);
    CHECK_ERR (zmq_send (s, &m, ZMQ_NOBLOCK), ETERM);
    CHECK (zmq_msg_size (&m) == 3);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_OK (zmq_msg_init (&m));
    CHECK_ERR (zmq_recv (s, &m, 0), ETERM);
    CHECK_ERR (zmq_recv (s, &m, ZMQ_NOBLOCK), ETERM);
    CHECK_OK (zmq_msg_close (&m));

    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    CHECK_ERR (zmq_poll (&item, 1, 0), ETERM);
    CHECK_ERR (zmq_poll (&item, 1, -1), ETERM);
    item.events = ZMQ_POLLOUT;
    CHECK_ERR (zmq_poll (&item, 1, 1000), ETERM);

    /* No new sockets once zmq_term has started. */
    CHECK_NULL_ERR (zmq_socket (eterm_ctx, ZMQ_PAIR), ETERM);
    CHECK_NULL_ERR (zmq_socket (eterm_ctx, ZMQ_PUSH), ETERM);

    /* zmq_close is the one call that still works.  Count this thread as
       done first: zmq_term may return as soon as the socket is closed. */
    __atomic_add_fetch (&threads_done, 1, __ATOMIC_SEQ_CST);
    CHECK_OK (zmq_close (s));
}

static void *blocked_receiver (void *arg)
{
    (void) arg;
    void *s = zmq_socket (eterm_ctx, ZMQ_PULL);
    CHECK (s != NULL);
    CHECK_OK (zmq_bind (s, "inproc://eterm"));
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    signal_ready ();
    CHECK_ERR (zmq_recv (s, &m, 0), ETERM);
    CHECK_OK (zmq_msg_close (&m));
    check_all_eterm (s);
    return NULL;
}

static void *blocked_sender (void *arg)
{
    (void) arg;
    /* A PUSH with no peer blocks in zmq_send. */
    void *s = zmq_socket (eterm_ctx, ZMQ_PUSH);
    CHECK (s != NULL);
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, 64));
    memset (zmq_msg_data (&m), 'S', 64);
    signal_ready ();
    CHECK_ERR (zmq_send (s, &m, 0), ETERM);
    /* The failed send left the message with the caller. */
    CHECK (zmq_msg_size (&m) == 64);
    CHECK (((char *) zmq_msg_data (&m)) [63] == 'S');
    CHECK_OK (zmq_msg_close (&m));
    check_all_eterm (s);
    return NULL;
}

static void *blocked_poller (void *arg)
{
    (void) arg;
    void *s = zmq_socket (eterm_ctx, ZMQ_SUB);
    CHECK (s != NULL);
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    signal_ready ();
    CHECK_ERR (zmq_poll (&item, 1, -1), ETERM);
    check_all_eterm (s);
    return NULL;
}

static void test_eterm (void)
{
    ready_count = 0;
    threads_done = 0;
    eterm_ctx = zmq_init (1);
    CHECK (eterm_ctx != NULL);
    pthread_t th [3];
    CHECK_OK (pthread_create (&th [0], NULL, blocked_receiver, NULL));
    CHECK_OK (pthread_create (&th [1], NULL, blocked_sender, NULL));
    CHECK_OK (pthread_create (&th [2], NULL, blocked_poller, NULL));
    wait_ready (3);
    /* Not needed for correctness (a call made after zmq_term started fails
       with ETERM as well), just makes "blocked" the likely case. */
    sleep_ms (100);
    CHECK_OK (zmq_term (eterm_ctx));
    /* zmq_term returned, so every socket was closed by its thread. */
    CHECK (__atomic_load_n (&threads_done, __ATOMIC_SEQ_CST) == 3);
    for (int i = 0; i < 3; i++)
        CHECK_OK (pthread_join (th [i], NULL));
}

/* ---- version, errors, utils --------------------------------------------- */

static void test_version (void)
{
    int major = -1, minor = -1, patch = -1;
    zmq_version (&major, &minor, &patch);
    CHECK (major == 2);
    CHECK (minor == 2);
    CHECK (patch == 0 || patch == 1);
    CHECK (ZMQ_VERSION_MAJOR == 2 && ZMQ_VERSION_MINOR == 2);
    CHECK (ZMQ_MAKE_VERSION (2, 2, 1) == 20201);

    if (!testing_reference ()) {
        /* SPEC 2.1 / 18: 2.2 writes through the pointers unchecked; our
           library must not crash on NULL and fills the others. */
        zmq_version (NULL, NULL, NULL);
        int ma = -1, pa = -1;
        zmq_version (&ma, NULL, &pa);
        CHECK (ma == 2 && pa == patch);
        int mi = -1;
        zmq_version (NULL, &mi, NULL);
        CHECK (mi == 2);
    }
}

static void test_errors (void)
{
    CHECK (EFSM == 156384763);
    CHECK (ENOCOMPATPROTO == 156384764);
    CHECK (ETERM == 156384765);
    CHECK (EMTHREAD == 156384766);
    /* Linux has the POSIX names natively; the fallbacks are not used. */
    CHECK (ENOTSUP == 95);
    CHECK (EPROTONOSUPPORT == 93);

    CHECK (strcmp (zmq_strerror (EFSM),
        "Operation cannot be accomplished in current state") == 0);
    CHECK (strcmp (zmq_strerror (ENOCOMPATPROTO),
        "The protocol is not compatible with the socket type") == 0);
    CHECK (strcmp (zmq_strerror (ETERM), "Context was terminated") == 0);
    CHECK (strcmp (zmq_strerror (EMTHREAD), "No thread available") == 0);

    int natives [] = {EINVAL, EFAULT, EAGAIN, ENOTSUP, EPROTONOSUPPORT,
        EADDRINUSE, ECONNREFUSED, ENOTSOCK, EMFILE, ENOMEM, EINTR, 0, 4242};
    for (size_t i = 0; i < sizeof natives / sizeof natives [0]; i++) {
        char expect [256];
        snprintf (expect, sizeof expect, "%s", strerror (natives [i]));
        const char *got = zmq_strerror (natives [i]);
        CHECK (got != NULL);
        CHECK (strcmp (got, expect) == 0);
    }

    /* zmq_errno () is the calling thread's errno after a failure. */
    void *ctx = zmq_init (0);
    CHECK (ctx != NULL);
    void *s = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (s != NULL);
    CHECK (zmq_connect (s, "inproc://nobody") == -1);
    CHECK (errno == ECONNREFUSED);
    CHECK (zmq_errno () == ECONNREFUSED);
    CHECK (zmq_bind (s, "bogus") == -1);
    CHECK (zmq_errno () == EINVAL);
    CHECK (zmq_errno () == errno);
    errno = EFSM;
    CHECK (zmq_errno () == EFSM);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_term (ctx));
}

static void test_utils (void)
{
    void *w = zmq_stopwatch_start ();
    CHECK (w != NULL);
    unsigned long quick = zmq_stopwatch_stop (w);
    CHECK (quick < 500000);

    w = zmq_stopwatch_start ();
    CHECK (w != NULL);
    uint64_t t0 = now_us ();
    zmq_sleep (1);
    uint64_t real = now_us () - t0;
    unsigned long el = zmq_stopwatch_stop (w);
    CHECK (real >= 950000);
    CHECK (el >= 950000);
    CHECK (el < 3000000);
    CHECK (el <= real + 100000);
}

int main (void)
{
    test_deadline (60);
    test_init_args ();
    test_version ();
    test_errors ();
    test_contexts ();
    test_max_sockets ();
    test_term_waits ();
    test_eterm ();
    test_utils ();
    printf ("PASS test_ctx\n");
    return 0;
}
