/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's RMI: the RMM 1.0 commands around CSM (DEN0137 1.0-rel0,
 * B4.3: version, features, delegation, realm and REC life cycle, the
 * measured DATA_CREATE; the RTT commands are in rmi_rtt.c), and one
 * dispatch table that also holds the extension's rows (csm_rmi_cmds).
 * Every RMI_ERROR_INPUT has index 0, as 1.0 says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_priv.h"

#define INPUT		RMI_RETURN(RMI_ERROR_INPUT, 0U)
#define REALM(i)	RMI_RETURN(RMI_ERROR_REALM, (i))

/* RMI_VERSION (B4.3.23). */
static unsigned long
rmi_version(const unsigned long *args, unsigned long *res)
{
	(void)args;
	res[0] = 0x10000UL;	/* 1.0 */
	res[1] = 0x10000UL;
	return RMI_SUCCESS;
}

/* RMI_FEATURES (B4.3.4): X1 index -> X1 value; register 0: S2SZ. */
static unsigned long
rmi_features(const unsigned long *args, unsigned long *res)
{
	res[0] = (args[0] == 0UL) ? (unsigned long)HM_S2SZ_MAX : 0UL;
	return RMI_SUCCESS;
}

/* RMI_GRANULE_DELEGATE (B4.3.5). */
static unsigned long
rmi_delegate(const unsigned long *args, unsigned long *res)
{
	struct granule *g = port_find_lock_granule(args[0], PORT_GS_NS);

	(void)res;
	/* gran_align, gran_bound, gran_state, gran_gpt */
	if (g == NULL) {
		return INPUT;
	}
	g->realm_pas = 1U;	/* EL3: GPT entry to Realm PAS */
	port_granule_unlock_transition(g, PORT_GS_DELEGATED);
	return RMI_SUCCESS;
}

/* RMI_GRANULE_UNDELEGATE (B4.3.6). */
static unsigned long
rmi_undelegate(const unsigned long *args, unsigned long *res)
{
	struct granule *g = port_find_lock_granule(args[0], PORT_GS_DELEGATED);

	(void)res;
	/* gran_align, gran_bound, gran_state */
	if (g == NULL) {
		return INPUT;
	}
	port_granule_scrub(g);
	g->realm_pas = 0U;
	port_granule_unlock_transition(g, PORT_GS_NS);
	return RMI_SUCCESS;
}

static bool
vmid_in_use(unsigned int vmid)
{
	unsigned long i;

	for (i = 0UL; i < hm_g->nr_granules; i++) {
		const struct granule *g = &hm_g->granules[i];

		if ((g->state == PORT_GS_RD) &&
		    (((const struct rd *)g->obj)->vmid == vmid)) {
			return true;
		}
	}
	return false;
}

/*
 * The starting RTTs a realm of IPA width @w needs at level @sl: every
 * starting-level entry lies in one half of the IPA space, and at most 16
 * RTTs are concatenated. 0 if @sl cannot start an RTT tree for @w.
 */
static unsigned long
nr_start_rtts(unsigned int w, long sl)
{
	unsigned int shift, b = hm_g->fanout_shift;

	if ((sl < HM_MAX_LEVEL_START) || (sl > PORT_RTT_PAGE_LEVEL)) {
		return 0UL;
	}
	shift = hm_level_shift((int)sl);
	if ((w <= shift) || (w > shift + b + 4U)) {
		return 0UL;
	}
	return (w >= shift + b) ? (1UL << (w - shift - b)) : 1UL;
}

/* Realm parameters, copied from NS memory before they are validated. */
struct realm_params {
	uint64_t s2sz;
	uint16_t vmid;
	uint64_t rtt_base;
	int64_t rtt_level_start;
	uint64_t rtt_num_start;
};

static bool
read_params(unsigned long addr, struct realm_params *p)
{
	struct granule *g = hm_granule(addr);
	const uint8_t *m;

	if ((g == NULL) || (g->realm_pas != 0U)) {
		return false;
	}
	m = hm_granule_mem(g);
	(void)memcpy(&p->s2sz, m + HM_PARAMS_S2SZ, 8U);
	(void)memcpy(&p->vmid, m + HM_PARAMS_VMID, 2U);
	(void)memcpy(&p->rtt_base, m + HM_PARAMS_RTT_BASE, 8U);
	(void)memcpy(&p->rtt_level_start, m + HM_PARAMS_RTT_LEVEL_START, 8U);
	(void)memcpy(&p->rtt_num_start, m + HM_PARAMS_RTT_NUM_START, 8U);
	return true;
}

