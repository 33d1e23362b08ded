/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor of the paper, part 2: it runs RECs and answers their
 * exits. A CSM POPULATE exit is answered by backing the range; a CSM
 * RECLAIM exit by taking back what backs it; a RIPAS change by
 * RMI_RTT_SET_RIPAS until the range is done or the RMM refuses, creating
 * RTTs where the RMM reports the walk stopped above the entry's level,
 * then accepting; a stage-2 data abort by faulting the page in.
 */
#include <string.h>

#include "hm_priv.h"

#define RSI_MAX_ENTRIES		16U

/* RMI_EXIT_CSM_RECLAIM: nothing may back the range, and every granule
 * of it needs a level-3 entry (ABI.md). */
static void
reclaim(struct hm_realm *r, unsigned long base, unsigned long top)
{
	unsigned long ipa;

	for (ipa = base; ipa < top; ipa += HM_GRANULE) {
		if (hm_host_is_backed(r, ipa)) {
			(void)hm_realm_unback(r, ipa);
		}
		(void)hm_realm_map_tables(r, ipa, PORT_RTT_PAGE_LEVEL);
	}
}

/* Apply the realm's RIPAS change request to [base, top). */
static void
set_ripas(struct hm_realm *r, unsigned long base, unsigned long top)
{
	unsigned long ret, res[4];
	unsigned int n;

	for (n = 0U; (base < top) && (n < 4096U); n++) {
		ret = hm_rmi(r->hm, RMI_RTT_SET_RIPAS, r->rd, r->rec, base, top,
			     res);
		if (ret == RMI_SUCCESS) {
			base = res[0];
			continue;
		}
		/* base is inside a block: split it, then try again */
		if ((RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT) ||
		    (RMI_RETURN_INDEX(ret) >= (unsigned long)PORT_RTT_PAGE_LEVEL) ||
		    (hm_realm_map_tables(r, base,
					 (int)RMI_RETURN_INDEX(ret) + 1) != 0)) {
			break;
		}
	}
}

void
hm_host_answer(struct hm_realm *r, const struct hm_exit *exit)
{
	switch (exit->reason) {
	case RMI_EXIT_CSM_POPULATE:
		(void)hm_realm_populate(r, exit->base, exit->top - exit->base);
		break;
	case RMI_EXIT_CSM_RECLAIM:
		reclaim(r, exit->base, exit->top);
		break;
	case RMI_EXIT_CSM_REMOVE:
		/* Only bookkeeping: the range holds nothing the host backed. */
		break;
	case RMI_EXIT_RIPAS_CHANGE:
		set_ripas(r, exit->base, exit->top);
		break;
	case RMI_EXIT_SYNC:
		(void)hm_realm_populate(r, exit->hpfar, HM_GRANULE);
		break;
	default:
		break;
	}
}

void
hm_set_enter_flags(struct hm_realm *r, unsigned long flags)
{
	r->enter_flags = flags;
}

void
hm_realm_smc(struct hm_realm *r, unsigned long fid, unsigned long x1,
	     unsigned long x2, unsigned long x3, unsigned long x4)
{
	struct granule *g = hm_granule(r->rec);
	struct rec *rec;

	if ((g == NULL) || (g->state != PORT_GS_REC)) {
		return;
	}
	rec = g->obj;
	rec->smc[0] = fid;
	rec->smc[1] = x1;
	rec->smc[2] = x2;
	rec->smc[3] = x3;
	rec->smc[4] = x4;
	rec->smc_queued = true;
	rec->done = false;
}

bool
hm_realm_result(struct hm_realm *r, unsigned long x[4])
{
	struct granule *g = hm_granule(r->rec);
	struct rec *rec;

	if ((g == NULL) || (g->state != PORT_GS_REC)) {
		return false;
	}
	rec = g->obj;
	if (rec->done && !rec->smc_queued && (rec->csm.fid == 0UL) &&
	    (rec->set_ripas.base == rec->set_ripas.top)) {
		(void)memcpy(x, rec->gprs, sizeof(rec->gprs));
		return true;
	}
	return false;
}

unsigned long
hm_rec_enter(struct hm_realm *r, struct hm_exit *exit)
{
	unsigned long ret;

	/* The host writes rec_enter.flags into its own (NS) run page. */
	(void)hm_ns_write(r->hm, r->run + HM_RUN_ENTER_FLAGS, &r->enter_flags,
			  8U);
	ret = hm_rmi(r->hm, RMI_REC_ENTER, r->rec, r->run, 0UL, 0UL, NULL);
	r->enter_flags = 0UL;
	(void)memset(exit, 0, sizeof(*exit));
	if (ret == RMI_SUCCESS) {
		/* The host reads the exit from its own (NS) run page. */
		(void)hm_ns_read(r->hm, r->run + HM_RUN_EXIT_REASON,
				 &exit->reason, 8U);
		(void)hm_ns_read(r->hm, r->run + HM_RUN_EXIT_HPFAR,
				 &exit->hpfar, 8U);
		(void)hm_ns_read(r->hm, r->run + HM_RUN_EXIT_RIPAS_BASE,
				 &exit->base, 8U);
		(void)hm_ns_read(r->hm, r->run + HM_RUN_EXIT_RIPAS_TOP,
				 &exit->top, 8U);
		(void)hm_ns_read(r->hm, r->run + HM_RUN_EXIT_RIPAS_VALUE,
				 &exit->ripas, 8U);
	}
	return ret;
}

unsigned long
hm_rsi(struct hm_realm *r, unsigned long fid, unsigned long x1,
       unsigned long x2, unsigned long x3, unsigned long x4,
       unsigned long out[3])
{
	unsigned long x[4] = { SMCCC_NOT_SUPPORTED, 0UL, 0UL, 0UL };
	struct hm_exit exit;
	unsigned int n;

	hm_realm_smc(r, fid, x1, x2, x3, x4);
	for (n = 0U; n < RSI_MAX_ENTRIES; n++) {
		if (hm_rec_enter(r, &exit) != RMI_SUCCESS) {
			break;
		}
		if (hm_realm_result(r, x)) {
			break;
		}
		hm_host_answer(r, &exit);
	}
	if (out != NULL) {
		(void)memcpy(out, &x[1], 3U * sizeof(x[0]));
	}
	return x[0];
}
