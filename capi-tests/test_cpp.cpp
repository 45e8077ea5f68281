/*
 * test_cpp.cpp -- the C++ binding (include/zmq.hpp) as a C++ program
 * written for libzmq 2.2 uses it: contexts, sockets, messages, errors as
 * exceptions, multipart with ZMQ_RCVMORE, non-blocking calls that return
 * false, poll and a QUEUE device, all over inproc.
 *
 * Uses only zmq.hpp (plus the C and POSIX headers it needs for timing and
 * a thread).  Builds as C++98 and later; exits 0 and prints
 * "PASS test_cpp" when every check passed, exits 1 at the first failed
 * check.  Runs unchanged against this library and the reference libzmq
 * 2.2.0 (it checks no documented deviation).
 *
 *   g++ -Wall -Wextra -Werror -Iinclude -o build/capi/test_cpp \
 *       capi-tests/test_cpp.cpp -Lbuild/lib -lzmq -lpthread
 */
#include <zmq.hpp>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <exception>
#include <string>
#if __cplusplus >= 201103L
#include <utility>
#endif

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__,          \
                __LINE__, #cond);                                            \
            exit (1);                                                        \
        }                                                                    \
    } while (0)

/* The statement must throw zmq::error_t with num () == err. */
#define CHECK_THROWS(stmt, err)                                              \
    do {                                                                     \
        bool thrown_ = false;                                                \
        try {                                                                \
            stmt;                                                            \
        } catch (const zmq::error_t &e_) {                                   \
            thrown_ = true;                                                  \
            if (e_.num () != (err)) {                                        \
                fprintf (stderr, "%s:%d: %s: threw %d (%s), expected %s\n", \
                    __FILE__, __LINE__, #stmt, e_.num (), e_.what (), #err); \
                exit (1);                                                    \
            }                                                                \
        }                                                                    \
        if (!thrown_) {                                                      \
            fprintf (stderr, "%s:%d: %s: did not throw (expected %s)\n",     \
                __FILE__, __LINE__, #stmt, #err);                            \
            exit (1);                                                        \
        }                                                                    \
    } while (0)

static long now_ms ()
{
    struct timeval tv;
    gettimeofday (&tv, NULL);
    return (long) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- helpers ------------------------------------------------------------ */

static void send_str (zmq::socket_t &s, const char *str, int flags = 0)
{
    size_t len = strlen (str);
    zmq::message_t m (len);
    memcpy (m.data (), str, len);
    CHECK (s.send (m, flags));
    CHECK (m.size () == 0);             /* a sent message is left empty */
}

static std::string recv_str (zmq::socket_t &s, int flags = 0)
{
    zmq::message_t m;
    CHECK (s.recv (&m, flags));
    return std::string (static_cast <const char *> (m.data ()), m.size ());
}

static int64_t rcvmore (zmq::socket_t &s)
{
    int64_t more = -1;
    size_t len = sizeof more;
    s.getsockopt (ZMQ_RCVMORE, &more, &len);
    CHECK (len == sizeof more);
    return more;
}

static void set_int (zmq::socket_t &s, int option, int value)
{
    s.setsockopt (option, &value, sizeof value);
}

/* ---- version, context, error_t ------------------------------------------ */

static void test_version ()
{
    int major = -1, minor = -1, patch = -1;
    zmq::version (&major, &minor, &patch);
    CHECK (major == 2 && minor == 2 && patch >= 0);
}

static void test_errors (zmq::context_t &ctx)
{
    /* A bad io_threads count and a bad socket type throw EINVAL. */
    CHECK_THROWS (zmq::context_t bad (-1), EINVAL);
    CHECK_THROWS (zmq::socket_t bad (ctx, 4242), EINVAL);

    zmq::socket_t s (ctx, ZMQ_PAIR);

    /* Unknown transport: EPROTONOSUPPORT, with the matching text. */
    try {
        s.bind ("nosuchtransport://x");
        CHECK (false);
    } catch (const zmq::error_t &e) {
        CHECK (e.num () == EPROTONOSUPPORT);
        CHECK (strcmp (e.what (), zmq_strerror (EPROTONOSUPPORT)) == 0);
        CHECK (strlen (e.what ()) > 0);
    }
    CHECK_THROWS (s.connect ("nosuchtransport://x"), EPROTONOSUPPORT);

    /* error_t is a std::exception. */
    try {
        s.connect ("bogus://y");
        CHECK (false);
    } catch (const std::exception &e) {
        CHECK (strcmp (e.what (), zmq_strerror (EPROTONOSUPPORT)) == 0);
    }

    /* Malformed endpoints, unbound inproc names, names taken. */
    CHECK_THROWS (s.bind ("inproc://"), EINVAL);
    CHECK_THROWS (s.bind ("no-separator"), EINVAL);
    CHECK_THROWS (s.connect ("inproc://cpp-nobody"), ECONNREFUSED);
    s.bind ("inproc://cpp-taken");
    zmq::socket_t t (ctx, ZMQ_PAIR);
    CHECK_THROWS (t.bind ("inproc://cpp-taken"), EADDRINUSE);

    /* Options: unknown, wrong size, set-only. */
    int v = 0;
    size_t len = sizeof v;
    CHECK_THROWS (s.setsockopt (4242, &v, sizeof v), EINVAL);
    CHECK_THROWS (s.setsockopt (ZMQ_HWM, &v, sizeof v), EINVAL);
    CHECK_THROWS (s.getsockopt (ZMQ_SUBSCRIBE, &v, &len), EINVAL);

    /* Operations a socket type does not support. */
    zmq::socket_t push (ctx, ZMQ_PUSH);
    zmq::message_t m;
    CHECK_THROWS (push.recv (&m, ZMQ_NOBLOCK), ENOTSUP);
    zmq::socket_t sub (ctx, ZMQ_SUB);
    zmq::message_t m2 (3);
    CHECK_THROWS (sub.send (m2, ZMQ_NOBLOCK), ENOTSUP);
    CHECK (m2.size () == 3);

    /* zmq::poll reports a bad call by throwing. */
    zmq::pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    CHECK_THROWS (zmq::poll (&item, -1, 0), EINVAL);

    /* error_t captures the errno of the moment it is built. */
    errno = EAGAIN;
    zmq::error_t e;
    CHECK (e.num () == EAGAIN);
    CHECK (strcmp (e.what (), zmq_strerror (EAGAIN)) == 0);
}

/* ---- message_t ----------------------------------------------------------- */

static int ffn_calls;
static void *ffn_data;
static void *ffn_hint;

static void count_free (void *data, void *hint)
{
    ffn_calls++;
    ffn_data = data;
    ffn_hint = hint;
}

static void test_message ()
{
    /* Constructors. */
    {
        zmq::message_t empty;
        CHECK (empty.size () == 0);

        zmq::message_t small (5);
        CHECK (small.size () == 5);
        CHECK (small.data () != NULL);
        memcpy (small.data (), "hello", 5);
        CHECK (memcmp (small.data (), "hello", 5) == 0);

        zmq::message_t large (1000);
        CHECK (large.size () == 1000);
        memset (large.data (), 'L', 1000);

        /* Read-only access through a const reference. */
        const zmq::message_t &cref = large;
        CHECK (cref.csize () == 1000);
        CHECK (cref.cdata () == large.data ());
    }

    /* copy: the content is shared (same bytes; one buffer when large). */
    {
        zmq::message_t a (100);
        memset (a.data (), 'a', 100);
        zmq::message_t b (7);
        b.copy (&a);
        CHECK (b.size () == 100 && a.size () == 100);
        CHECK (b.data () == a.data ());
        CHECK (memcmp (b.data (), a.data (), 100) == 0);

        zmq::message_t vs (4);
        memcpy (vs.data (), "tiny", 4);
        zmq::message_t vc;
        vc.copy (&vs);
        CHECK (vc.size () == 4 && memcmp (vc.data (), "tiny", 4) == 0);
        CHECK (vs.size () == 4 && memcmp (vs.data (), "tiny", 4) == 0);
    }

    /* move: the destination takes the content, the source is left empty. */
    {
        zmq::message_t a (64);
        memset (a.data (), 'm', 64);
        void *where = a.data ();
        zmq::message_t b (3);
        b.move (&a);
        CHECK (b.size () == 64 && b.data () == where);
        CHECK (((char *) b.data ()) [63] == 'm');
        CHECK (a.size () == 0);

        zmq::message_t s (6);
        memcpy (s.data (), "inline", 6);
        zmq::message_t d;
        d.move (&s);
        CHECK (d.size () == 6 && memcmp (d.data (), "inline", 6) == 0);
        CHECK (s.size () == 0);
    }

    /* rebuild in all three forms. */
    {
        zmq::message_t m (50);
        m.rebuild ();
        CHECK (m.size () == 0);
        m.rebuild (12);
        CHECK (m.size () == 12);
        static char buf [40];
        int hint = 0;
        ffn_calls = 0;
        m.rebuild (buf, sizeof buf, count_free, &hint);
        CHECK (m.size () == sizeof buf && m.data () == (void *) buf);
        CHECK (ffn_calls == 0);
        m.rebuild (3);
        CHECK (ffn_calls == 1 && ffn_data == (void *) buf);
        CHECK (ffn_hint == (void *) &hint);
        CHECK (m.size () == 3);
    }

    /* A caller's buffer: the free function runs once, after the last
       reference (original and copy) is gone; hint defaults to NULL. */
    {
        static char buf [100];
        ffn_calls = 0;
        ffn_hint = (void *) &ffn_calls;
        {
            zmq::message_t a (buf, sizeof buf, count_free);
            CHECK (a.data () == (void *) buf && a.size () == sizeof buf);
            {
                zmq::message_t b;
                b.copy (&a);
                CHECK (b.data () == (void *) buf);
            }
            CHECK (ffn_calls == 0);
        }
        CHECK (ffn_calls == 1);
        CHECK (ffn_data == (void *) buf && ffn_hint == NULL);

        /* NULL free function: nothing to call. */
        ffn_calls = 0;
        {
            zmq::message_t c (buf, sizeof buf, NULL);
            CHECK (c.size () == sizeof buf);
        }
        CHECK (ffn_calls == 0);
    }
}

/* ---- PAIR, multipart, non-blocking ---------------------------------------- */

static void test_pair (zmq::context_t &ctx)
{
    zmq::socket_t a (ctx, ZMQ_PAIR);
    zmq::socket_t b (ctx, ZMQ_PAIR);

    int type = -1;
    size_t len = sizeof type;
    a.getsockopt (ZMQ_TYPE, &type, &len);
    CHECK (type == ZMQ_PAIR && len == sizeof type);

    /* Nothing to send to yet and nothing to receive: false, not a throw;
       a message that was not sent stays with the caller. */
    zmq::message_t m (5);
    memcpy (m.data (), "early", 5);
    CHECK (!b.send (m, ZMQ_NOBLOCK));
    CHECK (m.size () == 5 && memcmp (m.data (), "early", 5) == 0);
    zmq::message_t r;
    CHECK (!a.recv (&r, ZMQ_NOBLOCK));

    a.bind ("inproc://cpp-pair");
    b.connect ("inproc://cpp-pair");

    send_str (b, "ping");
    CHECK (recv_str (a) == "ping");
    CHECK (rcvmore (a) == 0);
    send_str (a, "pong");
    CHECK (recv_str (b) == "pong");

    /* Nothing left: non-blocking recv returns false. */
    CHECK (!a.recv (&r, ZMQ_NOBLOCK));
    CHECK (!b.recv (&r, ZMQ_NOBLOCK));

    /* Multipart: ZMQ_RCVMORE is 1 on every part but the last. */
    send_str (b, "one", ZMQ_SNDMORE);
    send_str (b, "", ZMQ_SNDMORE);
    send_str (b, "three");
    CHECK (recv_str (a) == "one");
    CHECK (rcvmore (a) == 1);
    CHECK (recv_str (a) == "");
    CHECK (rcvmore (a) == 1);
    CHECK (recv_str (a) == "three");
    CHECK (rcvmore (a) == 0);
    CHECK (!a.recv (&r, ZMQ_NOBLOCK));

    /* A large message goes across without being copied: the receiver
       releases the caller's buffer. */
    static char big [4096];
    memset (big, 'B', sizeof big);
    ffn_calls = 0;
    {
        zmq::message_t out (big, sizeof big, count_free, (void *) big);
        CHECK (b.send (out));
        CHECK (out.size () == 0);
    }
    CHECK (ffn_calls == 0);
    {
        zmq::message_t in;
        CHECK (a.recv (&in));
        CHECK (in.size () == sizeof big);
        CHECK (((char *) in.data ()) [4095] == 'B');
    }
    CHECK (ffn_calls == 1 && ffn_data == (void *) big);

    /* ZMQ_RCVTIMEO: 0 behaves like ZMQ_NOBLOCK, > 0 waits that long. */
    set_int (a, ZMQ_RCVTIMEO, 0);
    CHECK (!a.recv (&r));
    set_int (a, ZMQ_RCVTIMEO, 50);
    long t0 = now_ms ();
    CHECK (!a.recv (&r));
    long waited = now_ms () - t0;
    CHECK (waited >= 40 && waited < 5000);
    set_int (a, ZMQ_RCVTIMEO, -1);

    /* ZMQ_HWM (uint64_t) round trip. */
    uint64_t hwm = 7, got = 0;
    size_t hlen = sizeof got;
    a.setsockopt (ZMQ_HWM, &hwm, sizeof hwm);
    a.getsockopt (ZMQ_HWM, &got, &hlen);
    CHECK (got == 7 && hlen == sizeof got);

    /* close (): the handle goes NULL; closing again does nothing. */
    b.close ();
    CHECK ((void *) b == NULL);
    b.close ();
    CHECK ((void *) a != NULL);
}

/* ---- REQ/REP -------------------------------------------------------------- */

static void test_reqrep (zmq::context_t &ctx)
{
    zmq::socket_t rep (ctx, ZMQ_REP);
    rep.bind ("inproc://cpp-reqrep");
    zmq::socket_t req (ctx, ZMQ_REQ);
    req.connect ("inproc://cpp-reqrep");

    /* A REQ must send first, a REP must receive first. */
    zmq::message_t m;
    CHECK_THROWS (req.recv (&m), EFSM);
    zmq::message_t early (1);
    CHECK_THROWS (rep.send (early), EFSM);

    for (int i = 0; i < 3; i++) {
        send_str (req, "hello", ZMQ_SNDMORE);
        send_str (req, "world");
        /* A second request before the reply is an EFSM error. */
        zmq::message_t extra (2);
        CHECK_THROWS (req.send (extra), EFSM);

        CHECK (recv_str (rep) == "hello");
        CHECK (rcvmore (rep) == 1);
        CHECK (recv_str (rep) == "world");
        CHECK (rcvmore (rep) == 0);

        send_str (rep, "reply");
        CHECK (recv_str (req) == "reply");
        CHECK (rcvmore (req) == 0);
    }
}

/* ---- poll ---------------------------------------------------------------- */

static void test_poll (zmq::context_t &ctx)
{
    zmq::socket_t a (ctx, ZMQ_PAIR);
    a.bind ("inproc://cpp-poll");
    zmq::socket_t b (ctx, ZMQ_PAIR);
    b.connect ("inproc://cpp-poll");

    zmq::pollitem_t items [2] = {
        {a, 0, ZMQ_POLLIN, 0},
        {b, 0, ZMQ_POLLOUT, 0},
    };
    /* b can send at once, a has nothing to read. */
    CHECK (zmq::poll (items, 2, 0) == 1);
    CHECK (items [0].revents == 0);
    CHECK (items [1].revents == ZMQ_POLLOUT);

    /* The timeout is in microseconds: 20000 = 20 ms. */
    long t0 = now_ms ();
    CHECK (zmq::poll (items, 1, 20000) == 0);
    long waited = now_ms () - t0;
    CHECK (waited >= 15 && waited < 5000);
    CHECK (items [0].revents == 0);

    /* A message arrives: POLLIN, also with the default (infinite)
       timeout. */
    send_str (b, "wake");
    CHECK (zmq::poll (items, 1) == 1);
    CHECK (items [0].revents == ZMQ_POLLIN);
    CHECK (recv_str (a) == "wake");
    CHECK (zmq::poll (items, 1, 0) == 0);

    /* A plain file descriptor next to a 0MQ socket. */
    int fds [2];
    CHECK (pipe (fds) == 0);
    zmq::pollitem_t mixed [2] = {
        {NULL, fds [0], ZMQ_POLLIN, 0},
        {NULL, fds [1], ZMQ_POLLOUT, 0},
    };
    CHECK (zmq::poll (mixed, 2, 0) == 1);
    CHECK (mixed [0].revents == 0 && mixed [1].revents == ZMQ_POLLOUT);
    CHECK (write (fds [1], "x", 1) == 1);
    CHECK (zmq::poll (mixed, 1, -1) == 1);
    CHECK (mixed [0].revents == ZMQ_POLLIN);
    close (fds [0]);
    close (fds [1]);
}

/* ---- QUEUE device in its own thread --------------------------------------- */

struct device_args
{
    zmq::socket_t *frontend;
    zmq::socket_t *backend;
    int error;
};

static void *run_device (void *arg)
{
    device_args *d = static_cast <device_args *> (arg);
    try {
        zmq::device (ZMQ_QUEUE, *d->frontend, *d->backend);
        d->error = 0;                   /* never returns normally */
    } catch (const zmq::error_t &e) {
        d->error = e.num ();
    }
    /* The sockets belong to this thread now; zmq_term waits for this. */
    delete d->frontend;
    delete d->backend;
    return NULL;
}

static void test_device ()
{
    device_args d;
    d.error = -1;
    pthread_t thread;
    {
        zmq::context_t ctx (1);
        d.frontend = new zmq::socket_t (ctx, ZMQ_ROUTER);
        d.backend = new zmq::socket_t (ctx, ZMQ_DEALER);
        d.frontend->bind ("inproc://cpp-queue-front");
        d.backend->bind ("inproc://cpp-queue-back");
        CHECK (pthread_create (&thread, NULL, run_device, &d) == 0);

        zmq::socket_t client (ctx, ZMQ_REQ);
        client.connect ("inproc://cpp-queue-front");
        zmq::socket_t worker (ctx, ZMQ_REP);
        worker.connect ("inproc://cpp-queue-back");
        /* Never hang: a lost message fails the test instead. */
        set_int (client, ZMQ_RCVTIMEO, 10000);
        set_int (worker, ZMQ_RCVTIMEO, 10000);

        for (int i = 0; i < 5; i++) {
            send_str (client, "job", ZMQ_SNDMORE);
            send_str (client, "payload");
            CHECK (recv_str (worker) == "job");
            CHECK (rcvmore (worker) == 1);
            CHECK (recv_str (worker) == "payload");
            CHECK (rcvmore (worker) == 0);
            send_str (worker, "done");
            CHECK (recv_str (client) == "done");
            CHECK (rcvmore (client) == 0);
        }
        /* Leaving the block closes client and worker, then the context's
           destructor (zmq_term) makes the device throw ETERM and waits for
           the device thread to close its sockets. */
    }
    CHECK (pthread_join (thread, NULL) == 0);
    CHECK (d.error == ETERM);
}

/* ---- C++11 moves ----------------------------------------------------------- */

static void test_moves ()
{
#ifdef ZMQ_HAS_RVALUE_REFS
    zmq::context_t c1 (0);
    void *raw = c1;
    zmq::context_t c2 (std::move (c1));
    CHECK ((void *) c1 == NULL && (void *) c2 == raw);

    zmq::socket_t s1 (c2, ZMQ_PAIR);
    void *sraw = s1;
    zmq::socket_t s2 (std::move (s1));
    CHECK ((void *) s1 == NULL && (void *) s2 == sraw);
    s2.bind ("inproc://cpp-moved");
    zmq::socket_t s3 (c2, ZMQ_PAIR);
    s3 = std::move (s2);
    CHECK ((void *) s3 == sraw && (void *) s2 != NULL);
    s2.close ();
    zmq::socket_t peer (c2, ZMQ_PAIR);
    peer.connect ("inproc://cpp-moved");
    send_str (peer, "moved");
    CHECK (recv_str (s3) == "moved");
#endif
}

int main ()
{
    alarm (60);                         /* a hang fails the test */

    test_version ();
    test_message ();
    {
        zmq::context_t ctx (1);
        CHECK ((void *) ctx != NULL);
        test_errors (ctx);
        test_pair (ctx);
        test_reqrep (ctx);
        test_poll (ctx);
    }
    test_device ();
    test_moves ();

    printf ("PASS test_cpp\n");
    return 0;
}
