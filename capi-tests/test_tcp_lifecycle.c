/*
 * test_tcp_lifecycle.c -- connection lifecycle over tcp and ipc (SPEC-2x
 * 5.3, 9, 12.2-12.6).
 *
 * Reconnection to a re-bound endpoint (RECONNECT_IVL / RECONNECT_IVL_MAX);
 * a bound socket serving successive connecters; durable identities (the
 * bind side keeps a named session, and what a ROUTER sends to it while the
 * peer is away, for the peer's next connection) versus transient ones (an
 * anonymous peer's messages are lost with its connection); a duplicate
 * durable identity (the newcomer is disconnected, the first keeps
 * working); linger: -1 delivers queued messages once the peer binds and
 * makes zmq_term wait for that, 100 bounds the wait, 0 drops at once; HWM
 * on a connect-side pipe with no connection (exactly HWM messages, counted
 * per message not per part); a PUB with HWM never blocks on a stalled SUB.
 *
 * Where a test needs the bind side to have noticed a disconnect before it
 * goes on (a message sent before that may be written into the dying
 * connection and lost), it uses a raw BSD-socket client speaking ZMTP/1.0:
 * the departing raw peer half-closes and waits for the library to close
 * the connection, which it does only once it tore its side down.  After a
 * zmq DEALER with a durable identity closes, raw clients presenting the
 * same identity are refused until the old connection is gone; the first
 * one accepted then leaves that way (wait_detached).
 *
 * ipc: a closed socket's listener unlinks its file asynchronously, so a
 * test re-binding the same path waits for the file to disappear first
 * (2.2 would otherwise unlink the new listener's file; SPEC 11.3).
 *
 * Guarded (2.2 crashes, SPEC 12.3/15): RECONNECT_IVL = 0 divides by zero
 * (SIGFPE) at the first reconnect wait; this library must connect and
 * reconnect normally with it.
 */
#include "testutil.h"
#include "net_util.h"

#include <pthread.h>

static void *ctx;

/* Sends "probe" messages from push until pull receives one (messages
   written into a connection that is just dying may be lost; later ones
   are queued for the next connection), then checks that a message sent
   afterwards arrives after any leftover probes. */
static void probe_until_flowing (void *push, void *pull, const char *after)
{
    int64_t deadline = now_ms () + 30000;
    for (;;) {
        CHECK (now_ms () < deadline);
        CHECK_OK (s_send (push, "probe", 0));
        if (nu_wait_in (pull, 100))
            break;
    }
    CHECK_OK (s_send (push, after, 0));
    for (;;) {
        char b [64];
        CHECK (s_recv (pull, b, sizeof b, 0) >= 0);
        CHECK (rcvmore (pull) == 0);
        if (strcmp (b, "probe") == 0)
            continue;
        CHECK (strcmp (b, after) == 0);
        break;
    }
}

/* ---- reconnection ---------------------------------------------------------- */

/* The bound PULL goes away and a new one binds the same endpoint: the
   connecting PUSH reconnects and messages flow again. */
static void test_reconnect (int transport, int ivl, int ivl_max)
{
    char ep [256];
    nu_unbound_endpoint (transport, ep, sizeof ep);
    void *pull = nu_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, ep));

    void *push = nu_socket (ctx, ZMQ_PUSH);
    set_int (push, ZMQ_RECONNECT_IVL, ivl);
    CHECK (get_int (push, ZMQ_RECONNECT_IVL) == ivl);
    if (ivl_max >= 0) {
        set_int (push, ZMQ_RECONNECT_IVL_MAX, ivl_max);
        CHECK (get_int (push, ZMQ_RECONNECT_IVL_MAX) == ivl_max);
    }
    CHECK_OK (zmq_connect (push, ep));
    CHECK_OK (s_send (push, "one", 0));
    RECV_PART (pull, "one", 0);

    for (int round = 0; round < 3; round++) {
        nu_close0 (pull);
        /* ipc: the old listener unlinks its file when it is torn down;
           binding before that would lose the new file. */
        if (transport == NU_IPC)
            CHECK (nu_wait_ipc_gone (ep, 10000));
        pull = nu_socket (ctx, ZMQ_PULL);
        nu_bind_retry (pull, ep, 10000);
        probe_until_flowing (push, pull, "again");
        send_numbered (push, "s", 0, 100, 0);
        recv_numbered (pull, "s", 0, 100);
    }
    nu_close0 (push);
    nu_close0 (pull);
}

