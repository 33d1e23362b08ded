/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The changed RMI_DATA_CREATE_UNKNOWN and RMI_DATA_DESTROY. For every realm
 * they check RMM 1.0's failure conditions in 1.0's order and give 1.0's
 * outputs (DEN0137 1.0-rel0 B4.3.2, B4.3.3): RMI_ERROR_INPUT index 0,
 * RMI_ERROR_RTT with the level the walk stopped at, DATA_DESTROY's X1 (the
 * granule) and X2 (top, also on RMI_ERROR_RTT), RIPAS RAM -> DESTROYED on
 * destroy. One condition is added, where 1.0 would succeed: inside a range
 * the realm consumes the host neither backs nor takes a granule. Inside a
 * region the realm provides they also unmap the granule from every attached
 * consumer (destroy) or map it into consumers that hold the IPA as RAM
 * (create). ABI.md 4.3, 4.4 and 4.6.
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
 * Phase 2 checks common to both commands, everything locked, in 1.0's
 * order: rtt_walk (RMI_ERROR_RTT, the level the walk stopped at),
 * rtte_state (level 3), then CAEC's csm_consumer (level 3; *@cons is the
 * consumed range). Returns RMI_SUCCESS or the error; *@region is the region
 * @ipa lies in (NULL if none) and *@e its RTT entry.
 */
static unsigned long
check_ipa(struct rd *rd, struct apt *apt, unsigned long ipa,
	  unsigned int want, struct apt_entry **region,
	  struct apt_entry **cons, struct port_rtte *e)
{
	*region = NULL;
	*cons = NULL;
	/* rtt_walk (ipa_bound was checked in phase 1: the read succeeds) */
	if ((port_rtt_read(rd, ipa, e) != 0) ||
	    (e->level != PORT_RTT_PAGE_LEVEL)) {
		return RMI_RETURN(RMI_ERROR_RTT, (unsigned int)e->level);
	}
	/* rtte_state */
	if (e->state != want) {
		return RMI_RETURN(RMI_ERROR_RTT, RTT_LEVEL);
	}
	/* csm_consumer: the host neither backs nor takes a consumer's page */
	*cons = (apt != NULL) ? apt_consumed_at(apt, ipa) : NULL;
	if (*cons != NULL) {
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

/*
 * The consumer side of a provider granule change at @ipa of @region:
 * @map: map @pa into every attached consumer whose entry for it is
 * UNASSIGNED with RIPAS RAM (an entry a destroy left DESTROYED stays
 * unmapped: the consumer must not find a fresh zero page where its data
 * was; ABI.md 4.6); else unmap it from every attached consumer, leaving
 * RIPAS DESTROYED.
 */
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
			struct port_rtte ce;

			if (!map) {
				csm_unmap_one(peer.rd, cipa, true);
			} else if ((port_rtt_read(peer.rd, cipa, &ce) == 0) &&
				   (ce.level == PORT_RTT_PAGE_LEVEL) &&
				   (ce.state == PORT_RTTE_UNASSIGNED) &&
				   (ce.ripas == PORT_RIPAS_RAM)) {
				(void)csm_map_one(peer.rd, cipa, pa, c->perm);
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
	struct apt_entry *region, *cons;
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
		ret = check_ipa(rd, apt, ipa, PORT_RTTE_UNASSIGNED, &region,
				&cons, &e);
		if ((ret == RMI_SUCCESS) && (region != NULL) &&
		    !consumers_ready(s, apt, region)) {
			ret = RET_RETRY;
		}
		if (ret == RMI_SUCCESS) {
			/* A DELEGATED granule is zero: no scrub needed. The
			 * entry keeps its RIPAS (1.0). */
			(void)port_rtt_assign(rd, ipa, data_addr);
			/* Consumers see only what the provider can use. */
			if ((region != NULL) && (e.ripas == PORT_RIPAS_RAM)) {
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
	struct apt_entry *region, *cons;
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
		ret = check_ipa(rd, apt, ipa, PORT_RTTE_ASSIGNED, &region,
				&cons, &e);
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
			/* 1.0: RAM becomes DESTROYED, EMPTY stays EMPTY. */
			(void)port_rtt_unmap(rd, ipa,
					     (e.ripas == PORT_RIPAS_RAM) ?
					     PORT_RIPAS_DESTROYED : e.ripas);
			port_tlbi_ipa(rd, ipa);
			/* Internal granule, locked after the RDs. */
			g_data = port_addr_to_granule(e.pa);
			port_granule_lock(g_data, PORT_GS_DATA);
			assert(port_granule_refcount(g_data) == 0UL);
			port_granule_scrub(g_data);
			port_granule_unlock_transition(g_data,
						       PORT_GS_DELEGATED);
			res[0] = e.pa;
		}
		/* X2 top: on success and on RMI_ERROR_RTT (1.0), the next live
		 * entry; past a consumed range, which holds nothing of the
		 * host's. */
		if (cons != NULL) {
			res[1] = cons->base + cons->size;
		} else if ((ret == RMI_SUCCESS) ||
			   (RMI_RETURN_STATUS(ret) == RMI_ERROR_RTT)) {
			res[1] = port_rtt_skip_non_live(rd, ipa);
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
