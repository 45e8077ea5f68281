/*
 * testutil.h -- tiny assertion helpers shared by the C API tests.
 *
 * Every test is a standalone program using only <zmq.h> (and <zmq_utils.h>)
 * as a user of libzmq 2.2 would.  It exits 0 when every check passed and
 * non-zero (after printing file:line) on the first failed check.  The same
 * binary runs against this library and against the reference libzmq 2.2.0;
 * where 2.2 is known to crash, hang or leak (docs/COMPATIBILITY.md), the
 * check is guarded with `if (!testing_reference ())`.
 */
#ifndef TESTUTIL_H_INCLUDED
#define TESTUTIL_H_INCLUDED

#include <zmq.h>
#include <zmq_utils.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            int e_ = errno;                                                  \
            fprintf (stderr, "%s:%d: check failed: %s (errno %d: %s)\n",     \
                __FILE__, __LINE__, #cond, e_, zmq_strerror (e_));           \
            exit (1);                                                        \
        }                                                                    \
    } while (0)

/* The call must return 0. */
#define CHECK_OK(expr) CHECK ((expr) == 0)

/* The call must fail with -1 and the given errno. */
#define CHECK_ERR(expr, err)                                                 \
    do {                                                                     \
        errno = 0;                                                           \
        int rc_ = (int) (expr);                                              \
        int e_ = errno;                                                      \
        if (rc_ != -1 || e_ != (err)) {                                      \
            fprintf (stderr, "%s:%d: %s: expected -1/%s, got %d/%d (%s)\n",  \
                __FILE__, __LINE__, #expr, #err, rc_, e_, zmq_strerror (e_)); \
            exit (1);                                                        \
        }                                                                    \
    } while (0)

/* The call must return NULL with the given errno. */
#define CHECK_NULL_ERR(expr, err)                                            \
    do {                                                                     \
        errno = 0;                                                           \
        void *p_ = (void *) (expr);                                          \
        int e_ = errno;                                                      \
        if (p_ != NULL || e_ != (err)) {                                     \
            fprintf (stderr, "%s:%d: %s: expected NULL/%s, got %p/%d\n",     \
                __FILE__, __LINE__, #expr, #err, p_, e_);                    \
            exit (1);                                                        \
        }                                                                    \
    } while (0)

/* Non-zero when the binary runs against the reference libzmq 2.2.0
   (the test runner sets ZMQ_TEST_REFERENCE=1 for that run). */
static inline int testing_reference (void)
{
    return getenv ("ZMQ_TEST_REFERENCE") != NULL;
}

/* ---- clocks ------------------------------------------------------------- */

/* Monotonic time in microseconds. */
static inline uint64_t now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Monotonic time in milliseconds. */
static inline int64_t now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms milliseconds, resuming after signals (EINTR). */
static inline void sleep_ms (int ms)
{
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
    while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- socket options ----------------------------------------------------- */

/* Sets an int option; the call must succeed. */
static inline void set_int (void *s, int option, int value)
{
    CHECK_OK (zmq_setsockopt (s, option, &value, sizeof value));
}

/* Sets ZMQ_HWM (uint64_t); the call must succeed. */
static inline void set_hwm (void *s, uint64_t hwm)
{
    CHECK_OK (zmq_setsockopt (s, ZMQ_HWM, &hwm, sizeof hwm));
}

/* Reads an int option; the call must succeed and write back sizeof (int). */
static inline int get_int (void *s, int option)
{
    int v = -12345;
    size_t sz = sizeof v;
    CHECK_OK (zmq_getsockopt (s, option, &v, &sz));
    CHECK (sz == sizeof v);
    return v;
}

/* ZMQ_EVENTS; the call must succeed and, if check_size, write back 4 bytes. */
static inline uint32_t get_events_ (void *s, int check_size)
{
    uint32_t ev = 0xffffffffu;
    size_t sz = sizeof ev;
    CHECK_OK (zmq_getsockopt (s, ZMQ_EVENTS, &ev, &sz));
    if (check_size)
        CHECK (sz == sizeof ev);
    return ev;
}

/* ZMQ_EVENTS; the call must succeed. */
static inline uint32_t get_events (void *s)
{
    return get_events_ (s, 0);
}

/* ZMQ_EVENTS; the call must succeed and write back exactly 4 bytes. */
static inline uint32_t get_events_sized (void *s)
{
    return get_events_ (s, 1);
}

/* Subscribes a SUB to a string prefix; the call must succeed. */
static inline void subscribe (void *s, const char *prefix)
{
    CHECK_OK (zmq_setsockopt (s, ZMQ_SUBSCRIBE, prefix, strlen (prefix)));
}

/* A new socket with a 5 s ZMQ_RCVTIMEO (a lost message fails, not hangs). */
static inline void *guarded_socket (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK (s != NULL);
    set_int (s, ZMQ_RCVTIMEO, 5000);
    return s;
}

/* ---- messages ----------------------------------------------------------- */

/* Sends size bytes of data as one part; flags as zmq_send. Returns its rc. */
static inline int send_buf (void *s, const void *data, size_t size,
    int flags)
{
    zmq_msg_t m;
    if (zmq_msg_init_size (&m, size) != 0)
        return -1;
    if (size)
        memcpy (zmq_msg_data (&m), data, size);
    int rc = zmq_send (s, &m, flags);
    int e = errno;
    zmq_msg_close (&m);
    errno = e;
    return rc;
}

/* Sends a string as one part; flags as zmq_send. Returns zmq_send's rc. */
static inline int s_send (void *s, const char *str, int flags)
{
    return send_buf (s, str, strlen (str), flags);
}

/* Like send_buf, but msg init and close must succeed (CHECKed). */
static inline int send_bytes (void *s, const void *data, size_t len,
    int flags)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, len));
    if (len)
        memcpy (zmq_msg_data (&m), data, len);
    int rc = zmq_send (s, &m, flags);
    int e = errno;
    CHECK_OK (zmq_msg_close (&m));
    errno = e;
    return rc;
}

