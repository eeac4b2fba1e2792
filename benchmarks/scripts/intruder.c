/* A stand-in for a JIT compiler thread or another program waking up on a busy machine: sleeps about
 * PERIOD ms (uniformly 0.5x to 1.5x), then burns the CPU for BURST ms, for ever.
 *   cc -O2 -o /tmp/intruder benchmarks/scripts/intruder.c && /tmp/intruder 100 3 &
 */
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double period = (argc > 1 ? atof(argv[1]) : 100) / 1e3, burst = (argc > 2 ? atof(argv[2]) : 3) / 1e3;
    volatile unsigned long sink = 0;
    srand(42);
    for (;;) {
        double sleep = period * (0.5 + rand() / (double) RAND_MAX);
        struct timespec ts = {(time_t) sleep, (long) ((sleep - (time_t) sleep) * 1e9)};
        nanosleep(&ts, NULL);
        double end = now() + burst;
        while (now() < end) sink++;
    }
}
