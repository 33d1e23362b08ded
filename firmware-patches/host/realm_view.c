/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a model realm sees: its own IPA space (stage-2 translation through
 * its RTTs, RIPAS, permission checks, the GPC on the resulting PA, and a
 * stage-2 abort the host may resolve by faulting a page in), and the CSM
 * claims of its attestation token.
 */
#include <errno.h>
#include <string.h>

#include "hm_priv.h"

/*
 * The stage-2 entry a realm access to @page goes through, faulting it in
 * first where RMM 1.0 takes a REC exit the host can resolve (a protected
 * IPA of RIPAS RAM with no granule: A5.2.9). NULL: the access aborts
 * (RIPAS EMPTY: SEA to the realm; DESTROYED: a REC exit that cannot make
 * progress; unprotected and unmapped).
 */
static uint64_t *
translate(struct hm_realm *r, unsigned long page)
{
	struct granule *g_rd = hm_granule(r->rd);
	struct hm_walk w;
	struct rd *rd;

	if ((g_rd == NULL) || (g_rd->state != PORT_GS_RD)) {
		return NULL;
	}
	rd = g_rd->obj;
	if (page >= (1UL << rd->ipa_width)) {
		return NULL;
	}
	hm_walk(rd, page, PORT_RTT_PAGE_LEVEL, &w);
	if (!hm_d_valid(*w.d) && r->fault_in && hm_ipa_protected(rd, page) &&
	    (hm_d_state(*w.d) == PORT_RTTE_UNASSIGNED) &&
	    (hm_d_ripas(*w.d) == PORT_RIPAS_RAM)) {
		/* Stage-2 abort: the host faults the page in. */
		struct hm_exit exit = { .reason = RMI_EXIT_SYNC,
					.hpfar = page };

		hm_host_answer(r, &exit);
		hm_walk(rd, page, PORT_RTT_PAGE_LEVEL, &w);
	}
	return hm_d_valid(*w.d) ? w.d : NULL;
}

/* The PA @page reaches through entry @d of a level-@level walk. */
static struct granule *
target(struct hm_realm *r, unsigned long page, const uint64_t *d)
{
	struct rd *rd = hm_granule(r->rd)->obj;
	struct hm_walk w;
	unsigned long pa;

	hm_walk(rd, page, PORT_RTT_PAGE_LEVEL, &w);
	pa = (*d & HM_D_PA_MASK) +
	     (page & ((1UL << hm_level_shift(w.level)) - 1UL));
	return hm_granule(pa);
}

static int
realm_access(struct hm_realm *r, unsigned long ipa, void *buf, size_t len,
	     bool write)
{
	while (len > 0U) {
		unsigned long page = ipa & ~(HM_GRANULE - 1UL);
		size_t off = ipa - page, n = HM_GRANULE - off;
		uint64_t *d = translate(r, page);
		struct granule *g;

		if (d == NULL) {
			return -EFAULT;
		}
		if (write && ((*d & HM_D_RO) != 0U)) {
			return -EACCES;
		}
		g = target(r, page, d);
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
hm_realm_exec(struct hm_realm *r, unsigned long ipa)
{
	unsigned long page = ipa & ~(HM_GRANULE - 1UL);
	uint64_t *d;
	struct granule *g;

	/* An instruction fetch from an unprotected IPA aborts (A5.2.6). */
	if (page >= r->nr_prot * HM_GRANULE) {
		return -EFAULT;
	}
	d = translate(r, page);
	if (d == NULL) {
		return -EFAULT;
	}
	if ((*d & HM_D_XN) != 0U) {
		return -EACCES;
	}
	g = target(r, page, d);
	return ((g != NULL) && (g->realm_pas != 0U)) ? 0 : -EFAULT;
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
