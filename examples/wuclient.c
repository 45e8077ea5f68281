/*
 * wuclient.c -- weather update client: a SUB socket that subscribes to one
 * zipcode, collects COUNT updates and prints their average temperature.
 *
 *   wuclient [ZIPCODE] [ENDPOINT] [COUNT]
 *     ZIPCODE   the subscription, a prefix of "ZIPCODE TEMP HUMIDITY"
 *               (default "10001 ", that zipcode exactly)
 *     ENDPOINT  default tcp://localhost:5556
 *     COUNT     default 100
 *
 * Exits 0 when every update had the wanted prefix and was well formed.
 */
#include "zhelpers.h"

int main (int argc, char *argv [])
{
    const char *filter = argc > 1 ? argv [1] : "10001 ";
    const char *endpoint = argc > 2 ? argv [2] : "tcp://localhost:5556";
    int count = argc > 3 ? atoi (argv [3]) : 100;

    void *context = zmq_init (1);
    printf ("Collecting updates from weather server at %s...\n", endpoint);
    fflush (stdout);
    void *subscriber = zmq_socket (context, ZMQ_SUB);
    uint64_t hwm = 10000;           /* bound the queue, as the server does */
    zmq_setsockopt (subscriber, ZMQ_HWM, &hwm, sizeof hwm);
    if (zmq_connect (subscriber, endpoint) != 0) {
        fprintf (stderr, "wuclient: cannot connect to %s: %s\n", endpoint,
            zmq_strerror (zmq_errno ()));
        return 1;
    }
    zmq_setsockopt (subscriber, ZMQ_SUBSCRIBE, filter, strlen (filter));

    long total_temp = 0;
    int update_nbr, bad = 0;
    for (update_nbr = 0; update_nbr < count; update_nbr++) {
        char *update = s_recv (subscriber);
        if (!update)
            break;
        int zipcode, temperature, relhumidity;
        if (strncmp (update, filter, strlen (filter)) != 0
            || sscanf (update, "%d %d %d", &zipcode, &temperature, &relhumidity) != 3)
            bad++;
        else
            total_temp += temperature;
        free (update);
    }
    if (update_nbr > 0)
        printf ("Average temperature for zipcode '%s' was %dF\n",
            filter, (int) (total_temp / update_nbr));
    printf ("wuclient: %d updates, %d malformed\n", update_nbr, bad);
    zmq_close (subscriber);
    zmq_term (context);
    return update_nbr == count && bad == 0 ? 0 : 1;
}
