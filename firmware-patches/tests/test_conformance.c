/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance with RMM 1.0 (DEN0137 1.0-rel0) the way Arm's architecture
 * compliance suite checks it. cca-rmm-acs (release tag v1.0_REL0_12.24)
 * lists, per command, every failure stimulus with the status and index it
 * expects (test/command/cmd_<command>/rmi_<command>_data.h) and then checks
 * the success case ("positive observability"). Each row of a table here
 * plays one of those stimuli on the host model; its comment names the ACS
 * case (the "msg" and the intent label). Every table runs on a realm that
 * uses no CSM and, where it applies, on one that does (an APT, a region it
 * provides and a consumer attached to it): the changed commands must be
 * RMM 1.0 for both. Stimuli the model cannot produce (device memory, the
 * Secure PAS, SYSTEM_OFF) are named where they would be, and skipped.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "csm_port.h"
#include "fw_test.h"

#define PBASE		0x100000UL	/* provider's region */
#define CBASE		0x300000UL	/* consumer's range */
#define CSIZE		(2UL * G)

/* ==== DATA commands: RMI_DATA_CREATE, _CREATE_UNKNOWN, _DESTROY ========== */

#define DATA_INPUT		RMI_RETURN(RMI_ERROR_INPUT, 0U)
#define DATA_REALM		RMI_RETURN(RMI_ERROR_REALM, 0U)
#define DATA_RTT(l)		RMI_RETURN(RMI_ERROR_RTT, (l))
#define DATA_OUTSIDE_PA		(HM_PA_BASE + 4096UL * G)  /* past the pool */
#define DATA_LPA2_PA		((1UL << 48) + G)
#define DATA_IPA_UNMAPPED	0x10000000UL	/* level-2 entry, no RTT below */

/* The stimuli of the three ACS data headers (their intent labels). */
enum data_stim {
	DS_VALID,
	DS_SRC_UNALIGNED, DS_SRC_OUTSIDE_PA, DS_SRC_PAS_REALM,
	DS_DATA_UNALIGNED, DS_DATA_OUTSIDE_PA, DS_DATA_UNDELEGATED,
	DS_DATA_RD, DS_DATA_REC, DS_DATA_RTT, DS_DATA_DATA, DS_DATA_LPA2,
	DS_RD_UNALIGNED, DS_RD_OUTSIDE_PA, DS_RD_UNDELEGATED, DS_RD_DELEGATED,
	DS_RD_REC, DS_RD_RTT, DS_RD_DATA,
	DS_IPA_UNALIGNED, DS_IPA_UNPROTECTED, DS_IPA_OUTSIDE,
	DS_REALM_ACTIVE, DS_REALM_NULL,
	DS_IPA_NOT_MAPPED, DS_RTTE_ASSIGNED, DS_RTTE_UNASSIGNED,
	DS_IPA_UNPROT_NOT_MAPPED, DS_IPA_UNPROT_ASSIGNED,
	DS_IPA_UNPROT_UNASSIGNED,
};

struct data_row {
	const char *acs;	/* ACS case: msg / intent label */
	enum data_stim stim;
	unsigned long ret;	/* status | index << 8 */
};

/*
 * What one realm under test offers the stimuli: the ACS's "valid"
 * arguments and one granule or IPA of each kind the stimuli need.
 */
struct data_env {
	struct fw *fw;
	struct hm_realm *r;
	unsigned long rd;
	unsigned long data;		/* DELEGATED, for the create commands */
	unsigned long src;		/* NS, with contents (DATA_CREATE) */
	unsigned long ipa_unassigned;	/* level 3, UNASSIGNED */
	unsigned long ipa_assigned;	/* level 3, ASSIGNED */
	unsigned long rec;		/* REC granule of the realm */
	unsigned long rtt;		/* an RTT granule of the realm */
	unsigned long data_gran;	/* the DATA granule at ipa_assigned */
	unsigned long ns;		/* an undelegated granule */
	unsigned long unprot_assigned;	/* unprotected, ASSIGNED_NS at 3 */
	unsigned long unprot_unassigned; /* unprotected, UNASSIGNED_NS at 3 */
	unsigned long unprot_unmapped;	/* unprotected, no level-3 RTT */
	unsigned long active_rd;	/* RD of an ACTIVE realm */
	unsigned long null_rd;		/* RD of a destroyed realm */
};

static unsigned long
data_rmi(struct data_env *env, unsigned long fid, unsigned long x1,
	 unsigned long x2, unsigned long x3, unsigned long x4,
	 unsigned long res[4])
{
	return hm_rmi(env->fw->hm, fid, x1, x2, x3, x4, res);
}