/* The bound side outlives its connecters. */
static void test_bound_side_survives (int transport)
{
    char ep [256];
    void *pull = nu_socket (ctx, ZMQ_PULL);
    nu_bind_fresh (pull, transport, ep, sizeof ep);
    for (int i = 0; i < 5; i++) {
        void *push = nu_socket (ctx, ZMQ_PUSH);
        CHECK_OK (zmq_connect (push, ep));
        char t [16];
        snprintf (t, sizeof t, "from-%d", i);
        CHECK_OK (s_send (push, t, 0));
        RECV_PART (pull, t, 0);
        nu_close0 (push);
    }
    nu_close0 (pull);
}

/* ---- durable and transient identities ------------------------------------ */

/* A raw ZMTP/1.0 peer with the given identity connects to port, sends one
   message, and checks the greeting of the (anonymous) ROUTER. */
static int raw_peer (int port, const char *identity, const char *msg)
{
    int fd = nu_raw_connect_tcp (port);
    CHECK (nu_raw_send_frame (fd, identity, strlen (identity), 0) == 0);
    CHECK (nu_raw_send_frame (fd, msg, strlen (msg), 0) == 0);
    char b [300];
    CHECK (nu_raw_recv_frame (fd, b, sizeof b, NULL, 10000) == 0);
    return fd;
}

/* The raw peer leaves: half-close, then wait until the library closed the
   connection (so it has torn down its side). */
static void raw_leave (int fd, void *s)
{
    CHECK (shutdown (fd, SHUT_WR) == 0);
    CHECK (nu_raw_wait_eof_poking (fd, s, 10000) == 1);
    CHECK (close (fd) == 0);
}

/* Returns once the ROUTER has let go of the connection of peer "id" that
   was just closed.  A raw client presenting the same identity is refused
   (disconnected after the handshake) while the old connection is still
   attached; once one is accepted -- it receives one of the "ping"s the
   ROUTER keeps sending to that identity -- it leaves cleanly. */
static void wait_detached (void *router, int port, const char *id)
{
    int64_t deadline = now_ms () + 30000;
    for (;;) {
        CHECK (now_ms () < deadline);
        int fd = nu_raw_connect_tcp (port);
        int attached = 0;
        char b [300];
        if (nu_raw_send_frame (fd, id, strlen (id), 0) == 0
              && nu_raw_recv_frame (fd, b, sizeof b, NULL, 10000) == 0) {
            for (;;) {
                CHECK (now_ms () < deadline);
                CHECK_OK (s_send (router, id, ZMQ_SNDMORE));
                CHECK_OK (s_send (router, "ping", 0));
                struct pollfd pfd = {fd, POLLIN, 0};
                int rc = poll (&pfd, 1, 100);
                CHECK (rc >= 0 || errno == EINTR);
                if (rc <= 0)
                    continue;
                /* A ping (attached) or EOF (refused). */
                attached = nu_raw_recv_frame (fd, b, sizeof b, NULL, 10000)
                    == 4;
                break;
            }
        }
        if (attached) {
            CHECK (memcmp (b, "ping", 4) == 0);
            raw_leave (fd, router);
            return;
        }
        CHECK (close (fd) == 0);
    }
}

