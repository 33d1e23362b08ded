/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RMM 1.0 RTT commands of the model (DEN0137 1.0-rel0, chapter B4.3):
 * RMI_RTT_CREATE, _DESTROY, _FOLD, _READ_ENTRY, _INIT_RIPAS, _SET_RIPAS,
 * _MAP_UNPROTECTED and _UNMAP_UNPROTECTED. Each checks the spec's failure
 * conditions in the order the spec's partial order and Arm's compliance
 * suite (cca-rmm-acs, v1.0_REL0) fix; the comment before a check names the
 * condition as the spec does. Every RMI_ERROR_INPUT has index 0; an
 * RMI_ERROR_RTT carries the level at which the walk stopped or the entry
 * failed. Outputs not listed are zero (hm_rmi() clears them on failure,
 * except where the spec defines them on failure, as RTT_DESTROY's top).
 */
#include <string.h>

#include "csm.h"
#include "hm_priv.h"

#define INPUT		RMI_RETURN(RMI_ERROR_INPUT, 0U)
#define RTT(level)	RMI_RETURN(RMI_ERROR_RTT, (unsigned int)(level))

static struct rd *
lock_rd(unsigned long addr, struct granule **g_rd)
{
	*g_rd = port_find_lock_granule(addr, PORT_GS_RD);
	return (*g_rd != NULL) ? (*g_rd)->obj : NULL;
}

static bool
aligned(unsigned long addr, int level)
{
	return (addr & ((1UL << hm_level_shift(level)) - 1UL)) == 0UL;
}

/* Structure commands act on RTTs below the starting level: sl+1..3. */
static bool
structure_level(const struct rd *rd, unsigned long level)
{
	return ((long)level > (long)rd->rtt_level_start) &&
	       (level <= (unsigned long)PORT_RTT_PAGE_LEVEL);
}

/* Fill a new level-@level RTT from the entry it replaces (TF-RMM's
 * s2tt_init_*): every entry inherits the parent's state; a block splits
 * into its granules or sub-blocks. Returns the new RTT's live count. */
static unsigned int
init_table(uint64_t *t, uint64_t parent, int level)
{
	unsigned long size = 1UL << hm_level_shift(level), i;
	unsigned int state = hm_d_state(parent), live = 0U;

	for (i = 0UL; i < hm_g->fanout; i++) {
		uint64_t d = parent & ~(HM_D_STALE | HM_D_PA_MASK);

		if ((state == PORT_RTTE_ASSIGNED) ||
		    (state == PORT_RTTE_ASSIGNED_NS)) {
			d |= (parent & HM_D_PA_MASK) + i * size;
		}
		t[i] = d;
		live += hm_d_counted(d) ? 1U : 0U;
	}
	return live;
}

/* RMI_RTT_CREATE (B4.3.15): rd, rtt, ipa, level. */
unsigned long
hm_rmi_rtt_create(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], rtt_addr = args[1], ipa = args[2];
	unsigned long level = args[3], ret = RMI_SUCCESS;
	struct granule *g_rd, *g_tbl;
	struct hm_walk w;
	uint64_t parent;
	struct rd *rd;

	(void)res;
	/* rd_align, rd_bound, rd_state; rtt_align, rtt_bound, rtt_state */
	if ((rd_addr == rtt_addr) ||
	    (port_find_lock_two_granules(rd_addr, PORT_GS_RD, &g_rd, rtt_addr,
					 PORT_GS_DELEGATED, &g_tbl) != 0)) {
		return INPUT;
	}
	rd = g_rd->obj;
	/* level_bound, ipa_align, ipa_bound */
	if (!structure_level(rd, level) || !aligned(ipa, (int)level - 1) ||
	    (ipa >= (1UL << rd->ipa_width))) {
		ret = INPUT;
		goto out;
	}
	/* rtt_walk: the walk must reach level - 1 */
	hm_walk(rd, ipa, (int)level - 1, &w);
	if (w.level != (int)level - 1) {
		ret = RTT(w.level);
		goto out;
	}
	/* rtte_state: the parent entry is not already a table */
	parent = *w.d;
	if (hm_d_state(parent) == PORT_RTTE_TABLE) {
		ret = RTT(level - 1UL);
		goto out;
	}
	g_tbl->refcount = init_table((uint64_t *)hm_granule_mem(g_tbl), parent,
				     (int)level);
	/* Break before make: a valid block stops translating first. */
	hm_d_write(rd, &w, hm_desc(PORT_RTTE_TABLE, 0U, rtt_addr, 0U));
	hm_tlbi(rd, ipa);
	port_granule_unlock_transition(g_tbl, PORT_GS_RTT);
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
out:
	port_granule_unlock(g_tbl);
	port_granule_unlock(g_rd);
	return ret;
}