/* Receives one part into buf (NUL-terminated, truncated to cap-1 bytes).
   Returns the part's size, or -1 with errno from zmq_recv. */
static inline int s_recv (void *s, char *buf, size_t cap, int flags)
{
    zmq_msg_t m;
    zmq_msg_init (&m);
    if (zmq_recv (s, &m, flags) != 0) {
        int e = errno;
        zmq_msg_close (&m);
        errno = e;
        return -1;
    }
    size_t n = zmq_msg_size (&m);
    size_t c = n < cap - 1 ? n : cap - 1;
    memcpy (buf, zmq_msg_data (&m), c);
    buf [c] = 0;
    zmq_msg_close (&m);
    return (int) n;
}

/* Receives one part and checks it equals str. */
#define CHECK_RECV(s, str, flags)                                            \
    do {                                                                     \
        char b_ [4096];                                                      \
        int n_ = s_recv ((s), b_, sizeof b_, (flags));                       \
        CHECK (n_ >= 0);                                                     \
        if (strcmp (b_, (str)) != 0) {                                       \
            fprintf (stderr, "%s:%d: received '%s', expected '%s'\n",        \
                __FILE__, __LINE__, b_, (str));                              \
            exit (1);                                                        \
        }                                                                    \
    } while (0)

/* The value of ZMQ_RCVMORE. */
static inline int64_t rcvmore (void *s)
{
    int64_t more = -1;
    size_t sz = sizeof more;
    if (zmq_getsockopt (s, ZMQ_RCVMORE, &more, &sz) != 0)
        return -1;
    return more;
}

/* Receives a part, checks its content and its MORE flag (caller's line). */
#define RECV_PART(s, str, more)                                              \
    do {                                                                     \
        CHECK_RECV ((s), (str), 0);                                          \
        CHECK (rcvmore (s) == (more));                                       \
    } while (0)

/* Nothing is readable right now (a macro: failures show the caller's line). */
#define EXPECT_NOTHING(s)                                                    \
    do {                                                                     \
        char nb_ [64];                                                       \
        CHECK_ERR (s_recv ((s), nb_, sizeof nb_, ZMQ_NOBLOCK), EAGAIN);      \
    } while (0)

/* Sends "<prefix>i" for i = first..end-1 as single parts; each must go. */
static inline void send_numbered (void *s, const char *prefix, int first,
    int end, int flags)
{
    for (int i = first; i < end; i++) {
        char buf [32];
        snprintf (buf, sizeof buf, "%s%d", prefix, i);
        CHECK_OK (s_send (s, buf, flags));
    }
}

/* RECV_PART (s, "<prefix>i", 0) for i = first..end-1. */
static inline void recv_numbered (void *s, const char *prefix, int first,
    int end)
{
    for (int i = first; i < end; i++) {
        char want [32];
        snprintf (want, sizeof want, "%s%d", prefix, i);
        RECV_PART (s, want, 0);
    }
}

/* NOBLOCK-sends "<prefix>first", ... until EAGAIN or limit; returns count. */
static inline int send_until_full (void *s, const char *prefix, int first,
    int limit)
{
    int n = 0;
    while (n < limit) {
        char buf [32];
        snprintf (buf, sizeof buf, "%s%d", prefix, first + n);
        if (s_send (s, buf, ZMQ_NOBLOCK) != 0) {
            CHECK (errno == EAGAIN);
            break;
        }
        n++;
    }
    return n;
}

/* ---- threads ------------------------------------------------------------ */

/* term_fn's argument: calls zmq_term (ctx) after delay_ms, result in rc. */
struct termer
{
    void *ctx;
    int delay_ms;
    int rc;
};

/* Thread body (pthread_create (&thr, NULL, term_fn, &termer)). */
static inline void *term_fn (void *arg)
{
    struct termer *t = (struct termer *) arg;
    if (t->delay_ms > 0)
        sleep_ms (t->delay_ms);
    t->rc = zmq_term (t->ctx);
    return NULL;
}

/* A safety net: a test that hangs is killed after this many seconds. */
static inline void test_deadline (unsigned seconds)
{
    alarm (seconds);
}

#endif
