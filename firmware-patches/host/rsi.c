/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RMM 1.0 RSI commands the model implements (DEN0137 1.0-rel0, B5.3):
 * RSI_VERSION, RSI_FEATURES, RSI_IPA_STATE_GET and RSI_IPA_STATE_SET with
 * its REC exit (RMI_EXIT_RIPAS_CHANGE) and its completion on the next
 * REC_ENTER (A5.4 "RIPAS change"; TF-RMM's complete_set_ripas()).
 */
#include <string.h>

#include "hm_priv.h"

bool
hm_rsi_fid(unsigned long fid)
{
	return (fid == RSI_VERSION) || (fid == RSI_FEATURES) ||
	       (fid == RSI_IPA_STATE_SET) || (fid == RSI_IPA_STATE_GET);
}

static void
ret4(struct csm_rsi_result *res, unsigned long x0, unsigned long x1,
     unsigned long x2)
{
	res->action = CSM_RSI_RETURN;
	res->x[0] = x0;
	res->x[1] = x1;
	res->x[2] = x2;
	res->x[3] = 0UL;
}

/* [base, top) is granule aligned, non-empty and protected. */
static bool
range_ok(const struct rd *rd, unsigned long base, unsigned long top)
{
	return ((base & (HM_GRANULE - 1UL)) == 0UL) &&
	       ((top & (HM_GRANULE - 1UL)) == 0UL) && (top > base) &&
	       (top <= (1UL << (rd->ipa_width - 1U)));
}

/* RSI_IPA_STATE_GET (B5.3.5): base, top -> X1 out_top, X2 ripas. */
static void
ipa_state_get(struct rec *rec, const unsigned long *a,
	      struct csm_rsi_result *res)
{
	unsigned long base = a[0], top = a[1], addr, size;
	struct granule *g_rd = rec->g_rd;
	unsigned int ripas = 0U;
	struct hm_walk w;
	struct rd *rd;

	port_granule_lock(g_rd, PORT_GS_RD);
	rd = g_rd->obj;
	/* base_align, end_align, size_valid, rgn_bound */
	if (!range_ok(rd, base, top)) {
		port_granule_unlock(g_rd);
		ret4(res, RSI_ERROR_INPUT, 0UL, 0UL);
		return;
	}
	hm_walk(rd, base, PORT_RTT_PAGE_LEVEL, &w);
	size = 1UL << hm_level_shift(w.level);
	addr = base & ~(size - 1UL);
	for (; (w.index < hm_g->fanout) && (addr < top);
	     w.index++, w.d++, addr += size) {
		unsigned int r = hm_d_ripas(*w.d);

		if ((hm_d_state(*w.d) != PORT_RTTE_UNASSIGNED) &&
		    (hm_d_state(*w.d) != PORT_RTTE_ASSIGNED)) {
			break;
		}
		if ((addr > base) && (r != ripas)) {
			break;
		}
		ripas = r;
	}
	port_granule_unlock(g_rd);
	ret4(res, RSI_SUCCESS, (addr < top) ? addr : top, ripas);
}

/* RSI_IPA_STATE_SET (B5.3.6): base, top, ripas, flags -> exit to the host;
 * X1 new_base and X2 response are set when the REC is entered again. */
static void
ipa_state_set(struct rec *rec, const unsigned long *a,
	      struct rmi_rec_exit *exit, struct csm_rsi_result *res)
{
	unsigned long base = a[0], top = a[1], ripas = a[2], flags = a[3];
	struct hm_set_ripas *sr = &rec->set_ripas;
	struct rd *rd = rec->g_rd->obj;

	/* base_align, top_align, size_valid, rgn_bound, ripas_valid */
	if (!range_ok(rd, base, top) ||
	    ((ripas != RIPAS_EMPTY) && (ripas != RIPAS_RAM))) {
		ret4(res, RSI_ERROR_INPUT, 0UL, 0UL);
		return;
	}
	sr->base = base;
	sr->top = top;
	sr->addr = base;
	sr->ripas = (unsigned int)ripas;
	sr->change_destroyed = (flags & RSI_CHANGE_DESTROYED) != 0UL;
	sr->reject = false;
	exit->exit_reason = RMI_EXIT_RIPAS_CHANGE;
	exit->ripas_base = base;
	exit->ripas_top = top;
	exit->ripas_value = ripas;
	res->action = CSM_RSI_EXIT;
}

void
hm_handle_rsi(struct rec *rec, unsigned long fid, const unsigned long args[4],
	      struct rmi_rec_exit *exit, struct csm_rsi_result *res)
{
	(void)memset(res, 0, sizeof(*res));
	switch (fid) {
	case RSI_VERSION:
		ret4(res, RSI_SUCCESS, 0x10000UL, 0x10000UL);
		break;
	case RSI_FEATURES:
		/* Feature register 0 is all RES0 in 1.0. */
		ret4(res, RSI_SUCCESS, 0UL, 0UL);
		break;
	case RSI_IPA_STATE_GET:
		ipa_state_get(rec, args, res);
		break;
	case RSI_IPA_STATE_SET:
		ipa_state_set(rec, args, exit, res);
		break;
	default:
		ret4(res, SMCCC_NOT_SUPPORTED, 0UL, 0UL);
		break;
	}
}

/* On REC_ENTER: complete a pending RSI_IPA_STATE_SET (B5.3.6 outputs). */
bool
hm_complete_set_ripas(struct rec *rec, struct csm_rsi_result *res)
{
	struct hm_set_ripas *sr = &rec->set_ripas;
	bool reject;

	if (sr->base == sr->top) {
		return false;
	}
	/* Only a change to RAM can be refused, and only if incomplete. */
	reject = (sr->ripas == PORT_RIPAS_RAM) && (sr->addr != sr->top) &&
		 sr->reject;
	ret4(res, RSI_SUCCESS, sr->addr, reject ? RSI_REJECT : RSI_ACCEPT);
	sr->base = 0UL;
	sr->top = 0UL;
	return true;
}