/* RMI_RTT_DESTROY (B4.3.16): rd, ipa, level -> X1 rtt, X2 top. */
unsigned long
hm_rmi_rtt_destroy(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], ipa = args[1], level = args[2];
	unsigned long ret = RMI_SUCCESS, rtt_addr;
	struct granule *g_rd, *g_tbl;
	struct hm_walk w;
	struct rd *rd = lock_rd(rd_addr, &g_rd);

	/* rd_align, rd_bound, rd_state */
	if (rd == NULL) {
		return INPUT;
	}
	/* level_bound, ipa_align, ipa_bound */
	if (!structure_level(rd, level) || !aligned(ipa, (int)level - 1) ||
	    (ipa >= (1UL << rd->ipa_width))) {
		port_granule_unlock(g_rd);
		return INPUT;
	}
	hm_walk(rd, ipa, (int)level - 1, &w);
	/* rtt_walk, rtte_state: the parent entry must be a table */
	if ((w.level != (int)level - 1) ||
	    (hm_d_state(*w.d) != PORT_RTTE_TABLE)) {
		res[1] = hm_skip_non_live(&w, ipa);
		port_granule_unlock(g_rd);
		return RTT(w.level);
	}
	rtt_addr = *w.d & HM_D_PA_MASK;
	g_tbl = hm_granule(rtt_addr);
	port_granule_lock(g_tbl, PORT_GS_RTT);
	/* rtt_live; CAEC: the RTT of a consumed range counts as live */
	if ((g_tbl->refcount != 0U) ||
	    !csm_rtt_may_unlink(rd, ipa, 1UL << hm_level_shift((int)level - 1))) {
		ret = RTT(level);
		res[1] = ipa;
		port_granule_unlock(g_tbl);
		port_granule_unlock(g_rd);
		return ret;
	}
	/* Protected IPAs lose whatever RIPAS they had: DESTROYED. */
	hm_d_write(rd, &w, hm_ipa_protected(rd, ipa) ?
		   hm_desc(PORT_RTTE_UNASSIGNED, PORT_RIPAS_DESTROYED, 0UL, 0U) :
		   hm_desc(PORT_RTTE_UNASSIGNED_NS, 0U, 0UL, 0U));
	hm_tlbi(rd, ipa);
	port_granule_scrub(g_tbl);
	port_granule_unlock_transition(g_tbl, PORT_GS_DELEGATED);
	res[0] = rtt_addr;
	res[1] = hm_skip_non_live(&w, ipa);
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
}

/*
 * The block entry that an RTT of @level folds into, or 0 if its entries
 * are not homogeneous: all UNASSIGNED with one RIPAS, all UNASSIGNED_NS,
 * or all ASSIGNED (one RIPAS, one set of attributes) / ASSIGNED_NS mapping
 * one contiguous block aligned to level - 1 (TF-RMM's s2tt_is_*_block /
 * s2tt_maps_*_block). The block keeps the entries' attributes. The CSM
 * extension's rule (csm.h): an ASSIGNED entry mapping a shared page does
 * not fold (the RTT counts as not homogeneous).
 */
