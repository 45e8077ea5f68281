/*
 * test_msg.c -- zmq_msg_t: layout, field encodings, init/close/copy/move,
 * free functions, and what zmq_send/zmq_recv do to messages
 * (SPEC-2x sections 1.4, 2.4-2.11, 2.20-2.21, 3).
 */
#include "testutil.h"

#include <stddef.h>
#include <stdint.h>

/* zmq_msg_cdata/zmq_msg_csize exist since 2.2.1 only (SPEC 1.1, 17): the
   reference 2.2.0 lacks them, so they are referenced weakly. */
extern const void *zmq_msg_cdata (const zmq_msg_t *msg) __attribute__ ((weak));
extern size_t zmq_msg_csize (const zmq_msg_t *msg) __attribute__ ((weak));

/* ---- free-function bookkeeping ---------------------------------------- */

static int ffn_calls;
static void *ffn_last_data;
static void *ffn_last_hint;

static void counting_ffn (void *data, void *hint)
{
    __atomic_add_fetch (&ffn_calls, 1, __ATOMIC_SEQ_CST);
    ffn_last_data = data;
    ffn_last_hint = hint;
}

/* Like counting_ffn, but the buffer came from malloc and is freed here. */
static void freeing_ffn (void *data, void *hint)
{
    counting_ffn (data, hint);
    free (data);
}

static void ffn_reset (void)
{
    __atomic_store_n (&ffn_calls, 0, __ATOMIC_SEQ_CST);
    ffn_last_data = NULL;
    ffn_last_hint = NULL;
}

static int ffn_count (void)
{
    return __atomic_load_n (&ffn_calls, __ATOMIC_SEQ_CST);
}

/* ---- helpers ------------------------------------------------------------ */

static int points_inside (const zmq_msg_t *m, const void *p)
{
    const char *c = (const char *) p;
    return c >= (const char *) m && c < (const char *) (m + 1);
}

static int is_valid_tag (const zmq_msg_t *m)
{
    return (m->flags | ZMQ_MSG_MASK) == 0xFF;
}

/* Checks that m is a fresh empty message: VSM, size 0, flags 0x7E. */
#define CHECK_EMPTY(m)                                                       \
    do {                                                                     \
        CHECK ((m).content == (void *) ZMQ_VSM);                             \
        CHECK ((m).flags == 0x7E);                                           \
        CHECK ((m).vsm_size == 0);                                           \
        CHECK (zmq_msg_size (&(m)) == 0);                                    \
    } while (0)

/* ---- layout ------------------------------------------------------------- */

static void test_layout (void)
{
    CHECK (sizeof (zmq_msg_t) == 40);
    CHECK (_Alignof (zmq_msg_t) == 8);
    CHECK (offsetof (zmq_msg_t, content) == 0);
    CHECK (offsetof (zmq_msg_t, flags) == 8);
    CHECK (offsetof (zmq_msg_t, vsm_size) == 9);
    CHECK (offsetof (zmq_msg_t, vsm_data) == 10);
    CHECK (sizeof (((zmq_msg_t *) 0)->vsm_data) == 30);

    CHECK (sizeof (zmq_pollitem_t) == 16);
    CHECK (offsetof (zmq_pollitem_t, socket) == 0);
    CHECK (offsetof (zmq_pollitem_t, fd) == 8);
    CHECK (offsetof (zmq_pollitem_t, events) == 12);
    CHECK (offsetof (zmq_pollitem_t, revents) == 14);

    CHECK (ZMQ_MAX_VSM_SIZE == 30);
    CHECK (ZMQ_DELIMITER == 31);
    CHECK (ZMQ_VSM == 32);
    CHECK (ZMQ_MSG_MORE == 1);
    CHECK (ZMQ_MSG_SHARED == 128);
    CHECK (ZMQ_MSG_MASK == 129);
}

/* ---- init / init_size / close ------------------------------------------- */

