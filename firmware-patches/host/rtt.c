/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage 2 of a model realm: a level-2 array over the whole IPA space whose
 * level-3 tables (512 descriptors, 2 MiB each) are made on first use, so a
 * walk always reaches level 3. Descriptors carry the PA, a valid bit, a
 * read-only bit and a "stale" bit: set by an unmap, cleared by the TLBI
 * that must follow it. Also the port's RD accessors and the TLBI log.
 */
#include <errno.h>
#include <stdlib.h>

#include "hm_priv.h"

uint64_t *
hm_rtt_slot(struct rd *rd, unsigned long ipa, bool make)
{
	unsigned long i = ipa / HM_L3_SPAN;

	if (i >= rd->nr_root) {
		return NULL;
	}
	if (rd->l3[i] == NULL) {
		if (!make) {
			return NULL;
		}
		rd->l3[i] = calloc(HM_L3_ENTRIES, sizeof(uint64_t));
		if (rd->l3[i] == NULL) {
			return NULL;
		}
	}
	return &rd->l3[i][(ipa % HM_L3_SPAN) / HM_GRANULE];
}

void
hm_rtt_free(struct rd *rd)
{
	unsigned long i;

	for (i = 0UL; i < rd->nr_root; i++) {
		free(rd->l3[i]);
	}
	free(rd->l3);
	rd->l3 = NULL;
}

bool
hm_rtt_live(const struct rd *rd)
{
	unsigned long i, j;

	for (i = 0UL; i < rd->nr_root; i++) {
		for (j = 0UL; (rd->l3[i] != NULL) && (j < HM_L3_ENTRIES); j++) {
			if ((rd->l3[i][j] & HM_D_VALID) != 0U) {
				return true;
			}
		}
	}
	return false;
}

static bool
protected_ipa(const struct rd *rd, unsigned long ipa)
{
	return ipa < (1UL << (rd->ipa_width - 1U));
}

static void
check_locked(const struct rd *rd, const char *what)
{
	const struct granule *g = hm_granule(rd->pa);

	if ((g == NULL) || (g->locked == 0U)) {
		hm_violation("%s on realm %#lx without its RD lock", what,
			     rd->pa);
	}
}

/* ---- port: stage 2 ------------------------------------------------------------ */

int
port_rtt_read(struct rd *rd, unsigned long ipa, struct port_rtte *e)
{
	uint64_t *d;

	check_locked(rd, "rtt_read");
	if (!protected_ipa(rd, ipa)) {
		return -EINVAL;
	}
	d = hm_rtt_slot(rd, ipa, false);
	e->state = PORT_RTTE_UNASSIGNED;
	e->perm = 0U;
	e->pa = 0UL;
	if ((d != NULL) && ((*d & HM_D_VALID) != 0U)) {
		e->state = PORT_RTTE_ASSIGNED;
		e->perm = ((*d & HM_D_RO) != 0U) ? CSM_PERM_RO : CSM_PERM_RW;
		e->pa = *d & HM_D_PA_MASK;
	}
	return 0;
}

int
port_rtt_map(struct rd *rd, unsigned long ipa, unsigned long pa,
	     unsigned int perm)
{
	uint64_t *d;

	check_locked(rd, "rtt_map");
	if (!protected_ipa(rd, ipa)) {
		return -EINVAL;
	}
	d = hm_rtt_slot(rd, ipa, true);
	if (d == NULL) {
		return -EINVAL;
	}
	if ((*d & HM_D_VALID) != 0U) {
		return -EEXIST;
	}
	if ((*d & HM_D_STALE) != 0U) {
		/* Break-before-make: a stale entry needs its TLBI first. */
		hm_violation("map of %#lx in %#lx before the TLBI of its unmap",
			     ipa, rd->pa);
		rd->nr_stale--;
	}
	*d = (pa & HM_D_PA_MASK) | HM_D_VALID |
	     ((perm == CSM_PERM_RO) ? HM_D_RO : 0U);
	return 0;
}

