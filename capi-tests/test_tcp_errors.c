/*
 * test_tcp_errors.c -- zmq_bind / zmq_connect errors and address syntax of
 * the tcp and ipc transports (SPEC-2x 2.18, 2.19, 11.1, 11.2, 11.3).
 *
 * tcp bind: the address splits at the last ':'; the port must be a number
 * that is non-zero in 16 bits; the interface is '*', a NIC name or a numeric
 * IPv4 address (hostnames and IPv6 -> ENODEV); kernel bind() errors come
 * back raw (EADDRINUSE, EADDRNOTAVAIL).  tcp connect resolves host names
 * synchronously (unknown name, service name -> EINVAL) and otherwise
 * returns 0 at once even when nobody listens.  ipc: paths of 108 bytes or
 * more -> ENAMETOOLONG, bind errors raw (ENOENT), bind steals an existing
 * path.  A context without I/O threads cannot use tcp/ipc (EMTHREAD).
 *
 * 2.2 quirks guarded with testing_reference (): the port is atoi()
 * truncated to 16 bits, so "*:-1" binds 65535 and "*:80001" binds 14465
 * ("127.0.0.1:-1" is ENODEV there: getaddrinfo rejects the service); this
 * library rejects out-of-range ports with EINVAL instead.
 */
#include "testutil.h"
#include "net_util.h"

static void *ctx;

/* A PUSH connected to ep delivers one message to pull. */
static void check_delivery (void *pull, const char *ep, const char *text)
{
    void *push = nu_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    CHECK_OK (s_send (push, text, 0));
    RECV_PART (pull, text, 0);
    nu_close0 (push);
}

static void test_tcp_syntax (void)
{
    void *s = nu_socket (ctx, ZMQ_PULL);
    int port = nu_free_port ();
    char ep [128];

    /* No ':' at all. */
    CHECK_ERR (zmq_bind (s, "tcp://127.0.0.1"), EINVAL);
    CHECK_ERR (zmq_bind (s, "tcp://*"), EINVAL);
    CHECK_ERR (zmq_bind (s, "tcp://lo"), EINVAL);
    CHECK_ERR (zmq_connect (s, "tcp://127.0.0.1"), EINVAL);
    CHECK_ERR (zmq_connect (s, "tcp://localhost"), EINVAL);

    /* Ports that are zero in 16 bits or not numbers. */
    CHECK_ERR (zmq_bind (s, "tcp://127.0.0.1:0"), EINVAL);
    CHECK_ERR (zmq_bind (s, "tcp://*:0"), EINVAL);
    CHECK_ERR (zmq_bind (s, "tcp://127.0.0.1:*"), EINVAL);
    CHECK_ERR (zmq_bind (s, "tcp://*:*"), EINVAL);
    CHECK_ERR (zmq_bind (s, "tcp://127.0.0.1:abc"), EINVAL);
    CHECK_ERR (zmq_bind (s, "tcp://127.0.0.1:"), EINVAL);
    CHECK_ERR (zmq_bind (s, "tcp://127.0.0.1:65536"), EINVAL);
    CHECK_ERR (zmq_bind (s, "tcp://*:65536"), EINVAL);

    /* connect: the service must be numeric (getaddrinfo AI_NUMERICSERV). */
    CHECK_ERR (zmq_connect (s, "tcp://127.0.0.1:http"), EINVAL);

    /* Unknown interface names, host names, IPv6: ENODEV at bind. */
    nu_tcp_endpoint (ep, sizeof ep, "nosuchif0", port);
    CHECK_ERR (zmq_bind (s, ep), ENODEV);
    nu_tcp_endpoint (ep, sizeof ep, "localhost", port);
    CHECK_ERR (zmq_bind (s, ep), ENODEV);
    nu_tcp_endpoint (ep, sizeof ep, "[::1]", port);
    CHECK_ERR (zmq_bind (s, ep), ENODEV);
    nu_tcp_endpoint (ep, sizeof ep, "::1", port);
    CHECK_ERR (zmq_bind (s, ep), ENODEV);

    /* connect: a host name that does not resolve. */
    nu_tcp_endpoint (ep, sizeof ep, "no-such-host.invalid", port);
    CHECK_ERR (zmq_connect (s, ep), EINVAL);

    /* None of the failures left anything bound or connected: the socket
       still binds normally. */
    char good [128];
    nu_bind_tcp (s, good, sizeof good);
    check_delivery (s, good, "after-errors");

    nu_close0 (s);
}

/* Out-of-range ports.  2.2 truncates atoi() to 16 bits: with the '*'
   interface "-1" binds 65535 and "80001" binds 14465; with a numeric
   address getaddrinfo() sees the service too, accepts "80001" (again port
   14465) and rejects "-1" (ENODEV).  This library rejects all of them with
   EINVAL. */