static void test_init (void)
{
    zmq_msg_t m;
    memset (&m, 0xAB, sizeof m);
    CHECK_OK (zmq_msg_init (&m));
    CHECK_EMPTY (m);
    CHECK (zmq_msg_data (&m) == (void *) m.vsm_data);

    /* close clears the flags byte; a second close is EFAULT. */
    CHECK_OK (zmq_msg_close (&m));
    CHECK (m.flags == 0);
    CHECK_ERR (zmq_msg_close (&m), EFAULT);

    /* Re-initialising a closed message makes it usable again. */
    CHECK_OK (zmq_msg_init (&m));
    CHECK_OK (zmq_msg_close (&m));

    /* A zeroed (never initialised) struct is rejected the same way. */
    memset (&m, 0, sizeof m);
    CHECK_ERR (zmq_msg_close (&m), EFAULT);
}

static void test_init_size (void)
{
    /* 0..30 bytes: very small message, data inline in the struct. */
    for (size_t n = 0; n <= ZMQ_MAX_VSM_SIZE; n++) {
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init_size (&m, n));
        CHECK (m.content == (void *) ZMQ_VSM);
        CHECK (m.flags == 0x7E);
        CHECK (m.vsm_size == n);
        CHECK (zmq_msg_size (&m) == n);
        CHECK (zmq_msg_data (&m) == (void *) m.vsm_data);
        CHECK (points_inside (&m, zmq_msg_data (&m)));
        memset (zmq_msg_data (&m), 'x', n);
        CHECK_OK (zmq_msg_close (&m));
        CHECK (m.flags == 0);
        CHECK_ERR (zmq_msg_close (&m), EFAULT);
    }

    /* 31 bytes and more: heap content, data outside the struct. */
    size_t sizes [] = {31, 32, 100, 8192, 1000000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes [0]; i++) {
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init_size (&m, sizes [i]));
        CHECK (m.content != (void *) ZMQ_VSM);
        CHECK (m.content != (void *) ZMQ_DELIMITER);
        CHECK (m.content != NULL);
        CHECK (m.flags == 0x7E);
        CHECK (zmq_msg_size (&m) == sizes [i]);
        void *d = zmq_msg_data (&m);
        CHECK (d != NULL);
        CHECK (!points_inside (&m, d));
        memset (d, 'y', sizes [i]); /* the whole buffer is writable */
        CHECK_OK (zmq_msg_close (&m));
        CHECK (m.flags == 0);
        CHECK_ERR (zmq_msg_close (&m), EFAULT);
    }

    /* A size malloc cannot satisfy is ENOMEM. */
    {
        zmq_msg_t m;
        CHECK_ERR (zmq_msg_init_size (&m, (size_t) 1 << 62), ENOMEM);
    }

    if (!testing_reference ()) {
        /* SPEC 2.5 / 15: 2.2 overflows sizeof(header) + size and "succeeds"
           with a tiny allocation; must be ENOMEM instead (SPEC 18). */
        zmq_msg_t m;
        CHECK_ERR (zmq_msg_init_size (&m, SIZE_MAX), ENOMEM);
        CHECK_ERR (zmq_msg_init_size (&m, SIZE_MAX - 39), ENOMEM);
        CHECK_ERR (zmq_msg_init_size (&m, SIZE_MAX - 20), ENOMEM);
    }
}

/* ---- init_data ---------------------------------------------------------- */

static void test_init_data (void)
{
    /* Even a small user buffer is a heap (non-VSM) message, zero-copy. */
    {
        static char buf [] = "hello";
        int hint_obj;
        zmq_msg_t m;
        ffn_reset ();
        CHECK_OK (zmq_msg_init_data (&m, buf, 5, counting_ffn, &hint_obj));
        CHECK (m.content != (void *) ZMQ_VSM);
        CHECK (m.flags == 0x7E);
        CHECK (zmq_msg_data (&m) == (void *) buf);
        CHECK (zmq_msg_size (&m) == 5);
        CHECK (ffn_count () == 0);
        CHECK_OK (zmq_msg_close (&m));
        CHECK (ffn_count () == 1);
        CHECK (ffn_last_data == (void *) buf);
        CHECK (ffn_last_hint == (void *) &hint_obj);
        CHECK (m.flags == 0);
        CHECK_ERR (zmq_msg_close (&m), EFAULT);
        CHECK (ffn_count () == 1);
    }

    /* NULL data and NULL ffn are accepted. */
    {
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init_data (&m, NULL, 0, NULL, NULL));
        CHECK (m.flags == 0x7E);
        CHECK (zmq_msg_data (&m) == NULL);
        CHECK (zmq_msg_size (&m) == 0);
        CHECK_OK (zmq_msg_close (&m));

        static char buf2 [64];
        CHECK_OK (zmq_msg_init_data (&m, buf2, sizeof buf2, NULL, NULL));
        CHECK (zmq_msg_data (&m) == (void *) buf2);
        CHECK (zmq_msg_size (&m) == sizeof buf2);
        CHECK_OK (zmq_msg_close (&m));
    }

    /* ffn with a NULL hint gets NULL. */
    {
        char *p = (char *) malloc (100);
        CHECK (p != NULL);
        zmq_msg_t m;
        ffn_reset ();
        ffn_last_hint = (void *) &m;
        CHECK_OK (zmq_msg_init_data (&m, p, 100, freeing_ffn, NULL));
        CHECK_OK (zmq_msg_close (&m));
        CHECK (ffn_count () == 1);
        CHECK (ffn_last_data == (void *) p);
        CHECK (ffn_last_hint == NULL);
    }
}

