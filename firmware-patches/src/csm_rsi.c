/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RSI_CSM_* dispatch: the command table, the two-phase locking every call
 * goes through, and the completion of a call that exited to the host.
 *
 * Phase 1 (own RD locked): the command names the peer realms it will need.
 * Phase 2 (own RD and peers locked in PA order): the command checks its
 * failure conditions in ABI.md order and acts. Phase 1 results are never
 * trusted in phase 2; if phase 2 needs a live peer phase 1 did not name
 * (the APT changed in between), the call runs again.
 */
#include <string.h>

#include "csm_priv.h"

static const struct csm_rsi_cmd rsi_cmds[] = {
	{ RSI_CSM_CREATE, "RSI_CSM_CREATE", NULL, csm_create_run },
	{ RSI_CSM_SHARE, "RSI_CSM_SHARE", csm_share_peers, csm_share_run },
	{ RSI_CSM_RESERVE, "RSI_CSM_RESERVE", csm_sid_peers, csm_reserve_run },
	{ RSI_CSM_ATTACH, "RSI_CSM_ATTACH", csm_sid_peers, csm_attach_run },
	{ RSI_CSM_DETACH_AND_FREE, "RSI_CSM_DETACH_AND_FREE", csm_sid_peers,
	  csm_detach_run },
	{ RSI_CSM_REVOKE, "RSI_CSM_REVOKE", csm_revoke_peers, csm_revoke_run },
	{ RSI_CSM_DESTROY, "RSI_CSM_DESTROY", csm_destroy_peers,
	  csm_destroy_run },
};

#define NR_RSI_CMDS	(sizeof(rsi_cmds) / sizeof(rsi_cmds[0]))

static const struct csm_rsi_cmd *
find_cmd(unsigned long fid)
{
	unsigned int i;

	for (i = 0U; i < NR_RSI_CMDS; i++) {
		if (rsi_cmds[i].fid == fid) {
			return &rsi_cmds[i];
		}
	}
	return NULL;
}

bool
csm_rsi_fid(unsigned long fid)
{
	return find_cmd(fid) != NULL;
}

void
csm_ret(struct csm_call *c, unsigned long status, unsigned long x1,
	unsigned long x2)
{
	c->x[0] = status;
	c->x[1] = x1;
	c->x[2] = x2;
	c->x[3] = 0UL;
}

void
csm_fail(struct csm_call *c, unsigned long status, unsigned long detail)
{
	csm_ret(c, status, detail, 0UL);
}

void
csm_take_exit(struct csm_call *c, unsigned long reason, unsigned long base,
	      unsigned long size, bool notify)
{
	c->exit = true;
	c->notify = notify;
	c->exit_reason = reason;
	c->exit_base = base;
	c->exit_top = base + size;
	csm_ret(c, RSI_SUCCESS, 0UL, 0UL);
}

static void
open_own(struct csm_call *c, struct granule *g_rd)
{
	c->rd = port_rd_map(g_rd, PORT_SLOT_RD);
	c->id = port_rd_csm(c->rd)->realm_id;
	c->apt = csm_apt_map(c->rd, PORT_SLOT_APT, &c->g_apt);
}

static void
close_own(struct csm_call *c)
{
	csm_apt_unmap(c->apt, PORT_SLOT_APT);
	port_rd_unmap(c->rd, PORT_SLOT_RD);
	c->apt = NULL;
	c->rd = NULL;
}

/* The call struct holds the lock set: off the (small) stack, one per CPU
 * (another CPU's command may run between this one's two phases). */
static struct csm_call call_buf[CSM_MAX_CPUS];

static struct csm_call *
run_cmd(struct rec *rec, const struct csm_rsi_cmd *cmd,
	const unsigned long args[4], bool completing)
{
	struct granule *g_rd = port_rec_rd(rec);
	struct csm_call *c = &call_buf[port_cpu_id()];
	unsigned int tries;

	for (tries = 0U; tries < CSM_LOCK_RETRIES; tries++) {
		(void)memset(c, 0, sizeof(*c));
		c->args = args;
		c->completing = completing;
		csm_locks_init(&c->locks);

		/* Phase 1: the REC holds a reference on its RD. */
		port_granule_lock(g_rd, PORT_GS_RD);
		open_own(c, g_rd);
		if (cmd->peers != NULL) {
			cmd->peers(c);
		}
		close_own(c);
		port_granule_unlock(g_rd);

		/* Phase 2. */
		(void)csm_locks_add(&c->locks, port_granule_addr(g_rd),
				    PORT_GS_RD, 1U);
		if (csm_locks_lock(&c->locks) != 0U) {
			break;	/* cannot happen: the REC pins its RD */
		}
		open_own(c, g_rd);
		cmd->run(c);
		close_own(c);
		csm_locks_unlock(&c->locks);
		if (!c->retry) {
			return c;
		}
	}
	/* Peers kept changing under us: the realm may call again. */
	(void)memset(c, 0, sizeof(*c));
	csm_ret(c, RSI_INCOMPLETE, CSM_IPA_NONE, 0UL);
	return c;
}

static void
to_result(const struct csm_call *c, struct csm_rsi_result *res)
{
	res->action = CSM_RSI_RETURN;
	(void)memcpy(res->x, c->x, sizeof(res->x));
}

void
csm_handle_rsi(struct rec *rec, unsigned long fid, const unsigned long args[4],
	       struct rmi_rec_exit *exit, struct csm_rsi_result *res)
{
	const struct csm_rsi_cmd *cmd = find_cmd(fid);
	struct csm_call *c;

	(void)memset(res, 0, sizeof(*res));
	if (cmd == NULL) {
		res->action = CSM_RSI_RETURN;
		res->x[0] = SMCCC_NOT_SUPPORTED;
		return;
	}
	c = run_cmd(rec, cmd, args, false);
	port_trace("%s %lx %lx %lx %lx > %lx %lx%s", cmd->name, args[0],
		   args[1], args[2], args[3], c->x[0], c->x[1],
		   c->exit ? " (exit)" : "");
	if (c->exit) {
		struct csm_rec *pending = port_rec_csm(rec);

		pending->fid = fid;
		(void)memcpy(pending->args, args, sizeof(pending->args));
		pending->notify = c->notify;
		port_rec_exit_csm(exit, c->exit_reason, c->exit_base,
				  c->exit_top);
		res->action = CSM_RSI_EXIT;
		return;
	}
	to_result(c, res);
}

bool
csm_rec_enter(struct rec *rec, struct csm_rsi_result *res)
{
	struct csm_rec *pending = port_rec_csm(rec);
	const struct csm_rsi_cmd *cmd = find_cmd(pending->fid);
	unsigned long args[4];
	struct csm_call *c;

	if (cmd == NULL) {
		pending->fid = 0UL;
		return false;
	}
	(void)memcpy(args, pending->args, sizeof(args));
	(void)memset(res, 0, sizeof(*res));
	if (pending->notify) {
		res->action = CSM_RSI_RETURN;
		res->x[0] = RSI_SUCCESS;
	} else {
		c = run_cmd(rec, cmd, args, true);
		to_result(c, res);
		port_trace("%s (completion) > %lx %lx", cmd->name, c->x[0],
			   c->x[1]);
	}
	(void)memset(pending, 0, sizeof(*pending));
	return true;
}