static uint64_t
fold_of(const uint64_t *t, int level, bool *assigned)
{
	unsigned long size = 1UL << hm_level_shift(level), i;
	unsigned int state = hm_d_state(t[0]);
	uint64_t first = t[0] & ~HM_D_STALE;
	unsigned long pa = first & HM_D_PA_MASK;
	/* Fields every entry must share. */
	uint64_t same = HM_D_STATE_MASK | HM_D_RIPAS_MASK | HM_D_ATTR_MASK;

	*assigned = (state == PORT_RTTE_ASSIGNED) ||
		    (state == PORT_RTTE_ASSIGNED_NS);
	if (state == PORT_RTTE_TABLE) {
		return 0U;
	}
	if (*assigned && ((pa & ((1UL << hm_level_shift(level - 1)) - 1UL)) !=
			  0UL)) {
		return 0U;
	}
	for (i = 0UL; i < hm_g->fanout; i++) {
		uint64_t d = t[i] & ~HM_D_STALE;

		if ((d & same) != (first & same)) {
			return 0U;
		}
		if (*assigned && ((d & HM_D_PA_MASK) != pa + i * size)) {
			return 0U;
		}
		if ((state == PORT_RTTE_ASSIGNED) &&
		    !csm_rtt_may_fold((unsigned long)(d & HM_D_PA_MASK))) {
			return 0U;
		}
	}
	return *assigned ? (first & (same | HM_D_PA_MASK)) :
			   hm_desc(state, hm_d_ripas(first), 0UL, 0U);
}

/* RMI_RTT_FOLD (B4.3.17): rd, ipa, level -> X1 rtt. */
unsigned long
hm_rmi_rtt_fold(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], ipa = args[1], level = args[2];
	unsigned long ret = RMI_SUCCESS, rtt_addr;
	struct granule *g_rd, *g_tbl;
	struct hm_walk w;
	bool assigned;
	uint64_t block;
	struct rd *rd = lock_rd(rd_addr, &g_rd);

	/* rd_align, rd_bound, rd_state */
	if (rd == NULL) {
		return INPUT;
	}
	/* level_bound, ipa_align, ipa_bound */
	if (!structure_level(rd, level) || !aligned(ipa, (int)level - 1) ||
	    (ipa >= (1UL << rd->ipa_width))) {
		port_granule_unlock(g_rd);
		return INPUT;
	}
	/* rtt_walk */
	hm_walk(rd, ipa, (int)level - 1, &w);
	if (w.level != (int)level - 1) {
		port_granule_unlock(g_rd);
		return RTT(w.level);
	}
	/* rtte_state: the parent entry must be a table */
	if (hm_d_state(*w.d) != PORT_RTTE_TABLE) {
		port_granule_unlock(g_rd);
		return RTT(level - 1UL);
	}
	rtt_addr = *w.d & HM_D_PA_MASK;
	g_tbl = hm_granule(rtt_addr);
	port_granule_lock(g_tbl, PORT_GS_RTT);
	/* rtt_homo; ASSIGNED entries fold only from level 2 or 3 (A5.5.6) */
	block = fold_of((const uint64_t *)hm_granule_mem(g_tbl), (int)level,
			&assigned);
	if ((block == 0U) || (assigned && (level < 2UL)) ||
	    !csm_rtt_may_unlink(rd, ipa, 1UL << hm_level_shift((int)level - 1))) {
		ret = RTT(level);
		port_granule_unlock(g_tbl);
		port_granule_unlock(g_rd);
		return ret;
	}
	hm_d_write(rd, &w, block);
	hm_tlbi(rd, ipa);
	/* The block takes over the entries: the RTT holds no live one. */
	g_tbl->refcount = 0U;
	port_granule_scrub(g_tbl);
	port_granule_unlock_transition(g_tbl, PORT_GS_DELEGATED);
	res[0] = rtt_addr;
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
}

/* RMI_RTT_READ_ENTRY (B4.3.20): rd, ipa, level -> X1 walk level, X2
 * state, X3 desc (the output address), X4 ripas. */