/* Receives the next message that is not a leftover "ping". */
static void recv_skipping_pings (void *s, const char *expect, int more)
{
    for (;;) {
        char b [256];
        CHECK (s_recv (s, b, sizeof b, 0) >= 0);
        if (strcmp (b, "ping") == 0) {
            CHECK (rcvmore (s) == 0);
            continue;
        }
        if (strcmp (b, expect) != 0) {
            fprintf (stderr, "received '%s', expected '%s'\n", b, expect);
            CHECK (0);
        }
        CHECK (rcvmore (s) == more);
        return;
    }
}

static void test_durable_identity (void)
{
    char ep [256];
    void *router = nu_socket (ctx, ZMQ_ROUTER);
    int port = nu_bind_tcp (router, ep, sizeof ep);

    /* First incarnation of "D". */
    int fd = raw_peer (port, "D", "hello");
    RECV_PART (router, "D", 1);
    RECV_PART (router, "hello", 0);
    raw_leave (fd, router);

    /* "D" is away: its named session queues what the ROUTER sends. */
    CHECK_OK (s_send (router, "D", ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "while-away-1", 0));
    CHECK_OK (s_send (router, "D", ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "while-away-2", ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "part-2", 0));

    /* A new DEALER with identity "D" gets them. */
    void *dealer = nu_socket (ctx, ZMQ_DEALER);
    CHECK_OK (zmq_setsockopt (dealer, ZMQ_IDENTITY, "D", 1));
    CHECK_OK (zmq_connect (dealer, ep));
    RECV_PART (dealer, "while-away-1", 0);
    RECV_PART (dealer, "while-away-2", 1);
    RECV_PART (dealer, "part-2", 0);
    CHECK_OK (s_send (dealer, "back", 0));
    RECV_PART (router, "D", 1);
    RECV_PART (router, "back", 0);
    CHECK_OK (s_send (router, "D", ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "live", 0));
    RECV_PART (dealer, "live", 0);

    /* A second connection presenting "D" while "D" is connected is
       disconnected right after the handshake; the first keeps working. */
    int dup = nu_raw_connect_tcp (port);
    CHECK (nu_raw_send_frame (dup, "D", 1, 0) == 0);
    CHECK (nu_raw_wait_eof_poking (dup, router, 10000) == 1);
    CHECK (close (dup) == 0);
    CHECK_OK (s_send (dealer, "still-here", 0));
    RECV_PART (router, "D", 1);
    RECV_PART (router, "still-here", 0);
    CHECK_OK (s_send (router, "D", ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "still-live", 0));
    RECV_PART (dealer, "still-live", 0);

    /* Now the zmq DEALER "D" goes away; once the ROUTER has noticed, what
       it sends to "D" waits for the next DEALER "D". */
    nu_close0 (dealer);
    wait_detached (router, port, "D");
    CHECK_OK (s_send (router, "D", ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "away-again", 0));
    dealer = nu_socket (ctx, ZMQ_DEALER);
    CHECK_OK (zmq_setsockopt (dealer, ZMQ_IDENTITY, "D", 1));
    CHECK_OK (zmq_connect (dealer, ep));
    recv_skipping_pings (dealer, "away-again", 0);
    CHECK_OK (s_send (dealer, "back-again", 0));
    RECV_PART (router, "D", 1);
    RECV_PART (router, "back-again", 0);
    nu_close0 (dealer);
    nu_close0 (router);
}

