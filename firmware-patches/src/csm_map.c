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

int
csm_map_one(struct rd *cons, unsigned long ipa, unsigned long pa,
	    unsigned int perm)
{
	int ret = port_rtt_map(cons, ipa, pa,
			       (perm == CSM_PERM_RO) ? PORT_S2_RO : 0U);

	/* A reference counts a mapping: none without one (I5). */
	if (ret != 0) {
		return ret;
	}
	port_granule_refcount_inc(port_addr_to_granule(pa));
	return 0;
}

void
csm_unmap_one(struct rd *cons, unsigned long ipa, bool destroyed)
{
	struct port_rtte e;

	/* Any ASSIGNED page entry of the consumed range is the CSM mapping,
	 * whatever its RIPAS (a range reserved for CSM holds nothing else). */
	if ((port_rtt_read(cons, ipa, &e) != 0) ||
	    (e.level != PORT_RTT_PAGE_LEVEL) ||
	    (e.state != PORT_RTTE_ASSIGNED)) {
		return;
	}
	(void)port_rtt_unmap(cons, ipa,
			     destroyed ? PORT_RIPAS_DESTROYED : e.ripas);
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

		/* What the provider itself can use: not a granule the host
		 * created over a DESTROYED (or an EMPTY) entry. ATTACH made
		 * sure the consumer's entry is ready. */
		if ((port_rtt_read(prov, region->base + off, &e) == 0) &&
		    (e.state == PORT_RTTE_ASSIGNED) &&
		    (e.ripas == PORT_RIPAS_RAM)) {
			(void)csm_map_one(cons, cbase + off, e.pa, perm);
		}
	}
}

void
csm_unmap_range(struct rd *cons, unsigned long base, unsigned long size)
{
	unsigned long off;

	for (off = 0UL; off < size; off += PORT_GRANULE_SIZE) {
		csm_unmap_one(cons, base + off, false);
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

bool
csm_rtt_may_unlink(struct rd *rd, unsigned long base, unsigned long size)
{
	struct granule *g_apt;
	struct apt *apt = csm_apt_map(rd, PORT_SLOT_APT, &g_apt);
	struct apt_entry *c = NULL;
	bool ok = true;

	while (ok && (apt != NULL) &&
	       ((c = apt_next(apt, c, APT_CONSUMED)) != NULL)) {
		/* [base, base + size) meets [c->base, c->base + c->size) */
		ok = (c->base >= base + size) || (base >= c->base + c->size);
	}
	csm_apt_unmap(apt, PORT_SLOT_APT);
	return ok;
}
