/*
 * test_tcp_patterns.c -- every socket pairing over tcp and ipc, in both
 * orders: bind then connect, and connect then bind (SPEC-2x 5.6, 6, 12.2,
 * 12.6, 13).
 *
 * PAIR; PUSH/PULL with message sizes around the short/long frame boundary
 * (253/254 bytes) and up to 1 MiB, contents checked; REQ/REP both ways
 * round; DEALER/ROUTER with and without identities (the ROUTER sees the
 * peer's ZMQ_IDENTITY, or a 17-byte identity starting with 0 for anonymous
 * peers), with the ROUTER bound and connecting; a REQ -> ROUTER | DEALER ->
 * REP chain forwarded by hand; PUB/SUB prefix filters (subscribers are
 * synchronised with probe messages first: slow joiner) and XPUB/XSUB;
 * DEALER/DEALER; multipart atomicity under fair queueing; a 10000-message
 * ordered stream.
 *
 * Connect-then-bind: connect-side pipes exist at once, so whatever the
 * connecting side sends before the peer binds is queued and delivered once
 * the peer binds (SPEC 12.6).
 */
#include "testutil.h"
#include "net_util.h"

enum { BIND_FIRST = 0, CONNECT_FIRST = 1 };

static void *ctx;
static int transport;
static int order;

/* Bind-first: binds b to a fresh endpoint now.  Connect-first: only picks
   an endpoint nobody is bound to. */
static void ep_prepare (void *b, char *ep, size_t cap)
{
    if (order == BIND_FIRST)
        nu_bind_fresh (b, transport, ep, cap);
    else
        nu_unbound_endpoint (transport, ep, cap);
}

/* Connect-first: binds b now (after the peer connected and maybe sent). */
static void ep_finish (void *b, const char *ep)
{
    if (order == CONNECT_FIRST)
        CHECK_OK (zmq_bind (b, ep));
}

static void fill (unsigned char *p, size_t n, size_t seed)
{
    for (size_t i = 0; i < n; i++)
        p [i] = (unsigned char) ((i * 7 + seed * 13 + (i >> 8)) & 0xff);
}

/* Receives one single-part message of the given size and pattern. */
static void recv_pattern (void *s, size_t size)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (s, &m, 0));
    CHECK (zmq_msg_size (&m) == size);
    CHECK (rcvmore (s) == 0);
    unsigned char *want = (unsigned char *) malloc (size ? size : 1);
    CHECK (want != NULL);
    fill (want, size, size);
    CHECK (size == 0 || memcmp (zmq_msg_data (&m), want, size) == 0);
    free (want);
    CHECK_OK (zmq_msg_close (&m));
}

static void send_pattern (void *s, size_t size, int flags)
{
    unsigned char *p = (unsigned char *) malloc (size ? size : 1);
    CHECK (p != NULL);
    fill (p, size, size);
    CHECK_OK (send_buf (s, p, size, flags));
    free (p);
}

/* Moves one whole message from src to dst; returns the number of parts. */
static int forward (void *src, void *dst)
{
    int parts = 0;
    for (;;) {
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init (&m));
        CHECK_OK (zmq_recv (src, &m, 0));
        int64_t more = rcvmore (src);
        CHECK (more == 0 || more == 1);
        CHECK_OK (zmq_send (dst, &m, more ? ZMQ_SNDMORE : 0));
        CHECK_OK (zmq_msg_close (&m));
        parts++;
        if (!more)
            return parts;
    }
}

/* Receives an identity part (RCVMORE set) into id; returns its size. */
static size_t recv_identity (void *router, unsigned char *id, size_t cap)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (router, &m, 0));
    CHECK (rcvmore (router) == 1);
    size_t n = zmq_msg_size (&m);
    CHECK (n <= cap);
    memcpy (id, zmq_msg_data (&m), n);
    CHECK_OK (zmq_msg_close (&m));
    return n;
}

/* ---- PAIR ------------------------------------------------------------------ */