/* Lock RD and starting RTTs (all DELEGATED) in ascending PA order. */
static bool
lock_realm_granules(unsigned long rd, unsigned long base, unsigned long n,
		    struct granule **g_rd)
{
	unsigned long addr[HM_MAX_CONCAT + 1UL], i, k = 0UL;

	for (i = 0UL; i < n; i++) {
		if ((k == i) && (rd < base + i * HM_GRANULE)) {
			addr[k++] = rd;
		}
		addr[k++] = base + i * HM_GRANULE;
	}
	if (k == n) {
		addr[k++] = rd;
	}
	for (i = 0UL; i < k; i++) {
		if (port_find_lock_granule(addr[i], PORT_GS_DELEGATED) == NULL) {
			while (i-- > 0UL) {
				port_granule_unlock(hm_granule(addr[i]));
			}
			return false;
		}
	}
	*g_rd = hm_granule(rd);
	return true;
}

/* The starting RTTs: protected entries UNASSIGNED EMPTY, the rest NS. */
static void
init_start_rtts(struct rd *rd)
{
	unsigned long n = rd->rtt_num_start * hm_g->fanout, i;
	unsigned int shift = hm_level_shift(rd->rtt_level_start);

	for (i = 0UL; i < n; i++) {
		struct granule *g = hm_granule(rd->rtt_base +
					       (i / hm_g->fanout) * HM_GRANULE);
		uint64_t *t = (uint64_t *)hm_granule_mem(g);

		t[i % hm_g->fanout] = hm_ipa_protected(rd, i << shift) ?
			hm_desc(PORT_RTTE_UNASSIGNED, PORT_RIPAS_EMPTY, 0UL, 0U) :
			hm_desc(PORT_RTTE_UNASSIGNED_NS, 0U, 0UL, 0U);
	}
}

/* RMI_REALM_CREATE (B4.3.9): rd, params_ptr. */
static unsigned long
rmi_realm_create(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], i, n;
	struct realm_params p;
	struct granule *g_rd = NULL;
	unsigned long ret;
	struct rd *rd;

	(void)res;
	/* params: NS memory, copied, then the private copy validated */
	if ((rd_addr == args[1]) || !read_params(args[1], &p) ||
	    (p.s2sz < HM_S2SZ_MIN) || (p.s2sz > HM_S2SZ_MAX) ||
	    vmid_in_use(p.vmid)) {
		return INPUT;
	}
	n = nr_start_rtts((unsigned int)p.s2sz, (long)p.rtt_level_start);
	/* rtt_num_start, rtt_base alignment, aliasing with rd */
	if ((n == 0UL) || (p.rtt_num_start != n) ||
	    ((p.rtt_base & (HM_GRANULE - 1UL)) != 0UL) ||
	    ((rd_addr >= p.rtt_base) &&
	     (rd_addr < p.rtt_base + n * HM_GRANULE))) {
		return INPUT;
	}
	/* rd_state, rtt_state */
	if (!lock_realm_granules(rd_addr, p.rtt_base, n, &g_rd)) {
		return INPUT;
	}
	rd = calloc(1U, sizeof(*rd));
	if (rd == NULL) {
		ret = REALM(0U);
		goto fail;
	}
	rd->pa = rd_addr;
	rd->state = PORT_REALM_NEW;
	rd->ipa_width = (unsigned int)p.s2sz;
	rd->vmid = p.vmid;
	rd->rtt_level_start = (int)p.rtt_level_start;
	rd->rtt_num_start = n;
	rd->rtt_base = p.rtt_base;
	init_start_rtts(rd);
	g_rd->obj = rd;
	/* The RD is live from here: the extension may map it. */
	g_rd->state = PORT_GS_RD;
	rd = port_rd_map(g_rd, PORT_SLOT_RD);
	ret = csm_realm_create(rd, rd_addr);
	port_rd_unmap(rd, PORT_SLOT_RD);
	if (ret != RMI_SUCCESS) {
		free(rd);
		g_rd->obj = NULL;
		g_rd->state = PORT_GS_DELEGATED;
		for (i = 0UL; i < n; i++) {
			port_granule_scrub(hm_granule(p.rtt_base + i * HM_GRANULE));
		}
		goto fail;
	}
	for (i = 0UL; i < n; i++) {
		port_granule_unlock_transition(hm_granule(p.rtt_base +
							  i * HM_GRANULE),
					       PORT_GS_RTT);
	}
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
fail:
	for (i = 0UL; i < n; i++) {
		port_granule_unlock(hm_granule(p.rtt_base + i * HM_GRANULE));
	}
	port_granule_unlock(g_rd);
	return ret;
}