/* ---- copy --------------------------------------------------------------- */

static void test_copy (void)
{
    /* Heap message: copies share one buffer; flags become 0xFE on both;
       ffn runs exactly once, after the last copy is closed. */
    {
        static char buf [40] = "shared buffer of forty bytes..........";
        int hint_obj;
        zmq_msg_t a, b, c;
        ffn_reset ();
        CHECK_OK (zmq_msg_init_data (&a, buf, sizeof buf, counting_ffn,
            &hint_obj));
        CHECK_OK (zmq_msg_init (&b));
        CHECK_OK (zmq_msg_copy (&b, &a));
        CHECK (a.flags == 0xFE);
        CHECK (b.flags == 0xFE);
        CHECK (a.content == b.content);
        CHECK (zmq_msg_data (&a) == (void *) buf);
        CHECK (zmq_msg_data (&b) == (void *) buf);
        CHECK (zmq_msg_size (&b) == sizeof buf);

        /* A copy of a shared message adds one more reference. */
        CHECK_OK (zmq_msg_init (&c));
        CHECK_OK (zmq_msg_copy (&c, &b));
        CHECK (c.flags == 0xFE);
        CHECK (b.flags == 0xFE);
        CHECK (zmq_msg_data (&c) == (void *) buf);

        CHECK_OK (zmq_msg_close (&a));
        CHECK (ffn_count () == 0);
        CHECK (a.flags == 0);
        CHECK_OK (zmq_msg_close (&c));
        CHECK (ffn_count () == 0);
        /* b still usable */
        CHECK (zmq_msg_data (&b) == (void *) buf);
        CHECK (zmq_msg_size (&b) == sizeof buf);
        CHECK_OK (zmq_msg_close (&b));
        CHECK (ffn_count () == 1);
        CHECK (ffn_last_data == (void *) buf);
        CHECK (ffn_last_hint == (void *) &hint_obj);
        CHECK_ERR (zmq_msg_close (&b), EFAULT);
        CHECK (ffn_count () == 1);
    }

    /* init_size heap message: copy shares the data pointer. */
    {
        zmq_msg_t a, b;
        CHECK_OK (zmq_msg_init_size (&a, 31));
        memset (zmq_msg_data (&a), 'q', 31);
        CHECK_OK (zmq_msg_init (&b));
        CHECK_OK (zmq_msg_copy (&b, &a));
        CHECK (zmq_msg_data (&a) == zmq_msg_data (&b));
        CHECK (a.flags == 0xFE && b.flags == 0xFE);
        CHECK_OK (zmq_msg_close (&a));
        CHECK (memcmp (zmq_msg_data (&b), "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
            31) == 0);
        CHECK_OK (zmq_msg_close (&b));
    }

    /* VSM: a plain byte copy; data pointers differ (inside each struct). */
    {
        zmq_msg_t a, b;
        CHECK_OK (zmq_msg_init_size (&a, 5));
        memcpy (zmq_msg_data (&a), "abcde", 5);
        CHECK_OK (zmq_msg_init (&b));
        CHECK_OK (zmq_msg_copy (&b, &a));
        CHECK (a.flags == 0x7E);
        CHECK (b.flags == 0x7E);
        CHECK (b.content == (void *) ZMQ_VSM);
        CHECK (zmq_msg_size (&b) == 5);
        CHECK (zmq_msg_data (&b) == (void *) b.vsm_data);
        CHECK (memcmp (zmq_msg_data (&b), "abcde", 5) == 0);
        memcpy (zmq_msg_data (&a), "ZZZZZ", 5);
        CHECK (memcmp (zmq_msg_data (&b), "abcde", 5) == 0);
        CHECK_OK (zmq_msg_close (&a));
        CHECK_OK (zmq_msg_close (&b));
    }

    /* copy into a dest that holds content closes (releases) the old one. */
    {
        static char old [50];
        zmq_msg_t a, b;
        ffn_reset ();
        CHECK_OK (zmq_msg_init_data (&b, old, sizeof old, counting_ffn, NULL));
        CHECK_OK (zmq_msg_init_size (&a, 3));
        CHECK_OK (zmq_msg_copy (&b, &a));
        CHECK (ffn_count () == 1);
        CHECK (ffn_last_data == (void *) old);
        CHECK (zmq_msg_size (&b) == 3);
        CHECK_OK (zmq_msg_close (&a));
        CHECK_OK (zmq_msg_close (&b));
        CHECK (ffn_count () == 1);
    }

    /* copy from or into a closed message: EFAULT, nothing changes. */
    {
        zmq_msg_t a, b;
        CHECK_OK (zmq_msg_init_size (&a, 64));
        CHECK_OK (zmq_msg_init (&b));
        CHECK_OK (zmq_msg_close (&b));
        CHECK_ERR (zmq_msg_copy (&b, &a), EFAULT);  /* into closed */
        CHECK (a.flags == 0x7E);                   /* src not marked shared */
        CHECK (b.flags == 0);
        CHECK_ERR (zmq_msg_copy (&a, &b), EFAULT);  /* from closed */
        CHECK (a.flags == 0x7E);
        CHECK (zmq_msg_size (&a) == 64);           /* dest left intact */
        CHECK_OK (zmq_msg_close (&a));
        CHECK_ERR (zmq_msg_copy (&a, &b), EFAULT);  /* both closed */
    }
}

