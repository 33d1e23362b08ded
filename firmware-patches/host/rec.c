/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RECs: RMI_REC_ENTER (DEN0137 1.0-rel0 B4.3.14) and the realm side of
 * the model. A model realm has no code; its "next instruction" is an SMC
 * queued by hm_realm_smc(). On entry the RMM first completes a pending
 * RSI_IPA_STATE_SET (with the host's response from rec_enter.flags) or a
 * pending CSM call (csm_rec_enter), then the realm executes its queued SMC
 * (an RSI), then it yields to the host (an IRQ exit) unless the RSI itself
 * exited. The exit is written to the run page, NS memory the host reads.
 */
#include <stdio.h>
#include <string.h>

#include "hm_priv.h"

struct granule *
port_rec_rd(struct rec *rec)
{
	return rec->g_rd;
}

struct csm_rec *
port_rec_csm(struct rec *rec)
{
	return &rec->csm;
}

void
port_rec_exit_csm(struct rmi_rec_exit *exit, unsigned long reason,
		  unsigned long base, unsigned long top)
{
	exit->exit_reason = reason;
	exit->ripas_base = base;
	exit->ripas_top = top;
}

static void
to_realm(struct rec *rec, const struct csm_rsi_result *res)
{
	(void)memcpy(rec->gprs, res->x, sizeof(rec->gprs));
	rec->done = true;
}

static void
write_exit(struct granule *g_run, const struct rmi_rec_exit *exit)
{
	uint8_t *run = hm_granule_mem(g_run);

	/* rec_exit is cleared on every exit: no stale values for the host. */
	(void)memset(run + HM_RUN_EXIT, 0, HM_GRANULE - HM_RUN_EXIT);
	(void)memcpy(run + HM_RUN_EXIT_REASON, &exit->exit_reason, 8U);
	(void)memcpy(run + HM_RUN_EXIT_HPFAR, &exit->hpfar, 8U);
	(void)memcpy(run + HM_RUN_EXIT_RIPAS_BASE, &exit->ripas_base, 8U);
	(void)memcpy(run + HM_RUN_EXIT_RIPAS_TOP, &exit->ripas_top, 8U);
	(void)memcpy(run + HM_RUN_EXIT_RIPAS_VALUE, &exit->ripas_value, 8U);
}

static void
run_realm(struct rec *rec, struct rmi_rec_exit *exit)
{
	struct csm_rsi_result res;
	unsigned long args[4];

	exit->exit_reason = RMI_EXIT_IRQ;
	if (hm_complete_set_ripas(rec, &res)) {
		to_realm(rec, &res);
		return;
	}
	if (csm_rec_enter(rec, &res)) {
		to_realm(rec, &res);
		hm_command_end("REC entry completion");
		return;	/* the realm runs, sees the result, yields */
	}
	if (!rec->smc_queued) {
		return;
	}
	rec->smc_queued = false;
	rec->done = false;
	(void)memcpy(args, &rec->smc[1], sizeof(args));
	if (hm_rsi_fid(rec->smc[0])) {
		hm_handle_rsi(rec, rec->smc[0], args, exit, &res);
	} else if (csm_rsi_fid(rec->smc[0])) {
		csm_handle_rsi(rec, rec->smc[0], args, exit, &res);
	} else {
		(void)memset(rec->gprs, 0, sizeof(rec->gprs));
		rec->gprs[0] = SMCCC_NOT_SUPPORTED;
		rec->done = true;
		return;
	}
	hm_command_end("RSI");
	if (res.action == CSM_RSI_RETURN) {
		to_realm(rec, &res);
	}
}

unsigned long
hm_rmi_rec_enter(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rec, *g_run = hm_granule(args[1]);
	struct rmi_rec_exit exit;
	unsigned long flags;
	struct rec *rec;
	struct rd *rd;

	(void)res;
	/* run_align, run_bound, run_pas: the run page is NS memory */
	if ((g_run == NULL) || (g_run->realm_pas != 0U)) {
		return RMI_RETURN(RMI_ERROR_INPUT, 0U);
	}
	/* rec_align, rec_bound, rec_gran_state */
	g_rec = port_find_lock_granule(args[0], PORT_GS_REC);
	if (g_rec == NULL) {
		return RMI_RETURN(RMI_ERROR_INPUT, 0U);
	}
	rec = g_rec->obj;
	rd = rec->g_rd->obj;
	/* realm_new, system_off */
	if (rd->state != PORT_REALM_ACTIVE) {
		port_granule_unlock(g_rec);
		return RMI_RETURN(RMI_ERROR_REALM, 0U);
	}
	/* rec_state */
	if (rec->running) {
		port_granule_unlock(g_rec);
		return RMI_RETURN(RMI_ERROR_REC, 0U);
	}
	/* rec_enter is NS memory: read it once. */
	(void)memcpy(&flags, hm_granule_mem(g_run) + HM_RUN_ENTER_FLAGS, 8U);
	rec->set_ripas.reject = (flags & REC_ENTRY_FLAG_RIPAS_RESPONSE) != 0UL;
	/* Claimed, not locked, while the realm runs (as TF-RMM does). */
	rec->running = true;
	port_granule_unlock(g_rec);

	(void)memset(&exit, 0, sizeof(exit));
	run_realm(rec, &exit);
	write_exit(g_run, &exit);
	rec->running = false;
	return RMI_SUCCESS;
}