/* A realm created and destroyed again: its RD is DELEGATED ("null"). */
static unsigned long
data_null_rd(struct fw *fw)
{
	unsigned long rd = fw_delegated(fw), rtt = fw_delegated(fw);
	unsigned long params = fw_realm_params(fw, 30, 2, rtt, 1, 0x7ff0);

	assert_int_equal(hm_rmi(fw->hm, RMI_REALM_CREATE, rd, params, 0, 0,
				NULL), RMI_SUCCESS);
	assert_int_equal(hm_rmi(fw->hm, RMI_REALM_DESTROY, rd, 0, 0, 0,
				NULL), RMI_SUCCESS);
	assert_int_equal(hm_granule_state(fw->hm, rd), PORT_GS_DELEGATED);
	return rd;
}

/*
 * Fill @env for realm @r, whose @ipa_assigned is backed and whose
 * @ipa_unassigned has a level-3 UNASSIGNED entry; @active_rd is an ACTIVE
 * realm's RD (for DATA_CREATE's realm_state).
 */
static void
data_env_init(struct data_env *env, struct fw *fw, struct hm_realm *r,
	      unsigned long ipa_unassigned, unsigned long ipa_assigned,
	      unsigned long active_rd)
{
	unsigned long top = 1UL << (30 - 1), res[4];
	const char text[] = "measured contents";
	struct hm_rtte e;

	(void)memset(env, 0, sizeof(*env));
	env->fw = fw;
	env->r = r;
	env->rd = hm_realm_rd(r);
	env->data = fw_delegated(fw);
	env->src = hm_ns_alloc(fw->hm);
	assert_int_equal(hm_ns_write(fw->hm, env->src, text, sizeof(text)), 0);
	env->ipa_unassigned = ipa_unassigned;
	env->ipa_assigned = ipa_assigned;
	env->rec = hm_realm_rec(r);
	env->ns = hm_ns_alloc(fw->hm);
	env->active_rd = active_rd;
	env->null_rd = data_null_rd(fw);

	assert_int_equal(hm_rtt_entry(fw->hm, env->rd, ipa_unassigned, &e), 0);
	assert_int_equal(e.level, 3);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(hm_rtt_entry(fw->hm, env->rd, ipa_assigned, &e), 0);
	assert_int_equal(e.state, RMI_ASSIGNED);
	env->data_gran = e.pa;
	assert_int_equal(hm_rtt_entry(fw->hm, env->rd, DATA_IPA_UNMAPPED, &e),
			 0);
	assert_int_equal(e.level, 2);
	/* The level-3 RTT above ipa_assigned, as RTT_READ_ENTRY tells it. */
	assert_int_equal(data_rmi(env, RMI_RTT_READ_ENTRY, env->rd,
				  ipa_assigned & ~(hm_level_size(fw->hm, 2) - 1UL),
				  2, 0, res), RMI_SUCCESS);
	assert_int_equal(res[1], RMI_TABLE);
	env->rtt = res[2];
	/* Unprotected: one page mapped, its neighbour not, and an IPA with
	 * no level-3 RTT. */
	assert_int_equal(hm_realm_map_tables(r, top, 3), 0);
	env->unprot_assigned = top;
	env->unprot_unassigned = top + G;
	env->unprot_unmapped = top + 0x1000000UL;
	assert_int_equal(hm_rtt_entry(fw->hm, env->rd, top, &e), 0);
	if (e.state != RMI_ASSIGNED) {
		assert_int_equal(data_rmi(env, RMI_RTT_MAP_UNPROTECTED, env->rd,
					  top, 3, hm_ns_alloc(fw->hm), NULL),
				 RMI_SUCCESS);
	}
}