/* ---- move --------------------------------------------------------------- */

static void test_move (void)
{
    /* Heap message: dest gets the content, src becomes an empty message. */
    {
        static char buf [50];
        zmq_msg_t a, b;
        ffn_reset ();
        CHECK_OK (zmq_msg_init_data (&a, buf, sizeof buf, counting_ffn, NULL));
        void *content = a.content;
        CHECK_OK (zmq_msg_init (&b));
        CHECK_OK (zmq_msg_move (&b, &a));
        CHECK (b.content == content);
        CHECK (b.flags == 0x7E);
        CHECK (zmq_msg_data (&b) == (void *) buf);
        CHECK (zmq_msg_size (&b) == sizeof buf);
        CHECK_EMPTY (a);
        CHECK (ffn_count () == 0);
        CHECK_OK (zmq_msg_close (&a));
        CHECK (ffn_count () == 0);
        CHECK_OK (zmq_msg_close (&b));
        CHECK (ffn_count () == 1);
    }

    /* VSM: bytes move with the struct; the data pointer changes. */
    {
        zmq_msg_t a, b;
        CHECK_OK (zmq_msg_init_size (&a, 30));
        memcpy (zmq_msg_data (&a), "0123456789012345678901234567890", 30);
        CHECK_OK (zmq_msg_init (&b));
        CHECK_OK (zmq_msg_move (&b, &a));
        CHECK (b.content == (void *) ZMQ_VSM);
        CHECK (zmq_msg_size (&b) == 30);
        CHECK (zmq_msg_data (&b) == (void *) b.vsm_data);
        CHECK (memcmp (zmq_msg_data (&b), "012345678901234567890123456789",
            30) == 0);
        CHECK_EMPTY (a);
        CHECK_OK (zmq_msg_close (&a));
        CHECK_OK (zmq_msg_close (&b));
    }

    /* move into a dest holding content releases that content. */
    {
        static char old [50];
        zmq_msg_t a, b;
        ffn_reset ();
        CHECK_OK (zmq_msg_init_data (&b, old, sizeof old, counting_ffn, NULL));
        CHECK_OK (zmq_msg_init_size (&a, 2));
        CHECK_OK (zmq_msg_move (&b, &a));
        CHECK (ffn_count () == 1);
        CHECK (ffn_last_data == (void *) old);
        CHECK (zmq_msg_size (&b) == 2);
        CHECK_OK (zmq_msg_close (&a));
        CHECK_OK (zmq_msg_close (&b));
    }

    /* move into a closed dest is fine (its close result is ignored). */
    {
        zmq_msg_t a, b;
        CHECK_OK (zmq_msg_init_size (&a, 100));
        void *d = zmq_msg_data (&a);
        CHECK_OK (zmq_msg_init (&b));
        CHECK_OK (zmq_msg_close (&b));
        CHECK_OK (zmq_msg_move (&b, &a));
        CHECK (zmq_msg_data (&b) == d);
        CHECK (zmq_msg_size (&b) == 100);
        CHECK_EMPTY (a);
        CHECK_OK (zmq_msg_close (&a));
        CHECK_OK (zmq_msg_close (&b));
    }

    /* Struct assignment transfers ownership (SPEC 3.2). */
    {
        zmq_msg_t a, b;
        ffn_reset ();
        static char buf [64];
        CHECK_OK (zmq_msg_init_data (&a, buf, sizeof buf, counting_ffn, NULL));
        b = a;
        CHECK (zmq_msg_data (&b) == (void *) buf);
        CHECK_OK (zmq_msg_close (&b));
        CHECK (ffn_count () == 1);
    }
}

