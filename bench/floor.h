/* floor.h: the benchmark's floor, a bare M/M/c queue in plain C: what a
 * peer writes for the job "Poisson arrivals, exponential stays, c places,
 * a FIFO list" (a heap of (time, kind), a count of busy places, a FIFO of
 * arrival times), with GSL's generator and exponential draws as flowsim
 * uses. flowsim runs the same work as a scenario (bench/mmc.cfg); the ratio
 * of their CPU times is what the simulator's generality costs. */
#ifndef FLOWSIM_BENCH_FLOOR_H
#define FLOWSIM_BENCH_FLOOR_H

#include <stdint.h>

struct floor_result {
    double events;             /* arrivals and departures handled */
    double customers;          /* arrivals */
    double mean_wait;          /* years, over the customers served */
};

/* reps replications of `years` years of an M/M/c queue (arrival rate
 * lambda, c places, stays at rate mu per year), starting empty. */
struct floor_result floor_mmc(double lambda, int c, double mu, double years, int reps,
                              uint64_t seed);

#endif