/* RMI_REALM_ACTIVATE (B4.3.8). */
static unsigned long
rmi_realm_activate(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd = port_find_lock_granule(args[0], PORT_GS_RD);
	unsigned long ret = RMI_SUCCESS;
	struct rd *rd;

	(void)res;
	/* rd_align, rd_bound, rd_state */
	if (g_rd == NULL) {
		return INPUT;
	}
	rd = g_rd->obj;
	/* realm_state */
	if (rd->state != PORT_REALM_NEW) {
		ret = REALM(0U);
	} else {
		rd->state = PORT_REALM_ACTIVE;
	}
	port_granule_unlock(g_rd);
	return ret;
}

/* RMI_REALM_DESTROY (B4.3.10). */
static unsigned long
rmi_realm_destroy(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd = port_find_lock_granule(args[0], PORT_GS_RD);
	unsigned long ret, i, base, n;
	struct rd *rd;

	(void)res;
	/* rd_align, rd_bound, rd_state */
	if (g_rd == NULL) {
		return INPUT;
	}
	rd = port_rd_map(g_rd, PORT_SLOT_RD);
	/* realm_live: RECs, or a live starting RTT */
	if ((rd->rec_count != 0UL) || hm_rtt_live(rd)) {
		ret = REALM(0U);
	} else {
		ret = csm_realm_destroy_check(rd);
	}
	if (ret == RMI_SUCCESS) {
		csm_realm_destroy(rd);
	}
	port_rd_unmap(rd, PORT_SLOT_RD);
	if (ret != RMI_SUCCESS) {
		port_granule_unlock(g_rd);
		return ret;
	}
	base = rd->rtt_base;
	n = rd->rtt_num_start;
	free(rd);
	g_rd->obj = NULL;
	port_granule_scrub(g_rd);
	port_granule_unlock_transition(g_rd, PORT_GS_DELEGATED);
	/* The starting RTTs are internal to the realm: no lock order issue. */
	for (i = 0UL; i < n; i++) {
		struct granule *g = hm_granule(base + i * HM_GRANULE);

		port_granule_lock(g, PORT_GS_RTT);
		port_granule_scrub(g);
		port_granule_unlock_transition(g, PORT_GS_DELEGATED);
	}
	return RMI_SUCCESS;
}

/* RMI_REC_CREATE (B4.3.12): rd, rec, params (the model reads none). */
static unsigned long
rmi_rec_create(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd, *g_rec;
	struct rec *rec;
	struct rd *rd;

	(void)res;
	if (args[0] == args[1]) {
		return INPUT;
	}
	/* rd and rec alignment, bound, state */
	if (port_find_lock_two_granules(args[0], PORT_GS_RD, &g_rd, args[1],
					PORT_GS_DELEGATED, &g_rec) != 0) {
		return INPUT;
	}
	rd = g_rd->obj;
	/* realm_state */
	rec = (rd->state == PORT_REALM_NEW) ? calloc(1U, sizeof(*rec)) : NULL;
	if (rec == NULL) {
		port_granule_unlock(g_rec);
		port_granule_unlock(g_rd);
		return REALM(0U);
	}
	rec->pa = args[1];
	rec->g_rd = g_rd;
	g_rec->obj = rec;
	rd->rec_count++;
	port_granule_unlock_transition(g_rec, PORT_GS_REC);
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
}