/* The arguments of stimulus @stim: X1 rd, X2 data, X3 ipa, X4 src. */
static void
data_args(struct data_env *env, enum data_stim stim, bool destroy,
	  unsigned long a[4])
{
	a[0] = env->rd;
	a[1] = env->data;
	a[2] = destroy ? env->ipa_assigned : env->ipa_unassigned;
	a[3] = env->src;
	switch (stim) {
	case DS_VALID: break;
	case DS_SRC_UNALIGNED: a[3] = env->src + 8UL; break;
	case DS_SRC_OUTSIDE_PA: a[3] = DATA_OUTSIDE_PA; break;
	case DS_SRC_PAS_REALM: a[3] = fw_delegated(env->fw); break;
	case DS_DATA_UNALIGNED: a[1] = env->data + 8UL; break;
	case DS_DATA_OUTSIDE_PA: a[1] = DATA_OUTSIDE_PA; break;
	case DS_DATA_UNDELEGATED: a[1] = env->ns; break;
	case DS_DATA_RD: a[1] = env->rd; break;
	case DS_DATA_REC: a[1] = env->rec; break;
	case DS_DATA_RTT: a[1] = env->rtt; break;
	case DS_DATA_DATA: a[1] = env->data_gran; break;
	case DS_DATA_LPA2: a[1] = DATA_LPA2_PA; break;
	case DS_RD_UNALIGNED: a[0] = env->rd + 8UL; break;
	case DS_RD_OUTSIDE_PA: a[0] = DATA_OUTSIDE_PA; break;
	case DS_RD_UNDELEGATED: a[0] = env->ns; break;
	case DS_RD_DELEGATED: a[0] = fw_delegated(env->fw); break;
	case DS_RD_REC: a[0] = env->rec; break;
	case DS_RD_RTT: a[0] = env->rtt; break;
	case DS_RD_DATA: a[0] = env->data_gran; break;
	case DS_IPA_UNALIGNED: a[2] += 8UL; break;
	case DS_IPA_UNPROTECTED: a[2] = env->unprot_unassigned; break;
	case DS_IPA_OUTSIDE: a[2] = (1UL << 40) + G; break;
	case DS_REALM_ACTIVE: a[0] = env->active_rd; break;
	case DS_REALM_NULL: a[0] = env->null_rd; break;
	case DS_IPA_NOT_MAPPED: a[2] = DATA_IPA_UNMAPPED; break;
	case DS_RTTE_ASSIGNED: a[2] = env->ipa_assigned; break;
	case DS_RTTE_UNASSIGNED: a[2] = env->ipa_unassigned; break;
	case DS_IPA_UNPROT_NOT_MAPPED: a[2] = env->unprot_unmapped; break;
	case DS_IPA_UNPROT_ASSIGNED: a[2] = env->unprot_assigned; break;
	case DS_IPA_UNPROT_UNASSIGNED: a[2] = env->unprot_unassigned; break;
	}
}

/* A failed command changed nothing the valid arguments name. */
static void
data_unchanged(struct data_env *env)
{
	struct hm_rtte e;

	assert_int_equal(hm_granule_state(env->fw->hm, env->data),
			 PORT_GS_DELEGATED);
	assert_int_equal(hm_rtt_entry(env->fw->hm, env->rd,
				      env->ipa_unassigned, &e), 0);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(hm_rtt_entry(env->fw->hm, env->rd, env->ipa_assigned,
				      &e), 0);
	assert_int_equal(e.state, RMI_ASSIGNED);
	assert_int_equal(e.pa, env->data_gran);
}

/* RMI_DATA_CREATE (measured: X4 src, X5 flags = RMI_NO_MEASURE_CONTENT). */
static unsigned long
data_create(struct data_env *env, const unsigned long a[4])
{
	return data_rmi(env, RMI_DATA_CREATE, a[0], a[1], a[2], a[3], NULL);
}

static void
data_run(struct data_env *env, unsigned long fid, const struct data_row *t,
	 size_t n)
{
	size_t i;

	for (i = 0U; i < n; i++) {
		bool destroy = (fid == RMI_DATA_DESTROY);
		unsigned long a[4], res[4] = { 0 }, ret;

		data_args(env, t[i].stim, destroy, a);
		if (fid == RMI_DATA_CREATE) {
			ret = data_create(env, a);
		} else if (destroy) {
			ret = data_rmi(env, fid, a[0], a[2], 0, 0, res);
		} else {
			ret = data_rmi(env, fid, a[0], a[1], a[2], 0, NULL);
		}
		if (ret != t[i].ret) {
			print_error("ACS case %s: %#lx, want %#lx\n", t[i].acs,
				    ret, t[i].ret);
			fail();
		}
		data_unchanged(env);
	}
	fw_check(env->fw);
}

/* ---- RMI_DATA_CREATE (cmd_data_create, 30 stimuli) -------------------- */

/* Its rows, in the ACS's order. Not modelled: src_bound SRC_DEV_MEM_MMIO,
 * src_pas SRC_PAS_SECURE, data_bound DATA_DEV_MEM_MMIO, rd_bound
 * RD_DEV_MEM_MMIO (no device memory, no Secure PAS), realm_state
 * REALM_SYSTEM_OFF (no PSCI). */
