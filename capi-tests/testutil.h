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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Sends a string as one part; flags as zmq_send. Returns zmq_send's rc. */
static inline int s_send (void *s, const char *str, int flags)
{
    zmq_msg_t m;
    size_t len = strlen (str);
    if (zmq_msg_init_size (&m, len) != 0)
        return -1;
    memcpy (zmq_msg_data (&m), str, len);
    int rc = zmq_send (s, &m, flags);
    int e = errno;
    zmq_msg_close (&m);
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

/* A safety net: a test that hangs is killed after this many seconds. */
static inline void test_deadline (unsigned seconds)
{
    alarm (seconds);
}

#endif