unsigned long
hm_rmi_rtt_read_entry(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], ipa = args[1], level = args[2];
	struct granule *g_rd;
	struct hm_walk w;
	uint64_t d;
	struct rd *rd = lock_rd(rd_addr, &g_rd);

	/* rd_align, rd_bound, rd_state */
	if (rd == NULL) {
		return INPUT;
	}
	/* level_bound, ipa_align, ipa_bound */
	if (((long)level < (long)rd->rtt_level_start) ||
	    (level > (unsigned long)PORT_RTT_PAGE_LEVEL) ||
	    !aligned(ipa, (int)level) || (ipa >= (1UL << rd->ipa_width))) {
		port_granule_unlock(g_rd);
		return INPUT;
	}
	hm_walk(rd, ipa, (int)level, &w);
	d = *w.d;
	res[0] = (unsigned long)w.level;
	res[3] = hm_ipa_protected(rd, ipa) ? hm_d_ripas(d) : RIPAS_EMPTY;
	switch (hm_d_state(d)) {
	case PORT_RTTE_ASSIGNED:
		res[1] = RMI_ASSIGNED;
		/* An ASSIGNED, DESTROYED entry does not disclose its PA. */
		res[2] = (hm_d_ripas(d) == PORT_RIPAS_DESTROYED) ? 0UL :
			 (d & HM_D_PA_MASK);
		break;
	case PORT_RTTE_ASSIGNED_NS:
		res[1] = RMI_ASSIGNED;
		res[2] = d & HM_D_PA_MASK;
		break;
	case PORT_RTTE_TABLE:
		res[1] = RMI_TABLE;
		res[2] = d & HM_D_PA_MASK;
		res[3] = RIPAS_EMPTY;
		break;
	default:
		res[1] = RMI_UNASSIGNED;
		res[2] = 0UL;
		break;
	}
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
}

/* RMI_RTT_INIT_RIPAS (B4.3.18): rd, base, top -> X1 top (of the change). */
unsigned long
hm_rmi_rtt_init_ripas(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], base = args[1], top = args[2];
	unsigned long addr, size, ret;
	struct granule *g_rd;
	struct hm_walk w;
	struct rd *rd = lock_rd(rd_addr, &g_rd);

	/* rd_align, rd_bound, rd_state */
	if (rd == NULL) {
		return INPUT;
	}
	/* size_valid, top_gran_align (before no_progress), top_bound */
	if ((top <= base) || ((base & (HM_GRANULE - 1UL)) != 0UL) ||
	    ((top & (HM_GRANULE - 1UL)) != 0UL) ||
	    (top > (1UL << (rd->ipa_width - 1U)))) {
		port_granule_unlock(g_rd);
		return INPUT;
	}
	/* realm_state */
	if (rd->state != PORT_REALM_NEW) {
		port_granule_unlock(g_rd);
		return RMI_RETURN(RMI_ERROR_REALM, 0U);
	}
	/* base_align: base starts an entry at the level the walk reaches */
	hm_walk(rd, base, PORT_RTT_PAGE_LEVEL, &w);
	size = 1UL << hm_level_shift(w.level);
	if (!aligned(base, w.level)) {
		port_granule_unlock(g_rd);
		return RTT(w.level);
	}
	/* rtte_state, no_progress: EMPTY -> RAM over whole UNASSIGNED entries */
	for (addr = base; (w.index < hm_g->fanout) && (addr + size <= top);
	     w.index++, w.d++, addr += size) {
		if ((hm_d_state(*w.d) != PORT_RTTE_UNASSIGNED) ||
		    (hm_d_ripas(*w.d) == PORT_RIPAS_DESTROYED)) {
			break;
		}
		hm_d_write(rd, &w, hm_desc(PORT_RTTE_UNASSIGNED,
					   PORT_RIPAS_RAM, 0UL, 0U));
	}
	ret = (addr > base) ? RMI_SUCCESS : RTT(w.level);
	res[0] = addr;
	port_granule_unlock(g_rd);
	return ret;
}

/*
 * One entry's RIPAS change (TF-RMM's update_ripas()): false if it cannot
 * change (no RIPAS, or DESTROYED without CHANGE_DESTROYED). The model, as
 * TF-RMM v0.5, rebuilds an ASSIGNED entry from its output address, which
 * drops its stage-2 attributes.
 */
