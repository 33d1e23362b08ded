/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The granule pool and the GPT, and the port's granule functions with the
 * contract checks a real RMM cannot afford: lock order (external granules
 * in ascending PA), no double lock, mapping only locked granules into free
 * slots, no scrub of a granule that is still mapped, nothing held when a
 * command returns. A breach is a "violation" (hm_violations()). Locks and
 * slots are per CPU; a command that releases its last lock may let another
 * CPU's command run there (hm_set_interleave()).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hm_priv.h"

struct hm *hm_g;

void
hm_violation(const char *fmt, ...)
{
	va_list ap;

	hm_g->violations++;
	va_start(ap, fmt);
	(void)vsnprintf(hm_g->last_violation, sizeof(hm_g->last_violation),
			fmt, ap);
	va_end(ap);
	if (hm_g->trace) {
		(void)fprintf(stderr, "hm: VIOLATION %s\n",
			      hm_g->last_violation);
	}
}

struct granule *
hm_granule(unsigned long pa)
{
	unsigned long i;

	if ((pa < HM_PA_BASE) || ((pa & (HM_GRANULE - 1UL)) != 0UL)) {
		return NULL;
	}
	i = (pa - HM_PA_BASE) / HM_GRANULE;
	return (i < hm_g->nr_granules) ? &hm_g->granules[i] : NULL;
}

unsigned long
hm_granule_pa(const struct granule *g)
{
	return HM_PA_BASE + (unsigned long)(g - hm_g->granules) * HM_GRANULE;
}

uint8_t *
hm_granule_mem(const struct granule *g)
{
	return hm_g->mem + (size_t)(g - hm_g->granules) * HM_GRANULE;
}

struct hm_cpu *
hm_cpu(void)
{
	return &hm_g->cpus[hm_g->cpu];
}

void
hm_command_end(const char *what)
{
	struct hm_cpu *c = hm_cpu();
	unsigned int i;

	if (c->nr_held != 0U) {
		hm_violation("%s returned with %u granule(s) locked", what,
			     c->nr_held);
		for (i = 0U; i < c->nr_held; i++) {
			c->held[i]->locked = 0U;
		}
		c->nr_held = 0U;
	}
	for (i = 0U; i < PORT_NR_SLOTS; i++) {
		if (c->slot[i] != NULL) {
			hm_violation("%s returned with slot %u mapped", what, i);
			c->slot[i] = NULL;
		}
	}
}

void
hm_set_interleave(struct hm *hm, unsigned int nth, void (*fn)(void *arg),
		  void *arg)
{
	hm->interleave = fn;
	hm->interleave_arg = arg;
	hm->interleave_cpu = hm->cpu;
	hm->interleave_nth = (nth != 0U) ? nth : 1U;
}

/* The current CPU holds nothing: another CPU's command may run now. */
static void
maybe_interleave(void)
{
	void (*fn)(void *arg) = hm_g->interleave;
	unsigned int cpu = hm_g->cpu;

	if ((fn == NULL) || (hm_g->interleave_cpu != cpu) ||
	    (--hm_g->interleave_nth != 0U)) {
		return;
	}
	hm_g->interleave = NULL;
	hm_g->interleave_again = 0U;
	hm_g->cpu = (cpu + 1U) % HM_NR_CPUS;
	fn(hm_g->interleave_arg);
	hm_g->cpu = cpu;
	if (hm_g->interleave_again != 0U) {
		/* Re-armed by fn for the CPU it interrupted. */
		hm_g->interleave = fn;
		hm_g->interleave_cpu = cpu;
		hm_g->interleave_nth = hm_g->interleave_again;
	}
}

static void
hold(struct granule *g, bool external)
{
	struct hm_cpu *c = hm_cpu();
	unsigned int i;

	if (g->locked != 0U) {
		hm_violation("granule %#lx locked twice (CPU %u, held by %u)",
			     hm_granule_pa(g), hm_g->cpu, g->cpu);
		return;
	}
	/*
	 * The rule of csm_port.h: external granules in ascending PA order,
	 * and all of them before any internal one.
	 */
	for (i = 0U; external && (i < c->nr_held); i++) {
		const struct granule *h = c->held[i];

		if ((h->locked == HM_LOCKED_INT) ||
		    (hm_granule_pa(h) > hm_granule_pa(g))) {
			hm_violation("lock order: %#lx after %#lx",
				     hm_granule_pa(g), hm_granule_pa(h));
		}
	}
	if (c->nr_held == HM_MAX_HELD) {
		hm_violation("too many granules locked");
		return;
	}
	g->locked = external ? HM_LOCKED_EXT : HM_LOCKED_INT;
	g->cpu = (uint8_t)hm_g->cpu;
	c->held[c->nr_held++] = g;
}

