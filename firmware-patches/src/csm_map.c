/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage-2 work on CSM ranges: range checks, mapping a provider's DATA
 * granules into a consumer's RTT with the consumer's permission, and
 * unmapping them with TLB maintenance. Callers hold the RD locks of both
 * realms (which is what makes the refcount updates safe).
 */
#include <assert.h>

#include "csm_priv.h"

bool
csm_range_valid(const struct rd *rd, unsigned long base, unsigned long size)
{
	unsigned long top = 1UL << (port_rd_ipa_width(rd) - 1U);

	return (size != 0UL) &&
	       ((base & (PORT_GRANULE_SIZE - 1UL)) == 0UL) &&
	       ((size & (PORT_GRANULE_SIZE - 1UL)) == 0UL) &&
	       (base < top) && (size <= top - base);
}

unsigned long
csm_first_unassigned(struct rd *rd, unsigned long base, unsigned long size)
{
	unsigned long off;

	for (off = 0UL; off < size; off += PORT_GRANULE_SIZE) {
		struct port_rtte e;

		/* A block entry backs every granule it covers. */
		if ((port_rtt_read(rd, base + off, &e) != 0) ||
		    (e.state != PORT_RTTE_ASSIGNED)) {
			return base + off;
		}
	}
	return CSM_IPA_NONE;
}

unsigned long
csm_first_not_ready(struct rd *rd, unsigned long base, unsigned long size)
{
	unsigned long off;

	for (off = 0UL; off < size; off += PORT_GRANULE_SIZE) {
		struct port_rtte e;

		/* Ready: a level-3 entry, unassigned, to map a consumer into. */
		if ((port_rtt_read(rd, base + off, &e) != 0) ||
		    (e.level != PORT_RTT_PAGE_LEVEL) ||
		    (e.state != PORT_RTTE_UNASSIGNED)) {
			return base + off;
		}
	}
	return CSM_IPA_NONE;
}

void
csm_map_one(struct rd *cons, unsigned long ipa, unsigned long pa,
	    unsigned int perm)
{
	int ret = port_rtt_map(cons, ipa, pa,
			       (perm == CSM_PERM_RO) ? PORT_S2_RO : 0U);

	/* RESERVE emptied the range and DATA_CREATE refuses to fill it. */
	assert(ret == 0);
	(void)ret;
	port_granule_refcount_inc(port_addr_to_granule(pa));
}

void
csm_unmap_one(struct rd *cons, unsigned long ipa)
{
	struct port_rtte e;

	/* Any ASSIGNED page entry of the consumed range is the CSM mapping,
	 * whatever its RIPAS (a range reserved for CSM holds nothing else). */
	if ((port_rtt_read(cons, ipa, &e) != 0) ||
	    (e.level != PORT_RTT_PAGE_LEVEL) ||
	    (e.state != PORT_RTTE_ASSIGNED)) {
		return;
	}
	(void)port_rtt_unmap(cons, ipa, e.ripas);
	/* No stale translation may outlive the unmap (ARM ARM D8.13). */
	port_tlbi_ipa(cons, ipa);
	port_granule_refcount_dec(port_addr_to_granule(e.pa));
}

void
csm_map_region(struct rd *prov, const struct apt_entry *region,
	       struct rd *cons, unsigned long cbase, unsigned int perm)
{
	unsigned long off;

	for (off = 0UL; off < region->size; off += PORT_GRANULE_SIZE) {
		struct port_rtte e;

		if ((port_rtt_read(prov, region->base + off, &e) == 0) &&
		    (e.state == PORT_RTTE_ASSIGNED)) {
			csm_map_one(cons, cbase + off, e.pa, perm);
		}
	}
}

void
csm_unmap_range(struct rd *cons, unsigned long base, unsigned long size)
{
	unsigned long off;

	for (off = 0UL; off < size; off += PORT_GRANULE_SIZE) {
		csm_unmap_one(cons, base + off);
	}
}

bool
csm_ripas_may_change(unsigned long pa)
{
	struct granule *g = port_addr_to_granule(pa);

	return (g == NULL) || (port_granule_refcount(g) == 0UL);
}

bool
csm_rtt_may_fold(unsigned long pa)
{
	/* Same test as for RIPAS: no CSM mapping of the granule. */
	return csm_ripas_may_change(pa);
}