static bool
update_ripas(struct rd *rd, struct hm_walk *w, unsigned long ipa,
	     unsigned int ripas, bool change_destroyed)
{
	uint64_t d = *w->d;
	unsigned int state = hm_d_state(d), old = hm_d_ripas(d);

	if ((state != PORT_RTTE_UNASSIGNED) && (state != PORT_RTTE_ASSIGNED)) {
		return false;
	}
	if (old == ripas) {
		return true;
	}
	if ((old == PORT_RIPAS_DESTROYED) && !change_destroyed) {
		return false;
	}
	/* The CSM extension's rule (csm.h): no RIPAS change of shared pages. */
	if ((state == PORT_RTTE_ASSIGNED) &&
	    !csm_ripas_may_change((unsigned long)(d & HM_D_PA_MASK))) {
		return false;
	}
	hm_d_write(rd, w, hm_desc(state, ripas, d & HM_D_PA_MASK, 0U));
	if (hm_d_valid(d)) {
		hm_tlbi(rd, ipa);
	}
	return true;
}

/* RMI_RTT_SET_RIPAS (B4.3.21): rd, rec, base, top -> X1 top (of the
 * change); applies the RIPAS change the REC asked for. */
unsigned long
hm_rmi_rtt_set_ripas(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], rec_addr = args[1];
	unsigned long base = args[2], top = args[3], addr, size, ret;
	struct granule *g_rd, *g_rec;
	struct hm_set_ripas *sr;
	struct hm_walk w;
	struct rec *rec;
	struct rd *rd;

	/* rd_align, rd_bound, rd_state, rec_align, rec_bound, rec_gran_state */
	if ((rd_addr == rec_addr) ||
	    (port_find_lock_two_granules(rd_addr, PORT_GS_RD, &g_rd, rec_addr,
					 PORT_GS_REC, &g_rec) != 0)) {
		return INPUT;
	}
	rd = g_rd->obj;
	rec = g_rec->obj;
	sr = &rec->set_ripas;
	/* rec_state, rec_owner */
	if (rec->running || (rec->g_rd != g_rd)) {
		ret = RMI_RETURN(RMI_ERROR_REC, 0U);
		goto out;
	}
	/* size_valid, top_gran_align (before no_progress), base_bound,
	 * top_bound (no request pending: ripas_top is 0) */
	if ((top <= base) || ((top & (HM_GRANULE - 1UL)) != 0UL) ||
	    (base != sr->addr) || (top > sr->top)) {
		ret = INPUT;
		goto out;
	}
	/* base_align */
	hm_walk(rd, base, PORT_RTT_PAGE_LEVEL, &w);
	size = 1UL << hm_level_shift(w.level);
	if (!aligned(base, w.level)) {
		ret = RTT(w.level);
		goto out;
	}
	/* no_progress */
	for (addr = base; (w.index < hm_g->fanout) && (addr + size <= top);
	     w.index++, w.d++, addr += size) {
		if (!update_ripas(rd, &w, addr, sr->ripas,
				  sr->change_destroyed)) {
			break;
		}
	}
	if (addr > base) {
		sr->addr = addr;
		res[0] = addr;
		ret = RMI_SUCCESS;
	} else {
		ret = RTT(w.level);
	}
out:
	port_granule_unlock(g_rec);
	port_granule_unlock(g_rd);
	return ret;
}

/* Unprotected mappings: levels 2 and 3 here (block or page). */
static bool
map_level(const struct rd *rd, unsigned long level)
{
	return (level >= 2UL) && ((long)level >= (long)rd->rtt_level_start) &&
	       (level <= (unsigned long)PORT_RTT_PAGE_LEVEL);
}

static bool
unprotected_ipa(const struct rd *rd, unsigned long ipa)
{
	return !hm_ipa_protected(rd, ipa) && (ipa < (1UL << rd->ipa_width));
}