static const struct data_row data_create_rows[] = {
	{ "src_align / SRC_UNALIGNED", DS_SRC_UNALIGNED, DATA_INPUT },
	{ "src_bound / SRC_OUTSIDE_OF_PERMITTED_PA", DS_SRC_OUTSIDE_PA,
	  DATA_INPUT },
	{ "src_pas / SRC_PAS_REALM", DS_SRC_PAS_REALM, DATA_INPUT },
	{ "data_align / DATA_UNALIGNED", DS_DATA_UNALIGNED, DATA_INPUT },
	{ "data_bound / DATA_OUTSIDE_OF_PERMITTED_PA", DS_DATA_OUTSIDE_PA,
	  DATA_INPUT },
	{ "data_state / DATA_STATE_UNDELEGATED", DS_DATA_UNDELEGATED,
	  DATA_INPUT },
	{ "data_state / DATA_STATE_RD", DS_DATA_RD, DATA_INPUT },
	{ "data_state / DATA_STATE_REC", DS_DATA_REC, DATA_INPUT },
	{ "data_state / DATA_STATE_RTT", DS_DATA_RTT, DATA_INPUT },
	{ "data_state / DATA_STATE_DATA", DS_DATA_DATA, DATA_INPUT },
	{ "data_bound2 / DATA_LPA2_PA", DS_DATA_LPA2, DATA_INPUT },
	{ "rd_align / RD_UNALIGNED", DS_RD_UNALIGNED, DATA_INPUT },
	{ "rd_bound / RD_OUTSIDE_OF_PERMITTED_PA", DS_RD_OUTSIDE_PA,
	  DATA_INPUT },
	{ "rd_state / RD_STATE_UNDELEGATED", DS_RD_UNDELEGATED, DATA_INPUT },
	{ "rd_state / RD_STATE_DELEGATED", DS_RD_DELEGATED, DATA_INPUT },
	{ "rd_state / RD_STATE_REC", DS_RD_REC, DATA_INPUT },
	{ "rd_state / RD_STATE_RTT", DS_RD_RTT, DATA_INPUT },
	{ "rd_state / RD_STATE_DATA", DS_RD_DATA, DATA_INPUT },
	{ "ipa_align / IPA_UNALIGNED", DS_IPA_UNALIGNED, DATA_INPUT },
	{ "ipa_bound / IPA_UNPROTECTED", DS_IPA_UNPROTECTED, DATA_INPUT },
	{ "ipa_bound / IPA_OUTSIDE_OF_PERMITTED_IPA", DS_IPA_OUTSIDE,
	  DATA_INPUT },
	{ "realm_state / REALM_ACTIVE", DS_REALM_ACTIVE, DATA_REALM },
	{ "realm_state_null / REALM_NULL", DS_REALM_NULL, DATA_INPUT },
	/* The realm starts at level 2: the walk stops there, as in the ACS. */
	{ "rtt_walk / IPA_NOT_MAPPED", DS_IPA_NOT_MAPPED, DATA_RTT(2) },
	{ "rtte_state / RTTE_STATE_ASSIGNED", DS_RTTE_ASSIGNED, DATA_RTT(3) },
	{ "ipa_bound_compare_rtt_walk / IPA_UNPROTECTED_NOT_MAPPED",
	  DS_IPA_UNPROT_NOT_MAPPED, DATA_INPUT },
	{ "ipa_bound_compare_rtte_state / IPA_UNPROTECTED_RTTE_ASSIGNED",
	  DS_IPA_UNPROT_ASSIGNED, DATA_INPUT },
};

/* A NEW realm (DATA_CREATE needs one) with [base, base + G) backed; an
 * ACTIVE realm for realm_state. */
static void
data_create_env(struct data_env *env, struct fw *fw, bool apt,
		unsigned long active_rd)
{
	struct hm_realm_params p = { .size = sizeof(p), .no_apt = !apt,
				     .no_activate = true };
	struct hm_realm *r = fw_realm(fw, &p);
	unsigned long base = 0x200000UL;

	assert_int_equal(hm_realm_populate(r, base + G, G), 0);
	data_env_init(env, fw, r, base, base + G, active_rd);
}

/* Positive observability: ASSIGNED, the data granule, RIPAS RAM, and the
 * contents copied. */
static void
data_create_success(struct data_env *env)
{
	unsigned long a[4], res[4];
	char buf[32] = { 0 };

	data_args(env, DS_VALID, false, a);
	assert_int_equal(data_create(env, a), RMI_SUCCESS);
	assert_int_equal(data_rmi(env, RMI_RTT_READ_ENTRY, env->rd,
				  env->ipa_unassigned, 3, 0, res),
			 RMI_SUCCESS);
	assert_int_equal(res[1], RMI_ASSIGNED);
	assert_int_equal(res[2], env->data);
	assert_int_equal(res[3], RIPAS_RAM);
	(void)memcpy(buf, hm_granule_peek(env->fw->hm, env->data),
		     sizeof(buf) - 1U);
	assert_string_equal(buf, "measured contents");
	fw_check(env->fw);
}