static void test_transient_identity (void)
{
    char ep [256];
    void *router = nu_socket (ctx, ZMQ_ROUTER);
    int port = nu_bind_tcp (router, ep, sizeof ep);

    /* An anonymous peer comes and goes. */
    int fd = raw_peer (port, "", "hello");
    unsigned char old [64];
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (router, &m, 0));
    CHECK (rcvmore (router) == 1);
    CHECK (zmq_msg_size (&m) == 17);
    memcpy (old, zmq_msg_data (&m), 17);
    CHECK (old [0] == 0);
    CHECK_OK (zmq_msg_close (&m));
    RECV_PART (router, "hello", 0);
    raw_leave (fd, router);

    /* Its session is gone: this is dropped (ROUTER send still 0). */
    CHECK_OK (send_buf (router, old, 17, ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "lost", 0));

    /* A new anonymous DEALER is a new peer and does not get it. */
    void *dealer = nu_socket (ctx, ZMQ_DEALER);
    CHECK_OK (zmq_connect (dealer, ep));
    CHECK_OK (s_send (dealer, "hi", 0));
    unsigned char id [64];
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_recv (router, &m, 0));
    CHECK (rcvmore (router) == 1);
    CHECK (zmq_msg_size (&m) == 17);
    memcpy (id, zmq_msg_data (&m), 17);
    CHECK_OK (zmq_msg_close (&m));
    CHECK (id [0] == 0);
    CHECK (memcmp (id, old, 17) != 0);
    RECV_PART (router, "hi", 0);
    CHECK_OK (send_buf (router, old, 17, ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "lost-too", 0));
    CHECK_OK (send_buf (router, id, 17, ZMQ_SNDMORE));
    CHECK_OK (s_send (router, "marker", 0));
    RECV_PART (dealer, "marker", 0);
    EXPECT_NOTHING (dealer);
    nu_close0 (dealer);
    nu_close0 (router);
}

/* ---- linger ----------------------------------------------------------------- */

static pthread_mutex_t term_lock = PTHREAD_MUTEX_INITIALIZER;
static int term_done;

static void *term_thread (void *arg)
{
    CHECK_OK (zmq_term (arg));
    pthread_mutex_lock (&term_lock);
    term_done = 1;
    pthread_mutex_unlock (&term_lock);
    return NULL;
}

static int is_term_done (void)
{
    pthread_mutex_lock (&term_lock);
    int d = term_done;
    pthread_mutex_unlock (&term_lock);
    return d;
}

/* Default linger (-1): messages queued for a peer that binds only after
   the pusher was closed are delivered, and zmq_term waits for that. */
/* Default linger, everything delivered, then the bound peer goes away
   before the connecter closes: nothing is left to send, so zmq_term
   returns (it must not wait for a reconnection that will never come). */
static void test_term_after_peer_left (int transport)
{
    char ep [256];
    void *ctx2 = zmq_init (1);
    CHECK (ctx2 != NULL);
    void *pull = nu_socket (ctx2, ZMQ_PULL);
    nu_bind_fresh (pull, transport, ep, sizeof ep);
    void *ctx1 = zmq_init (1);
    CHECK (ctx1 != NULL);
    void *push = nu_socket (ctx1, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    CHECK_OK (s_send (push, "last", 0));
    RECV_PART (pull, "last", 0);
    nu_close0 (pull);
    CHECK_OK (zmq_term (ctx2));
    /* Give the connecter time to see the connection drop (either order
       must work; this makes the harder one likely). */
    sleep_ms (100);
    CHECK_OK (zmq_close (push));
    term_done = 0;
    pthread_t t;
    CHECK (pthread_create (&t, NULL, term_thread, ctx1) == 0);
    int64_t deadline = now_ms () + 10000;
    while (!is_term_done () && now_ms () < deadline)
        sleep_ms (10);
    CHECK (is_term_done ());
    CHECK (pthread_join (t, NULL) == 0);
}

static void test_linger_default (int transport)
{
    char ep [256];
    nu_unbound_endpoint (transport, ep, sizeof ep);
    void *ctx1 = zmq_init (1);
    CHECK (ctx1 != NULL);
    void *push = nu_socket (ctx1, ZMQ_PUSH);
    CHECK (get_int (push, ZMQ_LINGER) == -1);
    CHECK_OK (zmq_connect (push, ep));
    CHECK_OK (s_send (push, "l1", 0));
    CHECK_OK (s_send (push, "l2", ZMQ_SNDMORE));
    CHECK_OK (s_send (push, "l2b", 0));
    CHECK_OK (s_send (push, "l3", 0));
    CHECK_OK (zmq_close (push));

    term_done = 0;
    pthread_t t;
    CHECK (pthread_create (&t, NULL, term_thread, ctx1) == 0);
    /* Nobody can have received the messages: zmq_term must still wait. */
    sleep_ms (300);
    CHECK (!is_term_done ());

    void *ctx2 = zmq_init (1);
    CHECK (ctx2 != NULL);
    void *pull = nu_socket (ctx2, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, ep));
    RECV_PART (pull, "l1", 0);
    RECV_PART (pull, "l2", 1);
    RECV_PART (pull, "l2b", 0);
    RECV_PART (pull, "l3", 0);
    /* zmq_term of the pusher's context returns now. */
    CHECK (pthread_join (t, NULL) == 0);
    CHECK (is_term_done ());
    nu_close0 (pull);
    CHECK_OK (zmq_term (ctx2));
}