/*
 * desc of RMI_RTT_MAP_UNPROTECTED (B4.3.19, RmiRttEntry as the host
 * writes it): MemAttr in bits 4:2 (one value, 0b100, reserved), S2AP in
 * bits 7:6 and the output address in bits 47:12 (no LPA2); every other
 * bit is RES0. The model keeps the output address only.
 */
#define NS_DESC_MEMATTR		(0x7UL << 2)
#define NS_DESC_MEMATTR_RSVD	(0x4UL << 2)
#define NS_DESC_S2AP		(0x3UL << 6)
#define NS_DESC_OA		(((1UL << 48) - 1UL) & ~(HM_GRANULE - 1UL))

static bool
ns_desc_valid(unsigned long desc)
{
	return ((desc & ~(NS_DESC_MEMATTR | NS_DESC_S2AP | NS_DESC_OA)) ==
		0UL) && ((desc & NS_DESC_MEMATTR) != NS_DESC_MEMATTR_RSVD);
}

/* RMI_RTT_MAP_UNPROTECTED (B4.3.19): rd, ipa, level, desc (its output
 * address any PA: the GPC guards the PAS). Failure conditions in the
 * order of the spec: rd_align, rd_bound, rd_state, level_bound,
 * attr_valid (which, without LPA2, holds addr_bound: OA bits above 47 are
 * RES0), addr_align, ipa_align, ipa_bound, rtt_walk, rtte_state. */
unsigned long
hm_rmi_rtt_map_unprotected(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], ipa = args[1], level = args[2];
	unsigned long desc = args[3], ret = RMI_SUCCESS;
	struct granule *g_rd;
	struct hm_walk w;
	struct rd *rd = lock_rd(rd_addr, &g_rd);

	(void)res;
	/* rd_align, rd_bound, rd_state */
	if (rd == NULL) {
		return INPUT;
	}
	/* level_bound, attr_valid, addr_align, ipa_align, ipa_bound */
	if (!map_level(rd, level) || !ns_desc_valid(desc) ||
	    !aligned(desc & NS_DESC_OA, (int)level) ||
	    !aligned(ipa, (int)level) || !unprotected_ipa(rd, ipa)) {
		ret = INPUT;
	} else {
		hm_walk(rd, ipa, (int)level, &w);
		if (w.level != (int)level) {
			ret = RTT(w.level);		/* rtt_walk */
		} else if (hm_d_state(*w.d) != PORT_RTTE_UNASSIGNED_NS) {
			ret = RTT(level);		/* rtte_state */
		} else {
			hm_d_write(rd, &w, hm_desc(PORT_RTTE_ASSIGNED_NS, 0U,
						   desc & NS_DESC_OA, 0U));
		}
	}
	port_granule_unlock(g_rd);
	return ret;
}

/* RMI_RTT_UNMAP_UNPROTECTED (B4.3.22): rd, ipa, level -> X1 top. */
unsigned long
hm_rmi_rtt_unmap_unprotected(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], ipa = args[1], level = args[2];
	unsigned long ret = RMI_SUCCESS;
	struct granule *g_rd;
	struct hm_walk w;
	struct rd *rd = lock_rd(rd_addr, &g_rd);

	/* rd_align, rd_bound, rd_state */
	if (rd == NULL) {
		return INPUT;
	}
	/* level_bound, ipa_align, ipa_bound */
	if (!map_level(rd, level) || !aligned(ipa, (int)level) ||
	    !unprotected_ipa(rd, ipa)) {
		port_granule_unlock(g_rd);
		return INPUT;
	}
	hm_walk(rd, ipa, (int)level, &w);
	/* rtt_walk, rtte_state */
	if ((w.level != (int)level) ||
	    (hm_d_state(*w.d) != PORT_RTTE_ASSIGNED_NS)) {
		ret = RTT(w.level);
	} else {
		hm_d_write(rd, &w, hm_desc(PORT_RTTE_UNASSIGNED_NS, 0U, 0UL,
					   0U));
		hm_tlbi(rd, ipa);
	}
	res[0] = hm_skip_non_live(&w, ipa);
	port_granule_unlock(g_rd);
	return ret;
}