int
port_rtt_unmap(struct rd *rd, unsigned long ipa)
{
	uint64_t *d;

	check_locked(rd, "rtt_unmap");
	d = protected_ipa(rd, ipa) ? hm_rtt_slot(rd, ipa, false) : NULL;
	if ((d == NULL) || ((*d & HM_D_VALID) == 0U)) {
		return -ENOENT;
	}
	*d = HM_D_STALE;
	rd->nr_stale++;
	return 0;
}

void
port_tlbi_ipa(struct rd *rd, unsigned long ipa)
{
	uint64_t *d = hm_rtt_slot(rd, ipa, false);
	struct hm *hm = hm_g;

	if ((d != NULL) && ((*d & HM_D_STALE) != 0U)) {
		*d &= ~HM_D_STALE;
		rd->nr_stale--;
	}
	hm->tlbi_total++;
	if (hm->nr_tlbi == hm->cap_tlbi) {
		size_t cap = (hm->cap_tlbi != 0U) ? hm->cap_tlbi * 2U : 256U;
		struct hm_tlbi *n = realloc(hm->tlbi, cap * sizeof(*n));

		if (n == NULL) {
			return;
		}
		hm->tlbi = n;
		hm->cap_tlbi = cap;
	}
	hm->tlbi[hm->nr_tlbi].rd = rd->pa;
	hm->tlbi[hm->nr_tlbi].ipa = ipa;
	hm->nr_tlbi++;
}

/* ---- port: realm descriptors --------------------------------------------------- */

struct rd *
port_rd_map(struct granule *g_rd, unsigned int slot)
{
	struct rd *rd = g_rd->obj;

	if ((g_rd->state != PORT_GS_RD) || (g_rd->locked == 0U)) {
		hm_violation("rd_map of %#lx: not a locked RD",
			     hm_granule_pa(g_rd));
	}
	if ((slot != PORT_SLOT_RD && slot != PORT_SLOT_RD2) ||
	    (hm_g->slot[slot] != NULL)) {
		hm_violation("rd_map: slot %u busy or not an RD slot", slot);
		return rd;
	}
	hm_g->slot[slot] = rd;
	return rd;
}

void
port_rd_unmap(struct rd *rd, unsigned int slot)
{
	port_granule_unmap(rd, slot);
}

struct csm_rd *
port_rd_csm(struct rd *rd)
{
	return &rd->csm;
}

unsigned int
port_rd_state(const struct rd *rd)
{
	return rd->state;
}

unsigned int
port_rd_ipa_width(const struct rd *rd)
{
	return rd->ipa_width;
}

unsigned long
port_rd_rec_count(const struct rd *rd)
{
	return rd->rec_count;
}

/* ---- observation ---------------------------------------------------------------- */

int
hm_rtt_entry(struct hm *hm, unsigned long rd_pa, unsigned long ipa,
	     struct hm_rtte *e)
{
	struct granule *g = hm_granule(rd_pa);
	uint64_t *d;

	(void)hm;
	if ((g == NULL) || (g->state != PORT_GS_RD)) {
		return -EINVAL;
	}
	d = hm_rtt_slot(g->obj, ipa, false);
	e->state = RMI_UNASSIGNED;
	e->perm = 0U;
	e->pa = 0UL;
	if ((d != NULL) && ((*d & HM_D_VALID) != 0U)) {
		e->state = RMI_ASSIGNED;
		e->perm = ((*d & HM_D_RO) != 0U) ? CSM_PERM_RO : CSM_PERM_RW;
		e->pa = *d & HM_D_PA_MASK;
	}
	return 0;
}

unsigned long
hm_tlbi_count(struct hm *hm, unsigned long rd, unsigned long ipa)
{
	unsigned long n = 0UL;
	size_t i;

	for (i = 0U; i < hm->nr_tlbi; i++) {
		if ((hm->tlbi[i].rd == rd) && (hm->tlbi[i].ipa == ipa)) {
			n++;
		}
	}
	return n;
}

unsigned long
hm_tlbi_total(struct hm *hm)
{
	return hm->tlbi_total;
}

void
hm_tlbi_clear(struct hm *hm)
{
	hm->nr_tlbi = 0U;
}
