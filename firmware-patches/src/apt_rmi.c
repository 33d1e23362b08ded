/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RMI_APT_CREATE and RMI_APT_DESTROY. Index of RMI_ERROR_INPUT: the
 * argument (1 rd, 2 apt); of RMI_ERROR_REALM: the condition (ABI.md).
 */
#include <string.h>

#include "csm_priv.h"

static unsigned long
check_args(unsigned long rd, unsigned long apt)
{
	/* rd_align, rd_bound */
	if (!port_granule_addr_valid(rd)) {
		return RMI_RETURN(RMI_ERROR_INPUT, 1U);
	}
	/* apt_align, apt_bound */
	if (!port_granule_addr_valid(apt)) {
		return RMI_RETURN(RMI_ERROR_INPUT, 2U);
	}
	/* alias */
	if (rd == apt) {
		return RMI_RETURN(RMI_ERROR_INPUT, 2U);
	}
	return RMI_SUCCESS;
}

unsigned long
csm_rmi_apt_create(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], apt_addr = args[1];
	struct granule *g_rd, *g_apt;
	unsigned long ret;
	struct csm_rd *csm;
	struct apt *apt;
	struct rd *rd;
	int which;

	(void)res;
	ret = check_args(rd_addr, apt_addr);
	if (ret != RMI_SUCCESS) {
		return ret;
	}
	/* rd_state, apt_state */
	which = port_find_lock_two_granules(rd_addr, PORT_GS_RD, &g_rd,
					    apt_addr, PORT_GS_DELEGATED,
					    &g_apt);
	if (which != 0) {
		return RMI_RETURN(RMI_ERROR_INPUT, (unsigned int)which);
	}
	rd = port_rd_map(g_rd, PORT_SLOT_RD);
	csm = port_rd_csm(rd);
	if (port_rd_state(rd) != PORT_REALM_NEW) {
		/* realm_state: realm setup only */
		ret = RMI_RETURN(RMI_ERROR_REALM, 0U);
	} else if (csm->apt != 0UL) {
		/* apt_exists */
		ret = RMI_RETURN(RMI_ERROR_REALM, 1U);
	} else {
		apt = port_granule_map(g_apt, PORT_SLOT_APT);
		apt_init(apt, csm->realm_id);
		port_granule_unmap(apt, PORT_SLOT_APT);
		csm->apt = apt_addr;
		ret = RMI_SUCCESS;
	}
	port_rd_unmap(rd, PORT_SLOT_RD);
	if (ret == RMI_SUCCESS) {
		port_granule_unlock_transition(g_apt, PORT_GS_APT);
	} else {
		port_granule_unlock(g_apt);
	}
	port_granule_unlock(g_rd);
	return ret;
}

/* Conditions checked with rd and apt locked; RMI_SUCCESS if none holds. */
static unsigned long
destroy_state(struct rd *rd, unsigned long apt_addr)
{
	/* apt_owner */
	if (port_rd_csm(rd)->apt != apt_addr) {
		return RMI_RETURN(RMI_ERROR_INPUT, 2U);
	}
	/* realm_recs: teardown only */
	if (port_rd_rec_count(rd) != 0UL) {
		return RMI_RETURN(RMI_ERROR_REALM, 0U);
	}
	return RMI_SUCCESS;
}

static void
gather_peers(struct csm_lock_set *s, struct apt *apt)
{
	unsigned int i;

	for (i = 0U; i < APT_CAPACITY; i++) {
		if ((apt->e[i].type == APT_GRANT) ||
		    (apt->e[i].type == APT_CONSUMED)) {
			(void)csm_locks_add_realm(s, apt->e[i].peer);
		}
	}
}

static bool
peers_ready(struct csm_lock_set *s, struct apt *apt)
{
	unsigned int i;

	for (i = 0U; i < APT_CAPACITY; i++) {
		if (((apt->e[i].type == APT_GRANT) ||
		     (apt->e[i].type == APT_CONSUMED)) &&
		    !csm_peer_ready(s, apt->e[i].peer)) {
			return false;
		}
	}
	return true;
}