/* ---- cdata / csize ------------------------------------------------------ */

static void test_cdata (void)
{
    if (zmq_msg_cdata == NULL || zmq_msg_csize == NULL) {
        /* SPEC 1.1 / 17: 2.2.0 (the reference) does not export them; our
           library must (2.2.1 header). */
        if (!testing_reference ())
            CHECK (zmq_msg_cdata != NULL && zmq_msg_csize != NULL);
        return;
    }
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, 7));
    CHECK (zmq_msg_cdata (&m) == zmq_msg_data (&m));
    CHECK (zmq_msg_cdata (&m) == (const void *) m.vsm_data);
    CHECK (zmq_msg_csize (&m) == 7);
    CHECK_OK (zmq_msg_close (&m));

    CHECK_OK (zmq_msg_init_size (&m, 300));
    CHECK (zmq_msg_cdata (&m) == zmq_msg_data (&m));
    CHECK (zmq_msg_csize (&m) == 300);
    CHECK_OK (zmq_msg_close (&m));

    static char buf [10];
    CHECK_OK (zmq_msg_init_data (&m, buf, sizeof buf, NULL, NULL));
    CHECK (zmq_msg_cdata (&m) == (const void *) buf);
    CHECK (zmq_msg_csize (&m) == sizeof buf);
    CHECK_OK (zmq_msg_close (&m));

    CHECK_OK (zmq_msg_init (&m));
    CHECK (zmq_msg_csize (&m) == 0);
    CHECK_OK (zmq_msg_close (&m));
}

/* ---- messages and sockets ----------------------------------------------- */

