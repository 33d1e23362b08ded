/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor of the paper, as the model's host, part 1: it builds and
 * tears down realms with RMI calls the way KVM does for RMM 1.0 (starting
 * RTTs, REALM_CREATE, APT_CREATE, REC_CREATE, RTT_INIT_RIPAS, ACTIVATE),
 * backs and reclaims granules, and creates RTTs where a command reports
 * RMI_ERROR_RTT with a level above 3. It remembers which IPAs it backed,
 * and at teardown finds every RTT and DATA granule left with
 * RMI_RTT_READ_ENTRY, as a host that lost track would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_priv.h"

/* A delegated granule, or 0. */
unsigned long
hm_host_delegated(struct hm *hm)
{
	unsigned long pa = hm_ns_alloc(hm);

	if ((pa != 0UL) && (hm_rmi(hm, RMI_GRANULE_DELEGATE, pa, 0UL, 0UL,
				   0UL, NULL) != 0UL)) {
		hm_ns_free(hm, pa);
		pa = 0UL;
	}
	return pa;
}

void
hm_host_give_back(struct hm *hm, unsigned long pa)
{
	if ((pa != 0UL) && (hm_rmi(hm, RMI_GRANULE_UNDELEGATE, pa, 0UL, 0UL,
				   0UL, NULL) == 0UL)) {
		hm_ns_free(hm, pa);
	}
}

/* @n physically contiguous free NS granules aligned to n granules, or 0. */
static unsigned long
ns_alloc_run(struct hm *hm, unsigned long n)
{
	unsigned long i, j;

	for (i = 0UL; i + n <= hm->nr_granules; i += n) {
		for (j = 0UL; j < n; j++) {
			const struct granule *g = &hm->granules[i + j];

			if ((g->state != PORT_GS_NS) || (g->host_used != 0U)) {
				break;
			}
		}
		if (j == n) {
			for (j = 0UL; j < n; j++) {
				hm->granules[i + j].host_used = 1U;
				(void)memset(hm_granule_mem(&hm->granules[i + j]),
					     0, HM_GRANULE);
			}
			return HM_PA_BASE + i * HM_GRANULE;
		}
	}
	return 0UL;
}

bool
hm_host_is_backed(const struct hm_realm *r, unsigned long ipa)
{
	unsigned long i = ipa / HM_GRANULE;

	return (i < r->nr_prot) && ((r->backed[i / 64U] >> (i % 64U)) & 1U);
}

void
hm_host_set_backed(struct hm_realm *r, unsigned long ipa, bool on)
{
	unsigned long i = ipa / HM_GRANULE;

	if (i >= r->nr_prot) {
		return;
	}
	if (on) {
		r->backed[i / 64U] |= 1ULL << (i % 64U);
	} else {
		r->backed[i / 64U] &= ~(1ULL << (i % 64U));
	}
}

unsigned long
hm_vmid_alloc(struct hm *hm)
{
	static unsigned int next = 1U;
	struct hm_realm *r;
	unsigned int v, n;

	for (n = 0U; n < 0xffffU; n++) {
		v = (next + n) & 0xffffU;
		for (r = hm->realms; (r != NULL) && (r->vmid != v); r = r->next) {
		}
		if ((v != 0U) && (r == NULL)) {
			next = v + 1U;
			return v;
		}
	}
	return 0UL;
}

/* Starting RTTs for IPA width @w at level @sl (the rule of REALM_CREATE). */
static unsigned long
start_rtts(const struct hm *hm, unsigned int w, int sl)
{
	unsigned int shift = PORT_GRANULE_SHIFT +
			     hm->fanout_shift * (unsigned int)(3 - sl);

	if ((w <= shift) || (w > shift + hm->fanout_shift + 4U)) {
		return 0UL;
	}
	return (w >= shift + hm->fanout_shift) ?
	       (1UL << (w - shift - hm->fanout_shift)) : 1UL;
}

/* The deepest starting level (at most 2) whose RTTs cover @w. */
static int
pick_start(const struct hm *hm, unsigned int w, unsigned int levels)
{
	int sl;

	if (levels != 0U) {
		return 4 - (int)levels;
	}
	for (sl = 2; sl >= 0; sl--) {
		if (start_rtts(hm, w, sl) != 0UL) {
			return sl;
		}
	}
	return -1;
}