static void
release(struct granule *g)
{
	struct hm_cpu *c = hm_cpu();
	unsigned int i;

	for (i = 0U; i < c->nr_held; i++) {
		if (c->held[i] == g) {
			c->held[i] = c->held[--c->nr_held];
			g->locked = 0U;
			if (c->nr_held == 0U) {
				maybe_interleave();
			}
			return;
		}
	}
	hm_violation("unlock of %#lx, not locked by CPU %u", hm_granule_pa(g),
		     hm_g->cpu);
}

/* ---- port: granules ------------------------------------------------------- */

bool
port_granule_addr_valid(unsigned long addr)
{
	return hm_granule(addr) != NULL;
}

struct granule *
port_find_lock_granule(unsigned long addr, unsigned int state)
{
	struct granule *g = hm_granule(addr);

	if ((g == NULL) || (g->state != state)) {
		return NULL;
	}
	hold(g, true);
	return g;
}

int
port_find_lock_two_granules(unsigned long addr1, unsigned int state1,
			    struct granule **g1, unsigned long addr2,
			    unsigned int state2, struct granule **g2)
{
	bool swap = addr2 < addr1;
	unsigned long a = swap ? addr2 : addr1, b = swap ? addr1 : addr2;
	unsigned int sa = swap ? state2 : state1, sb = swap ? state1 : state2;
	struct granule *ga, *gb;

	ga = port_find_lock_granule(a, sa);
	if (ga == NULL) {
		return swap ? 2 : 1;
	}
	gb = port_find_lock_granule(b, sb);
	if (gb == NULL) {
		port_granule_unlock(ga);
		return swap ? 1 : 2;
	}
	*g1 = swap ? gb : ga;
	*g2 = swap ? ga : gb;
	return 0;
}

void
port_granule_lock(struct granule *g, unsigned int state)
{
	if (g->state != state) {
		hm_violation("granule_lock(%#lx): state %u, expected %u",
			     hm_granule_pa(g), g->state, state);
	}
	hold(g, false);
}

void
port_granule_unlock(struct granule *g)
{
	release(g);
}

void
port_granule_unlock_transition(struct granule *g, unsigned int state)
{
	g->state = (uint8_t)state;
	release(g);
}

struct granule *
port_addr_to_granule(unsigned long addr)
{
	return hm_granule(addr);
}

unsigned long
port_granule_addr(const struct granule *g)
{
	return hm_granule_pa(g);
}

void
port_granule_refcount_inc(struct granule *g)
{
	g->refcount++;
}

void
port_granule_refcount_dec(struct granule *g)
{
	if (g->refcount == 0U) {
		hm_violation("refcount underflow on %#lx", hm_granule_pa(g));
		return;
	}
	g->refcount--;
}

unsigned long
port_granule_refcount(const struct granule *g)
{
	return g->refcount;
}

/* An APT is protected by its realm's RD lock (csm_port.h). */
static bool
apt_rd_locked(const struct granule *g)
{
	unsigned long pa = hm_granule_pa(g);
	struct hm_cpu *c = hm_cpu();
	unsigned int i;

	for (i = 0U; i < c->nr_held; i++) {
		const struct granule *h = c->held[i];

		if ((h->state == PORT_GS_RD) &&
		    (((const struct rd *)h->obj)->csm.apt == pa)) {
			return true;
		}
	}
	return false;
}

void *
port_granule_map(struct granule *g, unsigned int slot)
{
	if ((g->state == PORT_GS_APT) && apt_rd_locked(g)) {
		/* fine: no lock of its own */
	} else if (g->locked == 0U) {
		hm_violation("map of unlocked granule %#lx", hm_granule_pa(g));
	}
	if ((slot >= PORT_NR_SLOTS) || (hm_cpu()->slot[slot] != NULL)) {
		hm_violation("slot %u busy or invalid", slot);
		return hm_granule_mem(g);
	}
	hm_cpu()->slot[slot] = hm_granule_mem(g);
	return hm_cpu()->slot[slot];
}

