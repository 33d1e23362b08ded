/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage 2 of a model realm, as RMM 1.0 describes it: RTTs are granules in
 * state RTT holding hm->fanout descriptors each; the starting level
 * (0..3) has rtt_num_start concatenated RTTs at rtt_base; a walk goes from
 * there through TABLE entries as deep as the host created tables, so it
 * may stop at a block entry above level 3. An RTT granule's refcount is
 * its number of ASSIGNED or TABLE entries (what makes an RTT live), as
 * TF-RMM counts them.
 *
 * Also the port's stage-2 functions and RD accessors, the TLBI log, and
 * the observers' view of an entry.
 */
#include <errno.h>
#include <stdlib.h>

#include "hm_priv.h"

unsigned int
hm_level_shift(int level)
{
	return PORT_GRANULE_SHIFT +
	       hm_g->fanout_shift * (unsigned int)(PORT_RTT_PAGE_LEVEL - level);
}

unsigned long
hm_level_size(const struct hm *hm, int level)
{
	(void)hm;
	return 1UL << hm_level_shift(level);
}

unsigned int
hm_rtt_fanout(const struct hm *hm)
{
	return hm->fanout;
}

bool
hm_ipa_protected(const struct rd *rd, unsigned long ipa)
{
	return ipa < (1UL << (rd->ipa_width - 1U));
}

/* Caller: @ipa < 2^ipa_width. */
void
hm_walk(struct rd *rd, unsigned long ipa, int max_level, struct hm_walk *w)
{
	unsigned long idx = ipa >> hm_level_shift(rd->rtt_level_start);
	unsigned long f = hm_g->fanout;

	w->level = rd->rtt_level_start;
	w->g_tbl = hm_granule(rd->rtt_base + (idx / f) * HM_GRANULE);
	w->index = idx % f;
	for (;;) {
		w->d = (uint64_t *)hm_granule_mem(w->g_tbl) + w->index;
		if ((w->level >= max_level) ||
		    (hm_d_state(*w->d) != PORT_RTTE_TABLE)) {
			return;
		}
		w->g_tbl = hm_granule(*w->d & HM_D_PA_MASK);
		w->level++;
		w->index = (ipa >> hm_level_shift(w->level)) & (f - 1UL);
	}
}

uint64_t
hm_desc(unsigned int state, unsigned int ripas, unsigned long pa,
	unsigned int attr)
{
	uint64_t d = state | ((uint64_t)ripas << HM_D_RIPAS_SHIFT) |
		     (pa & HM_D_PA_MASK);

	d |= ((attr & PORT_S2_RO) != 0U) ? HM_D_RO : 0U;
	d |= ((attr & PORT_S2_XN) != 0U) ? HM_D_XN : 0U;
	return d;
}

unsigned int
hm_d_state(uint64_t d)
{
	return (unsigned int)(d & HM_D_STATE_MASK);
}

unsigned int
hm_d_ripas(uint64_t d)
{
	return (unsigned int)((d & HM_D_RIPAS_MASK) >> HM_D_RIPAS_SHIFT);
}

/* The entry translates: a realm access through it reaches memory. */
bool
hm_d_valid(uint64_t d)
{
	return ((hm_d_state(d) == PORT_RTTE_ASSIGNED) &&
		(hm_d_ripas(d) == PORT_RIPAS_RAM)) ||
	       (hm_d_state(d) == PORT_RTTE_ASSIGNED_NS);
}

/* RTTE liveness (A5.5.8): the entry stores a PA. */
bool
hm_d_live(uint64_t d)
{
	return (hm_d_state(d) == PORT_RTTE_ASSIGNED) ||
	       (hm_d_state(d) == PORT_RTTE_ASSIGNED_NS) ||
	       (hm_d_state(d) == PORT_RTTE_TABLE);
}

/* What makes an RTT live (A5.5.8): an ASSIGNED or TABLE entry. */
bool
hm_d_counted(uint64_t d)
{
	return (hm_d_state(d) == PORT_RTTE_ASSIGNED) ||
	       (hm_d_state(d) == PORT_RTTE_TABLE);
}

/*
 * Every descriptor write goes through here: it keeps the RTT's live count
 * and marks an entry that stopped translating (or changed what it
 * translates to) as stale until a TLBI of its IPA; making a stale entry
 * translate again first is a break-before-make violation.
 */
