/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CSM claims of the realm attestation token: the realm id and a
 * snapshot of the realm's CSM membership, under the private labels of
 * csm_abi.h. Produced while the token is built (RSI_ATTESTATION_TOKEN_INIT)
 * with the RD locked, so they are signed together with the RIM.
 *
 *   CSM_CLAIM_REALM_ID   => uint
 *   CSM_CLAIM_MEMBERSHIP => [ * entry ]
 *   provider entry = { 1: 0, 2: csm_id, 3: size,
 *                      4: [ * [consumer_id, handle, perm, state] ] }
 *   consumer entry = { 1: 1, 3: size, 5: provider_id, 6: handle,
 *                      7: perm, 8: state }
 * Entries follow APT order; keys ascend (deterministic CBOR).
 */
#include "csm_priv.h"

static unsigned int
count(struct apt *apt, unsigned int type, uint64_t csm_id)
{
	struct apt_entry *e = NULL;
	unsigned int n = 0U;

	while ((e = apt_next(apt, e, type)) != NULL) {
		if ((type != APT_GRANT) || (CSM_SID_CSM_ID(e->id) == csm_id)) {
			n++;
		}
	}
	return n;
}

static void
put_region(struct cbor_enc *c, struct apt *apt, const struct apt_entry *r)
{
	struct apt_entry *g = NULL;

	cbor_put_map(c, 4U);
	cbor_put_uint(c, CSM_CLAIM_K_ROLE);
	cbor_put_uint(c, CSM_CLAIM_ROLE_PROVIDER);
	cbor_put_uint(c, CSM_CLAIM_K_CSM_ID);
	cbor_put_uint(c, r->id);
	cbor_put_uint(c, CSM_CLAIM_K_SIZE);
	cbor_put_uint(c, r->size);
	cbor_put_uint(c, CSM_CLAIM_K_CONSUMERS);
	cbor_put_array(c, count(apt, APT_GRANT, r->id));
	while ((g = apt_next(apt, g, APT_GRANT)) != NULL) {
		if (CSM_SID_CSM_ID(g->id) != r->id) {
			continue;
		}
		cbor_put_array(c, 4U);
		cbor_put_uint(c, g->peer);
		cbor_put_uint(c, g->id);
		cbor_put_uint(c, g->perm);
		cbor_put_uint(c, g->state);
	}
}

static void
put_consumed(struct cbor_enc *c, const struct apt_entry *e)
{
	cbor_put_map(c, 6U);
	cbor_put_uint(c, CSM_CLAIM_K_ROLE);
	cbor_put_uint(c, CSM_CLAIM_ROLE_CONSUMER);
	cbor_put_uint(c, CSM_CLAIM_K_SIZE);
	cbor_put_uint(c, e->size);
	cbor_put_uint(c, CSM_CLAIM_K_PROVIDER);
	cbor_put_uint(c, e->peer);
	cbor_put_uint(c, CSM_CLAIM_K_HANDLE);
	cbor_put_uint(c, e->id);
	cbor_put_uint(c, CSM_CLAIM_K_PERM);
	cbor_put_uint(c, e->perm);
	cbor_put_uint(c, CSM_CLAIM_K_STATE);
	cbor_put_uint(c, e->state);
}

int
csm_token_claims(struct rd *rd, uint8_t *buf, size_t len, size_t *out_len)
{
	struct granule *g_apt;
	struct apt *apt = csm_apt_map(rd, PORT_SLOT_APT, &g_apt);
	struct apt_entry *e = NULL;
	struct cbor_enc c;
	unsigned int i;

	cbor_enc_init(&c, buf, len);
	cbor_put_int(&c, CSM_CLAIM_REALM_ID);
	cbor_put_uint(&c, port_rd_csm(rd)->realm_id);
	cbor_put_int(&c, CSM_CLAIM_MEMBERSHIP);
	if (apt == NULL) {
		cbor_put_array(&c, 0U);
	} else {
		cbor_put_array(&c, count(apt, APT_REGION, 0U) +
				   count(apt, APT_CONSUMED, 0U));
		/* One pass in APT order, regions and consumed ranges mixed. */
		for (i = 0U; i < APT_CAPACITY; i++) {
			e = &apt->e[i];
			if (e->type == APT_REGION) {
				put_region(&c, apt, e);
			} else if (e->type == APT_CONSUMED) {
				put_consumed(&c, e);
			}
		}
		csm_apt_unmap(apt, PORT_SLOT_APT);
	}
	if (c.overflow) {
		return -ENOSPC;
	}
	*out_len = c.off;
	return 0;
}
