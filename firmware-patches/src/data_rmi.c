/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The changed RMI_DATA_CREATE_UNKNOWN and RMI_DATA_DESTROY. Outside CSM
 * ranges they do what RMM 1.0 says. Inside a region the realm provides they
 * also map (unmap) the granule in every attached consumer. Inside a range
 * the realm consumes they refuse: the host never backs or takes a granule
 * there. Index of RMI_ERROR_INPUT is 0 (as in 1.0); of RMI_ERROR_RTT the
 * level (3).
 */
#include <assert.h>

#include "csm_priv.h"

#define RTT_LEVEL	3U

/* Internal: an attached consumer was not gathered; run again. */
#define RET_RETRY	(~0UL)

/* Lock sets of these two commands, off the stack, one per CPU. */
static struct csm_lock_set data_locks[CSM_MAX_CPUS];

/* Phase 1: rd_state and ipa_bound with the RD locked; gather consumers. */
static unsigned long
gather(struct csm_lock_set *s, unsigned long rd_addr, unsigned long ipa)
{
	struct granule *g_rd = port_find_lock_granule(rd_addr, PORT_GS_RD);
	unsigned long ret = RMI_SUCCESS;
	struct granule *g_apt;
	struct apt_entry *region, *e = NULL;
	struct apt *apt;
	struct rd *rd;

	csm_locks_init(s);
	/* rd_state */
	if (g_rd == NULL) {
		return RMI_RETURN(RMI_ERROR_INPUT, 0U);
	}
	rd = port_rd_map(g_rd, PORT_SLOT_RD);
	/* ipa_bound */
	if (ipa >= (1UL << (port_rd_ipa_width(rd) - 1U))) {
		ret = RMI_RETURN(RMI_ERROR_INPUT, 0U);
		goto out;
	}
	apt = csm_apt_map(rd, PORT_SLOT_APT, &g_apt);
	region = (apt != NULL) ? apt_region_at(apt, ipa) : NULL;
	while ((region != NULL) &&
	       ((e = apt_next(apt, e, APT_GRANT)) != NULL)) {
		if ((CSM_SID_CSM_ID(e->id) == region->id) &&
		    (e->state == CSM_STATE_ATTACHED)) {
			(void)csm_locks_add_realm(s, e->peer);
		}
	}
	csm_apt_unmap(apt, PORT_SLOT_APT);
out:
	port_rd_unmap(rd, PORT_SLOT_RD);
	port_granule_unlock(g_rd);
	return ret;
}

/*
 * Phase 2 checks common to both commands, everything locked: csm_consumer
 * and rtt_state. Returns RMI_SUCCESS or the error; *@region is the region
 * @ipa lies in (NULL if none) and *@e its RTT entry.
 */
static unsigned long
check_ipa(struct rd *rd, struct apt *apt, unsigned long ipa,
	  unsigned int want, struct apt_entry **region, struct port_rtte *e)
{
	*region = NULL;
	/* csm_consumer */
	if ((apt != NULL) && (apt_consumed_at(apt, ipa) != NULL)) {
		return RMI_RETURN(RMI_ERROR_RTT, RTT_LEVEL);
	}
	/* rtt_walk, rtt_state */
	if ((port_rtt_read(rd, ipa, e) != 0) ||
	    (e->level != PORT_RTT_PAGE_LEVEL) || (e->state != want)) {
		return RMI_RETURN(RMI_ERROR_RTT, RTT_LEVEL);
	}
	*region = (apt != NULL) ? apt_region_at(apt, ipa) : NULL;
	return RMI_SUCCESS;
}

/* True unless an attached consumer of @region is alive but not locked. */
static bool
consumers_ready(struct csm_lock_set *s, struct apt *apt,
		const struct apt_entry *region)
{
	struct apt_entry *e = NULL;

	while ((e = apt_next(apt, e, APT_GRANT)) != NULL) {
		if ((CSM_SID_CSM_ID(e->id) == region->id) &&
		    (e->state == CSM_STATE_ATTACHED) &&
		    !csm_peer_ready(s, e->peer)) {
			return false;
		}
	}
	return true;
}

/* Apply @map (true) or unmap to every attached consumer of @region. */
static void
for_consumers(struct csm_lock_set *s, uint64_t prov_id, struct apt *apt,
	      const struct apt_entry *region, unsigned long ipa,
	      unsigned long pa, bool map)
{
	struct apt_entry *e = NULL;

	while ((e = apt_next(apt, e, APT_GRANT)) != NULL) {
		struct apt_entry *c;
		struct csm_peer peer;

		if ((CSM_SID_CSM_ID(e->id) != region->id) ||
		    (e->state != CSM_STATE_ATTACHED) ||
		    (csm_peer_open(s, e->peer, &peer) != 0)) {
			continue;
		}
		c = (peer.apt != NULL) ?
		    apt_find_consumed(peer.apt, prov_id, e->id) : NULL;
		if ((c != NULL) && (c->state == CSM_STATE_ATTACHED)) {
			unsigned long cipa = c->base + (ipa - region->base);

			if (map) {
				(void)csm_map_one(peer.rd, cipa, pa, c->perm);
			} else {
				csm_unmap_one(peer.rd, cipa);
			}
		}
		csm_peer_close(&peer);
	}
}

