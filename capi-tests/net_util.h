/*
 * net_util.h -- helpers for the tcp/ipc C API tests (test_tcp_*.c,
 * test_ipc_*.c): free loopback ports, endpoint strings, a private ipc
 * directory and raw BSD-socket clients speaking ZMTP/1.0 by hand.
 *
 * libzmq 2.2 cannot bind port 0 (SPEC-2x 11.1), so a free port is found by
 * binding a plain socket to 127.0.0.1:0, reading the port back and closing
 * the socket; zmq_bind is then retried a few times with a fresh port if
 * somebody else grabbed it meanwhile (EADDRINUSE).  Endpoints that are
 * connected to before anybody binds them use nu_quiet_port (), a free port
 * below the ephemeral range (see there why).  ipc endpoints live in one
 * mkdtemp ("/tmp/zmqtest.XXXXXX") directory per process, removed by
 * nu_ipc_cleanup ().  Clocks, option setters and send_buf come from
 * testutil.h.
 *
 * Include after "testutil.h".
 */
#ifndef NET_UTIL_H_INCLUDED
#define NET_UTIL_H_INCLUDED

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>

/* Transports the pattern tests loop over. */
enum { NU_TCP = 0, NU_IPC = 1 };

static inline const char *nu_transport_name (int transport)
{
    return transport == NU_TCP ? "tcp" : "ipc";
}

/* ---- tcp ports and endpoints -------------------------------------------- */

/* The address 127.0.0.1:port. */
static inline struct sockaddr_in nu_loopback (int port)
{
    struct sockaddr_in sa;
    memset (&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    sa.sin_port = htons ((uint16_t) port);
    return sa;
}

/* A port on 127.0.0.1 that was free a moment ago. */
static inline int nu_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (fd >= 0);
    struct sockaddr_in sa = nu_loopback (0);
    CHECK (bind (fd, (struct sockaddr *) &sa, sizeof sa) == 0);
    socklen_t len = sizeof sa;
    CHECK (getsockname (fd, (struct sockaddr *) &sa, &len) == 0);
    int port = ntohs (sa.sin_port);
    CHECK (close (fd) == 0);
    CHECK (port > 0);
    return port;
}

/* A free port on 127.0.0.1 below the kernel's ephemeral range, for
   endpoints that are connected to while nobody listens (connect before
   bind, reconnection): a connect() to a dead port of the ephemeral range
   may, rarely, be given that very port as its source port and connect to
   itself (TCP simultaneous open).  Falls back to nu_free_port (). */
static inline int nu_quiet_port (void)
{
    int low = 32768;
    FILE *f = fopen ("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        int lo_, hi_;
        if (fscanf (f, "%d %d", &lo_, &hi_) == 2)
            low = lo_;
        fclose (f);
    }
    int base = low - 12000 > 1024 ? low - 12000 : 1024;
    int span = low - base;
    static unsigned seed;
    if (!seed)
        seed = (unsigned) getpid () * 2654435761u ^ (unsigned) now_ms ();
    for (int attempt = 0; span > 100 && attempt < 50; attempt++) {
        seed = seed * 1103515245u + 12345u;
        int port = base + (int) ((seed >> 8) % (unsigned) span);
        int fd = socket (AF_INET, SOCK_STREAM, 0);
        CHECK (fd >= 0);
        struct sockaddr_in sa = nu_loopback (port);
        int rc = bind (fd, (struct sockaddr *) &sa, sizeof sa);
        CHECK (close (fd) == 0);
        if (rc == 0)
            return port;
    }
    return nu_free_port ();
}

/* "tcp://HOST:PORT" into buf. */
static inline void nu_tcp_endpoint (char *buf, size_t cap, const char *host,
    int port)
{
    int n = snprintf (buf, cap, "tcp://%s:%d", host, port);
    CHECK (n > 0 && (size_t) n < cap);
}

/* Binds s to "tcp://<host>:<free port>" (host e.g. "127.0.0.1", "*", "lo")
   and stores the connectable endpoint "tcp://127.0.0.1:PORT" in ep.
   Retries with another port on EADDRINUSE. Returns the port. */
static inline int nu_bind_tcp_on (void *s, const char *host, char *ep,
    size_t cap)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        int port = nu_free_port ();
        char bind_ep [128];
        nu_tcp_endpoint (bind_ep, sizeof bind_ep, host, port);
        errno = 0;
        if (zmq_bind (s, bind_ep) == 0) {
            nu_tcp_endpoint (ep, cap, "127.0.0.1", port);
            return port;
        }
        CHECK (errno == EADDRINUSE);
    }
    CHECK (!"no free tcp port after 20 attempts");
    return -1;
}

static inline int nu_bind_tcp (void *s, char *ep, size_t cap)
{
    return nu_bind_tcp_on (s, "127.0.0.1", ep, cap);
}

/* ---- ipc directory and endpoints ---------------------------------------- */