static void test_pair (void)
{
    char ep [256];
    void *b = nu_socket (ctx, ZMQ_PAIR);
    ep_prepare (b, ep, sizeof ep);
    void *c = nu_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (c, ep));
    /* The connect side has its pipe at once. */
    CHECK_OK (s_send (c, "early", ZMQ_NOBLOCK));
    CHECK_OK (s_send (c, "m1", ZMQ_SNDMORE));
    CHECK_OK (s_send (c, "", ZMQ_SNDMORE));
    CHECK_OK (s_send (c, "m3", 0));
    ep_finish (b, ep);

    RECV_PART (b, "early", 0);
    RECV_PART (b, "m1", 1);
    RECV_PART (b, "", 1);
    RECV_PART (b, "m3", 0);
    /* The bound side sends once its pipe is attached (blocking send). */
    CHECK_OK (s_send (b, "back", 0));
    CHECK_OK (s_send (b, "b1", ZMQ_SNDMORE));
    CHECK_OK (s_send (b, "b2", 0));
    RECV_PART (c, "back", 0);
    RECV_PART (c, "b1", 1);
    RECV_PART (c, "b2", 0);
    for (int i = 0; i < 20; i++) {
        char t [32];
        snprintf (t, sizeof t, "ping-%d", i);
        CHECK_OK (s_send (c, t, 0));
        RECV_PART (b, t, 0);
        snprintf (t, sizeof t, "pong-%d", i);
        CHECK_OK (s_send (b, t, 0));
        RECV_PART (c, t, 0);
    }
    nu_close0 (c);
    nu_close0 (b);
}

/* ---- PUSH/PULL ----------------------------------------------------------- */

static const size_t sizes [] = {
    0, 1, 2, 200, 252, 253, 254, 255, 256, 257, 1000, 8191, 8192, 8193,
    65535, 65536, 65537, 1024 * 1024
};
#define NSIZES (sizeof sizes / sizeof sizes [0])

static void test_pushpull_sizes (void)
{
    char ep [256];
    /* PULL binds, PUSH connects; every size sent before the bind in the
       connect-first order. */
    void *pull = nu_socket (ctx, ZMQ_PULL);
    ep_prepare (pull, ep, sizeof ep);
    void *push = nu_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    for (size_t i = 0; i < NSIZES; i++)
        send_pattern (push, sizes [i], ZMQ_NOBLOCK);
    /* A multipart message mixing short and long frames. */
    send_pattern (push, 253, ZMQ_SNDMORE);
    send_pattern (push, 254, ZMQ_SNDMORE);
    send_pattern (push, 0, ZMQ_SNDMORE);
    send_pattern (push, 70000, 0);
    ep_finish (pull, ep);
    for (size_t i = 0; i < NSIZES; i++)
        recv_pattern (pull, sizes [i]);
    size_t mp [] = {253, 254, 0, 70000};
    for (int i = 0; i < 4; i++) {
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init (&m));
        CHECK_OK (zmq_recv (pull, &m, 0));
        CHECK (zmq_msg_size (&m) == mp [i]);
        unsigned char *want = (unsigned char *) malloc (mp [i] + 1);
        CHECK (want != NULL);
        fill (want, mp [i], mp [i]);
        CHECK (memcmp (zmq_msg_data (&m), want, mp [i]) == 0);
        free (want);
        CHECK (rcvmore (pull) == (i < 3));
        CHECK_OK (zmq_msg_close (&m));
    }
    char buf [8];
    CHECK_ERR (s_recv (pull, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    nu_close0 (push);
    nu_close0 (pull);

    /* PUSH binds, PULL connects: the bound PUSH gets its pipe only when
       the connection is made, so it sends blocking (SNDTIMEO 10 s). */
    push = nu_socket (ctx, ZMQ_PUSH);
    ep_prepare (push, ep, sizeof ep);
    pull = nu_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_connect (pull, ep));
    ep_finish (push, ep);
    for (size_t i = 0; i < NSIZES; i++)
        send_pattern (push, sizes [i], 0);
    for (size_t i = 0; i < NSIZES; i++)
        recv_pattern (pull, sizes [i]);
    nu_close0 (push);
    nu_close0 (pull);
}

/* A bound PUSH with no connection has no pipe: EAGAIN. */
static void test_bound_push_without_peer (void)
{
    char ep [256];
    void *push = nu_socket (ctx, ZMQ_PUSH);
    nu_bind_fresh (push, transport, ep, sizeof ep);
    CHECK_ERR (s_send (push, "x", ZMQ_NOBLOCK), EAGAIN);
    nu_close0 (push);
}