/* LINGER 100 / 0 with an endpoint nobody ever binds. */
static void test_linger_bounded (int linger)
{
    char ep [256];
    nu_unbound_endpoint (NU_TCP, ep, sizeof ep);
    void *ctx1 = zmq_init (1);
    CHECK (ctx1 != NULL);
    void *push = nu_socket (ctx1, ZMQ_PUSH);
    set_int (push, ZMQ_LINGER, linger);
    CHECK (get_int (push, ZMQ_LINGER) == linger);
    CHECK_OK (zmq_connect (push, ep));
    CHECK_OK (s_send (push, "never-delivered", 0));
    CHECK_OK (s_send (push, "never-delivered", 0));
    int64_t t0 = now_ms ();
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_term (ctx1));
    int64_t el = now_ms () - t0;
    if (linger > 0)
        CHECK (el >= linger - 10);
    CHECK (el < 3000);
}

/* ---- HWM ------------------------------------------------------------------- */

/* A connect-side PUSH pipe with no connection holds exactly HWM messages;
   they are delivered when the peer appears. */
static void test_hwm_unconnected (void)
{
    char ep [256];
    nu_unbound_endpoint (NU_TCP, ep, sizeof ep);
    void *push = nu_socket (ctx, ZMQ_PUSH);
    set_hwm (push, 5);
    CHECK_OK (zmq_connect (push, ep));
    send_numbered (push, "h", 0, 5, ZMQ_NOBLOCK);
    CHECK_ERR (s_send (push, "h5", ZMQ_NOBLOCK), EAGAIN);
    CHECK_ERR (s_send (push, "h5", ZMQ_NOBLOCK | ZMQ_SNDMORE), EAGAIN);
    CHECK ((get_int (push, ZMQ_EVENTS) & ZMQ_POLLOUT) == 0);

    void *pull = nu_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, ep));
    recv_numbered (pull, "h", 0, 5);
    /* Room again. */
    CHECK_OK (s_send (push, "after", 0));
    RECV_PART (pull, "after", 0);
    nu_close0 (push);
    nu_close0 (pull);

    /* HWM counts messages, not parts: two 3-part messages fill HWM 2. */
    nu_unbound_endpoint (NU_TCP, ep, sizeof ep);
    push = nu_socket (ctx, ZMQ_PUSH);
    set_hwm (push, 2);
    CHECK_OK (zmq_connect (push, ep));
    for (int i = 0; i < 2; i++) {
        CHECK_OK (s_send (push, "p1", ZMQ_NOBLOCK | ZMQ_SNDMORE));
        CHECK_OK (s_send (push, "p2", ZMQ_NOBLOCK | ZMQ_SNDMORE));
        CHECK_OK (s_send (push, "p3", ZMQ_NOBLOCK));
    }
    CHECK_ERR (s_send (push, "p1", ZMQ_NOBLOCK | ZMQ_SNDMORE), EAGAIN);
    pull = nu_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, ep));
    for (int i = 0; i < 2; i++) {
        RECV_PART (pull, "p1", 1);
        RECV_PART (pull, "p2", 1);
        RECV_PART (pull, "p3", 0);
    }
    nu_close0 (push);
    nu_close0 (pull);
}

/* A PUB with HWM facing a SUB that does not read: zmq_send always returns
   0 at once; the SUB later sees a subsequence, in order, of what was sent
   (the PUB dropped what did not fit). */
