/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Taking access away: revoking one grant (provider side, used by REVOKE,
 * DESTROY and APT_DESTROY) and dropping one consumed range (consumer side,
 * used by DETACH_AND_FREE and APT_DESTROY). Both realms' RDs are locked.
 */
#include "csm_priv.h"

void
csm_revoke_grant(uint64_t prov_id, struct apt *papt, struct apt_entry *grant,
		 struct csm_peer *cons)
{
	if ((cons != NULL) && (cons->apt != NULL)) {
		struct apt_entry *c = apt_find_consumed(cons->apt, prov_id,
							grant->id);

		if ((c != NULL) && (c->state != CSM_STATE_REVOKED)) {
			if (c->state == CSM_STATE_ATTACHED) {
				csm_unmap_range(cons->rd, c->base, c->size);
			}
			/* The consumer keeps the range until it frees it. */
			c->state = CSM_STATE_REVOKED;
			apt_touch(cons->apt);
		}
	}
	apt_free(papt, grant);
	apt_touch(papt);
}

void
csm_detach(struct rd *own, uint64_t own_id, struct apt *own_apt,
	   struct apt_entry *c, struct csm_peer *prov)
{
	if (c->state == CSM_STATE_ATTACHED) {
		csm_unmap_range(own, c->base, c->size);
	}
	if ((c->state != CSM_STATE_REVOKED) && (prov != NULL) &&
	    (prov->apt != NULL)) {
		struct apt_entry *grant = apt_find_grant(prov->apt, c->id);

		if ((grant != NULL) && (grant->peer == own_id)) {
			/* The provider's consent stands; it may be reused. */
			grant->state = CSM_STATE_SHARED;
			apt_touch(prov->apt);
		}
	}
	apt_free(own_apt, c);
	apt_touch(own_apt);
}