/* RMI_REC_DESTROY (B4.3.13). */
static unsigned long
rmi_rec_destroy(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rec = port_find_lock_granule(args[0], PORT_GS_REC);
	struct rec *rec;
	struct rd *rd;

	(void)res;
	if (g_rec == NULL) {
		return INPUT;
	}
	rec = g_rec->obj;
	if (rec->running) {
		port_granule_unlock(g_rec);
		return RMI_RETURN(RMI_ERROR_REC, 0U);
	}
	/* The REC's reference keeps the RD alive; internal-order access. */
	rd = rec->g_rd->obj;
	rd->rec_count--;
	free(rec);
	g_rec->obj = NULL;
	port_granule_scrub(g_rec);
	port_granule_unlock_transition(g_rec, PORT_GS_DELEGATED);
	return RMI_SUCCESS;
}

/* RMI_DATA_CREATE (B4.3.1): rd, data, ipa, src, flags; REALM_NEW only,
 * the contents copied from the NS granule src (the model measures
 * nothing). */
static unsigned long
rmi_data_create(const unsigned long *args, unsigned long *res)
{
	unsigned long rd_addr = args[0], data = args[1], ipa = args[2];
	unsigned long src = args[3], flags = args[4], ret = RMI_SUCCESS;
	struct granule *g_rd, *g_data, *g_src = hm_granule(src);
	struct hm_walk w;
	struct rd *rd;

	(void)res;
	/* flags, src_align, src_bound, src_pas */
	if (((flags != RMI_NO_MEASURE_CONTENT) &&
	     (flags != RMI_MEASURE_CONTENT)) ||
	    (g_src == NULL) || (g_src->realm_pas != 0U) ||
	    (g_src->state != PORT_GS_NS)) {
		return INPUT;
	}
	/* data and rd alignment, bound, state */
	if ((rd_addr == data) ||
	    (port_find_lock_two_granules(rd_addr, PORT_GS_RD, &g_rd, data,
					 PORT_GS_DELEGATED, &g_data) != 0)) {
		return INPUT;
	}
	rd = g_rd->obj;
	/* ipa_align, ipa_bound */
	if (((ipa & (HM_GRANULE - 1UL)) != 0UL) || !hm_ipa_protected(rd, ipa)) {
		ret = INPUT;
		goto out;
	}
	/* realm_state */
	if (rd->state != PORT_REALM_NEW) {
		ret = REALM(0U);
		goto out;
	}
	hm_walk(rd, ipa, PORT_RTT_PAGE_LEVEL, &w);
	/* rtt_walk, rtte_state */
	if ((w.level != PORT_RTT_PAGE_LEVEL) ||
	    (hm_d_state(*w.d) != PORT_RTTE_UNASSIGNED)) {
		ret = RMI_RETURN(RMI_ERROR_RTT, (unsigned int)w.level);
		goto out;
	}
	(void)memcpy(hm_granule_mem(g_data), hm_granule_mem(g_src), HM_GRANULE);
	hm_d_write(rd, &w, hm_desc(PORT_RTTE_ASSIGNED, PORT_RIPAS_RAM, data,
				   0U));
	port_granule_unlock_transition(g_data, PORT_GS_DATA);
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
out:
	port_granule_unlock(g_data);
	port_granule_unlock(g_rd);
	return ret;
}

struct hm_rmi_row {
	unsigned long fid;
	const char *name;
	unsigned long (*handler)(const unsigned long *args, unsigned long *res);
};