static void test_port_quirks (void)
{
    static const struct {
        const char *ep;         /* bound first (keeps the port) */
        const char *alias;      /* the same port spelt another way */
        int port;
    } q [] = {
        {"tcp://*:-1", "tcp://lo:-1", 65535},
        {"tcp://*:80001", "tcp://127.0.0.1:80001", 14465},
    };
    for (size_t i = 0; i < sizeof q / sizeof q [0]; i++) {
        void *s = nu_socket (ctx, ZMQ_PULL);
        void *t = nu_socket (ctx, ZMQ_PULL);
        if (testing_reference ()) {
            /* 2.2 binds the truncated port (or finds it taken by somebody
               else). */
            errno = 0;
            int rc = zmq_bind (s, q [i].ep);
            CHECK (rc == 0 || errno == EADDRINUSE);
            if (rc == 0) {
                char ep [128];
                nu_tcp_endpoint (ep, sizeof ep, "127.0.0.1", q [i].port);
                check_delivery (s, ep, "truncated-port");
                /* The other spelling maps to the same, now busy, port. */
                CHECK_ERR (zmq_bind (t, q [i].alias), EADDRINUSE);
            }
        }
        else {
            CHECK_ERR (zmq_bind (s, q [i].ep), EINVAL);
            CHECK_ERR (zmq_bind (t, q [i].alias), EINVAL);
        }
        nu_close0 (s);
        nu_close0 (t);
    }
    void *s = nu_socket (ctx, ZMQ_PULL);
    if (testing_reference ())
        CHECK_ERR (zmq_bind (s, "tcp://127.0.0.1:-1"), ENODEV);
    else
        CHECK_ERR (zmq_bind (s, "tcp://127.0.0.1:-1"), EINVAL);
    nu_close0 (s);
}

static void test_tcp_bind (void)
{
    char ep [128];

    /* By interface name. */
    void *a = nu_socket (ctx, ZMQ_PULL);
    nu_bind_tcp_on (a, "lo", ep, sizeof ep);
    check_delivery (a, ep, "via-lo");
    nu_close0 (a);

    /* On every interface. */
    a = nu_socket (ctx, ZMQ_PULL);
    int port = nu_bind_tcp_on (a, "*", ep, sizeof ep);
    check_delivery (a, ep, "via-star");

    /* The same port again: on the same socket, on another socket, and on
       127.0.0.1 while '*' holds it. */
    char again [128];
    nu_tcp_endpoint (again, sizeof again, "*", port);
    CHECK_ERR (zmq_bind (a, again), EADDRINUSE);
    void *b = nu_socket (ctx, ZMQ_PULL);
    CHECK_ERR (zmq_bind (b, again), EADDRINUSE);
    nu_tcp_endpoint (again, sizeof again, "127.0.0.1", port);
    CHECK_ERR (zmq_bind (b, again), EADDRINUSE);
    nu_tcp_endpoint (again, sizeof again, "lo", port);
    CHECK_ERR (zmq_bind (b, again), EADDRINUSE);
    /* The first binder is unaffected. */
    check_delivery (a, ep, "still-star");
    nu_close0 (a);

    /* Numeric 127.0.0.1 twice. */
    a = nu_socket (ctx, ZMQ_PULL);
    port = nu_bind_tcp (a, ep, sizeof ep);
    CHECK_ERR (zmq_bind (b, ep), EADDRINUSE);
    CHECK_ERR (zmq_bind (a, ep), EADDRINUSE);
    check_delivery (a, ep, "numeric");
    nu_close0 (a);
    nu_close0 (b);

    /* A socket may bind several endpoints; each delivers. */
    a = nu_socket (ctx, ZMQ_PULL);
    char ep2 [128];
    nu_bind_tcp (a, ep, sizeof ep);
    nu_bind_tcp (a, ep2, sizeof ep2);
    CHECK (strcmp (ep, ep2) != 0);
    check_delivery (a, ep, "first-endpoint");
    check_delivery (a, ep2, "second-endpoint");
    nu_close0 (a);
}

/* An IPv4 address that is not configured on this host: the first of a few
   documentation addresses for which a plain bind() says EADDRNOTAVAIL. */