/* Revoke every grant, detach every consumed range, free every region. */
static void
cascade(struct csm_lock_set *s, struct rd *rd, uint64_t id, struct apt *apt)
{
	unsigned int i;

	for (i = 0U; i < APT_CAPACITY; i++) {
		struct apt_entry *e = &apt->e[i];
		struct csm_peer peer;
		int ret;

		if ((e->type != APT_GRANT) && (e->type != APT_CONSUMED)) {
			continue;
		}
		ret = csm_peer_open(s, e->peer, &peer);
		if (e->type == APT_GRANT) {
			csm_revoke_grant(id, apt, e, (ret == 0) ? &peer : NULL);
		} else {
			csm_detach(rd, id, apt, e, (ret == 0) ? &peer : NULL);
		}
		csm_peer_close(&peer);
	}
	for (i = 0U; i < APT_CAPACITY; i++) {
		if (apt->e[i].type == APT_REGION) {
			apt_free(apt, &apt->e[i]);
		}
	}
	apt_touch(apt);
}

/* Lock sets of APT_DESTROY, off the stack, one per CPU. */
static struct csm_lock_set destroy_locks[CSM_MAX_CPUS];

unsigned long
csm_rmi_apt_destroy(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], apt_addr = args[1];
	struct csm_lock_set *s = &destroy_locks[port_cpu_id()];
	struct granule *g_rd, *g_apt;
	unsigned long ret;
	unsigned int tries, tag;
	struct apt *apt;
	struct rd *rd;
	int which;

	(void)res;
	ret = check_args(rd_addr, apt_addr);
	if (ret != RMI_SUCCESS) {
		return ret;
	}
	for (tries = 0U; tries < CSM_LOCK_RETRIES; tries++) {
		/* Phase 1: rd_state, apt_state; gather the peers. */
		which = port_find_lock_two_granules(rd_addr, PORT_GS_RD, &g_rd,
						    apt_addr, PORT_GS_APT,
						    &g_apt);
		if (which != 0) {
			return RMI_RETURN(RMI_ERROR_INPUT,
					  (unsigned int)which);
		}
		csm_locks_init(s);
		rd = port_rd_map(g_rd, PORT_SLOT_RD);
		ret = destroy_state(rd, apt_addr);
		if (ret == RMI_SUCCESS) {
			apt = port_granule_map(g_apt, PORT_SLOT_APT);
			gather_peers(s, apt);
			port_granule_unmap(apt, PORT_SLOT_APT);
		}
		port_rd_unmap(rd, PORT_SLOT_RD);
		port_granule_unlock(g_apt);
		port_granule_unlock(g_rd);
		if (ret != RMI_SUCCESS) {
			return ret;
		}

		/* Phase 2: everything in PA order, checks again. */
		(void)csm_locks_add(s, rd_addr, PORT_GS_RD, 1U);
		(void)csm_locks_add(s, apt_addr, PORT_GS_APT, 2U);
		tag = csm_locks_lock(s);
		if (tag != 0U) {
			return RMI_RETURN(RMI_ERROR_INPUT, tag);
		}
		g_rd = csm_locks_get(s, rd_addr);
		g_apt = csm_locks_get(s, apt_addr);
		rd = port_rd_map(g_rd, PORT_SLOT_RD);
		ret = destroy_state(rd, apt_addr);
		apt = port_granule_map(g_apt, PORT_SLOT_APT);
		if ((ret == RMI_SUCCESS) && peers_ready(s, apt)) {
			cascade(s, rd, port_rd_csm(rd)->realm_id, apt);
			port_granule_unmap(apt, PORT_SLOT_APT);
			port_rd_csm(rd)->apt = 0UL;
			port_rd_unmap(rd, PORT_SLOT_RD);
			/* An unlocked DELEGATED granule holds only zeros. */
			port_granule_scrub(g_apt);
			port_granule_unlock_transition(g_apt,
						       PORT_GS_DELEGATED);
			csm_locks_forget(s, g_apt);
			csm_locks_unlock(s);
			return RMI_SUCCESS;
		}
		port_granule_unmap(apt, PORT_SLOT_APT);
		port_rd_unmap(rd, PORT_SLOT_RD);
		csm_locks_unlock(s);
		if (ret != RMI_SUCCESS) {
			return ret;
		}
	}
	/* Peers kept changing: the host may call again. */
	return RMI_RETURN(RMI_ERROR_REALM, 2U);
}
