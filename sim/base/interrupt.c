/* interrupt.c: the signal flag and its handler. */
#include "base/interrupt.h"

#include <pthread.h>
#include <string.h>

static volatile sig_atomic_t interrupted;   /* see interrupt.h: the one global */

static void on_signal(int sig)
{
    (void)sig;
    __atomic_store_n(&interrupted, 1, __ATOMIC_RELAXED);   /* lock-free: signal-safe */
}

void interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

const volatile sig_atomic_t *interrupt_flag(void) { return &interrupted; }

static void mask(int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(how, &set, NULL);
}

void interrupt_hold(void) { mask(SIG_BLOCK); }
void interrupt_release(void) { mask(SIG_UNBLOCK); }
