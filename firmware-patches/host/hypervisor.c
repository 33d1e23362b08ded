/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor of the paper, as the model's host: it builds and tears
 * down realms with RMI calls, runs their RECs, and answers the CSM exits
 * with delegate + DATA_CREATE_UNKNOWN (populate) or DATA_DESTROY +
 * undelegate (reclaim). It remembers which IPAs it backed, as KVM does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_priv.h"

#define RSI_MAX_ENTRIES		16U

static unsigned long
rmi(struct hm *hm, unsigned long fid, unsigned long x1, unsigned long x2,
    unsigned long x3, unsigned long res[4])
{
	return hm_rmi(hm, fid, x1, x2, x3, 0UL, res);
}

/* A delegated granule, or 0. */
static unsigned long
delegated(struct hm *hm)
{
	unsigned long pa = hm_ns_alloc(hm);

	if ((pa != 0UL) &&
	    (rmi(hm, RMI_GRANULE_DELEGATE, pa, 0UL, 0UL, NULL) != 0UL)) {
		hm_ns_free(hm, pa);
		pa = 0UL;
	}
	return pa;
}

static void
give_back(struct hm *hm, unsigned long pa)
{
	if ((pa != 0UL) &&
	    (rmi(hm, RMI_GRANULE_UNDELEGATE, pa, 0UL, 0UL, NULL) == 0UL)) {
		hm_ns_free(hm, pa);
	}
}

static bool
is_backed(const struct hm_realm *r, unsigned long ipa)
{
	unsigned long i = ipa / HM_GRANULE;

	return (i < r->nr_prot) && ((r->backed[i / 64U] >> (i % 64U)) & 1U);
}

static void
set_backed(struct hm_realm *r, unsigned long ipa, bool on)
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