unsigned long
csm_rmi_data_create_unknown(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], data_addr = args[1], ipa = args[2];
	struct csm_lock_set *s = &data_locks[port_cpu_id()];
	struct granule *g_rd, *g_data, *g_apt;
	struct apt_entry *region;
	struct port_rtte e;
	unsigned int tries;
	unsigned long ret;
	struct apt *apt;
	struct rd *rd;

	(void)res;
	/* rd_align, rd_bound, data_align, data_bound, alias, ipa_align */
	if (!port_granule_addr_valid(rd_addr) ||
	    !port_granule_addr_valid(data_addr) || (rd_addr == data_addr) ||
	    ((ipa & (PORT_GRANULE_SIZE - 1UL)) != 0UL)) {
		return RMI_RETURN(RMI_ERROR_INPUT, 0U);
	}
	for (tries = 0U; tries < CSM_LOCK_RETRIES; tries++) {
		ret = gather(s, rd_addr, ipa);
		if (ret != RMI_SUCCESS) {
			return ret;
		}
		(void)csm_locks_add(s, rd_addr, PORT_GS_RD, 1U);
		(void)csm_locks_add(s, data_addr, PORT_GS_DELEGATED, 2U);
		/* rd_state, data_state */
		if (csm_locks_lock(s) != 0U) {
			return RMI_RETURN(RMI_ERROR_INPUT, 0U);
		}
		g_rd = csm_locks_get(s, rd_addr);
		g_data = csm_locks_get(s, data_addr);
		rd = port_rd_map(g_rd, PORT_SLOT_RD);
		apt = csm_apt_map(rd, PORT_SLOT_APT, &g_apt);
		ret = check_ipa(rd, apt, ipa, PORT_RTTE_UNASSIGNED, &region, &e);
		if ((ret == RMI_SUCCESS) && (region != NULL) &&
		    !consumers_ready(s, apt, region)) {
			ret = RET_RETRY;
		}
		if (ret == RMI_SUCCESS) {
			/* A DELEGATED granule is zero: no scrub needed. */
			(void)port_rtt_assign(rd, ipa, data_addr);
			if (region != NULL) {
				for_consumers(s, port_rd_csm(rd)->realm_id, apt,
					      region, ipa, data_addr, true);
			}
		}
		csm_apt_unmap(apt, PORT_SLOT_APT);
		port_rd_unmap(rd, PORT_SLOT_RD);
		if (ret == RMI_SUCCESS) {
			port_granule_unlock_transition(g_data, PORT_GS_DATA);
			csm_locks_forget(s, g_data);
		}
		csm_locks_unlock(s);
		if (ret != RET_RETRY) {
			return ret;
		}
	}
	return RMI_RETURN(RMI_ERROR_REALM, 2U);
}

unsigned long
csm_rmi_data_destroy(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], ipa = args[1];
	struct csm_lock_set *s = &data_locks[port_cpu_id()];
	struct granule *g_rd, *g_data, *g_apt;
	struct apt_entry *region;
	struct port_rtte e;
	unsigned int tries;
	unsigned long ret;
	struct apt *apt;
	struct rd *rd;

	/* rd_align, rd_bound, ipa_align */
	if (!port_granule_addr_valid(rd_addr) ||
	    ((ipa & (PORT_GRANULE_SIZE - 1UL)) != 0UL)) {
		return RMI_RETURN(RMI_ERROR_INPUT, 0U);
	}
	for (tries = 0U; tries < CSM_LOCK_RETRIES; tries++) {
		ret = gather(s, rd_addr, ipa);
		if (ret != RMI_SUCCESS) {
			return ret;
		}
		(void)csm_locks_add(s, rd_addr, PORT_GS_RD, 1U);
		/* rd_state */
		if (csm_locks_lock(s) != 0U) {
			return RMI_RETURN(RMI_ERROR_INPUT, 0U);
		}
		g_rd = csm_locks_get(s, rd_addr);
		rd = port_rd_map(g_rd, PORT_SLOT_RD);
		apt = csm_apt_map(rd, PORT_SLOT_APT, &g_apt);
		ret = check_ipa(rd, apt, ipa, PORT_RTTE_ASSIGNED, &region, &e);
		if ((ret == RMI_SUCCESS) && (region != NULL) &&
		    !consumers_ready(s, apt, region)) {
			ret = RET_RETRY;
		}
		if (ret == RMI_SUCCESS) {
			/* Cascade: no consumer keeps the granule mapped. */
			if (region != NULL) {
				for_consumers(s, port_rd_csm(rd)->realm_id, apt,
					      region, ipa, e.pa, false);
			}
			(void)port_rtt_unmap(rd, ipa, PORT_RIPAS_RAM);
			port_tlbi_ipa(rd, ipa);
			/* Internal granule, locked after the RDs. */
			g_data = port_addr_to_granule(e.pa);
			port_granule_lock(g_data, PORT_GS_DATA);
			assert(port_granule_refcount(g_data) == 0UL);
			port_granule_scrub(g_data);
			port_granule_unlock_transition(g_data,
						       PORT_GS_DELEGATED);
			res[0] = e.pa;
			res[1] = ipa + PORT_GRANULE_SIZE;
		}
		csm_apt_unmap(apt, PORT_SLOT_APT);
		port_rd_unmap(rd, PORT_SLOT_RD);
		csm_locks_unlock(s);
		if (ret != RET_RETRY) {
			return ret;
		}
	}
	return RMI_RETURN(RMI_ERROR_REALM, 2U);
}
