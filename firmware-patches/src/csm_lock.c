/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lock set: every external granule a CSM command touches (its RD, an
 * argument granule, the RDs of the peer realms) locked in ascending PA
 * order, the rule that keeps two commands on two CPUs from deadlocking.
 * Commands gather the set under their own RD lock, drop it, lock the set
 * and then re-check everything (csm_rsi.c, apt_rmi.c, data_rmi.c).
 */
#include <errno.h>
#include <string.h>

#include "csm_priv.h"

void
csm_locks_init(struct csm_lock_set *s)
{
	s->n = 0U;
}

static struct csm_lock_ent *
find_ent(struct csm_lock_set *s, unsigned long addr)
{
	unsigned int i;

	for (i = 0U; i < s->n; i++) {
		if (s->ent[i].addr == addr) {
			return &s->ent[i];
		}
	}
	return NULL;
}

bool
csm_locks_add(struct csm_lock_set *s, unsigned long addr, unsigned int state,
	      unsigned int tag)
{
	struct csm_lock_ent *e = find_ent(s, addr);

	if (e != NULL) {
		/* A required use wins over an optional peer RD. */
		if ((e->tag == 0U) && (tag != 0U)) {
			e->state = state;
			e->tag = tag;
			e->realm_id = 0U;
		}
		return true;
	}
	if (s->n == CSM_LOCK_MAX) {
		return false;
	}
	e = &s->ent[s->n++];
	e->addr = addr;
	e->state = state;
	e->tag = tag;
	e->realm_id = 0U;
	e->g = NULL;
	return true;
}

bool
csm_locks_add_realm(struct csm_lock_set *s, uint64_t id)
{
	unsigned long addr = csm_realm_id_lookup(id);
	struct csm_lock_ent *e;

	if (addr == 0UL) {
		return true;
	}
	e = find_ent(s, addr);
	if (e != NULL) {
		return true;
	}
	if (!csm_locks_add(s, addr, PORT_GS_RD, 0U)) {
		return false;
	}
	s->ent[s->n - 1U].realm_id = id;
	return true;
}

static void
sort_by_addr(struct csm_lock_set *s)
{
	unsigned int i, j;

	for (i = 1U; i < s->n; i++) {
		struct csm_lock_ent tmp = s->ent[i];

		for (j = i; (j > 0U) && (s->ent[j - 1U].addr > tmp.addr); j--) {
			s->ent[j] = s->ent[j - 1U];
		}
		s->ent[j] = tmp;
	}
}

/* A peer RD must still be the realm the registry named. */
static bool
peer_is(struct granule *g, uint64_t id)
{
	struct rd *rd = port_rd_map(g, PORT_SLOT_RD2);
	bool same = (port_rd_csm(rd)->realm_id == id);

	port_rd_unmap(rd, PORT_SLOT_RD2);
	return same;
}

unsigned int
csm_locks_lock(struct csm_lock_set *s)
{
	unsigned int i;

	sort_by_addr(s);
	for (i = 0U; i < s->n; i++) {
		struct csm_lock_ent *e = &s->ent[i];

		e->g = port_find_lock_granule(e->addr, e->state);
		if (e->tag != 0U) {
			if (e->g == NULL) {
				unsigned int tag = e->tag;

				csm_locks_unlock(s);
				return tag;
			}
			continue;
		}
		if ((e->g != NULL) && !peer_is(e->g, e->realm_id)) {
			port_granule_unlock(e->g);
			e->g = NULL;
		}
	}
	return 0U;
}

void
csm_locks_unlock(struct csm_lock_set *s)
{
	unsigned int i = s->n;

	while (i-- > 0U) {
		if (s->ent[i].g != NULL) {
			port_granule_unlock(s->ent[i].g);
			s->ent[i].g = NULL;
		}
	}
}

struct granule *
csm_locks_get(struct csm_lock_set *s, unsigned long addr)
{
	struct csm_lock_ent *e = find_ent(s, addr);

	return (e != NULL) ? e->g : NULL;
}

void
csm_locks_forget(struct csm_lock_set *s, struct granule *g)
{
	unsigned int i;

	for (i = 0U; i < s->n; i++) {
		if (s->ent[i].g == g) {
			s->ent[i].g = NULL;
		}
	}
}

struct apt *
csm_apt_map(struct rd *rd, unsigned int slot, struct granule **g_apt)
{
	unsigned long addr = port_rd_csm(rd)->apt;

	if (addr == 0UL) {
		*g_apt = NULL;
		return NULL;
	}
	/* Held through the RD: the APT is protected by the RD lock. */
	*g_apt = port_addr_to_granule(addr);
	return port_granule_map(*g_apt, slot);
}

void
csm_apt_unmap(struct apt *apt, unsigned int slot)
{
	if (apt != NULL) {
		port_granule_unmap(apt, slot);
	}
}

static struct csm_lock_ent *
find_peer(struct csm_lock_set *s, uint64_t id)
{
	unsigned int i;

	for (i = 0U; i < s->n; i++) {
		if ((s->ent[i].tag == 0U) && (s->ent[i].realm_id == id)) {
			return &s->ent[i];
		}
	}
	return NULL;
}

bool
csm_peer_ready(struct csm_lock_set *s, uint64_t id)
{
	struct csm_lock_ent *e = find_peer(s, id);

	if ((e != NULL) && (e->g != NULL)) {
		return true;
	}
	/* Not locked: fine only if the realm is gone for good. */
	return csm_realm_id_lookup(id) == 0UL;
}

int
csm_peer_open(struct csm_lock_set *s, uint64_t id, struct csm_peer *p)
{
	struct csm_lock_ent *e = find_peer(s, id);

	(void)memset(p, 0, sizeof(*p));
	if ((e == NULL) || (e->g == NULL)) {
		return (csm_realm_id_lookup(id) == 0UL) ? -ENOENT : -EAGAIN;
	}
	p->id = id;
	p->g_rd = e->g;
	p->rd = port_rd_map(e->g, PORT_SLOT_RD2);
	p->apt = csm_apt_map(p->rd, PORT_SLOT_APT2, &p->g_apt);
	return 0;
}

void
csm_peer_close(struct csm_peer *p)
{
	if (p->rd == NULL) {
		return;
	}
	csm_apt_unmap(p->apt, PORT_SLOT_APT2);
	port_rd_unmap(p->rd, PORT_SLOT_RD2);
	p->rd = NULL;
	p->apt = NULL;
}