static void
test_data_create_acs(void **state)
{
	struct fw *fw = *state;
	struct hm_realm_params p = { .size = sizeof(p), .no_apt = true };
	struct data_env env;

	data_create_env(&env, fw, false, hm_realm_rd(fw_realm(fw, &p)));
	data_run(&env, RMI_DATA_CREATE, data_create_rows,
		 sizeof(data_create_rows) / sizeof(data_create_rows[0]));
	data_create_success(&env);
}

/* With CSM: the NEW realm has an APT; the ACTIVE one provides a region
 * with a consumer attached. */
static void
test_data_create_acs_csm(void **state)
{
	struct fw *fw = *state;
	struct data_env env;

	(void)fw_share_attach(fw->r[0], PBASE, fw->r[1], CBASE, CSIZE,
			      CSM_PERM_RW, NULL);
	data_create_env(&env, fw, true, hm_realm_rd(fw->r[0]));
	data_run(&env, RMI_DATA_CREATE, data_create_rows,
		 sizeof(data_create_rows) / sizeof(data_create_rows[0]));
	data_create_success(&env);
}

/* ---- RMI_DATA_CREATE_UNKNOWN (cmd_data_create_unknown, 24 stimuli) ---- */

/* In the ACS's order. Not modelled: data_bound DATA_DEV_MEM_MMIO, rd_bound
 * RD_DEV_MEM_MMIO. */
static const struct data_row data_create_unknown_rows[] = {
	{ "data_align / DATA_UNALIGNED", DS_DATA_UNALIGNED, DATA_INPUT },
	{ "data_bound / DATA_OUTSIDE_OF_PERMITTED_PA", DS_DATA_OUTSIDE_PA,
	  DATA_INPUT },
	{ "data_state / DATA_STATE_UNDELEGATED", DS_DATA_UNDELEGATED,
	  DATA_INPUT },
	{ "data_state / DATA_STATE_RD", DS_DATA_RD, DATA_INPUT },
	{ "data_state / DATA_STATE_REC", DS_DATA_REC, DATA_INPUT },
	{ "data_state / DATA_STATE_RTT", DS_DATA_RTT, DATA_INPUT },
	{ "data_state / DATA_STATE_DATA", DS_DATA_DATA, DATA_INPUT },
	{ "data_bound2 / DATA_LPA2_PA", DS_DATA_LPA2, DATA_INPUT },
	{ "rd_align / RD_UNALIGNED", DS_RD_UNALIGNED, DATA_INPUT },
	{ "rd_bound / RD_OUTSIDE_OF_PERMITTED_PA", DS_RD_OUTSIDE_PA,
	  DATA_INPUT },
	{ "rd_state / RD_STATE_UNDELEGATED", DS_RD_UNDELEGATED, DATA_INPUT },
	{ "rd_state / RD_STATE_DELEGATED", DS_RD_DELEGATED, DATA_INPUT },
	{ "rd_state / RD_STATE_REC", DS_RD_REC, DATA_INPUT },
	{ "rd_state / RD_STATE_RTT", DS_RD_RTT, DATA_INPUT },
	{ "rd_state / RD_STATE_DATA", DS_RD_DATA, DATA_INPUT },
	{ "ipa_align / IPA_UNALIGNED", DS_IPA_UNALIGNED, DATA_INPUT },
	{ "ipa_bound / IPA_UNPROTECTED", DS_IPA_UNPROTECTED, DATA_INPUT },
	{ "ipa_bound / IPA_OUTSIDE_OF_PERMITTED_IPA", DS_IPA_OUTSIDE,
	  DATA_INPUT },
	{ "rtt_walk / IPA_NOT_MAPPED", DS_IPA_NOT_MAPPED, DATA_RTT(2) },
	{ "rtte_state / RTTE_STATE_ASSIGNED", DS_RTTE_ASSIGNED, DATA_RTT(3) },
	{ "ipa_bound_compare_rtt_walk / IPA_UNPROTECTED_NOT_MAPPED",
	  DS_IPA_UNPROT_NOT_MAPPED, DATA_INPUT },
	{ "ipa_bound_compare_rtte_state / IPA_UNPROTECTED_RTTE_ASSIGNED",
	  DS_IPA_UNPROT_ASSIGNED, DATA_INPUT },
};

/*
 * The ACS's layout for the success checks, from @base: UNASSIGNED RAM
 * (the valid IPA), ASSIGNED RAM, UNASSIGNED DESTROYED, UNASSIGNED EMPTY
 * (the realm asked for it).
 */
static void
data_layout(struct fw *fw, struct hm_realm *r, unsigned long base)
{
	unsigned long out[3];

	assert_int_equal(hm_realm_populate(r, base + G, 3UL * G), 0);
	assert_int_equal(hm_realm_unback(r, base + 2UL * G), RMI_SUCCESS);
	assert_int_equal(hm_realm_unback(r, base + 3UL * G), RMI_SUCCESS);
	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_SET, base + 3UL * G,
				base + 4UL * G, RIPAS_EMPTY,
				RSI_CHANGE_DESTROYED, out), RSI_SUCCESS);
	(void)fw;
}