/* Two PUSHes fair-queued into one PULL: every 3-part message arrives whole
   and each sender's messages in order. */
static void test_multipart_atomicity (void)
{
    enum { N = 300 };
    char ep [256];
    void *pull = nu_socket (ctx, ZMQ_PULL);
    ep_prepare (pull, ep, sizeof ep);
    void *push [2];
    for (int k = 0; k < 2; k++) {
        push [k] = nu_socket (ctx, ZMQ_PUSH);
        CHECK_OK (zmq_connect (push [k], ep));
    }
    char big [3000];
    memset (big, 'm', sizeof big - 1);
    big [sizeof big - 1] = 0;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < 2; k++) {
            char h [16], seq [16];
            snprintf (h, sizeof h, "P%d", k);
            snprintf (seq, sizeof seq, "%d", i);
            CHECK_OK (s_send (push [k], h, ZMQ_SNDMORE));
            CHECK_OK (s_send (push [k], seq, ZMQ_SNDMORE));
            /* Alternate a long middle frame to vary the batching. */
            CHECK_OK (s_send (push [k], i % 2 ? big : "mid", ZMQ_SNDMORE));
            CHECK_OK (s_send (push [k], "tail", 0));
        }
    ep_finish (pull, ep);
    int next [2] = {0, 0};
    for (int i = 0; i < 2 * N; i++) {
        char b [4096];
        CHECK (s_recv (pull, b, sizeof b, 0) == 2);
        CHECK (rcvmore (pull) == 1);
        CHECK (b [0] == 'P' && (b [1] == '0' || b [1] == '1'));
        int k = b [1] - '0';
        CHECK (s_recv (pull, b, sizeof b, 0) > 0);
        CHECK (rcvmore (pull) == 1);
        CHECK (atoi (b) == next [k]);
        CHECK (s_recv (pull, b, sizeof b, 0) > 0);
        CHECK (strcmp (b, next [k] % 2 ? big : "mid") == 0);
        CHECK (rcvmore (pull) == 1);
        RECV_PART (pull, "tail", 0);
        next [k]++;
    }
    CHECK (next [0] == N && next [1] == N);
    nu_close0 (push [0]);
    nu_close0 (push [1]);
    nu_close0 (pull);
}

static void test_stream (void)
{
    enum { N = 10000 };
    char ep [256];
    void *pull = nu_socket (ctx, ZMQ_PULL);
    ep_prepare (pull, ep, sizeof ep);
    void *push = nu_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    send_numbered (push, "", 0, N, ZMQ_NOBLOCK);
    ep_finish (pull, ep);
    for (int i = 0; i < N; i++) {
        char t [16], b [16];
        snprintf (t, sizeof t, "%d", i);
        CHECK (s_recv (pull, b, sizeof b, 0) == (int) strlen (t));
        CHECK (strcmp (b, t) == 0);
        CHECK (rcvmore (pull) == 0);
    }
    nu_close0 (push);
    nu_close0 (pull);
}

/* ---- REQ/REP ------------------------------------------------------------- */

static void reqrep_rounds (void *req, void *rep, int first_sent)
{
    for (int i = 0; i < 10; i++) {
        char q [32], r [32];
        snprintf (q, sizeof q, "request-%d", i);
        snprintf (r, sizeof r, "reply-%d", i);
        if (!(i == 0 && first_sent))
            CHECK_OK (s_send (req, q, 0));
        RECV_PART (rep, q, 0);
        CHECK_OK (s_send (rep, r, 0));
        RECV_PART (req, r, 0);
    }
    /* Multipart request and reply. */
    CHECK_OK (s_send (req, "q1", ZMQ_SNDMORE));
    CHECK_OK (s_send (req, "q2", 0));
    RECV_PART (rep, "q1", 1);
    RECV_PART (rep, "q2", 0);
    CHECK_OK (s_send (rep, "r1", ZMQ_SNDMORE));
    CHECK_OK (s_send (rep, "", ZMQ_SNDMORE));
    CHECK_OK (s_send (rep, "r3", 0));
    RECV_PART (req, "r1", 1);
    RECV_PART (req, "", 1);
    RECV_PART (req, "r3", 0);
}

