/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The security invariants, checked over the whole model state:
 *  I1 no port-contract violation happened (lock order, slots, scrub of a
 *     mapped granule, map before TLBI), nothing is locked or mapped;
 *  I2 the GPT agrees with granule states: only NS granules are in the NS
 *     PAS, so no realm granule is reachable from the host;
 *  I3 every unmap was followed by a TLBI for that realm (no stale entry);
 *  I4 a protected mapping of realm R is R's own DATA granule (mapped once,
 *     read-write) or lies in a range R consumes, ATTACHED, backed by the
 *     provider's grant to R (ATTACHED) and the same PA at the same offset
 *     of the provider's region, with the granted permission, by a
 *     level-3 entry (no block maps a consumed range);
 *  I5 a DATA granule's refcount equals its consumer mappings;
 *  I6 the two sides of each share agree (grant state vs consumed state);
 *  I7 each live realm's id is registered to its RD, and ids are distinct;
 *  I8 the RTTs form trees: every TABLE entry points to an RTT granule that
 *     no other entry (nor another realm's starting RTTs) points to, every
 *     RTT granule belongs to one tree, and an RTT's refcount is its number
 *     of ASSIGNED and TABLE entries; no ASSIGNED entry at an unprotected
 *     IPA;
 *  I9 every IPA of a range a realm consumes (any state) walks to a level-3
 *     entry: its RTTs are neither destroyed nor folded while it is consumed,
 *     so a cascade always finds the consumer's entry.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csm_apt.h"
#include "hm_priv.h"

struct ck {
	char *msg;
	size_t len;
	unsigned long *owner_maps;
	unsigned long *cons_maps;
	unsigned long *rtt_refs;
};

static int fail(struct ck *ck, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
fail(struct ck *ck, const char *fmt, ...)
{
	va_list ap;

	if (ck->len > 0U) {
		va_start(ap, fmt);
		(void)vsnprintf(ck->msg, ck->len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static struct rd *
rd_of(unsigned long pa)
{
	struct granule *g = hm_granule(pa);

	return ((g != NULL) && (g->state == PORT_GS_RD)) ? g->obj : NULL;
}

static struct apt *
apt_of(const struct rd *rd)
{
	struct granule *g;

	if ((rd == NULL) || (rd->csm.apt == 0UL)) {
		return NULL;
	}
	g = hm_granule(rd->csm.apt);
	return ((g != NULL) && (g->state == PORT_GS_APT)) ?
	       (struct apt *)hm_granule_mem(g) : NULL;
}

/* The live realm with id @id (the registry's answer, checked by I7). */
static struct rd *
realm_of(uint64_t id)
{
	struct rd *rd = rd_of(csm_realm_id_lookup(id));

	return ((rd != NULL) && (rd->csm.realm_id == id)) ? rd : NULL;
}

/* The valid entry of @rd translating @ipa, or 0 (no locks: a check). */
static uint64_t
leaf_of(struct rd *rd, unsigned long ipa, unsigned long *pa)
{
	struct hm_walk w;

	hm_walk(rd, ipa, PORT_RTT_PAGE_LEVEL, &w);
	if (hm_d_state(*w.d) != PORT_RTTE_ASSIGNED) {
		return 0U;
	}
	*pa = (*w.d & HM_D_PA_MASK) +
	      (ipa & ((1UL << hm_level_shift(w.level)) - 1UL) & HM_D_PA_MASK);
	return *w.d;
}

/* I4 for a mapping of @rd at @ipa inside consumed range @c. */
static int
check_consumed(struct ck *ck, struct rd *rd, unsigned long ipa, uint64_t d,
	       unsigned long pa, const struct apt_entry *c)
{
	struct rd *prov = realm_of(c->peer);
	struct apt *papt = apt_of(prov);
	struct apt_entry *grant, *region;
	unsigned long ppa = 0UL;
	uint64_t pd;

	if (c->state != CSM_STATE_ATTACHED) {
		return fail(ck, "realm %#lx maps %#lx in a consumed range in "
			    "state %u (survived revoke/detach)", rd->pa, ipa,
			    c->state);
	}
	grant = (papt != NULL) ? apt_find_grant(papt, c->id) : NULL;
	if ((grant == NULL) || (grant->peer != rd->csm.realm_id) ||
	    (grant->state != CSM_STATE_ATTACHED)) {
		return fail(ck, "realm %#lx maps %#lx without an attached "
			    "grant", rd->pa, ipa);
	}
	region = apt_find_region(papt, CSM_SID_CSM_ID(c->id));
	if ((region == NULL) || (region->size != c->size)) {
		return fail(ck, "grant %#lx has no region of size %#lx",
			    (unsigned long)c->id, (unsigned long)c->size);
	}
	pd = leaf_of(prov, region->base + (ipa - c->base), &ppa);
	if ((pd == 0U) || !hm_d_valid(pd) || (ppa != pa)) {
		return fail(ck, "realm %#lx maps %#lx to a granule the "
			    "provider does not map there", rd->pa, ipa);
	}
	if (!hm_d_valid(d)) {
		return fail(ck, "realm %#lx holds %#lx of a consumed range "
			    "with RIPAS %u", rd->pa, ipa, hm_d_ripas(d));
	}
	if (((d & HM_D_RO) != 0U) != (c->perm == CSM_PERM_RO)) {
		return fail(ck, "realm %#lx maps %#lx with a permission other "
			    "than granted", rd->pa, ipa);
	}
	return 0;
}

/* I4, I5 for the granule @pa that @rd's entry @d maps at @ipa. */
static int
check_leaf(struct ck *ck, struct rd *rd, struct apt *apt, unsigned long ipa,
	   unsigned long pa, uint64_t d)
{
	struct granule *g = hm_granule(pa);
	struct apt_entry *c;
	size_t gi;

	if ((g == NULL) || (g->state != PORT_GS_DATA)) {
		return fail(ck, "realm %#lx maps %#lx to a granule that is "
			    "not DATA", rd->pa, ipa);
	}
	gi = (size_t)(g - hm_g->granules);
	c = (apt != NULL) ? apt_consumed_at(apt, ipa) : NULL;
	if (c != NULL) {
		if (check_consumed(ck, rd, ipa, d, pa, c) != 0) {
			return -1;
		}
		ck->cons_maps[gi]++;
	} else if ((d & HM_D_RO) != 0U) {
		return fail(ck, "private %#lx of %#lx is RO", ipa, rd->pa);
	} else {
		ck->owner_maps[gi]++;
	}
	return 0;
}

/* I8 (and I4 below it) for the RTT @g of @rd at @level covering @base. */
static int
check_table(struct ck *ck, struct rd *rd, struct apt *apt,
	    struct granule *g, int level, unsigned long base)
{
	const uint64_t *t = (const uint64_t *)hm_granule_mem(g);
	unsigned long size = 1UL << hm_level_shift(level), i, j;
	unsigned long top = 1UL << (rd->ipa_width - 1U);
	unsigned int live = 0U;

	if ((g->state != PORT_GS_RTT) ||
	    (ck->rtt_refs[g - hm_g->granules]++ != 0UL)) {
		return fail(ck, "realm %#lx: RTT %#lx at level %d is not an "
			    "RTT or is reached twice", rd->pa,
			    hm_granule_pa(g), level);
	}
	for (i = 0UL; i < hm_g->fanout; i++) {
		unsigned long ipa = base + i * size;
		uint64_t d = t[i];

		live += hm_d_counted(d) ? 1U : 0U;
		if (hm_d_state(d) == PORT_RTTE_TABLE) {
			struct granule *c = hm_granule(d & HM_D_PA_MASK);

			if ((c == NULL) || (level >= PORT_RTT_PAGE_LEVEL) ||
			    (check_table(ck, rd, apt, c, level + 1, ipa) != 0)) {
				return (c == NULL) ? fail(ck, "table entry "
					"outside the pool") : -1;
			}
		} else if (hm_d_state(d) == PORT_RTTE_ASSIGNED) {
			if (ipa >= top) {
				return fail(ck, "realm %#lx: ASSIGNED entry at "
					    "unprotected %#lx", rd->pa, ipa);
			}
			for (j = 0UL; j < size; j += HM_GRANULE) {
				if ((level < PORT_RTT_PAGE_LEVEL) &&
				    (apt != NULL) &&
				    (apt_consumed_at(apt, ipa + j) != NULL)) {
					return fail(ck, "realm %#lx maps "
						    "consumed %#lx by a level-%d "
						    "block", rd->pa, ipa + j,
						    level);
				}
				if (check_leaf(ck, rd, apt, ipa + j,
					       (d & HM_D_PA_MASK) + j, d) != 0) {
					return -1;
				}
			}
		}
	}
	if (live != g->refcount) {
		return fail(ck, "RTT %#lx of %#lx: refcount %u, %u live "
			    "entries", hm_granule_pa(g), rd->pa, g->refcount,
			    live);
	}
	return 0;
}

static int
check_rtt(struct ck *ck, struct rd *rd)
{
	struct apt *apt = apt_of(rd);
	unsigned long i, span = 1UL << hm_level_shift(rd->rtt_level_start);

	/* I3 */
	if (rd->nr_stale != 0UL) {
		return fail(ck, "realm %#lx: %lu unmap(s) without TLBI",
			    rd->pa, rd->nr_stale);
	}
	for (i = 0UL; i < rd->rtt_num_start; i++) {
		if (check_table(ck, rd, apt,
				hm_granule(rd->rtt_base + i * HM_GRANULE),
				rd->rtt_level_start,
				i * hm_g->fanout * span) != 0) {
			return -1;
		}
	}
	return 0;
}

/* I9 for the range @c that realm @rd consumes. */
static int
check_consumed_tables(struct ck *ck, struct rd *rd, const struct apt_entry *c)
{
	unsigned long off;

	for (off = 0UL; off < c->size; off += HM_GRANULE) {
		struct hm_walk w;

		hm_walk(rd, c->base + off, PORT_RTT_PAGE_LEVEL, &w);
		if (w.level != PORT_RTT_PAGE_LEVEL) {
			return fail(ck, "realm %#lx consumes %#lx, which has "
				    "no level-3 entry", rd->pa,
				    c->base + off);
		}
	}
	return 0;
}

/* I6 (and I9) for the APT of realm @rd. */
static int
check_shares(struct ck *ck, struct rd *rd, struct apt *apt)
{
	struct apt_entry *e = NULL;

	if (!apt_valid(apt) || (apt->hdr.owner != rd->csm.realm_id)) {
		return fail(ck, "APT of %#lx is malformed", rd->pa);
	}
	while ((e = apt_next(apt, e, APT_GRANT)) != NULL) {
		struct apt *capt = apt_of(realm_of(e->peer));
		struct apt_entry *c;

		if (apt_find_region(apt, CSM_SID_CSM_ID(e->id)) == NULL) {
			return fail(ck, "grant without region in %#lx", rd->pa);
		}
		if (e->state == CSM_STATE_SHARED) {
			continue;
		}
		c = (capt != NULL) ?
		    apt_find_consumed(capt, rd->csm.realm_id, e->id) : NULL;
		if ((c == NULL) || (c->state != e->state)) {
			return fail(ck, "grant %#lx of %#lx in state %u has no "
				    "matching consumer entry",
				    (unsigned long)e->id, rd->pa, e->state);
		}
	}
	e = NULL;
	while ((e = apt_next(apt, e, APT_CONSUMED)) != NULL) {
		struct apt *papt = apt_of(realm_of(e->peer));
		struct apt_entry *g = (papt != NULL) ?
				      apt_find_grant(papt, e->id) : NULL;

		if ((g != NULL) && (g->peer != rd->csm.realm_id)) {
			g = NULL;
		}
		if ((e->state == CSM_STATE_REVOKED) ? (g != NULL) :
		    ((g == NULL) || (g->state != e->state))) {
			return fail(ck, "consumed %#lx of %#lx in state %u "
				    "disagrees with the provider",
				    (unsigned long)e->id, rd->pa, e->state);
		}
		if (check_consumed_tables(ck, rd, e) != 0) {
			return -1;
		}
	}
	return 0;
}

static int
check_realms(struct ck *ck)
{
	unsigned long i, j;

	for (i = 0UL; i < hm_g->nr_granules; i++) {
		struct granule *g = &hm_g->granules[i];
		struct rd *rd;
		struct apt *apt;

		if (g->state != PORT_GS_RD) {
			continue;
		}
		rd = g->obj;
		/* I7 */
		if ((rd->csm.realm_id == 0U) ||
		    (csm_realm_id_lookup(rd->csm.realm_id) != rd->pa)) {
			return fail(ck, "realm %#lx: id not registered", rd->pa);
		}
		for (j = i + 1UL; j < hm_g->nr_granules; j++) {
			struct granule *h = &hm_g->granules[j];

			if ((h->state == PORT_GS_RD) &&
			    (((struct rd *)h->obj)->csm.realm_id ==
			     rd->csm.realm_id)) {
				return fail(ck, "two realms share an id");
			}
		}
		if (check_rtt(ck, rd) != 0) {
			return -1;
		}
		apt = apt_of(rd);
		if ((rd->csm.apt != 0UL) && (apt == NULL)) {
			return fail(ck, "realm %#lx: APT granule not an APT",
				    rd->pa);
		}
		if ((apt != NULL) && (check_shares(ck, rd, apt) != 0)) {
			return -1;
		}
	}
	return 0;
}

static int
check_granules(struct ck *ck)
{
	unsigned long i;

	for (i = 0UL; i < hm_g->nr_granules; i++) {
		const struct granule *g = &hm_g->granules[i];
		unsigned long pa = HM_PA_BASE + i * HM_GRANULE;

		/* I2 */
		if ((g->state == PORT_GS_NS) != (g->realm_pas == 0U)) {
			return fail(ck, "granule %#lx: state %u but GPT %s", pa,
				    g->state, g->realm_pas ? "Realm" : "NS");
		}
		/* I8: an RTT no realm's tree reaches */
		if (g->state == PORT_GS_RTT) {
			if (ck->rtt_refs[i] != 1UL) {
				return fail(ck, "RTT %#lx is in no realm's "
					    "tree", pa);
			}
			continue;
		}
		if (g->state != PORT_GS_DATA) {
			if (g->refcount != 0U) {
				return fail(ck, "granule %#lx: refcount %u in "
					    "state %u", pa, g->refcount,
					    g->state);
			}
			continue;
		}
		/* I4: exactly one private mapping; I5 */
		if (ck->owner_maps[i] != 1UL) {
			return fail(ck, "DATA %#lx mapped privately %lu times",
				    pa, ck->owner_maps[i]);
		}
		if (g->refcount != ck->cons_maps[i]) {
			return fail(ck, "DATA %#lx: refcount %u, %lu consumer "
				    "mappings", pa, g->refcount,
				    ck->cons_maps[i]);
		}
	}
	return 0;
}

int
hm_check(struct hm *hm, char *msg, size_t len)
{
	struct ck ck = { .msg = msg, .len = len };
	unsigned int i, c;
	int ret = -1;

	/* I1 */
	if (hm->violations != 0UL) {
		return fail(&ck, "port violation: %s", hm->last_violation);
	}
	for (c = 0U; c < HM_NR_CPUS; c++) {
		for (i = 0U; i < PORT_NR_SLOTS; i++) {
			if ((hm->cpus[c].slot[i] != NULL) ||
			    (hm->cpus[c].nr_held != 0U)) {
				return fail(&ck, "locks or slots held between "
					    "commands");
			}
		}
	}
	ck.owner_maps = calloc(hm->nr_granules, sizeof(unsigned long));
	ck.cons_maps = calloc(hm->nr_granules, sizeof(unsigned long));
	ck.rtt_refs = calloc(hm->nr_granules, sizeof(unsigned long));
	if ((ck.owner_maps != NULL) && (ck.cons_maps != NULL) &&
	    (ck.rtt_refs != NULL) && (check_realms(&ck) == 0) &&
	    (check_granules(&ck) == 0)) {
		ret = 0;
	} else if ((ck.owner_maps == NULL) || (ck.cons_maps == NULL) ||
		   (ck.rtt_refs == NULL)) {
		(void)fail(&ck, "out of memory");
	}
	free(ck.owner_maps);
	free(ck.cons_maps);
	free(ck.rtt_refs);
	return ret;
}
