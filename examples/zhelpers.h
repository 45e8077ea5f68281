/*
 * zhelpers.h -- the few helpers the examples share, in the spirit of the
 * 0MQ guide's zhelpers.h, for the libzmq 2.2 API (zmq_msg_t, zmq_send and
 * zmq_recv with flags).  Everything is static inline, so a program that
 * uses only some of it still compiles cleanly with -Wall -Wextra -Werror.
 */
#ifndef ZHELPERS_H_INCLUDED
#define ZHELPERS_H_INCLUDED

#include <zmq.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* Receives one message part as a NUL-terminated string the caller frees.
   Returns NULL when zmq_recv fails: zmq_errno () then says why (EINTR after
   a signal, ETERM once the context is being terminated). */
static inline char *s_recv (void *socket)
{
    zmq_msg_t message;
    zmq_msg_init (&message);
    if (zmq_recv (socket, &message, 0) != 0) {
        zmq_msg_close (&message);
        return NULL;
    }
    size_t size = zmq_msg_size (&message);
    char *string = malloc (size + 1);
    memcpy (string, zmq_msg_data (&message), size);
    string [size] = 0;
    zmq_msg_close (&message);
    return string;
}

/* Sends a string (without its NUL) as one message part, with FLAGS
   (0 or ZMQ_SNDMORE).  Returns zmq_send's result: 0, or -1 and errno. */
static inline int s_send_flags (void *socket, const char *string, int flags)
{
    zmq_msg_t message;
    size_t size = strlen (string);
    zmq_msg_init_size (&message, size);
    memcpy (zmq_msg_data (&message), string, size);
    int rc = zmq_send (socket, &message, flags);
    zmq_msg_close (&message);
    return rc;
}

/* Sends a string as the last (or only) part of a message. */
static inline int s_send (void *socket, const char *string)
{
    return s_send_flags (socket, string, 0);
}

/* Sends a string as a part with more parts to follow. */
static inline int s_sendmore (void *socket, const char *string)
{
    return s_send_flags (socket, string, ZMQ_SNDMORE);
}

/* Receives every part of one message and prints it: a line of dashes, then
   one line per part, "[size] data", the data as text when every byte is
   printable and as hex digits otherwise (like the guide's s_dump). */
static inline void s_dump (void *socket)
{
    puts ("----------------------------------------");
    int64_t more = 1;
    while (more) {
        zmq_msg_t message;
        zmq_msg_init (&message);
        if (zmq_recv (socket, &message, 0) != 0) {
            zmq_msg_close (&message);
            return;
        }
        const unsigned char *data = zmq_msg_data (&message);
        size_t size = zmq_msg_size (&message);
        int is_text = 1;
        for (size_t i = 0; i < size; i++)
            if (data [i] < 32 || data [i] > 126)
                is_text = 0;
        printf ("[%03d] ", (int) size);
        for (size_t i = 0; i < size; i++) {
            if (is_text)
                printf ("%c", data [i]);
            else
                printf ("%02X", data [i]);
        }
        printf ("\n");
        size_t more_size = sizeof more;
        zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &more_size);
        zmq_msg_close (&message);
    }
    fflush (stdout);
}

/* A random integer in [0, num). */
static inline int randof (int num)
{
    return (int) ((double) num * random () / (RAND_MAX + 1.0));
}

/* Sleeps for MSECS milliseconds (less if a signal arrives). */
static inline void s_sleep (int msecs)
{
    struct timespec t;
    t.tv_sec = msecs / 1000;
    t.tv_nsec = (msecs % 1000) * 1000000L;
    nanosleep (&t, NULL);
}

/* Wall-clock time in milliseconds. */
static inline int64_t s_clock (void)
{
    struct timeval tv;
    gettimeofday (&tv, NULL);
    return (int64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Set to 1 by SIGINT (Ctrl-C) or SIGTERM once s_catch_signals () ran. */
static volatile sig_atomic_t s_interrupted = 0;

static inline void s_signal_handler (int signal_value)
{
    (void) signal_value;
    s_interrupted = 1;
}

/* Installs the handler for SIGINT and SIGTERM.  Without SA_RESTART, a
   signal makes a blocking zmq_recv, zmq_send, zmq_poll or zmq_device
   return -1 with errno EINTR, so the program can close its sockets and
   call zmq_term instead of dying in the middle of things. */
static inline void s_catch_signals (void)
{
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = s_signal_handler;
    action.sa_flags = 0;
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);
}

#endif