static void test_pub_hwm_slow_sub (void)
{
    enum { N = 5000, SIZE = 20000 };
    char ep [256];
    void *pub = nu_socket (ctx, ZMQ_PUB);
    set_hwm (pub, 10);
    nu_bind_tcp (pub, ep, sizeof ep);
    void *sub = nu_socket (ctx, ZMQ_SUB);
    set_hwm (sub, 10);
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0));
    CHECK_OK (zmq_connect (sub, ep));

    /* Slow joiner: wait until a probe gets through. */
    int64_t deadline = now_ms () + 30000;
    for (;;) {
        CHECK (now_ms () < deadline);
        CHECK_OK (s_send (pub, "probe", 0));
        if (nu_wait_in (sub, 50))
            break;
    }

    /* 100 MB at a SUB that does not read. */
    char *buf = (char *) malloc (SIZE);
    CHECK (buf != NULL);
    memset (buf, 'x', SIZE);
    int64_t t0 = now_ms ();
    for (int i = 0; i < N; i++) {
        snprintf (buf, 16, "%08d", i);
        CHECK_OK (send_buf (pub, buf, SIZE, 0));
    }
    CHECK (now_ms () - t0 < 30000);
    CHECK ((get_int (pub, ZMQ_EVENTS) & ZMQ_POLLOUT) != 0);

    /* Drain; the PUB sends "END" whenever the SUB has nothing to read. */
    int got = 0, last = -1;
    deadline = now_ms () + 30000;
    for (;;) {
        CHECK (now_ms () < deadline);
        if (!nu_wait_in (sub, 100)) {
            CHECK_OK (s_send (pub, "END", 0));
            continue;
        }
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init (&m));
        CHECK_OK (zmq_recv (sub, &m, 0));
        CHECK (rcvmore (sub) == 0);
        size_t n = zmq_msg_size (&m);
        const char *d = (const char *) zmq_msg_data (&m);
        if (n == 3 && memcmp (d, "END", 3) == 0) {
            CHECK_OK (zmq_msg_close (&m));
            break;
        }
        if (n == 5 && memcmp (d, "probe", 5) == 0) {
            CHECK (got == 0);
            CHECK_OK (zmq_msg_close (&m));
            continue;
        }
        CHECK (n == SIZE);
        char num [9];
        memcpy (num, d, 8);
        num [8] = 0;
        int seq = atoi (num);
        CHECK (seq > last && seq < N);
        CHECK (d [SIZE - 1] == 'x');
        last = seq;
        got++;
        CHECK_OK (zmq_msg_close (&m));
    }
    /* 100 MB cannot all have been buffered between the two. */
    CHECK (got < N);
    free (buf);
    nu_close0 (sub);
    nu_close0 (pub);
}

int main (void)
{
    test_deadline (90);
    ctx = zmq_init (1);
    CHECK (ctx != NULL);

    for (int transport = NU_TCP; transport <= NU_IPC; transport++) {
        test_reconnect (transport, 50, -1);
        test_reconnect (transport, 50, 200);
        test_bound_side_survives (transport);
        test_linger_default (transport);
        test_term_after_peer_left (transport);
    }
    /* RECONNECT_IVL 0: 2.2 dies of SIGFPE (integer division by zero) at
       the first reconnect wait (SPEC 12.3, 15). */
    if (!testing_reference ()) {
        test_reconnect (NU_TCP, 0, -1);
        test_reconnect (NU_IPC, 0, -1);
        test_reconnect (NU_TCP, 0, 100);
    }
    test_durable_identity ();
    test_transient_identity ();
    test_linger_bounded (100);
    test_linger_bounded (0);
    test_hwm_unconnected ();
    test_pub_hwm_slow_sub ();

    CHECK_OK (zmq_term (ctx));
    nu_ipc_cleanup ();
    printf ("PASS test_tcp_lifecycle\n");
    return 0;
}