/* A fresh private directory for ipc socket files; created on first use,
   removed (with whatever is left inside) by nu_ipc_cleanup (). */
static char nu_ipc_dir_ [64];
static int nu_ipc_counter_;

static inline const char *nu_ipc_dir (void)
{
    if (!nu_ipc_dir_ [0]) {
        strcpy (nu_ipc_dir_, "/tmp/zmqtest.XXXXXX");
        CHECK (mkdtemp (nu_ipc_dir_) != NULL);
    }
    return nu_ipc_dir_;
}

/* A new, unused "ipc://<dir>/<name><n>" endpoint. */
static inline void nu_ipc_endpoint (char *buf, size_t cap, const char *name)
{
    int n = snprintf (buf, cap, "ipc://%s/%s%d", nu_ipc_dir (), name,
        nu_ipc_counter_++);
    CHECK (n > 0 && (size_t) n < cap);
}

static inline void nu_ipc_cleanup (void)
{
    if (!nu_ipc_dir_ [0])
        return;
    DIR *d = opendir (nu_ipc_dir_);
    if (d) {
        struct dirent *e;
        while ((e = readdir (d)) != NULL) {
            if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
                continue;
            char path [512];
            snprintf (path, sizeof path, "%s/%s", nu_ipc_dir_, e->d_name);
            unlink (path);
        }
        closedir (d);
    }
    CHECK (rmdir (nu_ipc_dir_) == 0);
    nu_ipc_dir_ [0] = 0;
}

/* Waits up to timeout_ms until the file of an "ipc://PATH" endpoint no
   longer exists; 1 if it is gone.  A closed socket's ipc listener unlinks
   its file asynchronously (in the I/O thread), so re-binding the same path
   right after zmq_close may have the new file unlinked under the new
   listener by the old one: wait for the file to go first. */
static inline int nu_wait_ipc_gone (const char *ep, int timeout_ms)
{
    CHECK (strncmp (ep, "ipc://", 6) == 0);
    int64_t deadline = now_ms () + timeout_ms;
    for (;;) {
        struct stat st;
        if (stat (ep + 6, &st) != 0 && errno == ENOENT)
            return 1;
        if (now_ms () >= deadline)
            return 0;
        sleep_ms (5);
    }
}

/* ---- transport-generic endpoints ---------------------------------------- */

/* Binds s on a fresh endpoint of the transport; the endpoint to connect to
   goes to ep. */
static inline void nu_bind_fresh (void *s, int transport, char *ep,
    size_t cap)
{
    if (transport == NU_TCP)
        nu_bind_tcp (s, ep, cap);
    else {
        nu_ipc_endpoint (ep, cap, "ep");
        CHECK_OK (zmq_bind (s, ep));
    }
}

/* A fresh endpoint nobody is bound to yet (for connect-before-bind). */
static inline void nu_unbound_endpoint (int transport, char *ep, size_t cap)
{
    if (transport == NU_TCP)
        nu_tcp_endpoint (ep, cap, "127.0.0.1", nu_quiet_port ());
    else
        nu_ipc_endpoint (ep, cap, "late");
}

/* Binds s to a given endpoint, retrying for up to timeout_ms while it is
   still EADDRINUSE (a closed socket's listener is torn down asynchronously
   by its I/O thread, so the address may stay busy for a moment). */
static inline void nu_bind_retry (void *s, const char *ep, int timeout_ms)
{
    int64_t deadline = now_ms () + timeout_ms;
    for (;;) {
        errno = 0;
        if (zmq_bind (s, ep) == 0)
            return;
        CHECK (errno == EADDRINUSE);
        CHECK (now_ms () < deadline);
        sleep_ms (20);
    }
}

/* ---- sockets ------------------------------------------------------------ */

/* A socket with a 10 s RCVTIMEO and SNDTIMEO, so a lost message fails the
   test instead of hanging it. */
static inline void *nu_socket (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK (s != NULL);
    set_int (s, ZMQ_RCVTIMEO, 10000);
    set_int (s, ZMQ_SNDTIMEO, 10000);
    return s;
}

/* Closes with linger 0 (nothing of interest left to deliver). */
static inline void nu_close0 (void *s)
{
    set_int (s, ZMQ_LINGER, 0);
    CHECK_OK (zmq_close (s));
}

/* Waits up to timeout_ms for POLLIN on a zmq socket; 1 if readable. */
static inline int nu_wait_in (void *s, long timeout_ms)
{
    zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
    int rc = zmq_poll (&it, 1, timeout_ms * 1000L);
    CHECK (rc >= 0);
    return rc == 1 && (it.revents & ZMQ_POLLIN);
}

/* ---- raw (non-zmq) clients ------------------------------------------------ */

