/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SIGBUS guard (region.h): a registry of guarded mappings that a signal
 * handler can read, and the handler.
 *
 * The registry is a fixed array of slots, so the handler needs no lock and
 * no allocation. A slot goes FREE -> CLAIMED (being filled) -> ACTIVE ->
 * RETIRING -> FREE. The handler only touches ACTIVE slots, and announces
 * itself in the slot's @users before it checks the state again:
 *
 *   handler                          region_guard_remove()
 *   users++            (seq_cst)     state = RETIRING   (seq_cst)
 *   state == ACTIVE?   (seq_cst)     while (users) wait (seq_cst)
 *     replace the mapping            state = FREE
 *   users--            (release)     (the caller unmaps)
 *
 * Either the handler sees RETIRING and leaves the range alone, or the
 * remover sees the handler and waits for it: a mapping is never replaced
 * after it was unmapped and its addresses reused. These atomics are on
 * private memory; nothing here touches a shared region but the replacement.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <caec/caec.h>

#include "../error.h"
#include "region.h"

enum { SLOT_FREE, SLOT_CLAIMED, SLOT_ACTIVE, SLOT_RETIRING };

struct guard_slot {
	int state;
	int users;		/* handlers inside this slot */
	uintptr_t base;
	size_t len;
	int prot;
	int *lost;
};

static struct guard_slot slots[REGION_GUARD_SLOTS];
static int slots_used;		/* highest slot index in use + 1 */
static struct sigaction prev_action;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_err;
static int guard_enabled = -1;	/* -1: not decided (environment) */

void (*region_guard_test_hook)(void);

static bool
enabled(void)
{
	int e = __atomic_load_n(&guard_enabled, __ATOMIC_ACQUIRE);
	const char *env;

	if (e < 0) {
		env = getenv("CAEC_SIGBUS_GUARD");
		e = !(env && !strcmp(env, "0"));
		__atomic_store_n(&guard_enabled, e, __ATOMIC_RELEASE);
	}
	return e;
}

int
caec_sigbus_guard(int enable)
{
	__atomic_store_n(&guard_enabled, enable ? 1 : 0, __ATOMIC_RELEASE);
	return 0;
}

int
caec_sigbus_handle(int sig, void *siginfo, void *ucontext)
{
	const siginfo_t *info = siginfo;
	uintptr_t addr;
	struct guard_slot *s;
	int i, n, zero = 0;

	(void)ucontext;
	if (sig != SIGBUS || !info)
		return 0;
	addr = (uintptr_t)info->si_addr;
	n = __atomic_load_n(&slots_used, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++) {
		s = &slots[i];
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != SLOT_ACTIVE)
			continue;
		if (addr < s->base || addr - s->base >= s->len)
			continue;
		__atomic_fetch_add(&s->users, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) == SLOT_ACTIVE &&
		    addr >= s->base && addr - s->base < s->len) {
			if (region_guard_test_hook)
				region_guard_test_hook();
			/* Whatever the peer did to the object, this mapping
			 * is now private zeros: reads see no ring, writes
			 * reach nobody. Only the first loss is recorded. */
			if (s->lost)
				__atomic_compare_exchange_n(s->lost, &zero,
					-EPROTO, false, __ATOMIC_RELEASE,
					__ATOMIC_RELAXED);
			region_replace((void *)s->base, s->len, s->prot, NULL);
			__atomic_fetch_sub(&s->users, 1, __ATOMIC_RELEASE);
			return 1;
		}
		__atomic_fetch_sub(&s->users, 1, __ATOMIC_RELEASE);
	}
	return 0;
}

/* The process's SIGBUS handler: ours first, then whoever was there. */
static void
guard_handler(int sig, siginfo_t *info, void *ucontext)
{
	struct sigaction dfl;

	if (caec_sigbus_handle(sig, info, ucontext))
		return;
	if (prev_action.sa_flags & SA_SIGINFO) {
		prev_action.sa_sigaction(sig, info, ucontext);
		return;
	}
	if (prev_action.sa_handler != SIG_DFL &&
	    prev_action.sa_handler != SIG_IGN) {
		prev_action.sa_handler(sig);
		return;
	}
	/*
	 * The default action, as if the guard were not there: for a fault,
	 * returning re-runs the access and the kernel delivers SIGBUS again,
	 * now with the default action; a SIGBUS sent with kill() is raised
	 * again (it is blocked until this handler returns).
	 */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGBUS, &dfl, NULL);
	if (info && info->si_code <= 0)
		raise(SIGBUS);
}

static void
install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &prev_action))
		install_err = -errno;
}

int
region_guard_add(void *base, size_t len, int prot, int *lost)
{
	struct guard_slot *s;
	int i, expect, n;

	if (!enabled())
		return -1;
	pthread_once(&install_once, install);
	if (install_err)
		return caec_set_detail(-ENOMEM,
			"cannot install the SIGBUS handler: %s",
			caec_strerror(install_err));
	for (i = 0; i < REGION_GUARD_SLOTS; i++) {
		s = &slots[i];
		expect = SLOT_FREE;
		if (!__atomic_compare_exchange_n(&s->state, &expect,
						 SLOT_CLAIMED, false,
						 __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			continue;
		s->base = (uintptr_t)base;
		s->len = len;
		s->prot = prot;
		s->lost = lost;
		/* Raise the scan bound before the slot turns ACTIVE. */
		n = __atomic_load_n(&slots_used, __ATOMIC_RELAXED);
		while (n < i + 1 &&
		       !__atomic_compare_exchange_n(&slots_used, &n, i + 1,
						    false, __ATOMIC_RELEASE,
						    __ATOMIC_RELAXED))
			;
		/* Pairs with the handler's acquire load of the state. */
		__atomic_store_n(&s->state, SLOT_ACTIVE, __ATOMIC_RELEASE);
		return i;
	}
	return caec_set_detail(-ENOMEM,
		"more than %d regions mapped at once (SIGBUS guard slots)",
		REGION_GUARD_SLOTS);
}

void
region_guard_remove(int id)
{
	struct guard_slot *s;

	if (id < 0 || id >= REGION_GUARD_SLOTS)
		return;
	s = &slots[id];
	/* The remover's half of the handshake at the top of the file. */
	__atomic_store_n(&s->state, SLOT_RETIRING, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&s->users, __ATOMIC_SEQ_CST))
		sched_yield();
	__atomic_store_n(&s->state, SLOT_FREE, __ATOMIC_RELEASE);
}