static void test_reqrep (void)
{
    char ep [256];
    /* REP binds, REQ connects (and asks before the bind). */
    void *rep = nu_socket (ctx, ZMQ_REP);
    ep_prepare (rep, ep, sizeof ep);
    void *req = nu_socket (ctx, ZMQ_REQ);
    CHECK_OK (zmq_connect (req, ep));
    CHECK_OK (s_send (req, "request-0", 0));
    ep_finish (rep, ep);
    reqrep_rounds (req, rep, 1);
    nu_close0 (req);
    nu_close0 (rep);

    /* REQ binds, REP connects. */
    req = nu_socket (ctx, ZMQ_REQ);
    ep_prepare (req, ep, sizeof ep);
    rep = nu_socket (ctx, ZMQ_REP);
    CHECK_OK (zmq_connect (rep, ep));
    ep_finish (req, ep);
    reqrep_rounds (req, rep, 0);
    nu_close0 (req);
    nu_close0 (rep);
}

/* ---- DEALER/ROUTER ------------------------------------------------------- */

static void test_dealer_router (void)
{
    char ep [256];
    unsigned char id [300], anon1 [300], anon2 [300];

    /* ROUTER binds; one named and two anonymous DEALERs connect and speak
       first (before the bind in the connect-first order). */
    void *router = nu_socket (ctx, ZMQ_ROUTER);
    ep_prepare (router, ep, sizeof ep);
    void *named = nu_socket (ctx, ZMQ_DEALER);
    CHECK_OK (zmq_setsockopt (named, ZMQ_IDENTITY, "dealer-A", 8));
    CHECK_OK (zmq_connect (named, ep));
    CHECK_OK (s_send (named, "from-A", ZMQ_SNDMORE));
    CHECK_OK (s_send (named, "A-2", 0));
    ep_finish (router, ep);

    CHECK (recv_identity (router, id, sizeof id) == 8);
    CHECK (memcmp (id, "dealer-A", 8) == 0);
    RECV_PART (router, "from-A", 1);
    RECV_PART (router, "A-2", 0);

    void *a1 = nu_socket (ctx, ZMQ_DEALER);
    CHECK_OK (zmq_connect (a1, ep));
    CHECK_OK (s_send (a1, "from-anon-1", 0));
    size_t n1 = recv_identity (router, anon1, sizeof anon1);
    CHECK (n1 == 17);
    CHECK (anon1 [0] == 0);
    RECV_PART (router, "from-anon-1", 0);

    void *a2 = nu_socket (ctx, ZMQ_DEALER);
    CHECK_OK (zmq_connect (a2, ep));
    CHECK_OK (s_send (a2, "from-anon-2", 0));
    size_t n2 = recv_identity (router, anon2, sizeof anon2);
    CHECK (n2 == 17);
    CHECK (anon2 [0] == 0);
    CHECK (memcmp (anon1, anon2, 17) != 0);
    RECV_PART (router, "from-anon-2", 0);

    /* Replies are routed by identity (the identity part is not sent). */
    CHECK_OK (send_buf (router, anon2, n2, ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "to-anon-2", 0));
    CHECK_OK (send_buf (router, "dealer-A", 8, ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "to-A", ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "to-A-2", 0));
    CHECK_OK (send_buf (router, anon1, n1, ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "to-anon-1", 0));
    /* Unknown identity: dropped silently. */
    CHECK_OK (s_send (router, "nobody", ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "lost", 0));
    RECV_PART (a2, "to-anon-2", 0);
    RECV_PART (named, "to-A", 1);
    RECV_PART (named, "to-A-2", 0);
    RECV_PART (a1, "to-anon-1", 0);

    /* Several round trips with the named one. */
    for (int i = 0; i < 10; i++) {
        char t [32];
        snprintf (t, sizeof t, "up-%d", i);
        CHECK_OK (s_send (named, t, 0));
        CHECK (recv_identity (router, id, sizeof id) == 8);
        CHECK (memcmp (id, "dealer-A", 8) == 0);
        RECV_PART (router, t, 0);
        snprintf (t, sizeof t, "down-%d", i);
        CHECK_OK (send_buf (router, "dealer-A", 8, ZMQ_SNDMORE));
        CHECK_OK (s_send (router, t, 0));
        RECV_PART (named, t, 0);
    }
    nu_close0 (a1);
    nu_close0 (a2);
    nu_close0 (named);
    nu_close0 (router);

    /* ROUTER connects to a bound DEALER: it sees the DEALER's identity
       (named or generated) once the DEALER sent something. */
    for (int named_dealer = 0; named_dealer < 2; named_dealer++) {
        void *dealer = nu_socket (ctx, ZMQ_DEALER);
        if (named_dealer)
            CHECK_OK (zmq_setsockopt (dealer, ZMQ_IDENTITY, "bound-D", 7));
        ep_prepare (dealer, ep, sizeof ep);
        router = nu_socket (ctx, ZMQ_ROUTER);
        CHECK_OK (zmq_connect (router, ep));
        ep_finish (dealer, ep);
        CHECK_OK (s_send (dealer, "from-bound", 0));
        size_t n = recv_identity (router, id, sizeof id);
        if (named_dealer) {
            CHECK (n == 7);
            CHECK (memcmp (id, "bound-D", 7) == 0);
        }
        else {
            CHECK (n == 17);
            CHECK (id [0] == 0);
        }
        RECV_PART (router, "from-bound", 0);
        CHECK_OK (send_buf (router, id, n, ZMQ_SNDMORE));
        CHECK_OK (s_send (router, "to-bound", 0));
        RECV_PART (dealer, "to-bound", 0);
        nu_close0 (router);
        nu_close0 (dealer);
    }
}

