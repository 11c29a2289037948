/* interrupt.h: Ctrl-C (SIGINT) and SIGTERM. The handler only sets a flag;
 * the runner polls it (between replications and every few thousand events)
 * and stops, and the command then removes its temporary files and exits 1,
 * leaving earlier results untouched. A second Ctrl-C kills at once.
 * The flag is the one piece of process-wide mutable state in flowsim: a
 * signal handler has no other way to speak. Library code never reads it
 * directly; commands pass interrupt_flag() down. */
#ifndef FLOWSIM_INTERRUPT_H
#define FLOWSIM_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

/* Installs the handlers (SA_RESETHAND: the second signal is fatal). */
void interrupt_install(void);
/* The flag the handler sets; pass it to runner_run. */
const volatile sig_atomic_t *interrupt_flag(void);
static inline bool interrupt_requested(void) { return *interrupt_flag() != 0; }

/* Blocks SIGINT and SIGTERM in this thread while results are renamed into
 * place, so a signal then arrives after the files are complete. */
void interrupt_hold(void);
void interrupt_release(void);

#endif
