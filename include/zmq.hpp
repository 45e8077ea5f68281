/*
 * zmq.hpp -- header-only C++ binding of the libzmq 2.2 C API, as shipped
 * with this library (a Rust reimplementation of libzmq.so.1).
 *
 * It offers the classes and functions of the zmq.hpp that came with libzmq
 * 2.2 -- the same names, signatures, defaults and exception behaviour -- so
 * C++ programs written for 2.2 compile unchanged.  It uses nothing but the
 * C functions declared in zmq.h and never looks inside zmq_msg_t.
 *
 * Conventions:
 *   - every failing call throws zmq::error_t, which carries the errno of
 *     the failure (num()) and its text (what(), from zmq_strerror);
 *   - socket_t::send and socket_t::recv report "would block" (EAGAIN, e.g.
 *     with ZMQ_NOBLOCK or after ZMQ_SNDTIMEO/ZMQ_RCVTIMEO) by returning
 *     false instead of throwing;
 *   - context_t, socket_t and message_t own a 0MQ object and cannot be
 *     copied; with a C++11 compiler contexts and sockets can be moved.
 *
 * Builds as C++98 and later.
 */
#ifndef __ZMQ_HPP_INCLUDED__
#define __ZMQ_HPP_INCLUDED__

#include "zmq.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <exception>
#include <utility>

/* Whether the compiler has rvalue references (C++11); then contexts and
   sockets get move constructors and move assignments. */
#if !defined ZMQ_HAS_RVALUE_REFS
#   if __cplusplus >= 201103L || defined __GXX_EXPERIMENTAL_CXX0X__ \
        || (defined _MSC_VER && _MSC_VER >= 1600)
#       define ZMQ_HAS_RVALUE_REFS
#   endif
#endif

/* "Cannot throw" marker for what(): throw() before C++11, noexcept after
   (throw() is gone from C++20). */
#if __cplusplus >= 201103L
#   define ZMQ_HPP_NOTHROW noexcept
#else
#   define ZMQ_HPP_NOTHROW throw ()
#endif

/* An assertion whose expression is still evaluated under NDEBUG. */
#if !defined ZMQ_ASSERT
#   if defined NDEBUG
#       define ZMQ_ASSERT(expression) ((void) (expression))
#   else
#       define ZMQ_ASSERT(expression) assert (expression)
#   endif
#endif

namespace zmq
{

typedef zmq_free_fn free_fn;
typedef zmq_pollitem_t pollitem_t;

/* The error of a failed 0MQ call: the errno value at construction. */
class error_t : public std::exception
{
public:
    error_t () : errnum (zmq_errno ())
    {
    }

    virtual const char *what () const ZMQ_HPP_NOTHROW
    {
        return zmq_strerror (errnum);
    }

    int num () const
    {
        return errnum;
    }

private:
    int errnum;
};

/* zmq_poll: the timeout is in microseconds, -1 (the default) waits
   without limit.  Returns the number of items with events; throws on
   failure (EINTR included). */
inline int poll (zmq_pollitem_t *items_, int nitems_, long timeout_ = -1)
{
    int rc = zmq_poll (items_, nitems_, timeout_);
    if (rc < 0)
        throw error_t ();
    return rc;
}

/* zmq_device: runs until the context is terminated or an error occurs,
   so it returns only by throwing (normally num() == ETERM). */
inline void device (int device_, void *insocket_, void *outsocket_)
{
    if (zmq_device (device_, insocket_, outsocket_) != 0)
        throw error_t ();
}

inline void version (int *major_, int *minor_, int *patch_)
{
    zmq_version (major_, minor_, patch_);
}

/* A message.  It is a zmq_msg_t (privately), so a socket_t can hand it to
   zmq_send/zmq_recv directly. */
class message_t : private zmq_msg_t
{
    friend class socket_t;

public:
    /* An empty message. */
    message_t ()
    {
        if (zmq_msg_init (this) != 0)
            throw error_t ();
    }

    /* A message of size_ bytes (contents unspecified). */
    message_t (size_t size_)
    {
        if (zmq_msg_init_size (this, size_) != 0)
            throw error_t ();
    }

    /* A message that uses the caller's buffer; ffn_ (if not NULL) is
       called with (data_, hint_) when the last reference goes away. */
    message_t (void *data_, size_t size_, free_fn *ffn_, void *hint_ = NULL)
    {
        if (zmq_msg_init_data (this, data_, size_, ffn_, hint_) != 0)
            throw error_t ();
    }

    ~message_t ()
    {
        int rc = zmq_msg_close (this);
        ZMQ_ASSERT (rc == 0);
    }

    /* The rebuild variants release the current content and re-initialise
       the message like the matching constructor. */
    void rebuild ()
    {
        release ();
        if (zmq_msg_init (this) != 0)
            throw error_t ();
    }

    void rebuild (size_t size_)
    {
        release ();
        if (zmq_msg_init_size (this, size_) != 0)
            throw error_t ();
    }

    void rebuild (void *data_, size_t size_, free_fn *ffn_, void *hint_ = NULL)
    {
        release ();
        if (zmq_msg_init_data (this, data_, size_, ffn_, hint_) != 0)
            throw error_t ();
    }