/* REQ -> ROUTER (frontend) | DEALER (backend) -> REP, forwarded by hand. */
static void test_chain (void)
{
    char fe [256], be [256];
    void *router = nu_socket (ctx, ZMQ_ROUTER);
    void *dealer = nu_socket (ctx, ZMQ_DEALER);
    ep_prepare (router, fe, sizeof fe);
    ep_prepare (dealer, be, sizeof be);
    void *req = nu_socket (ctx, ZMQ_REQ);
    CHECK_OK (zmq_connect (req, fe));
    void *rep = nu_socket (ctx, ZMQ_REP);
    CHECK_OK (zmq_connect (rep, be));
    CHECK_OK (s_send (req, "request-0", 0));
    ep_finish (router, fe);
    ep_finish (dealer, be);

    for (int i = 0; i < 5; i++) {
        char q [32], r [32];
        snprintf (q, sizeof q, "request-%d", i);
        snprintf (r, sizeof r, "reply-%d", i);
        if (i > 0)
            CHECK_OK (s_send (req, q, 0));
        /* The frontend sees [identity, "", body]. */
        unsigned char id [300];
        size_t n = recv_identity (router, id, sizeof id);
        CHECK (n == 17 && id [0] == 0);
        RECV_PART (router, "", 1);
        RECV_PART (router, q, 0);
        CHECK_OK (send_buf (dealer, id, n, ZMQ_SNDMORE));
        CHECK_OK (s_send (dealer, "", ZMQ_SNDMORE));
        CHECK_OK (s_send (dealer, q, 0));
        RECV_PART (rep, q, 0);
        CHECK_OK (s_send (rep, r, 0));
        /* The backend gets the envelope back, then the body. */
        CHECK (forward (dealer, router) == 3);
        RECV_PART (req, r, 0);
    }
    nu_close0 (req);
    nu_close0 (rep);
    nu_close0 (router);
    nu_close0 (dealer);
}

/* ---- PUB/SUB -------------------------------------------------------------- */

/* PUB sends "probe" until every SUB (subscribed to "probe") received one:
   from then on every SUB is connected (slow joiner). */
static void sync_subs (void *pub, void **subs, int n)
{
    int got [8] = {0};
    int left = n;
    CHECK (n <= 8);
    int64_t deadline = now_ms () + 30000;
    while (left > 0) {
        CHECK (now_ms () < deadline);
        CHECK_OK (s_send (pub, "probe", 0));
        for (int i = 0; i < n; i++) {
            if (got [i])
                continue;
            if (!nu_wait_in (subs [i], 20))
                continue;
            char b [64];
            CHECK (s_recv (subs [i], b, sizeof b, 0) >= 0);
            CHECK (strcmp (b, "probe") == 0);
            CHECK (rcvmore (subs [i]) == 0);
            got [i] = 1;
            left--;
        }
    }
}