int
hm_realm_create(struct hm *hm, const struct hm_realm_params *p,
		struct hm_realm **out)
{
	struct hm_realm_params def = { .size = sizeof(def) };
	uint64_t s2sz;
	uint16_t vmid;
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
	r->nr_prot = (r->ipa_width >= 25U) ?
		     (1UL << (r->ipa_width - 1U)) / HM_GRANULE : 0UL;
	r->backed = calloc((r->nr_prot + 63U) / 64U + 1U, sizeof(uint64_t));
	r->vmid = (unsigned int)hm_vmid_alloc(hm);
	if (p->rd != 0UL) {
		struct granule *g = hm_granule(p->rd);

		/* The host's choice, e.g. a dead realm's RD. */
		if ((g != NULL) && (g->state == PORT_GS_NS) &&
		    (g->host_used == 0U)) {
			g->host_used = 1U;
			if (rmi(hm, RMI_GRANULE_DELEGATE, p->rd, 0UL, 0UL,
				NULL) == 0UL) {
				r->rd = p->rd;
			} else {
				hm_ns_free(hm, p->rd);
			}
		}
	} else {
		r->rd = delegated(hm);
	}
	r->params = hm_ns_alloc(hm);
	r->run = hm_ns_alloc(hm);
	if ((r->backed == NULL) || (r->rd == 0UL) || (r->params == 0UL) ||
	    (r->run == 0UL)) {
		goto fail;
	}
	s2sz = r->ipa_width;
	vmid = (uint16_t)r->vmid;
	(void)hm_ns_write(hm, r->params + HM_PARAMS_S2SZ, &s2sz, 8U);
	(void)hm_ns_write(hm, r->params + HM_PARAMS_VMID, &vmid, 2U);
	if (rmi(hm, RMI_REALM_CREATE, r->rd, r->params, 0UL, NULL) != 0UL) {
		goto fail;
	}
	r->id = ((struct rd *)hm_granule(r->rd)->obj)->csm.realm_id;
	if (!p->no_apt) {
		r->apt = delegated(hm);
		if ((r->apt == 0UL) ||
		    (rmi(hm, RMI_APT_CREATE, r->rd, r->apt, 0UL, NULL) != 0UL)) {
			goto fail_realm;
		}
	}
	r->rec = delegated(hm);
	if ((r->rec == 0UL) ||
	    (rmi(hm, RMI_REC_CREATE, r->rd, r->rec, r->params, NULL) != 0UL)) {
		goto fail_realm;
	}
	if (!p->no_activate &&
	    (rmi(hm, RMI_REALM_ACTIVATE, r->rd, 0UL, 0UL, NULL) != 0UL)) {
		goto fail_realm;
	}
	r->next = hm->realms;
	hm->realms = r;
	*out = r;
	return 0;

fail_realm:
	r->next = hm->realms;
	hm->realms = r;
	(void)hm_realm_destroy(r);
	return -ENOMEM;
fail:
	give_back(hm, r->rd);
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
hm_realm_destroy(struct hm_realm *r)
{
	struct hm *hm = r->hm;
	unsigned long i, res[4];
	int ret = 0;

	if ((r->rec != 0UL) &&
	    (rmi(hm, RMI_REC_DESTROY, r->rec, 0UL, 0UL, NULL) == 0UL)) {
		give_back(hm, r->rec);
		r->rec = 0UL;
	}
	if ((r->apt != 0UL) &&
	    (rmi(hm, RMI_APT_DESTROY, r->rd, r->apt, 0UL, NULL) == 0UL)) {
		give_back(hm, r->apt);
		r->apt = 0UL;
	}
	for (i = 0UL; i < r->nr_prot; i++) {
		unsigned long ipa = i * HM_GRANULE;

		if (!is_backed(r, ipa)) {
			continue;
		}
		if (rmi(hm, RMI_DATA_DESTROY, r->rd, ipa, 0UL, res) == 0UL) {
			give_back(hm, res[0]);
			set_backed(r, ipa, false);
		}
	}
	if (rmi(hm, RMI_REALM_DESTROY, r->rd, 0UL, 0UL, NULL) == 0UL) {
		give_back(hm, r->rd);
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

int
hm_realm_populate(struct hm_realm *r, unsigned long base, unsigned long size)
{
	unsigned long ipa;
	int ret = 0;

	for (ipa = base; ipa - base < size; ipa += HM_GRANULE) {
		unsigned long pa;

		if (is_backed(r, ipa)) {
			continue;
		}
		pa = delegated(r->hm);
		if (pa == 0UL) {
			return -ENOMEM;
		}
		if (rmi(r->hm, RMI_DATA_CREATE_UNKNOWN, r->rd, pa, ipa,
			NULL) != 0UL) {
			give_back(r->hm, pa);
			ret = -EFAULT;
			continue;
		}
		set_backed(r, ipa, true);
	}
	return ret;
}

static void
reclaim(struct hm_realm *r, unsigned long base, unsigned long top)
{
	unsigned long ipa, res[4];

	for (ipa = base; ipa < top; ipa += HM_GRANULE) {
		if (is_backed(r, ipa) &&
		    (rmi(r->hm, RMI_DATA_DESTROY, r->rd, ipa, 0UL, res) ==
		     0UL)) {
			give_back(r->hm, res[0]);
			set_backed(r, ipa, false);
		}
	}
}

void
hm_host_answer(struct hm_realm *r, const struct hm_exit *exit)
{
	switch (exit->reason) {
	case RMI_EXIT_CSM_POPULATE:
		(void)hm_realm_populate(r, exit->base, exit->top - exit->base);
		break;
	case RMI_EXIT_CSM_RECLAIM:
		reclaim(r, exit->base, exit->top);
		break;
	case RMI_EXIT_CSM_REMOVE:
		/* Only bookkeeping: the range holds nothing the host backed. */
		break;
	case RMI_EXIT_SYNC:
		(void)hm_realm_populate(r, exit->hpfar, HM_GRANULE);
		break;
	default:
		break;
	}
}

void
hm_realm_smc(struct hm_realm *r, unsigned long fid, unsigned long x1,
	     unsigned long x2, unsigned long x3, unsigned long x4)
{
	struct granule *g = hm_granule(r->rec);
	struct rec *rec;

	if ((g == NULL) || (g->state != PORT_GS_REC)) {
		return;
	}
	rec = g->obj;
	rec->smc[0] = fid;
	rec->smc[1] = x1;
	rec->smc[2] = x2;
	rec->smc[3] = x3;
	rec->smc[4] = x4;
	rec->smc_queued = true;
	rec->done = false;
}

bool
hm_realm_result(struct hm_realm *r, unsigned long x[4])
{
	struct granule *g = hm_granule(r->rec);
	struct rec *rec;

	if ((g == NULL) || (g->state != PORT_GS_REC)) {
		return false;
	}
	rec = g->obj;
	if (rec->done && !rec->smc_queued && (rec->csm.fid == 0UL)) {
		(void)memcpy(x, rec->gprs, sizeof(rec->gprs));
		return true;
	}
	return false;
}

unsigned long
hm_rec_enter(struct hm_realm *r, struct hm_exit *exit)
{
	unsigned long ret = rmi(r->hm, RMI_REC_ENTER, r->rec, r->run, 0UL,
				NULL);

	(void)memset(exit, 0, sizeof(*exit));
	if (ret == RMI_SUCCESS) {
		/* The host reads the exit from its own (NS) run page. */
		(void)hm_ns_read(r->hm, r->run + HM_RUN_EXIT_REASON,
				 &exit->reason, 8U);
		(void)hm_ns_read(r->hm, r->run + HM_RUN_EXIT_HPFAR,
				 &exit->hpfar, 8U);
		(void)hm_ns_read(r->hm, r->run + HM_RUN_EXIT_RIPAS_BASE,
				 &exit->base, 8U);
		(void)hm_ns_read(r->hm, r->run + HM_RUN_EXIT_RIPAS_TOP,
				 &exit->top, 8U);
	}
	return ret;
}

unsigned long
hm_rsi(struct hm_realm *r, unsigned long fid, unsigned long x1,
       unsigned long x2, unsigned long x3, unsigned long x4,
       unsigned long out[3])
{
	unsigned long x[4] = { SMCCC_NOT_SUPPORTED, 0UL, 0UL, 0UL };
	struct hm_exit exit;
	unsigned int n;

	hm_realm_smc(r, fid, x1, x2, x3, x4);
	for (n = 0U; n < RSI_MAX_ENTRIES; n++) {
		if (hm_rec_enter(r, &exit) != RMI_SUCCESS) {
			break;
		}
		if (hm_realm_result(r, x)) {
			break;
		}
		hm_host_answer(r, &exit);
	}
	if (out != NULL) {
		(void)memcpy(out, &x[1], 3U * sizeof(x[0]));
	}
	return x[0];
}