    /* Takes over msg_'s content; msg_ is left empty. */
    void move (message_t *msg_)
    {
        if (zmq_msg_move (this, as_c (msg_)) != 0)
            throw error_t ();
    }

    /* Shares msg_'s content (no byte copy for large messages; treat the
       bytes of both as read-only afterwards). */
    void copy (message_t *msg_)
    {
        if (zmq_msg_copy (this, as_c (msg_)) != 0)
            throw error_t ();
    }

    void *data ()
    {
        return zmq_msg_data (this);
    }

    size_t size ()
    {
        return zmq_msg_size (this);
    }

    /* Read-only access (as in the 2.2.1 header).  Implemented with
       zmq_msg_data/zmq_msg_size, which do not modify the message, so the
       program does not need the zmq_msg_cdata/zmq_msg_csize symbols that
       the 2.2.0 release lacks. */
    const void *cdata () const
    {
        return zmq_msg_data (const_cast <message_t *> (this));
    }

    size_t csize () const
    {
        return zmq_msg_size (const_cast <message_t *> (this));
    }

private:
    void release ()
    {
        if (zmq_msg_close (this) != 0)
            throw error_t ();
    }

    static zmq_msg_t *as_c (message_t *msg_)
    {
        return msg_;
    }

    /* Not copyable: sharing a message must be explicit (copy ()). */
    message_t (const message_t &);
    void operator = (const message_t &);
};

/* A context (zmq_init).  The destructor calls zmq_term, which waits until
   every socket of the context has been closed. */
class context_t
{
    friend class socket_t;

public:
    context_t (int io_threads_) : ptr (zmq_init (io_threads_))
    {
        if (ptr == NULL)
            throw error_t ();
    }

#ifdef ZMQ_HAS_RVALUE_REFS
    context_t (context_t &&other_) : ptr (other_.ptr)
    {
        other_.ptr = NULL;
    }

    context_t &operator = (context_t &&other_)
    {
        std::swap (ptr, other_.ptr);
        return *this;
    }
#endif

    ~context_t ()
    {
        if (ptr != NULL) {
            int rc = zmq_term (ptr);
            ZMQ_ASSERT (rc == 0);
        }
    }

    /* The C handle, for mixing the C API in. */
    operator void * ()
    {
        return ptr;
    }

private:
    void *ptr;

    context_t (const context_t &);
    void operator = (const context_t &);
};

/* A socket (zmq_socket).  Like the C socket it belongs to one thread at a
   time. */
class socket_t
{
public:
    socket_t (context_t &context_, int type_)
        : ptr (zmq_socket (context_.ptr, type_))
    {
        if (ptr == NULL)
            throw error_t ();
    }

#ifdef ZMQ_HAS_RVALUE_REFS
    socket_t (socket_t &&other_) : ptr (other_.ptr)
    {
        other_.ptr = NULL;
    }

    socket_t &operator = (socket_t &&other_)
    {
        std::swap (ptr, other_.ptr);
        return *this;
    }
#endif

    /* Closes the socket unless close () already did. */
    ~socket_t ()
    {
        if (ptr != NULL) {
            int rc = zmq_close (ptr);
            ZMQ_ASSERT (rc == 0);
        }
    }

    /* The C handle (NULL once closed), for mixing the C API in. */
    operator void * ()
    {
        return ptr;
    }

    /* zmq_close; calling it again is a no-op. */
    void close ()
    {
        if (ptr == NULL)
            return;
        if (zmq_close (ptr) != 0)
            throw error_t ();
        ptr = NULL;
    }

    void setsockopt (int option_, const void *optval_, size_t optvallen_)
    {
        if (zmq_setsockopt (ptr, option_, optval_, optvallen_) != 0)
            throw error_t ();
    }

    /* *optvallen_: the buffer's size in, the option's size out. */
    void getsockopt (int option_, void *optval_, size_t *optvallen_)
    {
        if (zmq_getsockopt (ptr, option_, optval_, optvallen_) != 0)
            throw error_t ();
    }

    void bind (const char *addr_)
    {
        if (zmq_bind (ptr, addr_) != 0)
            throw error_t ();
    }

    void connect (const char *addr_)
    {
        if (zmq_connect (ptr, addr_) != 0)
            throw error_t ();
    }

    /* true: queued (msg_ is now empty); false: EAGAIN (msg_ unchanged). */
    bool send (message_t &msg_, int flags_ = 0)
    {
        if (zmq_send (ptr, &msg_, flags_) == 0)
            return true;
        if (zmq_errno () == EAGAIN)
            return false;
        throw error_t ();
    }

    /* true: a part was received into *msg_; false: EAGAIN. */
    bool recv (message_t *msg_, int flags_ = 0)
    {
        if (zmq_recv (ptr, msg_, flags_) == 0)
            return true;
        if (zmq_errno () == EAGAIN)
            return false;
        throw error_t ();
    }

private:
    void *ptr;

    socket_t (const socket_t &);
    void operator = (const socket_t &);
};

}

#undef ZMQ_HPP_NOTHROW

#endif