/* RTT_INIT_RIPAS RAM over the whole protected half. */
static int
init_ripas(struct hm_realm *r)
{
	unsigned long base = 0UL, top = 1UL << (r->ipa_width - 1U), res[4];
	unsigned int n;

	for (n = 0U; (base < top) && (n < 4096U); n++) {
		if (hm_rmi(r->hm, RMI_RTT_INIT_RIPAS, r->rd, base, top, 0UL,
			   res) != RMI_SUCCESS) {
			return -EIO;
		}
		base = res[0];
	}
	return (base >= top) ? 0 : -EIO;
}

static int
write_params(struct hm_realm *r)
{
	uint64_t s2sz = r->ipa_width, base = r->rtt_base, num = r->rtt_num;
	int64_t sl = r->rtt_start;
	uint16_t vmid = (uint16_t)r->vmid;

	if ((hm_ns_write(r->hm, r->params + HM_PARAMS_S2SZ, &s2sz, 8U) != 0) ||
	    (hm_ns_write(r->hm, r->params + HM_PARAMS_VMID, &vmid, 2U) != 0) ||
	    (hm_ns_write(r->hm, r->params + HM_PARAMS_RTT_BASE, &base,
			 8U) != 0) ||
	    (hm_ns_write(r->hm, r->params + HM_PARAMS_RTT_LEVEL_START, &sl,
			 8U) != 0) ||
	    (hm_ns_write(r->hm, r->params + HM_PARAMS_RTT_NUM_START, &num,
			 8U) != 0)) {
		return -EIO;
	}
	return 0;
}

static int
delegate_start_rtts(struct hm_realm *r)
{
	unsigned long i;

	r->rtt_base = ns_alloc_run(r->hm, r->rtt_num);
	if (r->rtt_base == 0UL) {
		return -ENOMEM;
	}
	for (i = 0UL; i < r->rtt_num; i++) {
		if (hm_rmi(r->hm, RMI_GRANULE_DELEGATE,
			   r->rtt_base + i * HM_GRANULE, 0UL, 0UL, 0UL,
			   NULL) != RMI_SUCCESS) {
			return -EIO;
		}
	}
	return 0;
}

static void
free_start_rtts(struct hm_realm *r)
{
	unsigned long i;

	for (i = 0UL; (r->rtt_base != 0UL) && (i < r->rtt_num); i++) {
		unsigned long pa = r->rtt_base + i * HM_GRANULE;

		if (hm_granule_state(r->hm, pa) == PORT_GS_DELEGATED) {
			hm_host_give_back(r->hm, pa);
		} else if (hm_granule_state(r->hm, pa) == PORT_GS_NS) {
			hm_ns_free(r->hm, pa);
		}
	}
	r->rtt_base = 0UL;
}

static int
make_rd(struct hm_realm *r, const struct hm_realm_params *p)
{
	struct granule *g;

	if (p->rd == 0UL) {
		r->rd = hm_host_delegated(r->hm);
		return (r->rd != 0UL) ? 0 : -ENOMEM;
	}
	/* The host's choice, e.g. a dead realm's RD. */
	g = hm_granule(p->rd);
	if ((g == NULL) || (g->state != PORT_GS_NS) || (g->host_used != 0U)) {
		return -EINVAL;
	}
	g->host_used = 1U;
	if (hm_rmi(r->hm, RMI_GRANULE_DELEGATE, p->rd, 0UL, 0UL, 0UL,
		   NULL) != 0UL) {
		hm_ns_free(r->hm, p->rd);
		return -EINVAL;
	}
	r->rd = p->rd;
	return 0;
}

int
hm_realm_create(struct hm *hm, const struct hm_realm_params *p,
		struct hm_realm **out)
{
	struct hm_realm_params def = { .size = sizeof(def) };
	struct hm_realm *r;

