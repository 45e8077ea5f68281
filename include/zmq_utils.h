/*
 * zmq_utils.h -- helpers shipped with the libzmq 2.2 API: a microsecond
 * stopwatch and a sleep in whole seconds.
 */
#ifndef ZMQ_UTILS_H_INCLUDED
#define ZMQ_UTILS_H_INCLUDED

#ifdef __cplusplus
extern "C" {
#endif

#if defined __GNUC__ && __GNUC__ >= 4
#define ZMQ_EXPORT __attribute__ ((visibility ("default")))
#else
#define ZMQ_EXPORT
#endif

/* Starts a stopwatch; the handle is released by zmq_stopwatch_stop. */
ZMQ_EXPORT void *zmq_stopwatch_start (void);

/* Microseconds since zmq_stopwatch_start; frees the stopwatch. */
ZMQ_EXPORT unsigned long zmq_stopwatch_stop (void *watch);

/* Sleeps for the given number of seconds. */
ZMQ_EXPORT void zmq_sleep (int seconds);

#undef ZMQ_EXPORT

#ifdef __cplusplus
}
#endif

#endif
