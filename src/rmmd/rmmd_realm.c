/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A connection's realm: its creation and teardown in the host model, the
 * placement of regions and reservations in its protected IPA space, and
 * the revocation notices sent to consumers.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "rmmd.h"

/* Never place anything at IPA 0: keeps a zero base meaningfully "none". */
#define IPA_FIRST HM_GRANULE
#define IPA_TOP (1ull << (RMMD_IPA_WIDTH - 1))

int
rmmd_realm_open(struct rmmd *d, struct rmmd_client *c)
{
	struct hm_realm_params p = {
		.size = sizeof(p),
		.ipa_width = RMMD_IPA_WIDTH,
		/* The daemon never touches realm memory through the model. */
		.no_fault_in = true,
	};
	int rc;

	rc = hm_realm_create(d->hm, &p, &c->realm);
	if (rc)
		return rc;
	c->realm_id = hm_realm_id(c->realm);
	return 0;
}

/*
 * Teardown by the rules of ABI.md: the consumers of this realm's regions
 * are told (their library drops the mapping) and each region's memfd is
 * retired — truncated once they ACKed (rmmd_move.c) — unless the daemon is
 * shutting down (then nobody is left to enforce anything: realms keep what
 * they mapped, see docs/csm.md); then the hypervisor's full teardown runs
 * (REC_DESTROY, APT_DESTROY — which revokes every grant and drops every
 * consumed range — DATA_DESTROY of everything it backed, REALM_DESTROY).
 */
void
rmmd_realm_close(struct rmmd *d, struct rmmd_client *c)
{
	struct rmmd_retire *rt;
	struct rmmd_region *r;
	struct rmmd_grant *g, **pp;
	struct rmmd_consumed *k;
	struct rmmd_ipa *a;
	int rc;

	while ((r = c->regions)) {
		c->regions = r->next;
		rt = !d->stop && r->memfd >= 0 ? rmmd_retire_new(d, r->memfd) :
						 NULL;
		for (pp = &c->grants; (g = *pp);) {
			if (CSM_SID_CSM_ID(g->handle) != r->csm_id) {
				pp = &g->next;
				continue;
			}
			*pp = g->next;
			rmmd_notify_revoked(d, c->realm_id, g->handle,
					    g->consumer, RMMD_REASON_GONE, rt);
			free(g);
		}
		if (rt)
			rmmd_retire_start(d, rt, NULL, 0, 0, NULL);
		else if (r->memfd >= 0)
			close(r->memfd);
		free(r);
	}
	while ((g = c->grants)) {
		c->grants = g->next;
		rmmd_notify_revoked(d, c->realm_id, g->handle, g->consumer,
				    RMMD_REASON_GONE, NULL);
		free(g);
	}
	while ((k = c->consumed)) {
		c->consumed = k->next;
		free(k);
	}
	while ((a = c->ipa)) {
		c->ipa = a->next;
		free(a);
	}
	if (c->realm) {
		rc = hm_realm_destroy(c->realm);
		if (rc)
			rmmd_err("realm %016llx: teardown incomplete (%d)",
				 (unsigned long long)c->realm_id, rc);
		c->realm = NULL;
	}
}

/* First fit in [IPA_FIRST, IPA_TOP); the list is sorted by base. */
int
rmmd_ipa_alloc(struct rmmd_client *c, uint64_t size, uint64_t *base)
{
	struct rmmd_ipa **pp = &c->ipa, *n;
	uint64_t at = IPA_FIRST;

	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->base - at >= size)
			break;
		at = (*pp)->base + (*pp)->size;
	}
	if (at > IPA_TOP || IPA_TOP - at < size)
		return -ENOSPC;
	n = malloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->base = at;
	n->size = size;
	n->next = *pp;
	*pp = n;
	*base = at;
	return 0;
}

void
rmmd_ipa_free(struct rmmd_client *c, uint64_t base)
{
	struct rmmd_ipa **pp, *n;

	for (pp = &c->ipa; *pp; pp = &(*pp)->next) {
		if ((*pp)->base == base) {
			n = *pp;
			*pp = n->next;
			free(n);
			return;
		}
	}
}

/*
 * The grant @provider/@handle of realm @consumer is gone: if that realm is
 * connected and reserved it, mark its reservation revoked (it keeps it until
 * it detaches, ABI.md §3.6) and tell its library; when @rt retires the
 * memfd it was given, @rt waits for its ACK.
 */
void
rmmd_notify_revoked(struct rmmd *d, uint64_t provider, uint64_t handle,
		    uint64_t consumer, uint32_t reason, struct rmmd_retire *rt)
{
	struct rmmd_client *c = rmmd_client_by_id(d, consumer);
	struct rmmd_event ev = {
		.provider = provider,
		.handle = handle,
		.reason = reason,
	};
	struct rmmd_consumed *k;
	bool mapped;

	if (!c)
		return;
	for (k = c->consumed; k; k = k->next) {
		if (k->provider != provider || k->handle != handle)
			continue;
		mapped = k->attached;
		k->revoked = true;
		k->attached = false;
		rmmd_debug("realm %016llx: grant %016llx/%016llx revoked (reason %u)",
			   (unsigned long long)consumer,
			   (unsigned long long)provider,
			   (unsigned long long)handle, reason);
		/* Only a realm that mapped the region has sleepers to wake. */
		ev.ack = rt && mapped ? rt->ack : 0;
		if (!rmmd_send_event(d, c, RMMD_EV_REVOKED, &ev, -1) && ev.ack)
			rmmd_retire_wait(rt, consumer);
		return;
	}
}