	if (p == NULL) {
		p = &def;
	}
	if (p->size < sizeof(*p)) {
		return -EINVAL;
	}
	r = calloc(1U, sizeof(*r));
	if (r == NULL) {
		return -ENOMEM;
	}
	r->hm = hm;
	r->ipa_width = (p->ipa_width != 0U) ? p->ipa_width : 30U;
	r->fault_in = !p->no_fault_in;
	r->rtt_start = pick_start(hm, r->ipa_width, p->rtt_levels);
	r->rtt_num = (r->rtt_start >= 0) ?
		     start_rtts(hm, r->ipa_width, r->rtt_start) : 0UL;
	r->nr_prot = (r->ipa_width >= HM_S2SZ_MIN) ?
		     (1UL << (r->ipa_width - 1U)) / HM_GRANULE : 0UL;
	r->backed = calloc((r->nr_prot + 63U) / 64U + 1U, sizeof(uint64_t));
	r->vmid = (unsigned int)hm_vmid_alloc(hm);
	r->params = hm_ns_alloc(hm);
	r->run = hm_ns_alloc(hm);
	if ((r->backed == NULL) || (r->rtt_num == 0UL) || (r->params == 0UL) ||
	    (r->run == 0UL) || (make_rd(r, p) != 0) ||
	    (delegate_start_rtts(r) != 0) || (write_params(r) != 0) ||
	    (hm_rmi(hm, RMI_REALM_CREATE, r->rd, r->params, 0UL, 0UL,
		    NULL) != 0UL)) {
		goto fail;
	}
	r->id = ((struct rd *)hm_granule(r->rd)->obj)->csm.realm_id;
	r->next = hm->realms;
	hm->realms = r;
	if (!p->no_apt) {
		r->apt = hm_host_delegated(hm);
		if ((r->apt == 0UL) ||
		    (hm_rmi(hm, RMI_APT_CREATE, r->rd, r->apt, 0UL, 0UL,
			    NULL) != 0UL)) {
			goto fail_realm;
		}
	}
	r->rec = hm_host_delegated(hm);
	if ((r->rec == 0UL) ||
	    (hm_rmi(hm, RMI_REC_CREATE, r->rd, r->rec, r->params, 0UL,
		    NULL) != 0UL)) {
		goto fail_realm;
	}
	if ((!p->ripas_empty && (init_ripas(r) != 0)) ||
	    (!p->no_activate &&
	     (hm_rmi(hm, RMI_REALM_ACTIVATE, r->rd, 0UL, 0UL, 0UL,
		     NULL) != 0UL))) {
		goto fail_realm;
	}
	*out = r;
	return 0;

fail_realm:
	(void)hm_realm_destroy(r);
	return -ENOMEM;
fail:
	if (r->rd != 0UL) {
		hm_host_give_back(hm, r->rd);
	}
	free_start_rtts(r);
	hm_ns_free(hm, r->params);
	hm_ns_free(hm, r->run);
	free(r->backed);
	free(r);
	return -ENOMEM;
}

static void
unlink_realm(struct hm_realm *r)
{
	struct hm_realm **pp;

	for (pp = &r->hm->realms; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			return;
		}
	}
}

int
hm_realm_rtt_start(const struct hm_realm *r)
{
	return r->rtt_start;
}

/* What RTT_READ_ENTRY says of @ipa at @level: walk level, state, desc. */
static unsigned long
read_entry(struct hm_realm *r, unsigned long ipa, int level,
	   unsigned long res[4])
{
	return hm_rmi(r->hm, RMI_RTT_READ_ENTRY, r->rd,
		      ipa & ~(hm_level_size(r->hm, level) - 1UL),
		      (unsigned long)level, 0UL, res);
}

int
hm_realm_map_tables(struct hm_realm *r, unsigned long ipa, int level)
{
	unsigned long res[4], rtt;
	int l;

	if (read_entry(r, ipa, PORT_RTT_PAGE_LEVEL, res) != RMI_SUCCESS) {
		return -EINVAL;
	}
	for (l = (int)res[0] + 1; l <= level; l++) {
		rtt = hm_host_delegated(r->hm);
		if (rtt == 0UL) {
			return -ENOMEM;
		}
		if (hm_rmi(r->hm, RMI_RTT_CREATE, r->rd, rtt,
			   ipa & ~(hm_level_size(r->hm, l - 1) - 1UL),
			   (unsigned long)l, NULL) != RMI_SUCCESS) {
			hm_host_give_back(r->hm, rtt);
			return -EIO;
		}
	}
	return 0;
}

/* DATA_CREATE_UNKNOWN at @ipa; RTTs are created where the walk stops. */
static unsigned long
create_unknown(struct hm_realm *r, unsigned long pa, unsigned long ipa)
{
	unsigned long ret, res[4];

	ret = hm_rmi(r->hm, RMI_DATA_CREATE_UNKNOWN, r->rd, pa, ipa, 0UL, NULL);
	if ((RMI_RETURN_STATUS(ret) == RMI_ERROR_RTT) &&
	    (read_entry(r, ipa, PORT_RTT_PAGE_LEVEL, res) == RMI_SUCCESS) &&
	    (res[0] < (unsigned long)PORT_RTT_PAGE_LEVEL) &&
	    (hm_realm_map_tables(r, ipa, PORT_RTT_PAGE_LEVEL) == 0)) {
		ret = hm_rmi(r->hm, RMI_DATA_CREATE_UNKNOWN, r->rd, pa, ipa,
			     0UL, NULL);
	}
	return ret;
}