/* The RIPAS and state of @ipa, as RTT_READ_ENTRY gives them. */
static void
data_expect_entry(struct data_env *env, unsigned long ipa,
		  unsigned long state, unsigned long ripas)
{
	unsigned long res[4];

	assert_int_equal(data_rmi(env, RMI_RTT_READ_ENTRY, env->rd, ipa, 3, 0,
				  res), RMI_SUCCESS);
	assert_int_equal(res[1], state);
	assert_int_equal(res[3], ripas);
}

/* Positive observability: ASSIGNED with the RIPAS the entry had (RAM,
 * DESTROYED, EMPTY), DATA_CREATE_UNKNOWN changes no RIPAS. */
static void
data_create_unknown_success(struct data_env *env, unsigned long base)
{
	unsigned long res[4], d;

	assert_int_equal(data_rmi(env, RMI_DATA_CREATE_UNKNOWN, env->rd,
				  env->data, base, 0, NULL), RMI_SUCCESS);
	assert_int_equal(data_rmi(env, RMI_RTT_READ_ENTRY, env->rd, base, 3, 0,
				  res), RMI_SUCCESS);
	assert_int_equal(res[1], RMI_ASSIGNED);
	assert_int_equal(res[2], env->data);
	assert_int_equal(res[3], RIPAS_RAM);
	assert_int_equal(data_rmi(env, RMI_DATA_DESTROY, env->rd, base, 0, 0,
				  res), RMI_SUCCESS);
	assert_int_equal(data_rmi(env, RMI_DATA_CREATE_UNKNOWN, env->rd,
				  res[0], base, 0, NULL), RMI_SUCCESS);
	data_expect_entry(env, base, RMI_ASSIGNED, RIPAS_DESTROYED);
	d = fw_delegated(env->fw);
	assert_int_equal(data_rmi(env, RMI_DATA_CREATE_UNKNOWN, env->rd, d,
				  base + 3UL * G, 0, NULL), RMI_SUCCESS);
	data_expect_entry(env, base + 3UL * G, RMI_ASSIGNED, RIPAS_EMPTY);
	fw_check(env->fw);
}

static void
test_data_create_unknown_acs(void **state)
{
	struct fw *fw = *state;
	struct hm_realm_params p = { .size = sizeof(p), .no_apt = true };
	struct hm_realm *r = fw_realm(fw, &p);
	unsigned long base = 0x200000UL;
	struct data_env env;

	data_layout(fw, r, base);
	data_env_init(&env, fw, r, base, base + G, 0UL);
	data_run(&env, RMI_DATA_CREATE_UNKNOWN, data_create_unknown_rows,
		 sizeof(data_create_unknown_rows) /
		 sizeof(data_create_unknown_rows[0]));
	data_create_unknown_success(&env, base);
}

/*
 * CAEC's rows for a consumer (ABI.md 4.3): a page the consumer maps is
 * rtte_state; a hole of its range, which 1.0 would back, csm_consumer.
 */
static const struct data_row data_create_unknown_csm_rows[] = {
	{ "CAEC rtte_state / consumer's mapped page", DS_RTTE_ASSIGNED,
	  DATA_RTT(3) },
	{ "CAEC csm_consumer / hole of a consumed range", DS_RTTE_UNASSIGNED,
	  DATA_RTT(3) },
};

/*
 * With CSM: the provider (region at PBASE, a consumer attached) gets the
 * ACS's table and layout outside its region and the success checks; then
 * the consumer, whose range has a hole (the host destroyed PBASE + G),
 * gets CAEC's rows.
 */
static void
test_data_create_unknown_acs_csm(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long base = 0x200000UL;
	struct data_env env;

	(void)fw_share_attach(p, PBASE, c, CBASE, CSIZE, CSM_PERM_RW, NULL);
	data_layout(fw, p, base);
	data_env_init(&env, fw, p, base, PBASE, 0UL);
	data_run(&env, RMI_DATA_CREATE_UNKNOWN, data_create_unknown_rows,
		 sizeof(data_create_unknown_rows) /
		 sizeof(data_create_unknown_rows[0]));
	data_create_unknown_success(&env, base);

	assert_int_equal(hm_realm_unback(p, PBASE + G), RMI_SUCCESS);
	data_env_init(&env, fw, c, CBASE + G, CBASE, 0UL);
	data_run(&env, RMI_DATA_CREATE_UNKNOWN, data_create_unknown_csm_rows,
		 sizeof(data_create_unknown_csm_rows) /
		 sizeof(data_create_unknown_csm_rows[0]));
}