/* Receives the first part of the next message that is not a leftover
   probe. */
static void recv_first_skipping_probes (void *sub, char *b, size_t cap)
{
    for (;;) {
        CHECK (s_recv (sub, b, cap, 0) >= 0);
        if (strcmp (b, "probe") != 0)
            return;
        CHECK (rcvmore (sub) == 0);
    }
}

#define SUB_EXPECT(sub, str, more)                                           \
    do {                                                                     \
        char sb_ [256];                                                      \
        recv_first_skipping_probes ((sub), sb_, sizeof sb_);                 \
        if (strcmp (sb_, (str)) != 0) {                                      \
            fprintf (stderr, "%s:%d: SUB got '%s', expected '%s'\n",         \
                __FILE__, __LINE__, sb_, (str));                             \
            exit (1);                                                        \
        }                                                                    \
        CHECK (rcvmore (sub) == (more));                                     \
    } while (0)

static void test_pubsub (void)
{
    char ep [256];
    void *pub = nu_socket (ctx, ZMQ_PUB);
    ep_prepare (pub, ep, sizeof ep);
    void *subs [3];
    for (int i = 0; i < 3; i++) {
        subs [i] = nu_socket (ctx, ZMQ_SUB);
        subscribe (subs [i], "probe");
        subscribe (subs [i], "END");
        CHECK_OK (zmq_connect (subs [i], ep));
    }
    subscribe (subs [0], "A");
    subscribe (subs [1], "");
    subscribe (subs [2], "AB");
    subscribe (subs [2], "C");
    ep_finish (pub, ep);
    sync_subs (pub, subs, 3);

    CHECK_OK (s_send (pub, "A1", 0));
    CHECK_OK (s_send (pub, "B1", 0));
    CHECK_OK (s_send (pub, "AB2", 0));
    CHECK_OK (s_send (pub, "C3", 0));
    CHECK_OK (s_send (pub, "", 0));
    CHECK_OK (s_send (pub, "A-multi", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "p2", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "p3", 0));
    CHECK_OK (s_send (pub, "Z", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "A-not-first", 0));
    CHECK_OK (s_send (pub, "END", 0));

    /* "A" */
    SUB_EXPECT (subs [0], "A1", 0);
    SUB_EXPECT (subs [0], "AB2", 0);
    SUB_EXPECT (subs [0], "A-multi", 1);
    RECV_PART (subs [0], "p2", 1);
    RECV_PART (subs [0], "p3", 0);
    SUB_EXPECT (subs [0], "END", 0);
    /* "" */
    SUB_EXPECT (subs [1], "A1", 0);
    SUB_EXPECT (subs [1], "B1", 0);
    SUB_EXPECT (subs [1], "AB2", 0);
    SUB_EXPECT (subs [1], "C3", 0);
    SUB_EXPECT (subs [1], "", 0);
    SUB_EXPECT (subs [1], "A-multi", 1);
    RECV_PART (subs [1], "p2", 1);
    RECV_PART (subs [1], "p3", 0);
    SUB_EXPECT (subs [1], "Z", 1);
    RECV_PART (subs [1], "A-not-first", 0);
    SUB_EXPECT (subs [1], "END", 0);
    /* "AB", "C" */
    SUB_EXPECT (subs [2], "AB2", 0);
    SUB_EXPECT (subs [2], "C3", 0);
    SUB_EXPECT (subs [2], "END", 0);

    /* Nothing else is pending (leftover probes aside). */
    for (int i = 0; i < 3; i++) {
        char b [64];
        while (s_recv (subs [i], b, sizeof b, ZMQ_NOBLOCK) >= 0)
            CHECK (strcmp (b, "probe") == 0);
        CHECK (errno == EAGAIN);
    }

    /* A PUB sending nothing but unsubscribed topics: the SUB stays
       empty; then a subscribed one arrives. */
    for (int i = 0; i < 100; i++)
        CHECK_OK (s_send (pub, "X-unwanted", 0));
    CHECK_OK (s_send (pub, "AZ", 0));
    SUB_EXPECT (subs [0], "AZ", 0);

    for (int i = 0; i < 3; i++)
        nu_close0 (subs [i]);
    nu_close0 (pub);

    /* The other way round: SUB binds, PUB connects. */
    void *sub = nu_socket (ctx, ZMQ_SUB);
    subscribe (sub, "probe");
    subscribe (sub, "K");
    ep_prepare (sub, ep, sizeof ep);
    pub = nu_socket (ctx, ZMQ_PUB);
    CHECK_OK (zmq_connect (pub, ep));
    ep_finish (sub, ep);
    sync_subs (pub, &sub, 1);
    CHECK_OK (s_send (pub, "L1", 0));
    CHECK_OK (s_send (pub, "K1", ZMQ_SNDMORE));
    CHECK_OK (s_send (pub, "K1b", 0));
    CHECK_OK (s_send (pub, "K2", 0));
    SUB_EXPECT (sub, "K1", 1);
    RECV_PART (sub, "K1b", 0);
    SUB_EXPECT (sub, "K2", 0);
    nu_close0 (pub);
    nu_close0 (sub);
}