static const struct hm_rmi_row rmi_rows[] = {
	{ RMI_VERSION, "RMI_VERSION", rmi_version },
	{ RMI_FEATURES, "RMI_FEATURES", rmi_features },
	{ RMI_GRANULE_DELEGATE, "RMI_GRANULE_DELEGATE", rmi_delegate },
	{ RMI_GRANULE_UNDELEGATE, "RMI_GRANULE_UNDELEGATE", rmi_undelegate },
	{ RMI_DATA_CREATE, "RMI_DATA_CREATE", rmi_data_create },
	{ RMI_REALM_ACTIVATE, "RMI_REALM_ACTIVATE", rmi_realm_activate },
	{ RMI_REALM_CREATE, "RMI_REALM_CREATE", rmi_realm_create },
	{ RMI_REALM_DESTROY, "RMI_REALM_DESTROY", rmi_realm_destroy },
	{ RMI_REC_CREATE, "RMI_REC_CREATE", rmi_rec_create },
	{ RMI_REC_DESTROY, "RMI_REC_DESTROY", rmi_rec_destroy },
	{ RMI_REC_ENTER, "RMI_REC_ENTER", hm_rmi_rec_enter },
	{ RMI_RTT_CREATE, "RMI_RTT_CREATE", hm_rmi_rtt_create },
	{ RMI_RTT_DESTROY, "RMI_RTT_DESTROY", hm_rmi_rtt_destroy },
	{ RMI_RTT_FOLD, "RMI_RTT_FOLD", hm_rmi_rtt_fold },
	{ RMI_RTT_READ_ENTRY, "RMI_RTT_READ_ENTRY", hm_rmi_rtt_read_entry },
	{ RMI_RTT_INIT_RIPAS, "RMI_RTT_INIT_RIPAS", hm_rmi_rtt_init_ripas },
	{ RMI_RTT_SET_RIPAS, "RMI_RTT_SET_RIPAS", hm_rmi_rtt_set_ripas },
	{ RMI_RTT_MAP_UNPROTECTED, "RMI_RTT_MAP_UNPROTECTED",
	  hm_rmi_rtt_map_unprotected },
	{ RMI_RTT_UNMAP_UNPROTECTED, "RMI_RTT_UNMAP_UNPROTECTED",
	  hm_rmi_rtt_unmap_unprotected },
};

/* Outputs a command defines even when it fails, on RMI_ERROR_RTT: X2
 * "top" of DATA_DESTROY (B4.3.3) and RTT_DESTROY (B4.3.16), X1 "top" of
 * RTT_UNMAP_UNPROTECTED (B4.3.22). */
static bool
keeps_outputs(unsigned long fid, unsigned long ret)
{
	if (RMI_RETURN_STATUS(ret) != RMI_ERROR_RTT) {
		return false;
	}
	return (fid == RMI_RTT_DESTROY) || (fid == RMI_DATA_DESTROY) ||
	       (fid == RMI_RTT_UNMAP_UNPROTECTED);
}

unsigned long
hm_rmi(struct hm *hm, unsigned long fid, unsigned long x1, unsigned long x2,
       unsigned long x3, unsigned long x4, unsigned long res[4])
{
	unsigned long args[5] = { x1, x2, x3, x4, 0UL };
	unsigned long out[4] = { 0UL, 0UL, 0UL, 0UL };
	unsigned long (*handler)(const unsigned long *, unsigned long *);
	const char *name = NULL;
	unsigned long ret;
	unsigned int i;

	/* The extension's rows first: they replace the 1.0 DATA rows. */
	for (i = 0U; (name == NULL) && (i < csm_rmi_nr_cmds); i++) {
		if (csm_rmi_cmds[i].fid == fid) {
			name = csm_rmi_cmds[i].name;
			handler = csm_rmi_cmds[i].handler;
		}
	}
	for (i = 0U; (name == NULL) && (i < sizeof(rmi_rows) /
					sizeof(rmi_rows[0])); i++) {
		if (rmi_rows[i].fid == fid) {
			name = rmi_rows[i].name;
			handler = rmi_rows[i].handler;
		}
	}
	if (name == NULL) {
		ret = SMCCC_NOT_SUPPORTED;
	} else {
		ret = handler(args, out);
		hm_command_end(name);
	}
	if ((ret != RMI_SUCCESS) && !keeps_outputs(fid, ret)) {
		/* Outputs are UNDEFINED on failure: hand back zeros. */
		(void)memset(out, 0, sizeof(out));
	}
	if (hm->trace) {
		(void)fprintf(stderr, "hm: %s %lx %lx %lx %lx > %lx %lx %lx\n",
			      (name != NULL) ? name : "RMI_UNKNOWN", x1, x2, x3,
			      x4, ret, out[0], out[1]);
	}
	if (res != NULL) {
		(void)memcpy(res, out, sizeof(out));
	}
	return ret;
}