/* ---- RMI_DATA_DESTROY (cmd_data_destroy, 15 stimuli of 1.0) ----------- */

/* In the ACS's order; aux_live is RMM 1.1 (planes). Not modelled: rd_bound
 * RD_DEV_MEM_MMIO. */
static const struct data_row data_destroy_rows[] = {
	{ "rd_align / RD_UNALIGNED", DS_RD_UNALIGNED, DATA_INPUT },
	{ "rd_bound / RD_OUTSIDE_OF_PERMITTED_PA", DS_RD_OUTSIDE_PA,
	  DATA_INPUT },
	{ "rd_state / RD_STATE_UNDELEGATED", DS_RD_UNDELEGATED, DATA_INPUT },
	{ "rd_state / RD_STATE_DELEGATED", DS_RD_DELEGATED, DATA_INPUT },
	{ "rd_state / RD_STATE_REC", DS_RD_REC, DATA_INPUT },
	{ "rd_state / RD_STATE_RTT", DS_RD_RTT, DATA_INPUT },
	{ "rd_state / RD_STATE_DATA", DS_RD_DATA, DATA_INPUT },
	{ "ipa_align / IPA_UNALIGNED", DS_IPA_UNALIGNED, DATA_INPUT },
	{ "ipa_bound / IPA_UNPROTECTED", DS_IPA_UNPROTECTED, DATA_INPUT },
	{ "ipa_bound / IPA_OUTSIDE_OF_PERMITTED_IPA", DS_IPA_OUTSIDE,
	  DATA_INPUT },
	{ "rtt_walk / IPA_NOT_MAPPED", DS_IPA_NOT_MAPPED, DATA_RTT(2) },
	{ "rtte_state / RTTE_STATE_UNASSIGNED", DS_RTTE_UNASSIGNED,
	  DATA_RTT(3) },
	{ "ipa_bound_compare_rtt_walk / IPA_UNPROTECTED_NOT_MAPPED",
	  DS_IPA_UNPROT_NOT_MAPPED, DATA_INPUT },
	{ "ipa_bound_compare_rtte_state / IPA_UNPROTECTED_RTTE_UNASSIGNED",
	  DS_IPA_UNPROT_UNASSIGNED, DATA_INPUT },
};

/* X2 top on RMI_ERROR_RTT, as the ACS checks it: the walk's RTT skipped
 * to the next live entry (or its end). For the unmapped IPA that is the
 * level-2 entry of the unprotected RTTs, the first live one after it. */
static void
data_destroy_tops(struct data_env *env, unsigned long next_live)
{
	unsigned long res[4];

	assert_int_equal(data_rmi(env, RMI_DATA_DESTROY, env->rd,
				  DATA_IPA_UNMAPPED, 0, 0, res), DATA_RTT(2));
	assert_int_equal(res[1], env->unprot_assigned);
	assert_int_equal(data_rmi(env, RMI_DATA_DESTROY, env->rd,
				  env->ipa_unassigned, 0, 0, res),
			 DATA_RTT(3));
	assert_int_equal(res[1], next_live);
}

/*
 * Positive observability, on the ACS's layout from @base (UNASSIGNED RAM,
 * ASSIGNED RAM = the valid IPA, DESTROYED, EMPTY): X1 the granule, X2 the
 * next live IPA (base + 4G, past DESTROYED and EMPTY, backed by the
 * caller), UNASSIGNED DESTROYED; created again over DESTROYED and destroyed
 * again: DESTROYED; an ASSIGNED EMPTY entry stays EMPTY.
 */
static void
data_destroy_success(struct data_env *env, unsigned long base)
{
	unsigned long res[4], d;

	assert_int_equal(data_rmi(env, RMI_DATA_DESTROY, env->rd, base + G, 0,
				  0, res), RMI_SUCCESS);
	assert_int_equal(res[0], env->data_gran);
	assert_int_equal(res[1], base + 4UL * G);
	data_expect_entry(env, base + G, RMI_UNASSIGNED, RIPAS_DESTROYED);
	assert_int_equal(data_rmi(env, RMI_DATA_CREATE_UNKNOWN, env->rd,
				  res[0], base + G, 0, NULL), RMI_SUCCESS);
	assert_int_equal(data_rmi(env, RMI_DATA_DESTROY, env->rd, base + G, 0,
				  0, res), RMI_SUCCESS);
	data_expect_entry(env, base + G, RMI_UNASSIGNED, RIPAS_DESTROYED);
	d = fw_delegated(env->fw);
	assert_int_equal(data_rmi(env, RMI_DATA_CREATE_UNKNOWN, env->rd, d,
				  base + 3UL * G, 0, NULL), RMI_SUCCESS);
	assert_int_equal(data_rmi(env, RMI_DATA_DESTROY, env->rd,
				  base + 3UL * G, 0, 0, res), RMI_SUCCESS);
	assert_int_equal(res[0], d);
	data_expect_entry(env, base + 3UL * G, RMI_UNASSIGNED, RIPAS_EMPTY);
	fw_check(env->fw);
}