void
hm_d_write(struct rd *rd, struct hm_walk *w, uint64_t d)
{
	uint64_t old = *w->d;

	if (hm_d_counted(old) && !hm_d_counted(d)) {
		w->g_tbl->refcount--;
	} else if (!hm_d_counted(old) && hm_d_counted(d)) {
		w->g_tbl->refcount++;
	}
	if ((old & HM_D_STALE) != 0U) {
		if (hm_d_valid(d)) {
			hm_violation("entry of %#lx remade before the TLBI of "
				     "its unmap", rd->pa);
			rd->nr_stale--;
		} else {
			d |= HM_D_STALE;
		}
	} else if (hm_d_valid(old) && (d != old)) {
		d |= HM_D_STALE;
		rd->nr_stale++;
	}
	*w->d = d;
}

/* TLBI by IPA for the realm's VMID: every level's entry for @ipa. */
void
hm_tlbi(struct rd *rd, unsigned long ipa)
{
	struct hm *hm = hm_g;
	struct hm_walk w;
	int level;

	if (ipa < (1UL << rd->ipa_width)) {
		for (level = rd->rtt_level_start;
		     level <= PORT_RTT_PAGE_LEVEL; level++) {
			hm_walk(rd, ipa, level, &w);
			if ((*w.d & HM_D_STALE) != 0U) {
				*w.d &= ~HM_D_STALE;
				rd->nr_stale--;
			}
			if (w.level < level) {
				break;
			}
		}
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

bool
hm_rtt_live(const struct rd *rd)
{
	unsigned long i;

	for (i = 0UL; i < rd->rtt_num_start; i++) {
		if (hm_granule(rd->rtt_base + i * HM_GRANULE)->refcount != 0U) {
			return true;
		}
	}
	return false;
}

/* TF-RMM's s2tt_skip_non_live_entries(), over the RTT @w stopped in. */
unsigned long
hm_skip_non_live(const struct hm_walk *w, unsigned long ipa)
{
	const uint64_t *t = (const uint64_t *)hm_granule_mem(w->g_tbl);
	unsigned long size = 1UL << hm_level_shift(w->level), i;

	if (hm_d_live(t[w->index])) {
		return ipa;
	}
	ipa &= ~(size - 1UL);
	for (i = w->index + 1UL; i < hm_g->fanout; i++) {
		if (hm_d_live(t[i])) {
			break;
		}
	}
	return ipa + (i - w->index) * size;
}

int
hm_rd_locked(const struct rd *rd, const char *what)
{
	const struct granule *g = hm_granule(rd->pa);

	if ((g == NULL) || (g->locked == 0U) || (g->cpu != hm_g->cpu)) {
		hm_violation("%s on realm %#lx without its RD lock", what,
			     rd->pa);
		return -1;
	}
	return 0;
}

/* ---- port: stage 2 ------------------------------------------------------------ */

int
port_rtt_read(struct rd *rd, unsigned long ipa, struct port_rtte *e)
{
	struct hm_walk w;
	uint64_t d;

	(void)hm_rd_locked(rd, "rtt_read");
	if (!hm_ipa_protected(rd, ipa)) {
		return -EINVAL;
	}
	hm_walk(rd, ipa, PORT_RTT_PAGE_LEVEL, &w);
	d = *w.d;
	e->level = w.level;
	e->state = hm_d_state(d);
	e->ripas = hm_d_ripas(d);
	e->attr = (((d & HM_D_RO) != 0U) ? PORT_S2_RO : 0U) |
		  (((d & HM_D_XN) != 0U) ? PORT_S2_XN : 0U);
	e->pa = 0UL;
	if (e->state == PORT_RTTE_ASSIGNED) {
		e->pa = (d & HM_D_PA_MASK) +
			(ipa & ((1UL << hm_level_shift(w.level)) - 1UL) &
			 HM_D_PA_MASK);
	}
	return 0;
}

/* The level-3 entry of protected @ipa, or NULL if the walk stops above. */
static bool
leaf(struct rd *rd, unsigned long ipa, struct hm_walk *w, const char *what)
{
	(void)hm_rd_locked(rd, what);
	if (!hm_ipa_protected(rd, ipa)) {
		return false;
	}
	hm_walk(rd, ipa, PORT_RTT_PAGE_LEVEL, w);
	return w->level == PORT_RTT_PAGE_LEVEL;
}

int
port_rtt_assign(struct rd *rd, unsigned long ipa, unsigned long pa)
{
	struct hm_walk w;

	if (!leaf(rd, ipa, &w, "rtt_assign")) {
		return -ENOENT;
	}
	if (hm_d_state(*w.d) != PORT_RTTE_UNASSIGNED) {
		return -EEXIST;
	}
	hm_d_write(rd, &w, hm_desc(PORT_RTTE_ASSIGNED, hm_d_ripas(*w.d), pa,
				   0U));
	return 0;
}

int
port_rtt_map(struct rd *rd, unsigned long ipa, unsigned long pa,
	     unsigned int attr)
{
	struct hm_walk w;

	if (!leaf(rd, ipa, &w, "rtt_map")) {
		return -ENOENT;
	}
	if (hm_d_state(*w.d) != PORT_RTTE_UNASSIGNED) {
		return -EEXIST;
	}
	hm_d_write(rd, &w, hm_desc(PORT_RTTE_ASSIGNED, PORT_RIPAS_RAM, pa,
				   attr));
	return 0;
}

int
port_rtt_unmap(struct rd *rd, unsigned long ipa, unsigned int ripas)
{
	struct hm_walk w;

	if (!leaf(rd, ipa, &w, "rtt_unmap") ||
	    (hm_d_state(*w.d) != PORT_RTTE_ASSIGNED)) {
		return -ENOENT;
	}
	hm_d_write(rd, &w, hm_desc(PORT_RTTE_UNASSIGNED, ripas, 0UL, 0U));
	return 0;
}

int
port_rtt_set_ripas(struct rd *rd, unsigned long ipa, unsigned int ripas)
{
	struct hm_walk w;

	if (!leaf(rd, ipa, &w, "rtt_set_ripas") ||
	    (hm_d_state(*w.d) != PORT_RTTE_UNASSIGNED)) {
		return -ENOENT;
	}
	hm_d_write(rd, &w, hm_desc(PORT_RTTE_UNASSIGNED, ripas, 0UL, 0U));
	return 0;
}

unsigned long
port_rtt_skip_non_live(struct rd *rd, unsigned long ipa)
{
	struct hm_walk w;

	(void)hm_rd_locked(rd, "rtt_skip_non_live");
	if (ipa >= (1UL << rd->ipa_width)) {
		return ipa;
	}
	hm_walk(rd, ipa, PORT_RTT_PAGE_LEVEL, &w);
	return hm_skip_non_live(&w, ipa);
}

void
port_tlbi_ipa(struct rd *rd, unsigned long ipa)
{
	hm_tlbi(rd, ipa);
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
	if (((slot != PORT_SLOT_RD) && (slot != PORT_SLOT_RD2)) ||
	    (hm_cpu()->slot[slot] != NULL)) {
		hm_violation("rd_map: slot %u busy or not an RD slot", slot);
		return rd;
	}
	hm_cpu()->slot[slot] = rd;
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
	struct hm_walk w;
	struct rd *rd;
	uint64_t d;

	(void)hm;
	if ((g == NULL) || (g->state != PORT_GS_RD)) {
		return -EINVAL;
	}
	rd = g->obj;
	if (ipa >= (1UL << rd->ipa_width)) {
		return -EINVAL;
	}
	hm_walk(rd, ipa, PORT_RTT_PAGE_LEVEL, &w);
	d = *w.d;
	e->level = w.level;
	e->ripas = hm_d_ripas(d);
	e->perm = ((d & HM_D_RO) != 0U) ? CSM_PERM_RO : CSM_PERM_RW;
	e->xn = (d & HM_D_XN) != 0U;
	e->pa = 0UL;
	switch (hm_d_state(d)) {
	case PORT_RTTE_ASSIGNED:
	case PORT_RTTE_ASSIGNED_NS:
		e->state = RMI_ASSIGNED;
		e->pa = (d & HM_D_PA_MASK) +
			(ipa & ((1UL << hm_level_shift(w.level)) - 1UL) &
			 HM_D_PA_MASK);
		break;
	case PORT_RTTE_TABLE:
		e->state = RMI_TABLE;
		break;
	default:
		e->state = RMI_UNASSIGNED;
		break;
	}
	if (!hm_ipa_protected(rd, ipa)) {
		e->ripas = RIPAS_EMPTY;
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