/* A blocking plain TCP connection to 127.0.0.1:port (TCP_NODELAY). */
static inline int nu_raw_connect_tcp (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (fd >= 0);
    struct sockaddr_in sa = nu_loopback (port);
    CHECK (connect (fd, (struct sockaddr *) &sa, sizeof sa) == 0);
    int one = 1;
    CHECK (setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
    return fd;
}

/* Port number of a "tcp://host:PORT" endpoint. */
static inline int nu_endpoint_port (const char *ep)
{
    const char *c = strrchr (ep, ':');
    CHECK (c != NULL);
    return atoi (c + 1);
}

/* Writes all of buf (MSG_NOSIGNAL: a peer that hung up gives -1/EPIPE).
   Returns 0, or -1 with errno. */
static inline int nu_raw_write (int fd, const void *buf, size_t len)
{
    const char *p = (const char *) buf;
    while (len > 0) {
        ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

/* Reads exactly len bytes within timeout_ms. Returns 0, or -1 on EOF,
   error or timeout. */
static inline int nu_raw_read_exact (int fd, void *buf, size_t len,
    int timeout_ms)
{
    char *p = (char *) buf;
    int64_t deadline = now_ms () + timeout_ms;
    while (len > 0) {
        int64_t left = deadline - now_ms ();
        if (left <= 0)
            return -1;
        struct pollfd pfd = {fd, POLLIN, 0};
        int rc = poll (&pfd, 1, (int) left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return -1;
        ssize_t n = recv (fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

/* Waits up to timeout_ms for the peer to close the connection, discarding
   any data before it. 1 = EOF (or reset) seen, 0 = still open. */
static inline int nu_raw_wait_eof (int fd, int timeout_ms)
{
    int64_t deadline = now_ms () + timeout_ms;
    for (;;) {
        int64_t left = deadline - now_ms ();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {fd, POLLIN, 0};
        int rc = poll (&pfd, 1, (int) left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc == 0)
            return 0;
        CHECK (rc == 1);
        char buf [4096];
        ssize_t n = recv (fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return 1;
        if (n < 0) {
            CHECK (errno == ECONNRESET);
            return 1;
        }
    }
}

/* Like nu_raw_wait_eof (fd, timeout_ms) == 1, but makes the zmq socket s
   process its pending commands (ZMQ_EVENTS) every 20 ms meanwhile: a
   library may act on a connection's fate only when the socket is used (2.2
   attaches new pipes that way). 1 = EOF seen. */
static inline int nu_raw_wait_eof_poking (int fd, void *s, int timeout_ms)
{
    int64_t deadline = now_ms () + timeout_ms;
    while (nu_raw_wait_eof (fd, 20) != 1) {
        if (now_ms () >= deadline)
            return 0;
        (void) get_events (s);
    }
    return 1;
}

/* Writes a ZMTP/1.0 frame (short form when body < 254 bytes, long form
   otherwise). Returns nu_raw_write's result. */
static inline int nu_raw_send_frame (int fd, const void *body, size_t size,
    int more)
{
    unsigned char hdr [10];
    size_t hl;
    uint64_t l = (uint64_t) size + 1;
    if (l < 255) {
        hdr [0] = (unsigned char) l;
        hl = 1;
    }
    else {
        hdr [0] = 0xff;
        for (int i = 0; i < 8; i++)
            hdr [1 + i] = (unsigned char) (l >> (56 - 8 * i));
        hl = 9;
    }
    hdr [hl++] = more ? 1 : 0;
    if (nu_raw_write (fd, hdr, hl) != 0)
        return -1;
    return size ? nu_raw_write (fd, body, size) : 0;
}

/* Reads one ZMTP/1.0 frame; the body (truncated to cap) goes to buf.
   Returns the body size or -1 (EOF, error, timeout). *more gets the MORE
   flag when non-NULL. */
static inline long nu_raw_recv_frame (int fd, void *buf, size_t cap,
    int *more, int timeout_ms)
{
    unsigned char b [9];
    uint64_t l;
    if (nu_raw_read_exact (fd, b, 1, timeout_ms) != 0)
        return -1;
    if (b [0] == 0xff) {
        if (nu_raw_read_exact (fd, b, 8, timeout_ms) != 0)
            return -1;
        l = 0;
        for (int i = 0; i < 8; i++)
            l = (l << 8) | b [i];
    }
    else
        l = b [0];
    if (l == 0 || l > (1u << 30))
        return -1;
    unsigned char flags;
    if (nu_raw_read_exact (fd, &flags, 1, timeout_ms) != 0)
        return -1;
    if (more)
        *more = flags & 1;
    size_t size = (size_t) (l - 1);
    char *tmp = (char *) malloc (size ? size : 1);
    CHECK (tmp != NULL);
    int rc = size ? nu_raw_read_exact (fd, tmp, size, timeout_ms) : 0;
    if (rc == 0)
        memcpy (buf, tmp, size < cap ? size : cap);
    free (tmp);
    return rc == 0 ? (long) size : -1;
}

#endif
