/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Consumer-side RSI handlers: RSI_CSM_RESERVE, _ATTACH, _DETACH_AND_FREE.
 * The sid (X1 provider id, X2 handle) names the provider, whose RD is the
 * one peer these calls lock. Conditions are checked in ABI.md order.
 */
#include <string.h>

#include "csm_priv.h"

void
csm_sid_peers(struct csm_call *c)
{
	if (c->args[0] != c->id) {
		(void)csm_locks_add_realm(&c->locks, c->args[0]);
	}
}

/* The provider's grant that names the caller for sid (X1, X2), or NULL. */
static struct apt_entry *
grant_for(struct csm_call *c, struct csm_peer *prov)
{
	struct apt_entry *grant;

	if (prov->apt == NULL) {
		return NULL;
	}
	grant = apt_find_grant(prov->apt, c->args[1]);
	if ((grant == NULL) || (grant->peer != c->id)) {
		return NULL;
	}
	return grant;
}

void
csm_reserve_run(struct csm_call *c)
{
	uint64_t prov_id = c->args[0];
	unsigned long base = c->args[2];
	unsigned long size = c->args[3];
	struct apt_entry *grant, *region, *e;
	struct csm_peer prov;
	unsigned long first;
	int ret;

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
	/* self */
	if (prov_id == c->id) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_SELF);
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
	/* already_reserved */
	if (apt_find_consumed(c->apt, prov_id, c->args[1]) != NULL) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_ALREADY_RESERVED);
		return;
	}
	/* unknown_realm */
	ret = csm_peer_open(&c->locks, prov_id, &prov);
	if (ret == -EAGAIN) {
		c->retry = true;
		return;
	}
	if (ret != 0) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_UNKNOWN_REALM);
		return;
	}
	/* unknown_sid: consent of the provider, naming this realm */
	grant = grant_for(c, &prov);
	if ((grant == NULL) || (grant->state != CSM_STATE_SHARED)) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_UNKNOWN_SID);
		goto out;
	}
	/* size_mismatch */
	region = apt_find_region(prov.apt, CSM_SID_CSM_ID(grant->id));
	if ((region == NULL) || (region->size != size)) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_SIZE_MISMATCH);
		goto out;
	}
	/* apt_full */
	if (c->apt->hdr.nr_used == APT_CAPACITY) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_APT_FULL);
		goto out;
	}
	/*
	 * not_reclaimed: the host empties the range and gives it level-3
	 * RTTs (ABI.md, RMI_EXIT_CSM_RECLAIM), then the realm re-enters.
	 */
	first = csm_first_not_ready(c->rd, base, size);
	if (first != CSM_IPA_NONE) {
		if (c->completing) {
			csm_ret(c, RSI_INCOMPLETE, first, 0UL);
		} else {
			csm_take_exit(c, RMI_EXIT_CSM_RECLAIM, base, size,
				      false);
		}
		goto out;
	}
	e = apt_alloc(c->apt);
	e->type = APT_CONSUMED;
	e->perm = grant->perm;
	e->state = CSM_STATE_RESERVED;
	e->base = base;
	e->size = size;
	e->peer = prov_id;
	e->id = grant->id;
	apt_touch(c->apt);
	grant->state = CSM_STATE_RESERVED;
	apt_touch(prov.apt);
	csm_ret(c, RSI_SUCCESS, 0UL, 0UL);
out:
	csm_peer_close(&prov);
}

void
csm_attach_run(struct csm_call *c)
{
	struct apt_entry *cons, *grant, *region;
	struct csm_peer prov;
	int ret;

	/* no_apt */
	if (c->apt == NULL) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_NO_APT);
		return;
	}
	/* unknown_sid */
	cons = apt_find_consumed(c->apt, c->args[0], c->args[1]);
	if (cons == NULL) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_UNKNOWN_SID);
		return;
	}
	/* bad_state: attached already, or revoked */
	if (cons->state != CSM_STATE_RESERVED) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_BAD_STATE);
		return;
	}
	ret = csm_peer_open(&c->locks, c->args[0], &prov);
	if (ret == -EAGAIN) {
		c->retry = true;
		return;
	}
	/*
	 * A RESERVED entry implies a live provider holding a RESERVED grant
	 * (REVOKE, DESTROY and APT_DESTROY mark the entry REVOKED first).
	 */
	grant = (ret == 0) ? grant_for(c, &prov) : NULL;
	region = (grant != NULL) ?
		 apt_find_region(prov.apt, CSM_SID_CSM_ID(grant->id)) : NULL;
	if ((region == NULL) || (grant->state != CSM_STATE_RESERVED) ||
	    (csm_first_not_ready(c->rd, cons->base, cons->size) !=
	     CSM_IPA_NONE)) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_BAD_STATE);
		goto out;
	}
	csm_map_region(prov.rd, region, c->rd, cons->base, cons->perm);
	cons->state = CSM_STATE_ATTACHED;
	apt_touch(c->apt);
	grant->state = CSM_STATE_ATTACHED;
	apt_touch(prov.apt);
	csm_ret(c, RSI_SUCCESS, 0UL, 0UL);
out:
	csm_peer_close(&prov);
}

void
csm_detach_run(struct csm_call *c)
{
	struct apt_entry *cons;
	struct csm_peer prov;
	unsigned long base, size;
	int ret = -ENOENT;

	/* no_apt */
	if (c->apt == NULL) {
		csm_fail(c, RSI_ERROR_STATE, CSM_E_NO_APT);
		return;
	}
	/* unknown_sid */
	cons = apt_find_consumed(c->apt, c->args[0], c->args[1]);
	if (cons == NULL) {
		csm_fail(c, RSI_ERROR_INPUT, CSM_E_UNKNOWN_SID);
		return;
	}
	(void)memset(&prov, 0, sizeof(prov));
	if (cons->state != CSM_STATE_REVOKED) {
		ret = csm_peer_open(&c->locks, c->args[0], &prov);
		if (ret == -EAGAIN) {
			c->retry = true;
			return;
		}
	}
	base = cons->base;
	size = cons->size;
	csm_detach(c->rd, c->id, c->apt, cons, (ret == 0) ? &prov : NULL);
	csm_peer_close(&prov);
	/* The range is ordinary (empty) protected IPA space again. */
	csm_take_exit(c, RMI_EXIT_CSM_REMOVE, base, size, true);
}