int
hm_realm_populate(struct hm_realm *r, unsigned long base, unsigned long size)
{
	unsigned long ipa;
	int ret = 0;

	for (ipa = base; ipa - base < size; ipa += HM_GRANULE) {
		unsigned long pa;

		if (hm_host_is_backed(r, ipa)) {
			continue;
		}
		pa = hm_host_delegated(r->hm);
		if (pa == 0UL) {
			return -ENOMEM;
		}
		if (create_unknown(r, pa, ipa) != RMI_SUCCESS) {
			hm_host_give_back(r->hm, pa);
			ret = -EFAULT;
			continue;
		}
		hm_host_set_backed(r, ipa, true);
	}
	return ret;
}

unsigned long
hm_realm_unback(struct hm_realm *r, unsigned long ipa)
{
	unsigned long res[4], ret;

	ret = hm_rmi(r->hm, RMI_DATA_DESTROY, r->rd, ipa, 0UL, 0UL, res);
	if (ret == RMI_SUCCESS) {
		hm_host_give_back(r->hm, res[0]);
		hm_host_set_backed(r, ipa, false);
	}
	return ret;
}

/*
 * Take back everything under the RTT entry of @ipa at @level (an entry of
 * an RTT the walk reached): DATA granules, then the RTTs below, deepest
 * first. Best effort: what the RMM refuses stays.
 */
static void
teardown_entry(struct hm_realm *r, unsigned long ipa, int level)
{
	unsigned long res[4], size = hm_level_size(r->hm, level), i;

	if ((read_entry(r, ipa, level, res) != RMI_SUCCESS) ||
	    (res[0] != (unsigned long)level)) {
		return;
	}
	if ((res[1] == RMI_ASSIGNED) && (level == PORT_RTT_PAGE_LEVEL) &&
	    (ipa < (1UL << (r->ipa_width - 1U)))) {
		(void)hm_realm_unback(r, ipa);
		return;
	}
	if (res[1] != RMI_TABLE) {
		return;
	}
	for (i = 0UL; i < hm_rtt_fanout(r->hm); i++) {
		teardown_entry(r, ipa + i * (size / hm_rtt_fanout(r->hm)),
			       level + 1);
	}
	if (hm_rmi(r->hm, RMI_RTT_DESTROY, r->rd, ipa,
		   (unsigned long)(level + 1), 0UL, res) == RMI_SUCCESS) {
		hm_host_give_back(r->hm, res[0]);
	}
}

int
hm_realm_destroy(struct hm_realm *r)
{
	struct hm *hm = r->hm;
	unsigned long i, n, top = 1UL << r->ipa_width;
	int ret = 0;

	if ((r->rec != 0UL) &&
	    (hm_rmi(hm, RMI_REC_DESTROY, r->rec, 0UL, 0UL, 0UL, NULL) == 0UL)) {
		hm_host_give_back(hm, r->rec);
		r->rec = 0UL;
	}
	if ((r->apt != 0UL) &&
	    (hm_rmi(hm, RMI_APT_DESTROY, r->rd, r->apt, 0UL, 0UL,
		    NULL) == 0UL)) {
		hm_host_give_back(hm, r->apt);
		r->apt = 0UL;
	}
	for (i = 0UL; i < r->nr_prot; i++) {
		if (hm_host_is_backed(r, i * HM_GRANULE)) {
			(void)hm_realm_unback(r, i * HM_GRANULE);
		}
	}
	/* Every starting-level entry, and what hangs below it. */
	n = top / hm_level_size(hm, r->rtt_start);
	for (i = 0UL; (r->rtt_start >= 0) && (i < n); i++) {
		teardown_entry(r, i * hm_level_size(hm, r->rtt_start),
			       r->rtt_start);
	}
	if (hm_rmi(hm, RMI_REALM_DESTROY, r->rd, 0UL, 0UL, 0UL, NULL) == 0UL) {
		hm_host_give_back(hm, r->rd);
		free_start_rtts(r);
	} else {
		ret = -EBUSY;
	}
	hm_ns_free(hm, r->params);
	hm_ns_free(hm, r->run);
	unlink_realm(r);
	free(r->backed);
	free(r);
	return ret;
}

uint64_t
hm_realm_id(const struct hm_realm *r)
{
	return r->id;
}

unsigned long
hm_realm_rd(const struct hm_realm *r)
{
	return r->rd;
}

unsigned long
hm_realm_rec(const struct hm_realm *r)
{
	return r->rec;
}

unsigned long
hm_realm_apt(const struct hm_realm *r)
{
	return r->apt;
}

unsigned int
hm_realm_vmid(const struct hm_realm *r)
{
	return r->vmid;
}
