/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a model realm sees: its own IPA space (stage-2 translation through
 * its RTT, permission checks, the GPC on the resulting PA, and a stage-2
 * abort the host may resolve by faulting a page in), and the CSM claims of
 * its attestation token.
 */
#include <errno.h>
#include <string.h>

#include "hm_priv.h"

static int
realm_access(struct hm_realm *r, unsigned long ipa, void *buf, size_t len,
	     bool write)
{
	while (len > 0U) {
		unsigned long page = ipa & ~(HM_GRANULE - 1UL);
		size_t off = ipa - page, n = HM_GRANULE - off;
		struct granule *g_rd = hm_granule(r->rd), *g;
		uint64_t *d;

		if ((g_rd == NULL) || (g_rd->state != PORT_GS_RD)) {
			return -EFAULT;
		}
		d = hm_rtt_slot(g_rd->obj, page, false);
		if (((d == NULL) || ((*d & HM_D_VALID) == 0U)) &&
		    r->fault_in && (page < r->nr_prot * HM_GRANULE)) {
			/* Stage-2 abort: the host faults the page in. */
			struct hm_exit exit = { .reason = RMI_EXIT_SYNC,
						.hpfar = page };

			hm_host_answer(r, &exit);
			d = hm_rtt_slot(g_rd->obj, page, false);
		}
		if ((d == NULL) || ((*d & HM_D_VALID) == 0U)) {
			return -EFAULT;
		}
		if (write && ((*d & HM_D_RO) != 0U)) {
			return -EACCES;
		}
		g = hm_granule(*d & HM_D_PA_MASK);
		/* Protected IPAs reach the Realm PAS, unprotected the NS PAS. */
		if ((g == NULL) || ((g->realm_pas != 0U) !=
				    (page < r->nr_prot * HM_GRANULE))) {
			return -EFAULT;
		}
		n = (n < len) ? n : len;
		if (write) {
			(void)memcpy(hm_granule_mem(g) + off, buf, n);
		} else {
			(void)memcpy(buf, hm_granule_mem(g) + off, n);
		}
		buf = (uint8_t *)buf + n;
		ipa += n;
		len -= n;
	}
	return 0;
}

int
hm_realm_read(struct hm_realm *r, unsigned long ipa, void *buf, size_t len)
{
	return realm_access(r, ipa, buf, len, false);
}

int
hm_realm_write(struct hm_realm *r, unsigned long ipa, const void *buf,
	       size_t len)
{
	return realm_access(r, ipa, (void *)(uintptr_t)buf, len, true);
}

int
hm_token_claims(struct hm_realm *r, uint8_t *buf, size_t len,
		size_t *out_len)
{
	struct granule *g_rd = port_find_lock_granule(r->rd, PORT_GS_RD);
	struct rd *rd;
	int ret;

	if (g_rd == NULL) {
		return -EINVAL;
	}
	rd = port_rd_map(g_rd, PORT_SLOT_RD);
	ret = csm_token_claims(rd, buf, len, out_len);
	port_rd_unmap(rd, PORT_SLOT_RD);
	port_granule_unlock(g_rd);
	hm_command_end("token");
	return ret;
}