static const char *foreign_address (void)
{
    static const char *cand [] = {
        "192.0.2.1", "198.51.100.1", "203.0.113.1", "192.0.2.254"
    };
    for (size_t i = 0; i < sizeof cand / sizeof cand [0]; i++) {
        int fd = socket (AF_INET, SOCK_STREAM, 0);
        CHECK (fd >= 0);
        struct sockaddr_in sa;
        memset (&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        CHECK (inet_pton (AF_INET, cand [i], &sa.sin_addr) == 1);
        sa.sin_port = 0;
        int rc = bind (fd, (struct sockaddr *) &sa, sizeof sa);
        int e = errno;
        close (fd);
        if (rc != 0 && e == EADDRNOTAVAIL)
            return cand [i];
    }
    CHECK (!"every candidate address is local");
    return NULL;
}

static void test_tcp_foreign_address (void)
{
    void *s = nu_socket (ctx, ZMQ_PULL);
    char ep [128];
    nu_tcp_endpoint (ep, sizeof ep, foreign_address (), nu_free_port ());
    CHECK_ERR (zmq_bind (s, ep), EADDRNOTAVAIL);
    nu_close0 (s);
}

static void test_tcp_connect (void)
{
    /* Connecting to a port nobody listens on succeeds (asynchronous, retried
       forever); so does a second connect of the same endpoint. */
    void *push = nu_socket (ctx, ZMQ_PUSH);
    char dead [128];
    nu_tcp_endpoint (dead, sizeof dead, "127.0.0.1", nu_free_port ());
    CHECK_OK (zmq_connect (push, dead));
    /* Connect-side pipes exist at once: the message is queued. */
    CHECK_OK (s_send (push, "queued", ZMQ_NOBLOCK));
    nu_close0 (push);

    /* Host name resolution for connect: "localhost". */
    void *pull = nu_socket (ctx, ZMQ_PULL);
    char ep [128];
    int port = nu_bind_tcp (pull, ep, sizeof ep);
    char byname [128];
    nu_tcp_endpoint (byname, sizeof byname, "localhost", port);
    check_delivery (pull, byname, "by-name");
    /* And the bound socket also answers on its numeric address. */
    check_delivery (pull, ep, "by-number");
    nu_close0 (pull);
}

static void test_ipc (void)
{
    const char *dir = nu_ipc_dir ();
    void *s = nu_socket (ctx, ZMQ_PULL);

    /* 108 bytes and more: ENAMETOOLONG, both ways; 107 bytes work. */
    char path [256], ep [300];
    size_t dl = strlen (dir);
    CHECK (dl + 2 < 107);
    for (size_t len = 107; len <= 120; len++) {
        memcpy (path, dir, dl);
        path [dl] = '/';
        memset (path + dl + 1, 'p', len - dl - 1);
        path [len] = 0;
        CHECK (strlen (path) == len);
        snprintf (ep, sizeof ep, "ipc://%s", path);
        if (len == 107) {
            CHECK_OK (zmq_bind (s, ep));
            check_delivery (s, ep, "long-path");
        }
        else {
            CHECK_ERR (zmq_bind (s, ep), ENAMETOOLONG);
            CHECK_ERR (zmq_connect (s, ep), ENAMETOOLONG);
        }
    }
    memset (path, 'x', 200);
    path [200] = 0;
    snprintf (ep, sizeof ep, "ipc://%s", path);
    CHECK_ERR (zmq_bind (s, ep), ENAMETOOLONG);
    CHECK_ERR (zmq_connect (s, ep), ENAMETOOLONG);

    /* Binding inside a directory that does not exist: raw ENOENT. */
    snprintf (ep, sizeof ep, "ipc://%s/no-such-dir/sock", dir);
    CHECK_ERR (zmq_bind (s, ep), ENOENT);
    /* Connecting there is fine (retried forever). */
    void *push = nu_socket (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (push, ep));
    nu_close0 (push);
    nu_close0 (s);

    /* A second bind of the same path steals it (no EADDRINUSE); new
       connections reach the second binder. */
    void *first = nu_socket (ctx, ZMQ_PULL);
    void *second = nu_socket (ctx, ZMQ_PULL);
    nu_ipc_endpoint (ep, sizeof ep, "stolen");
    CHECK_OK (zmq_bind (first, ep));
    CHECK_OK (zmq_bind (second, ep));
    check_delivery (second, ep, "stolen");
    char buf [16];
    CHECK_ERR (s_recv (first, buf, sizeof buf, ZMQ_NOBLOCK), EAGAIN);
    nu_close0 (first);
    nu_close0 (second);
}

static void test_no_io_threads (void)
{
    void *ctx0 = zmq_init (0);
    CHECK (ctx0 != NULL);
    void *s = zmq_socket (ctx0, ZMQ_PULL);
    CHECK (s != NULL);
    char ep [128], ipc [256];
    nu_tcp_endpoint (ep, sizeof ep, "127.0.0.1", nu_free_port ());
    nu_ipc_endpoint (ipc, sizeof ipc, "mthread");
    CHECK_ERR (zmq_bind (s, ep), EMTHREAD);
    CHECK_ERR (zmq_connect (s, ep), EMTHREAD);
    CHECK_ERR (zmq_bind (s, "tcp://*:5555"), EMTHREAD);
    CHECK_ERR (zmq_bind (s, ipc), EMTHREAD);
    CHECK_ERR (zmq_connect (s, ipc), EMTHREAD);
    /* inproc still works there. */
    CHECK_OK (zmq_bind (s, "inproc://no-io-threads"));
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_term (ctx0));
}

int main (void)
{
    test_deadline (90);
    ctx = zmq_init (1);
    CHECK (ctx != NULL);

    test_tcp_syntax ();
    test_port_quirks ();
    test_tcp_bind ();
    test_tcp_foreign_address ();
    test_tcp_connect ();
    test_ipc ();
    test_no_io_threads ();

    CHECK_OK (zmq_term (ctx));
    nu_ipc_cleanup ();
    printf ("PASS test_tcp_errors\n");
    return 0;
}