static void
test_data_destroy_acs(void **state)
{
	struct fw *fw = *state;
	struct hm_realm_params p = { .size = sizeof(p), .no_apt = true };
	struct hm_realm *r = fw_realm(fw, &p);
	unsigned long base = 0x200000UL;
	struct data_env env;

	data_layout(fw, r, base);
	assert_int_equal(hm_realm_populate(r, base + 4UL * G, G), 0);
	data_env_init(&env, fw, r, base, base + G, 0UL);
	data_run(&env, RMI_DATA_DESTROY, data_destroy_rows,
		 sizeof(data_destroy_rows) / sizeof(data_destroy_rows[0]));
	data_destroy_tops(&env, base + G);
	data_destroy_success(&env, base);
}

/*
 * CAEC's rows for a consumer (ABI.md 4.4): a hole of its range is 1.0's
 * rtte_state; a page it maps is csm_consumer (its top is checked below).
 */
static const struct data_row data_destroy_csm_rows[] = {
	{ "CAEC rtte_state / hole of a consumed range", DS_RTTE_UNASSIGNED,
	  DATA_RTT(3) },
	{ "CAEC csm_consumer / consumer's mapped page", DS_RTTE_ASSIGNED,
	  DATA_RTT(3) },
};

/*
 * With CSM: the provider gets the ACS's table (its valid IPA a page of the
 * region, a consumer attached: the cascade runs) and the success checks on
 * the ACS's layout; then the consumer gets CAEC's rows.
 */
static void
test_data_destroy_acs_csm(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long base = 0x200000UL, res[4];
	struct data_env env;
	struct hm_rtte e;

	(void)fw_share_attach(p, PBASE, c, CBASE, CSIZE, CSM_PERM_RW, NULL);
	data_layout(fw, p, base);
	assert_int_equal(hm_realm_populate(p, base + 4UL * G, G), 0);
	/* The region's second page is the valid IPA, its first the hole. */
	assert_int_equal(hm_realm_unback(p, PBASE), RMI_SUCCESS);
	data_env_init(&env, fw, p, PBASE, PBASE + G, 0UL);
	data_run(&env, RMI_DATA_DESTROY, data_destroy_rows,
		 sizeof(data_destroy_rows) / sizeof(data_destroy_rows[0]));
	data_destroy_tops(&env, PBASE + G);
	/* The cascade: X1, X2 as 1.0; the consumer's entry DESTROYED. */
	assert_int_equal(data_rmi(&env, RMI_DATA_DESTROY, env.rd, PBASE + G, 0,
				  0, res), RMI_SUCCESS);
	assert_int_equal(res[0], env.data_gran);
	assert_int_equal(res[1], base);	/* the end of the region's RTT */
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(c), CBASE + G, &e), 0);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.ripas, RIPAS_DESTROYED);
	data_env_init(&env, fw, p, base, base + G, 0UL);
	data_destroy_success(&env, base);

	/* The consumer: attach again to get a mapped page, then its rows. */
	(void)fw_share_attach(p, 0x180000UL, c, 0x380000UL, CSIZE, CSM_PERM_RO,
			      NULL);
	assert_int_equal(hm_realm_unback(p, 0x181000UL), RMI_SUCCESS);
	data_env_init(&env, fw, c, 0x381000UL, 0x380000UL, 0UL);
	data_run(&env, RMI_DATA_DESTROY, data_destroy_csm_rows,
		 sizeof(data_destroy_csm_rows) /
		 sizeof(data_destroy_csm_rows[0]));
	assert_int_equal(data_rmi(&env, RMI_DATA_DESTROY, env.rd, 0x380000UL,
				  0, 0, res), DATA_RTT(3));
	assert_int_equal(res[0], 0UL);
	assert_int_equal(res[1], 0x380000UL + CSIZE);	/* past the range */
}

/* ==== end of the DATA commands ============================================ */

#define T(f)	cmocka_unit_test_setup_teardown(f, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_data_create_acs),
		T(test_data_create_acs_csm),
		T(test_data_create_unknown_acs),
		T(test_data_create_unknown_acs_csm),
		T(test_data_destroy_acs),
		T(test_data_destroy_acs_csm),
	};

	return cmocka_run_group_tests_name("firmware-conformance", tests, NULL,
					   NULL);
}
