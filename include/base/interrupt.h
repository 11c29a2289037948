/* interrupt.h: Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal).
 * The handler only sets a flag; every phase polls it (setting up and
 * running replications, building the initial population, writing files,
 * waiting for gnuplot) and stops within a fraction of a second; the command
 * then removes its temporary files and exits 1, leaving earlier results
 * untouched (resultset.h). A second signal kills at once.
 * The flag is the one piece of process-wide mutable state in flowsim: a
 * signal handler has no other way to speak. Library code receives it as a
 * `stop` pointer from the commands (interrupt_flag()); the one exception is
 * gnuplot_run, deep under the plot code, which reads interrupt_requested()
 * to kill gnuplot at once. */
#ifndef FLOWSIM_INTERRUPT_H
#define FLOWSIM_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

/* Installs the handlers (SA_RESETHAND: the second signal is fatal). */
void interrupt_install(void);
/* The flag the handler sets; pass it to runner_run. */
const volatile sig_atomic_t *interrupt_flag(void);
/* Reads a stop flag (NULL: never). The handler runs on whichever thread
 * the signal lands on while workers read the flag: an atomic access keeps
 * that free of data races (plain volatile is not, for threads), and a
 * relaxed load costs what a plain one does. */
static inline bool interrupt_seen(const volatile sig_atomic_t *stop)
{
    return stop && __atomic_load_n(stop, __ATOMIC_RELAXED) != 0;
}
static inline bool interrupt_requested(void) { return interrupt_seen(interrupt_flag()); }

/* Blocks SIGINT, SIGTERM and SIGHUP in this thread while results are renamed into
 * place, so a signal then arrives after the files are complete. */
void interrupt_hold(void);
void interrupt_release(void);

#endif