static void test_send_recv (void)
{
    void *ctx = zmq_init (0);
    CHECK (ctx != NULL);
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (a && b);
    CHECK_OK (zmq_bind (a, "inproc://msg"));
    CHECK_OK (zmq_connect (b, "inproc://msg"));
    set_int (a, ZMQ_RCVTIMEO, 5000);
    set_int (b, ZMQ_RCVTIMEO, 5000);

    zmq_msg_t m;

    /* send/recv of a closed (or never initialised) message: EFAULT. */
    CHECK_OK (zmq_msg_init_size (&m, 3));
    CHECK_OK (zmq_msg_close (&m));
    CHECK_ERR (zmq_send (b, &m, 0), EFAULT);
    CHECK_ERR (zmq_send (b, &m, ZMQ_NOBLOCK), EFAULT);
    CHECK_ERR (zmq_recv (a, &m, 0), EFAULT);
    CHECK_ERR (zmq_recv (a, &m, ZMQ_NOBLOCK), EFAULT);
    memset (&m, 0, sizeof m);
    CHECK_ERR (zmq_send (b, &m, 0), EFAULT);
    CHECK_ERR (zmq_recv (a, &m, ZMQ_NOBLOCK), EFAULT);

    /* After a successful send the message is an empty valid message. */
    CHECK_OK (zmq_msg_init_size (&m, 5));
    memcpy (zmq_msg_data (&m), "small", 5);
    CHECK_OK (zmq_send (b, &m, 0));
    CHECK_EMPTY (m);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_RECV (a, "small", 0);

    CHECK_OK (zmq_msg_init_size (&m, 100));
    memset (zmq_msg_data (&m), 'L', 100);
    CHECK_OK (zmq_send (b, &m, 0));
    CHECK (is_valid_tag (&m));
    CHECK (zmq_msg_size (&m) == 0);
    CHECK_OK (zmq_msg_close (&m));
    {
        zmq_msg_t r;
        CHECK_OK (zmq_msg_init (&r));
        CHECK_OK (zmq_recv (a, &r, 0));
        CHECK (zmq_msg_size (&r) == 100);
        CHECK (((char *) zmq_msg_data (&r)) [99] == 'L');
        CHECK_OK (zmq_msg_close (&r));
    }

    /* The same struct can be sent again after a successful send (it is an
       empty message now): an empty part arrives. */
    CHECK_OK (zmq_msg_init_size (&m, 2));
    memcpy (zmq_msg_data (&m), "hi", 2);
    CHECK_OK (zmq_send (b, &m, 0));
    CHECK_OK (zmq_send (b, &m, 0));
    CHECK_OK (zmq_msg_close (&m));
    CHECK_RECV (a, "hi", 0);
    {
        zmq_msg_t r;
        CHECK_OK (zmq_msg_init (&r));
        CHECK_OK (zmq_recv (a, &r, 0));
        CHECK (zmq_msg_size (&r) == 0);
        CHECK_OK (zmq_msg_close (&r));
    }

    /* A received part never carries ZMQ_MSG_MORE in its flags; RCVMORE
       reports it instead. */
    CHECK_OK (zmq_msg_init_size (&m, 4));
    memcpy (zmq_msg_data (&m), "part", 4);
    CHECK_OK (zmq_send (b, &m, ZMQ_SNDMORE));
    CHECK_OK (zmq_msg_close (&m));
    CHECK_OK (zmq_msg_init_size (&m, 40));
    memset (zmq_msg_data (&m), 'M', 40);
    CHECK_OK (zmq_send (b, &m, ZMQ_SNDMORE));
    CHECK_OK (zmq_msg_close (&m));
    CHECK_OK (s_send (b, "last", 0));
    {
        zmq_msg_t r;
        CHECK_OK (zmq_msg_init (&r));
        CHECK_OK (zmq_recv (a, &r, 0));
        CHECK ((r.flags & ZMQ_MSG_MORE) == 0);
        CHECK (r.flags == 0x7E);
        CHECK (zmq_msg_size (&r) == 4);
        CHECK (rcvmore (a) == 1);
        CHECK_OK (zmq_recv (a, &r, 0)); /* recv closes what r held */
        CHECK ((r.flags & ZMQ_MSG_MORE) == 0);
        CHECK (is_valid_tag (&r));
        CHECK (zmq_msg_size (&r) == 40);
        CHECK (rcvmore (a) == 1);
        CHECK_OK (zmq_recv (a, &r, 0));
        CHECK ((r.flags & ZMQ_MSG_MORE) == 0);
        CHECK (zmq_msg_size (&r) == 4);
        CHECK (memcmp (zmq_msg_data (&r), "last", 4) == 0);
        CHECK (rcvmore (a) == 0);
        CHECK_OK (zmq_msg_close (&r));
    }

    /* inproc is zero-copy for messages > 30 bytes: same data pointer. */
    {
        zmq_msg_t s, r;
        CHECK_OK (zmq_msg_init_size (&s, 31));
        void *d = zmq_msg_data (&s);
        memset (d, 'z', 31);
        CHECK_OK (zmq_send (b, &s, 0));
        CHECK_OK (zmq_msg_close (&s));
        CHECK_OK (zmq_msg_init (&r));
        CHECK_OK (zmq_recv (a, &r, 0));
        CHECK (zmq_msg_data (&r) == d);
        CHECK (zmq_msg_size (&r) == 31);
        CHECK_OK (zmq_msg_close (&r));

        CHECK_OK (zmq_msg_init_size (&s, 65536));
        d = zmq_msg_data (&s);
        CHECK_OK (zmq_send (a, &s, 0));
        CHECK_OK (zmq_msg_close (&s));
        CHECK_OK (zmq_msg_init (&r));
        CHECK_OK (zmq_recv (b, &r, 0));
        CHECK (zmq_msg_data (&r) == d);
        CHECK (zmq_msg_size (&r) == 65536);
        CHECK_OK (zmq_msg_close (&r));
    }

    /* init_data buffer over inproc: delivered as-is, freed exactly once,
       only after the receiver closes it. */
    {
        char *buf = (char *) malloc (64);
        CHECK (buf != NULL);
        memset (buf, 'D', 64);
        int hint_obj;
        zmq_msg_t s, r;
        ffn_reset ();
        CHECK_OK (zmq_msg_init_data (&s, buf, 64, freeing_ffn, &hint_obj));
        CHECK_OK (zmq_send (b, &s, 0));
        CHECK_OK (zmq_msg_close (&s));
        CHECK (ffn_count () == 0);
        CHECK_OK (zmq_msg_init (&r));
        CHECK_OK (zmq_recv (a, &r, 0));
        CHECK (ffn_count () == 0);
        CHECK (zmq_msg_data (&r) == (void *) buf);
        CHECK (zmq_msg_size (&r) == 64);
        CHECK_OK (zmq_msg_close (&r));
        CHECK (ffn_count () == 1);
        CHECK (ffn_last_data == (void *) buf);
        CHECK (ffn_last_hint == (void *) &hint_obj);
        CHECK_ERR (zmq_msg_close (&r), EFAULT);
        CHECK (ffn_count () == 1);
    }

    /* A small init_data buffer is zero-copy too (it is never a VSM). */
    {
        static char tiny [3] = {'t', 'n', 'y'};
        zmq_msg_t s, r;
        ffn_reset ();
        CHECK_OK (zmq_msg_init_data (&s, tiny, 3, counting_ffn, NULL));
        CHECK_OK (zmq_send (b, &s, 0));
        CHECK_OK (zmq_msg_close (&s));
        CHECK_OK (zmq_msg_init (&r));
        CHECK_OK (zmq_recv (a, &r, 0));
        CHECK (zmq_msg_data (&r) == (void *) tiny);
        CHECK (ffn_count () == 0);
        CHECK_OK (zmq_msg_close (&r));
        CHECK (ffn_count () == 1);
    }

    /* zmq_recv releases what the target message held (SPEC 2.21). */
    {
        static char held [50];
        zmq_msg_t r;
        ffn_reset ();
        CHECK_OK (s_send (b, "x", 0));
        CHECK_OK (zmq_msg_init_data (&r, held, sizeof held, counting_ffn,
            NULL));
        CHECK_OK (zmq_recv (a, &r, 0));
        CHECK (ffn_count () == 1);
        CHECK (ffn_last_data == (void *) held);
        CHECK (zmq_msg_size (&r) == 1);
        CHECK_OK (zmq_msg_close (&r));
        CHECK (ffn_count () == 1);
    }

    /* A failed send leaves the message to the caller (not consumed). */
    {
        void *sub = zmq_socket (ctx, ZMQ_SUB);
        CHECK (sub != NULL);
        zmq_msg_t s;
        CHECK_OK (zmq_msg_init_size (&s, 50));
        void *d = zmq_msg_data (&s);
        CHECK_ERR (zmq_send (sub, &s, 0), ENOTSUP);
        CHECK (is_valid_tag (&s));
        CHECK (zmq_msg_data (&s) == d);
        CHECK (zmq_msg_size (&s) == 50);
        CHECK_OK (zmq_msg_close (&s));
        CHECK_OK (zmq_close (sub));
    }

    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
    CHECK_OK (zmq_term (ctx));
}

