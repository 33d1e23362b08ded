/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The realm-id registry: every realm gets a 64-bit id at REALM_CREATE,
 * drawn from the platform TRNG so it cannot be guessed or chosen by the
 * host, never 0 and never equal to a live realm's id. Dead ids are not
 * remembered: a repeat needs a 64-bit TRNG collision (about n^2 / 2^65 for
 * n realms ever created), which is what "never reused" rests on. The id is
 * the only name a realm has for a peer; the RD address is not one (the host
 * chooses it and can reuse it for an impostor).
 *
 * Storage: an open-addressing table (linear probing, backward-shift delete,
 * no tombstones) the platform provides, sized to its maximum live realms.
 */
#include "csm_priv.h"

#define TRNG_TRIES	8U

static unsigned long
slot_of(uint64_t id, unsigned long nr)
{
	/* Ids are uniformly random: their low bits are a fine hash. */
	return (unsigned long)id & (nr - 1UL);
}

static struct csm_id_slot *
lookup_locked(struct csm_id_slot *t, unsigned long nr, uint64_t id)
{
	unsigned long i = slot_of(id, nr);
	unsigned long n;

	for (n = 0UL; n < nr; n++, i = (i + 1UL) & (nr - 1UL)) {
		if (t[i].id == id) {
			return &t[i];
		}
		if (t[i].id == 0U) {
			break;
		}
	}
	return NULL;
}

unsigned long
csm_realm_id_lookup(uint64_t id)
{
	unsigned long nr, rd = 0UL;
	struct csm_id_slot *t = port_realm_id_table(&nr);
	struct csm_id_slot *s;

	if (id == 0U) {
		return 0UL;
	}
	port_realm_id_lock();
	s = lookup_locked(t, nr, id);
	if (s != NULL) {
		rd = s->rd;
	}
	port_realm_id_unlock();
	return rd;
}

static bool
insert_locked(struct csm_id_slot *t, unsigned long nr, uint64_t id,
	      unsigned long rd)
{
	unsigned long i = slot_of(id, nr);
	unsigned long n;

	for (n = 0UL; n < nr; n++, i = (i + 1UL) & (nr - 1UL)) {
		if (t[i].id == 0U) {
			t[i].id = id;
			t[i].rd = rd;
			return true;
		}
	}
	return false;
}

int
csm_realm_id_assign(unsigned long rd_addr, uint64_t *id)
{
	unsigned long nr, used = 0UL, i;
	struct csm_id_slot *t = port_realm_id_table(&nr);
	unsigned int tries;
	int ret = -EAGAIN;

	port_realm_id_lock();
	for (i = 0UL; i < nr; i++) {
		used += (t[i].id != 0U) ? 1UL : 0UL;
	}
	/* Keep one slot free so that probing always ends. */
	if (used + 1UL >= nr) {
		port_realm_id_unlock();
		return -ENOSPC;
	}
	for (tries = 0U; tries < TRNG_TRIES; tries++) {
		uint64_t v;

		if (port_trng_u64(&v) != 0) {
			continue;
		}
		if ((v == 0U) || (lookup_locked(t, nr, v) != NULL)) {
			continue;
		}
		(void)insert_locked(t, nr, v, rd_addr);
		*id = v;
		ret = 0;
		break;
	}
	port_realm_id_unlock();
	return ret;
}

void
csm_realm_id_release(uint64_t id)
{
	unsigned long nr, i, j;
	struct csm_id_slot *t = port_realm_id_table(&nr);
	struct csm_id_slot *s;

	port_realm_id_lock();
	s = lookup_locked(t, nr, id);
	if (s == NULL) {
		port_realm_id_unlock();
		return;
	}
	/* Backward-shift deletion keeps every probe chain unbroken. */
	i = (unsigned long)(s - t);
	t[i].id = 0U;
	t[i].rd = 0UL;
	for (j = (i + 1UL) & (nr - 1UL); t[j].id != 0U;
	     j = (j + 1UL) & (nr - 1UL)) {
		unsigned long home = slot_of(t[j].id, nr);

		/* Move t[j] into the hole unless its home lies in (i, j]. */
		if (((j - home) & (nr - 1UL)) >= ((j - i) & (nr - 1UL))) {
			t[i] = t[j];
			t[j].id = 0U;
			t[j].rd = 0UL;
			i = j;
		}
	}
	port_realm_id_unlock();
}

unsigned long
csm_realm_create(struct rd *rd, unsigned long rd_addr)
{
	uint64_t id;

	if (csm_realm_id_assign(rd_addr, &id) != 0) {
		return RMI_RETURN(RMI_ERROR_REALM, 2U);
	}
	port_rd_csm(rd)->realm_id = id;
	port_rd_csm(rd)->apt = 0UL;
	return RMI_SUCCESS;
}

unsigned long
csm_realm_destroy_check(struct rd *rd)
{
	/* apt_live: the APT (and every share) goes first, by APT_DESTROY */
	if (port_rd_csm(rd)->apt != 0UL) {
		return RMI_RETURN(RMI_ERROR_REALM, 1U);
	}
	return RMI_SUCCESS;
}

void
csm_realm_destroy(struct rd *rd)
{
	csm_realm_id_release(port_rd_csm(rd)->realm_id);
	port_rd_csm(rd)->realm_id = 0U;
}
