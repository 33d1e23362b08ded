/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's platform: creation and teardown of the singleton, the TRNG
 * (getrandom(), replaceable for tests), the realm-id registry's storage and
 * lock, and the trace (CSM_TRACE=1 in the environment).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hm_priv.h"

#define DEFAULT_GRANULES	8192UL
#define DEFAULT_SLOTS		1024UL

int
hm_create(const struct hm_params *p, struct hm **out)
{
	unsigned long nr = DEFAULT_GRANULES, slots = DEFAULT_SLOTS;
	unsigned int fanout = 512U, shift = 0U;
	struct hm *hm;
	const char *t;

	if (hm_g != NULL) {
		return -EBUSY;
	}
	if (p != NULL) {
		if (p->size < sizeof(*p)) {
			return -EINVAL;
		}
		nr = (p->nr_granules != 0UL) ? p->nr_granules : nr;
		slots = (p->registry_slots != 0UL) ? p->registry_slots : slots;
		fanout = (p->rtt_fanout != 0U) ? p->rtt_fanout : fanout;
	}
	if ((slots < 4UL) || ((slots & (slots - 1UL)) != 0UL) ||
	    (nr > (1UL << 24)) || (fanout < 2U) || (fanout > 512U) ||
	    ((fanout & (fanout - 1U)) != 0U)) {
		return -EINVAL;
	}
	while ((1U << shift) < fanout) {
		shift++;
	}
	hm = calloc(1U, sizeof(*hm));
	if (hm == NULL) {
		return -ENOMEM;
	}
	hm->nr_granules = nr;
	hm->fanout = fanout;
	hm->fanout_shift = shift;
	hm->granules = calloc(nr, sizeof(*hm->granules));
	hm->mem = calloc(nr, HM_GRANULE);
	hm->registry_slots = slots;
	hm->registry = calloc(slots, sizeof(*hm->registry));
	if ((hm->granules == NULL) || (hm->mem == NULL) ||
	    (hm->registry == NULL)) {
		free(hm->granules);
		free(hm->mem);
		free(hm->registry);
		free(hm);
		return -ENOMEM;
	}
	t = getenv("CSM_TRACE");
	hm->trace = (t != NULL) && (t[0] == '1');
	hm_g = hm;
	*out = hm;
	return 0;
}

void
hm_destroy(struct hm *hm)
{
	unsigned long i;

	if (hm == NULL) {
		return;
	}
	while (hm->realms != NULL) {
		struct hm_realm *r = hm->realms;

		hm->realms = r->next;
		free(r->backed);
		free(r);
	}
	for (i = 0UL; i < hm->nr_granules; i++) {
		struct granule *g = &hm->granules[i];

		if ((g->state == PORT_GS_RD) || (g->state == PORT_GS_REC)) {
			free(g->obj);
		}
	}
	free(hm->tlbi);
	free(hm->granules);
	free(hm->mem);
	free(hm->registry);
	free(hm);
	hm_g = NULL;
}

void
hm_set_trng(struct hm *hm, int (*fn)(uint64_t *out, void *arg), void *arg)
{
	hm->trng = fn;
	hm->trng_arg = arg;
}

int
port_trng_u64(uint64_t *out)
{
	if (hm_g->trng != NULL) {
		return hm_g->trng(out, hm_g->trng_arg);
	}
	if (getrandom(out, sizeof(*out), 0) != (ssize_t)sizeof(*out)) {
		return -EIO;
	}
	return 0;
}

struct csm_id_slot *
port_realm_id_table(unsigned long *nr_slots)
{
	*nr_slots = hm_g->registry_slots;
	return hm_g->registry;
}

/* Single-threaded model: the spinlock only has to exist. */
void
port_realm_id_lock(void)
{
}

void
port_realm_id_unlock(void)
{
}

void
port_trace(const char *fmt, ...)
{
	va_list ap;

	if (!hm_g->trace) {
		return;
	}
	(void)fputs("hm: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
}

unsigned int
port_cpu_id(void)
{
	return hm_g->cpu;
}

_Static_assert(HM_NR_CPUS <= CSM_MAX_CPUS, "the model's CPUs");