/* PUB fan-out shares one buffer between subscribers (SPEC 3.3); ffn runs
   once, after the last subscriber closed its copy. */
static void test_fanout (void)
{
    void *ctx = zmq_init (0);
    CHECK (ctx != NULL);
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *s1 = zmq_socket (ctx, ZMQ_SUB);
    void *s2 = zmq_socket (ctx, ZMQ_SUB);
    CHECK (pub && s1 && s2);
    CHECK_OK (zmq_bind (pub, "inproc://fanout"));
    CHECK_OK (zmq_connect (s1, "inproc://fanout"));
    CHECK_OK (zmq_connect (s2, "inproc://fanout"));
    CHECK_OK (zmq_setsockopt (s1, ZMQ_SUBSCRIBE, "", 0));
    CHECK_OK (zmq_setsockopt (s2, ZMQ_SUBSCRIBE, "", 0));
    set_int (s1, ZMQ_RCVTIMEO, 5000);
    set_int (s2, ZMQ_RCVTIMEO, 5000);

    /* Make the PUB attach both pipes (ZMQ_EVENTS processes all pending
       commands) before sending. */
    CHECK (get_events (pub) == ZMQ_POLLOUT);

    char *buf = (char *) malloc (100);
    CHECK (buf != NULL);
    memset (buf, 'F', 100);
    zmq_msg_t m, r1, r2;
    ffn_reset ();
    CHECK_OK (zmq_msg_init_data (&m, buf, 100, freeing_ffn, NULL));
    CHECK_OK (zmq_send (pub, &m, 0));
    CHECK_OK (zmq_msg_close (&m));
    CHECK (ffn_count () == 0);

    CHECK_OK (zmq_msg_init (&r1));
    CHECK_OK (zmq_msg_init (&r2));
    CHECK_OK (zmq_recv (s1, &r1, 0));
    CHECK_OK (zmq_recv (s2, &r2, 0));
    CHECK (zmq_msg_data (&r1) == (void *) buf);
    CHECK (zmq_msg_data (&r2) == (void *) buf);
    CHECK (zmq_msg_size (&r1) == 100 && zmq_msg_size (&r2) == 100);
    CHECK ((r1.flags & ZMQ_MSG_MORE) == 0 && is_valid_tag (&r1));
    CHECK_OK (zmq_msg_close (&r1));
    CHECK (ffn_count () == 0);
    CHECK (((char *) zmq_msg_data (&r2)) [50] == 'F');
    CHECK_OK (zmq_msg_close (&r2));
    CHECK (ffn_count () == 1);
    CHECK (ffn_last_data == (void *) buf);

    CHECK_OK (zmq_close (pub));
    CHECK_OK (zmq_close (s1));
    CHECK_OK (zmq_close (s2));
    CHECK_OK (zmq_term (ctx));
}

