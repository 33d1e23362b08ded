/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Provider-side RSI handlers: RSI_CSM_CREATE, _SHARE, _REVOKE, _DESTROY.
 * Each run function checks the failure conditions of ABI.md in order; the
 * comment before each check names the condition.
 */
#include "csm_priv.h"

void
csm_create_run(struct csm_call *c)
{
	unsigned long base = c->args[0];
	unsigned long size = c->args[1];
	unsigned long first;
	struct apt_entry *e;

	/* base_align */
	if ((base & (PORT_GRANULE_SIZE - 1UL)) != 0UL) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_BASE_ALIGN);
		return;
	}
	/* size_align */
	if ((size == 0UL) || ((size & (PORT_GRANULE_SIZE - 1UL)) != 0UL)) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_SIZE);
		return;
	}
	/* range_bound */
	if (!csm_range_valid(c->rd, base, size)) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_RANGE);
		return;
	}
	/* no_apt */
	if (c->apt == NULL) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_NO_APT);
		return;
	}
	/* overlap */
	if (apt_overlaps(c->apt, base, size)) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_OVERLAP);
		return;
	}
	/* apt_full */
	if (c->apt->hdr.nr_used == APT_CAPACITY) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_APT_FULL);
		return;
	}
	/* id_exhausted */
	if (c->apt->hdr.last_csm_id == CSM_ID_MAX) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_EXHAUSTED);
		return;
	}
	/* not_populated: the host backs the range, then the realm re-enters */
	first = csm_first_unassigned(c->rd, base, size);
	if (first != CSM_IPA_NONE) {
		if (c->completing) {
			csm_ret(c, RSI_INCOMPLETE, first, 0UL);
		} else {
			csm_take_exit(c, RMI_EXIT_CSM_POPULATE, base, size,
				      false);
		}
		return;
	}
	e = apt_alloc(c->apt);
	e->type = APT_REGION;
	e->base = base;
	e->size = size;
	e->id = ++c->apt->hdr.last_csm_id;
	e->aux = 0UL;
	apt_touch(c->apt);
	csm_ret(c, RSI_SUCCESS, e->id, 0UL);
}

void
csm_share_peers(struct csm_call *c)
{
	(void)csm_locks_add_realm(&c->locks, c->args[1]);
}

void
csm_share_run(struct csm_call *c)
{
	uint64_t csm_id = c->args[0];
	uint64_t cons = c->args[1];
	unsigned long perm = c->args[2];
	struct apt_entry *region, *e;
	struct csm_peer peer;
	int ret;

	/* perm */
	if ((perm != CSM_PERM_RO) && (perm != CSM_PERM_RW)) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_PERM);
		return;
	}
	/* self */
	if (cons == c->id) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_SELF);
		return;
	}
	/* no_apt */
	if (c->apt == NULL) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_NO_APT);
		return;
	}
	/* unknown_csm */
	region = apt_find_region(c->apt, csm_id);
	if (region == NULL) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_UNKNOWN_CSM);
		return;
	}
	/* unknown_realm: the consumer must be a live realm */
	ret = csm_peer_open(&c->locks, cons, &peer);
	if (ret == -EAGAIN) {
		c->retry = true;
		return;
	}
	csm_peer_close(&peer);
	if (ret != 0) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_UNKNOWN_REALM);
		return;
	}
	/* already_shared */
	if (apt_find_grant_to(c->apt, csm_id, cons) != NULL) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_ALREADY_SHARED);
		return;
	}
	/* apt_full */
	if (c->apt->hdr.nr_used == APT_CAPACITY) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_APT_FULL);
		return;
	}
	/* seq_exhausted */
	if (region->aux == CSM_SEQ_MAX) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_EXHAUSTED);
		return;
	}
	region->aux++;
	e = apt_alloc(c->apt);
	e->type = APT_GRANT;
	e->perm = (uint8_t)perm;
	e->state = CSM_STATE_SHARED;
	e->peer = cons;
	e->id = CSM_SID_HANDLE(csm_id, region->aux);
	apt_touch(c->apt);
	csm_ret(c, RSI_SUCCESS, c->id, e->id);
}

void
csm_revoke_peers(struct csm_call *c)
{
	struct apt_entry *grant;

	if ((c->apt == NULL) || (c->args[0] != c->id)) {
		return;
	}
	grant = apt_find_grant(c->apt, c->args[1]);
	if (grant != NULL) {
		(void)csm_locks_add_realm(&c->locks, grant->peer);
	}
}

void
csm_revoke_run(struct csm_call *c)
{
	struct apt_entry *grant;
	struct csm_peer peer;
	int ret;

	/* not_provider */
	if (c->args[0] != c->id) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_NOT_PROVIDER);
		return;
	}
	/* no_apt */
	if (c->apt == NULL) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_NO_APT);
		return;
	}
	/* unknown_sid */
	grant = apt_find_grant(c->apt, c->args[1]);
	if (grant == NULL) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_UNKNOWN_SID);
		return;
	}
	ret = csm_peer_open(&c->locks, grant->peer, &peer);
	if (ret == -EAGAIN) {
		c->retry = true;
		return;
	}
	csm_revoke_grant(c->id, c->apt, grant, (ret == 0) ? &peer : NULL);
	csm_peer_close(&peer);
	csm_ret(c, RSI_SUCCESS, 0UL, 0UL);
}

void
csm_destroy_peers(struct csm_call *c)
{
	struct apt_entry *e = NULL;

	if (c->apt == NULL) {
		return;
	}
	while ((e = apt_next(c->apt, e, APT_GRANT)) != NULL) {
		if (CSM_SID_CSM_ID(e->id) == c->args[0]) {
			(void)csm_locks_add_realm(&c->locks, e->peer);
		}
	}
}

void
csm_destroy_run(struct csm_call *c)
{
	uint64_t csm_id = c->args[0];
	struct apt_entry *region, *e = NULL;

	/* no_apt */
	if (c->apt == NULL) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_NO_APT);
		return;
	}
	/* unknown_csm */
	region = apt_find_region(c->apt, csm_id);
	if (region == NULL) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_UNKNOWN_CSM);
		return;
	}
	/* Every consumer must be locked (or gone) before anything changes. */
	while ((e = apt_next(c->apt, e, APT_GRANT)) != NULL) {
		if ((CSM_SID_CSM_ID(e->id) == csm_id) &&
		    !csm_peer_ready(&c->locks, e->peer)) {
			c->retry = true;
			return;
		}
	}
	/* Paper semantics: revoke every consumer, then delete the region. */
	while ((e = apt_next(c->apt, NULL, APT_GRANT)) != NULL) {
		struct csm_peer peer;
		int ret;

		while ((e != NULL) && (CSM_SID_CSM_ID(e->id) != csm_id)) {
			e = apt_next(c->apt, e, APT_GRANT);
		}
		if (e == NULL) {
			break;
		}
		ret = csm_peer_open(&c->locks, e->peer, &peer);
		csm_revoke_grant(c->id, c->apt, e, (ret == 0) ? &peer : NULL);
		csm_peer_close(&peer);
	}
	apt_free(c->apt, region);
	apt_touch(c->apt);
	csm_ret(c, RSI_SUCCESS, 0UL, 0UL);
}