/* XPUB/XSUB: as PUB/SUB, the XSUB subscribing by sending \x01 + prefix
   (locally: nothing travels upstream in 2.2). */
static void test_xpub_xsub (void)
{
    char ep [256];
    void *xpub = nu_socket (ctx, ZMQ_XPUB);
    ep_prepare (xpub, ep, sizeof ep);
    void *xsub = nu_socket (ctx, ZMQ_XSUB);
    CHECK_OK (zmq_connect (xsub, ep));
    CHECK_OK (s_send (xsub, "\x01probe", 0));
    CHECK_OK (s_send (xsub, "\x01X", 0));
    ep_finish (xpub, ep);
    sync_subs (xpub, &xsub, 1);
    CHECK_OK (s_send (xpub, "X1", 0));
    CHECK_OK (s_send (xpub, "Y1", 0));
    CHECK_OK (s_send (xpub, "X2", ZMQ_SNDMORE));
    CHECK_OK (s_send (xpub, "tail", 0));
    SUB_EXPECT (xsub, "X1", 0);
    SUB_EXPECT (xsub, "X2", 1);
    RECV_PART (xsub, "tail", 0);
    nu_close0 (xsub);
    nu_close0 (xpub);
}

/* DEALER to DEALER: plain bidirectional multipart, no envelopes. */
static void test_dealer_dealer (void)
{
    char ep [256];
    void *b = nu_socket (ctx, ZMQ_DEALER);
    ep_prepare (b, ep, sizeof ep);
    void *c = nu_socket (ctx, ZMQ_DEALER);
    CHECK_OK (zmq_connect (c, ep));
    CHECK_OK (s_send (c, "d1", ZMQ_SNDMORE));
    CHECK_OK (s_send (c, "d2", 0));
    ep_finish (b, ep);
    RECV_PART (b, "d1", 1);
    RECV_PART (b, "d2", 0);
    CHECK_OK (s_send (b, "", ZMQ_SNDMORE));
    CHECK_OK (s_send (b, "e2", 0));
    RECV_PART (c, "", 1);
    RECV_PART (c, "e2", 0);
    nu_close0 (c);
    nu_close0 (b);
}

int main (void)
{
    test_deadline (90);
    ctx = zmq_init (1);
    CHECK (ctx != NULL);

    for (transport = NU_TCP; transport <= NU_IPC; transport++) {
        test_bound_push_without_peer ();
        for (order = BIND_FIRST; order <= CONNECT_FIRST; order++) {
            test_pair ();
            test_pushpull_sizes ();
            test_multipart_atomicity ();
            test_stream ();
            test_reqrep ();
            test_dealer_router ();
            test_chain ();
            test_pubsub ();
            test_xpub_xsub ();
            test_dealer_dealer ();
        }
    }

    CHECK_OK (zmq_term (ctx));
    nu_ipc_cleanup ();
    printf ("PASS test_tcp_patterns\n");
    return 0;
}