/* ---- NULL arguments ----------------------------------------------------- */

static void test_null_args (void)
{
    if (testing_reference ())
        return;
    /* SPEC 2.4-2.9 / 18: 2.2 dereferences these pointers and crashes; our
       library reports EFAULT instead. */
    zmq_msg_t m;
    CHECK_ERR (zmq_msg_init (NULL), EFAULT);
    CHECK_ERR (zmq_msg_init_size (NULL, 5), EFAULT);
    CHECK_ERR (zmq_msg_init_size (NULL, 100), EFAULT);
    CHECK_ERR (zmq_msg_init_data (NULL, &m, 5, NULL, NULL), EFAULT);
    CHECK_ERR (zmq_msg_close (NULL), EFAULT);
    CHECK_OK (zmq_msg_init (&m));
    CHECK_ERR (zmq_msg_move (NULL, &m), EFAULT);
    CHECK_ERR (zmq_msg_move (&m, NULL), EFAULT);
    CHECK_ERR (zmq_msg_copy (NULL, &m), EFAULT);
    CHECK_ERR (zmq_msg_copy (&m, NULL), EFAULT);
    CHECK (m.flags == 0x7E);
    CHECK_OK (zmq_msg_close (&m));
}

int main (void)
{
    test_deadline (60);
    test_layout ();
    test_init ();
    test_init_size ();
    test_init_data ();
    test_copy ();
    test_move ();
    test_cdata ();
    test_send_recv ();
    test_fanout ();
    test_null_args ();
    printf ("PASS test_msg\n");
    return 0;
}