void
port_granule_unmap(void *va, unsigned int slot)
{
	if ((slot >= PORT_NR_SLOTS) || (hm_cpu()->slot[slot] != va)) {
		hm_violation("unmap of slot %u that holds another mapping",
			     slot);
		return;
	}
	hm_cpu()->slot[slot] = NULL;
}

void
port_granule_scrub(struct granule *g)
{
	if (g->locked == 0U) {
		hm_violation("scrub of unlocked granule %#lx",
			     hm_granule_pa(g));
	}
	if (g->refcount != 0U) {
		hm_violation("scrub of %#lx still mapped by %u consumer(s)",
			     hm_granule_pa(g), g->refcount);
	}
	(void)memset(hm_granule_mem(g), 0, HM_GRANULE);
}

/* ---- normal-world access ---------------------------------------------------- */

static int
ns_access(struct hm *hm, unsigned long pa, void *buf, size_t len, bool write)
{
	while (len > 0U) {
		struct granule *g = hm_granule(pa & ~(HM_GRANULE - 1UL));
		size_t off = pa & (HM_GRANULE - 1UL);
		size_t n = HM_GRANULE - off;

		if (g == NULL) {
			return -EINVAL;
		}
		/* The GPC: normal-world accesses to Realm PAS fault. */
		if (g->realm_pas != 0U) {
			return -EPERM;
		}
		n = (n < len) ? n : len;
		if (write) {
			(void)memcpy(hm_granule_mem(g) + off, buf, n);
		} else {
			(void)memcpy(buf, hm_granule_mem(g) + off, n);
		}
		buf = (uint8_t *)buf + n;
		pa += n;
		len -= n;
	}
	(void)hm;
	return 0;
}

int
hm_ns_read(struct hm *hm, unsigned long pa, void *buf, size_t len)
{
	return ns_access(hm, pa, buf, len, false);
}

int
hm_ns_write(struct hm *hm, unsigned long pa, const void *buf, size_t len)
{
	return ns_access(hm, pa, (void *)(uintptr_t)buf, len, true);
}

unsigned long
hm_ns_alloc(struct hm *hm)
{
	unsigned long n;

	for (n = 0UL; n < hm->nr_granules; n++) {
		unsigned long i = (hm->ns_hint + n) % hm->nr_granules;
		struct granule *g = &hm->granules[i];

		if ((g->state == PORT_GS_NS) && (g->host_used == 0U)) {
			g->host_used = 1U;
			hm->ns_hint = i + 1UL;
			(void)memset(hm_granule_mem(g), 0, HM_GRANULE);
			return hm_granule_pa(g);
		}
	}
	return 0UL;
}

void
hm_ns_free(struct hm *hm, unsigned long pa)
{
	struct granule *g = hm_granule(pa);

	(void)hm;
	if (g != NULL) {
		g->host_used = 0U;
	}
}

unsigned int
hm_granule_state(struct hm *hm, unsigned long pa)
{
	struct granule *g = hm_granule(pa);

	(void)hm;
	return (g != NULL) ? g->state : ~0U;
}

unsigned long
hm_granule_refcount(struct hm *hm, unsigned long pa)
{
	struct granule *g = hm_granule(pa);

	(void)hm;
	return (g != NULL) ? g->refcount : 0UL;
}

void *
hm_granule_peek(struct hm *hm, unsigned long pa)
{
	struct granule *g = hm_granule(pa & ~(HM_GRANULE - 1UL));

	(void)hm;
	return (g != NULL) ? hm_granule_mem(g) + (pa & (HM_GRANULE - 1UL)) :
			     NULL;
}

unsigned long
hm_violations(struct hm *hm, const char **last)
{
	if (last != NULL) {
		*last = hm->last_violation;
	}
	return hm->violations;
}

void
hm_interleave_again(struct hm *hm, unsigned int nth)
{
	hm->interleave_again = (nth != 0U) ? nth : 1U;
}
