/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's RMI: the RMM 1.0 commands CSM needs around it (delegation,
 * realm and REC life cycle, unprotected mappings, RTT read), written to
 * the spec's conditions in short, and one dispatch table that also holds
 * the extension's rows (csm_rmi_cmds). Status codes as in RMM 1.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_priv.h"

#define INPUT		RMI_RETURN(RMI_ERROR_INPUT, 0U)

static unsigned long
rmi_version(const unsigned long *args, unsigned long *res)
{
	(void)args;
	res[0] = 0x10000UL;	/* 1.0 */
	res[1] = 0x10000UL;
	return RMI_SUCCESS;
}

static unsigned long
rmi_delegate(const unsigned long *args, unsigned long *res)
{
	struct granule *g = port_find_lock_granule(args[0], PORT_GS_NS);

	(void)res;
	if (g == NULL) {
		return INPUT;
	}
	g->realm_pas = 1U;	/* EL3: GPT entry to Realm PAS */
	port_granule_unlock_transition(g, PORT_GS_DELEGATED);
	return RMI_SUCCESS;
}

static unsigned long
rmi_undelegate(const unsigned long *args, unsigned long *res)
{
	struct granule *g = port_find_lock_granule(args[0], PORT_GS_DELEGATED);

	(void)res;
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

static unsigned long
rmi_realm_create(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd, *g_params;
	unsigned long ret = RMI_SUCCESS;
	uint64_t s2sz = 0U;
	uint16_t vmid = 0U;
	struct rd *rd;

	(void)res;
	if (args[0] == args[1]) {
		return INPUT;
	}
	/* Params are NS memory: copy, then validate the private copy. */
	g_params = hm_granule(args[1]);
	if ((g_params == NULL) || (g_params->realm_pas != 0U)) {
		return INPUT;
	}
	(void)memcpy(&s2sz, hm_granule_mem(g_params) + HM_PARAMS_S2SZ, 8U);
	(void)memcpy(&vmid, hm_granule_mem(g_params) + HM_PARAMS_VMID, 2U);
	if ((s2sz < 24U) || (s2sz > 36U) || vmid_in_use(vmid)) {
		return INPUT;
	}
	g_rd = port_find_lock_granule(args[0], PORT_GS_DELEGATED);
	if (g_rd == NULL) {
		return INPUT;
	}
	rd = calloc(1U, sizeof(*rd));
	if (rd != NULL) {
		rd->nr_root = (1UL << s2sz) / HM_L3_SPAN;
		rd->l3 = calloc(rd->nr_root, sizeof(*rd->l3));
	}
	if ((rd == NULL) || (rd->l3 == NULL)) {
		free(rd);
		port_granule_unlock(g_rd);
		return RMI_RETURN(RMI_ERROR_REALM, 0U);
	}
	rd->pa = args[0];
	rd->state = PORT_REALM_NEW;
	rd->ipa_width = (unsigned int)s2sz;
	rd->vmid = vmid;
	g_rd->obj = rd;
	/* The RD is live from here: the extension may map it. */
	g_rd->state = PORT_GS_RD;
	rd = port_rd_map(g_rd, PORT_SLOT_RD);
	ret = csm_realm_create(rd, args[0]);
	port_rd_unmap(rd, PORT_SLOT_RD);
	if (ret != RMI_SUCCESS) {
		hm_rtt_free(rd);
		free(rd);
		g_rd->obj = NULL;
		port_granule_unlock_transition(g_rd, PORT_GS_DELEGATED);
		return ret;
	}
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
}

static unsigned long
rmi_realm_activate(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd = port_find_lock_granule(args[0], PORT_GS_RD);
	struct rd *rd;
	unsigned long ret = RMI_SUCCESS;

	(void)res;
	if (g_rd == NULL) {
		return INPUT;
	}
	rd = g_rd->obj;
	if (rd->state != PORT_REALM_NEW) {
		ret = RMI_RETURN(RMI_ERROR_REALM, 0U);
	} else {
		rd->state = PORT_REALM_ACTIVE;
	}
	port_granule_unlock(g_rd);
	return ret;
}

static unsigned long
rmi_realm_destroy(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd = port_find_lock_granule(args[0], PORT_GS_RD);
	unsigned long ret;
	struct rd *rd;

	(void)res;
	if (g_rd == NULL) {
		return INPUT;
	}
	rd = port_rd_map(g_rd, PORT_SLOT_RD);
	/* realm_live: RECs or mapped granules left */
	if ((rd->rec_count != 0UL) || hm_rtt_live(rd)) {
		ret = RMI_RETURN(RMI_ERROR_REALM, 0U);
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
	hm_rtt_free(rd);
	free(rd);
	g_rd->obj = NULL;
	port_granule_scrub(g_rd);
	port_granule_unlock_transition(g_rd, PORT_GS_DELEGATED);
	return RMI_SUCCESS;
}

static unsigned long
rmi_rec_create(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd, *g_rec;
	struct rec *rec;
	struct rd *rd;
	int which;

	(void)res;
	if (args[0] == args[1]) {
		return INPUT;
	}
	which = port_find_lock_two_granules(args[0], PORT_GS_RD, &g_rd,
					    args[1], PORT_GS_DELEGATED, &g_rec);
	if (which != 0) {
		return INPUT;
	}
	rd = g_rd->obj;
	rec = (rd->state == PORT_REALM_NEW) ? calloc(1U, sizeof(*rec)) : NULL;
	if (rec == NULL) {
		port_granule_unlock(g_rec);
		port_granule_unlock(g_rd);
		return RMI_RETURN(RMI_ERROR_REALM, 0U);
	}
	rec->pa = args[1];
	rec->g_rd = g_rd;
	g_rec->obj = rec;
	rd->rec_count++;
	port_granule_unlock_transition(g_rec, PORT_GS_REC);
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
}

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

static bool
unprotected(const struct rd *rd, unsigned long ipa)
{
	return (ipa >= (1UL << (rd->ipa_width - 1U))) &&
	       (ipa < (1UL << rd->ipa_width)) &&
	       ((ipa & (HM_GRANULE - 1UL)) == 0UL);
}

static unsigned long
rmi_rtt_map_unprotected(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd = port_find_lock_granule(args[0], PORT_GS_RD);
	unsigned long ret = RMI_SUCCESS;
	uint64_t *d;
	struct rd *rd;

	(void)res;
	if (g_rd == NULL) {
		return INPUT;
	}
	rd = g_rd->obj;
	/* The descriptor is the host's: any PA, the GPC guards the PAS. */
	if (!unprotected(rd, args[1]) || (args[2] != 3UL) ||
	    ((args[3] & (HM_GRANULE - 1UL)) != 0UL)) {
		ret = INPUT;
	} else if ((d = hm_rtt_slot(rd, args[1], true)) == NULL) {
		ret = RMI_RETURN(RMI_ERROR_RTT, 2U);
	} else if ((*d & HM_D_VALID) != 0U) {
		ret = RMI_RETURN(RMI_ERROR_RTT, 3U);
	} else {
		*d = (args[3] & HM_D_PA_MASK) | HM_D_VALID;
	}
	port_granule_unlock(g_rd);
	return ret;
}

static unsigned long
rmi_rtt_unmap_unprotected(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd = port_find_lock_granule(args[0], PORT_GS_RD);
	unsigned long ret = RMI_SUCCESS;
	uint64_t *d;
	struct rd *rd;

	(void)res;
	if (g_rd == NULL) {
		return INPUT;
	}
	rd = g_rd->obj;
	if (!unprotected(rd, args[1]) || (args[2] != 3UL)) {
		ret = INPUT;
	} else if (((d = hm_rtt_slot(rd, args[1], false)) == NULL) ||
		   ((*d & HM_D_VALID) == 0U)) {
		ret = RMI_RETURN(RMI_ERROR_RTT, 3U);
	} else {
		*d = HM_D_STALE;
		rd->nr_stale++;
		port_tlbi_ipa(rd, args[1]);
	}
	port_granule_unlock(g_rd);
	return ret;
}

static unsigned long
rmi_rtt_read_entry(const unsigned long *args, unsigned long *res)
{
	struct granule *g_rd = port_find_lock_granule(args[0], PORT_GS_RD);
	struct rd *rd;
	uint64_t *d;

	if (g_rd == NULL) {
		return INPUT;
	}
	rd = g_rd->obj;
	if ((args[1] >= (1UL << rd->ipa_width)) ||
	    ((args[1] & (HM_GRANULE - 1UL)) != 0UL) || (args[2] != 3UL)) {
		port_granule_unlock(g_rd);
		return INPUT;
	}
	d = hm_rtt_slot(rd, args[1], false);
	res[0] = 3UL;
	res[1] = ((d != NULL) && ((*d & HM_D_VALID) != 0U)) ?
		 RMI_ASSIGNED : RMI_UNASSIGNED;
	res[2] = (res[1] == RMI_ASSIGNED) ? (*d & HM_D_PA_MASK) : 0UL;
	res[3] = 0UL;
	port_granule_unlock(g_rd);
	return RMI_SUCCESS;
}

struct hm_rmi_row {
	unsigned long fid;
	const char *name;
	unsigned long (*handler)(const unsigned long *args, unsigned long *res);
};

static const struct hm_rmi_row rmi_rows[] = {
	{ RMI_VERSION, "RMI_VERSION", rmi_version },
	{ RMI_GRANULE_DELEGATE, "RMI_GRANULE_DELEGATE", rmi_delegate },
	{ RMI_GRANULE_UNDELEGATE, "RMI_GRANULE_UNDELEGATE", rmi_undelegate },
	{ RMI_REALM_ACTIVATE, "RMI_REALM_ACTIVATE", rmi_realm_activate },
	{ RMI_REALM_CREATE, "RMI_REALM_CREATE", rmi_realm_create },
	{ RMI_REALM_DESTROY, "RMI_REALM_DESTROY", rmi_realm_destroy },
	{ RMI_REC_CREATE, "RMI_REC_CREATE", rmi_rec_create },
	{ RMI_REC_DESTROY, "RMI_REC_DESTROY", rmi_rec_destroy },
	{ RMI_REC_ENTER, "RMI_REC_ENTER", hm_rmi_rec_enter },
	{ RMI_RTT_MAP_UNPROTECTED, "RMI_RTT_MAP_UNPROTECTED",
	  rmi_rtt_map_unprotected },
	{ RMI_RTT_READ_ENTRY, "RMI_RTT_READ_ENTRY", rmi_rtt_read_entry },
	{ RMI_RTT_UNMAP_UNPROTECTED, "RMI_RTT_UNMAP_UNPROTECTED",
	  rmi_rtt_unmap_unprotected },
};

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
	if (ret != RMI_SUCCESS) {
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
