/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance of the host model's RMM 1.0 commands with the failure
 * stimuli of Arm's CCA RMM architecture compliance suite (cca-rmm-acs, tag
 * v1.0_REL0_12.24, commit 9478bea7b976822160665e1b10664811f9b733fe; its
 * test/command/cmd_<command>/ lists, per command, every stimulus with the
 * status and index an RMM must return). One table row per ACS stimulus;
 * the row's comment names the ACS case (its "msg" and intent label). The
 * rows are written for this model, not copied: each names its arguments
 * by kind, and the test resolves them on a realm laid out as the ACS's.
 *
 * Realms are as the ACS makes them: IPA width 40, starting level 0, one
 * starting RTT, fan-out 512, no CSM (no APT), RIPAS EMPTY, NEW unless a
 * command needs a running REC. Where a CSM range changes the answer (the
 * RIPAS rules of ABI.md 4.6, the fold rule of 4.7), a second test plays
 * the command on a consumer range.
 *
 * The DATA commands (the changed RMI_DATA_CREATE_UNKNOWN and
 * RMI_DATA_DESTROY, and RMI_DATA_CREATE) have a block of their own below:
 * each of their tables runs on a realm that uses no CSM and on one that
 * does (an APT, a region it provides and a consumer attached to it), since
 * the changed commands must be RMM 1.0 for both.
 *
 * Rows the model cannot stage are kept in the table with a skip reason:
 * device memory (the model has no device PA range), a SYSTEM_OFF realm
 * (the model implements no PSCI), auxiliary RTTs (planes, RMM 1.1).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csm_port.h"
#include "fw_test.h"

/* ==== shared: fixtures and helpers for every conformance table ========= */

#define L3SZ		0x1000UL		/* 4 KiB */
#define L2SZ		(512UL * L3SZ)		/* 2 MiB */
#define L1SZ		(512UL * L2SZ)		/* 1 GiB */
#define L0SZ		(512UL * L1SZ)		/* 512 GiB */
#define CONF_IPA_WIDTH	40U
#define UNPROT		(1UL << (CONF_IPA_WIDTH - 1U))	/* first NS IPA */
#define IPA_OOB		((1UL << CONF_IPA_WIDTH) + L3SZ)	/* ACS: outside */
#define PA_OUTSIDE	((1UL << 48) + L3SZ)	/* ACS: past the PA range */
#define PA_LPA2		(1UL << 48)		/* ACS: only LPA2 reaches it */

#define IN		RMI_RETURN(RMI_ERROR_INPUT, 0U)
#define RLM		RMI_RETURN(RMI_ERROR_REALM, 0U)
#define REC_ERR		RMI_RETURN(RMI_ERROR_REC, 0U)
#define RTT(l)		RMI_RETURN(RMI_ERROR_RTT, (l))

/* Why a row is not run (NULL: it is). */
#define SKIP_DEV	"no device memory in the model"
#define SKIP_OFF	"no SYSTEM_OFF realm: the model has no PSCI"
#define SKIP_AUX	"auxiliary RTTs (planes) are RMM 1.1"

/* What a granule argument is. */
enum conf_gran {
	CG_VALID = 0,		/* the command's valid argument */
	CG_UNALIGNED,		/* the valid one + 1 */
	CG_DEV,			/* device memory (skipped) */
	CG_OUTSIDE,		/* past the PA range */
	CG_LPA2,		/* a PA that only LPA2 can express */
	CG_UNDELEGATED,
	CG_DELEGATED,
	CG_RD,			/* the valid realm's RD */
	CG_REC,			/* the valid realm's REC */
	CG_RTT,			/* an RTT of the valid realm */
	CG_DATA,		/* a DATA granule of the valid realm */
	CG_OTHER_REC,		/* a REC of another realm */
	CG_ACTIVE_RD,		/* the RD of an ACTIVE realm */
	CG_NULL_RD,		/* a destroyed realm's RD (now DELEGATED) */
};

struct conf {
	struct fw *fw;
	struct hm_realm *r;	/* the ACS's "valid realm" */
	unsigned long rd, rec, rtt, data, delegated, undelegated;
	unsigned long other_rec, active_rd, null_rd;
	unsigned int run, skipped;
};

static struct hm_realm *
conf_realm(struct fw *fw, bool active)
{
	struct hm_realm_params p = {
		.size = sizeof(p), .ipa_width = CONF_IPA_WIDTH,
		.rtt_levels = 4U, .no_apt = true, .no_activate = !active,
		.ripas_empty = !active,
	};

	return fw_realm(fw, &p);
}

static unsigned long
conf_rmi(struct conf *c, unsigned long fid, unsigned long x1,
	 unsigned long x2, unsigned long x3, unsigned long x4,
	 unsigned long res[4])
{
	return hm_rmi(c->fw->hm, fid, x1, x2, x3, x4, res);
}

/* The PA that RMI_RTT_READ_ENTRY gives for a TABLE entry at @ipa, @level. */
static unsigned long
conf_table_at(struct conf *c, unsigned long ipa, unsigned long level)
{
	unsigned long res[4];

	assert_int_equal(conf_rmi(c, RMI_RTT_READ_ENTRY, c->rd, ipa, level, 0,
				  res), RMI_SUCCESS);
	assert_int_equal(res[1], RMI_TABLE);
	return res[2];
}

/* A DATA granule at @ipa of the NEW realm @r (RMI_DATA_CREATE from an NS
 * source); its PA. The RTTs down to level 3 must exist. */
static unsigned long
conf_data_new(struct conf *c, struct hm_realm *r, unsigned long ipa,
	      unsigned long pa)
{
	unsigned long src = hm_ns_alloc(c->fw->hm);

	if (pa == 0UL) {
		pa = fw_delegated(c->fw);
	}
	assert_int_equal(conf_rmi(c, RMI_DATA_CREATE, hm_realm_rd(r), pa, ipa,
				  src, 0), RMI_SUCCESS);
	hm_ns_free(c->fw->hm, src);
	return pa;
}

/* The PA of the granule mapped at @ipa of @r. */
static unsigned long
conf_pa_at(struct conf *c, struct hm_realm *r, unsigned long ipa)
{
	struct hm_rtte e;

	assert_int_equal(hm_rtt_entry(c->fw->hm, hm_realm_rd(r), ipa, &e), 0);
	assert_int_equal(e.state, RMI_ASSIGNED);
	return e.pa;
}

/*
 * The ACS realm layout shared by the RMI tables: a valid realm (NEW, or
 * ACTIVE with RIPAS RAM), RTTs down to level 3 at IPA 0, a DATA granule at
 * @data_ipa, and the granules every "rd_state"/"rtt_state" row names.
 */
static void
conf_init(struct conf *c, void **state, bool active, unsigned long data_ipa)
{
	struct hm_realm *other, *act, *nul;
	unsigned long nul_rd;

	(void)memset(c, 0, sizeof(*c));
	c->fw = *state;
	c->r = conf_realm(c->fw, active);
	c->rd = hm_realm_rd(c->r);
	c->rec = hm_realm_rec(c->r);
	assert_int_equal(hm_realm_map_tables(c->r, data_ipa, 3), 0);
	assert_int_equal(hm_realm_map_tables(c->r, 0UL, 3), 0);
	c->rtt = conf_table_at(c, 0UL, 0UL);	/* the level-1 RTT */
	if (active) {
		assert_int_equal(hm_realm_populate(c->r, data_ipa, L3SZ), 0);
		c->data = conf_pa_at(c, c->r, data_ipa);
	} else {
		c->data = conf_data_new(c, c->r, data_ipa, 0UL);
	}
	c->delegated = fw_delegated(c->fw);
	c->undelegated = hm_ns_alloc(c->fw->hm);
	other = conf_realm(c->fw, false);
	c->other_rec = hm_realm_rec(other);
	act = conf_realm(c->fw, true);
	c->active_rd = hm_realm_rd(act);
	nul = conf_realm(c->fw, false);
	nul_rd = hm_realm_rd(nul);
	assert_int_equal(hm_realm_destroy(nul), 0);
	/* The hypervisor gave the RD back; take it as a DELEGATED granule. */
	assert_int_equal(conf_rmi(c, RMI_GRANULE_DELEGATE, nul_rd, 0, 0, 0,
				  NULL), RMI_SUCCESS);
	c->null_rd = nul_rd;
}

/* Resolve a granule argument; @valid is the row's valid value. */
static unsigned long
conf_gran(const struct conf *c, enum conf_gran g, unsigned long valid)
{
	switch (g) {
	case CG_VALID:		return valid;
	case CG_UNALIGNED:	return valid + 1UL;
	case CG_OUTSIDE:	return PA_OUTSIDE;
	case CG_LPA2:		return PA_LPA2;
	case CG_UNDELEGATED:	return c->undelegated;
	case CG_DELEGATED:	return c->delegated;
	case CG_RD:		return c->rd;
	case CG_REC:		return c->rec;
	case CG_RTT:		return c->rtt;
	case CG_DATA:		return c->data;
	case CG_OTHER_REC:	return c->other_rec;
	case CG_ACTIVE_RD:	return c->active_rd;
	case CG_NULL_RD:	return c->null_rd;
	case CG_DEV:
	default:
		fail();
	}
	return 0UL;
}

/* Check one row's answer (and count it). */
static void
conf_expect(struct conf *c, const char *cmd, const char *acs,
	    unsigned long got, unsigned long want)
{
	if (got != want) {
		print_error("%s %s: status %lu index %lu, ACS wants %lu/%lu\n",
			    cmd, acs, RMI_RETURN_STATUS(got),
			    RMI_RETURN_INDEX(got), RMI_RETURN_STATUS(want),
			    RMI_RETURN_INDEX(want));
	}
	assert_int_equal(got, want);
	c->run++;
}

static bool
conf_skip(struct conf *c, const char *skip)
{
	if (skip == NULL) {
		return false;
	}
	c->skipped++;
	return true;
}

static void
conf_report(const struct conf *c, const char *cmd)
{
	(void)printf("# %s: %u ACS rows run, %u skipped\n", cmd, c->run,
		     c->skipped);
}

/* A CSM pair: provider @p shares [PBASE, +CSIZE) with consumer @c, mapped
 * at CBASE (RO). Returns the consumer. */
#define PBASE		0x100000UL
#define CBASE		0x300000UL
#define CSIZE		(2UL * G)

static struct hm_realm *
conf_consumer(struct fw *fw)
{
	struct hm_realm *p = fw_realm(fw, NULL), *c = fw_realm(fw, NULL);

	fw->r[0] = p;
	fw->r[1] = c;
	(void)fw_share_attach(p, PBASE, c, CBASE, CSIZE, CSM_PERM_RO, NULL);
	return c;
}

/* A model with 8 entries per RTT (a level-2 block is 8 pages), for the
 * cases that need a whole RTT of a CSM range. */
static int
conf_setup_fanout8(void **state)
{
	struct fw *fw = calloc(1U, sizeof(*fw));
	struct hm_params p = { .size = sizeof(p), .nr_granules = 4096UL,
			       .rtt_fanout = 8U };

	assert_non_null(fw);
	assert_int_equal(hm_create(&p, &fw->hm), 0);
	*state = fw;
	return 0;
}

/* ==== end of shared block =============================================== */

/* ---- RMI_RTT_CREATE (ACS cmd_rtt_create) --------------------------------- */

struct rtt_create_row {
	const char *acs;
	enum conf_gran rd, rtt;
	unsigned long ipa, level, want;
	const char *skip;
};

/* Valid: rd, a DELEGATED rtt, ipa 1 GiB (level-1 entry 1 UNASSIGNED),
 * level 2. */
static const struct rtt_create_row rtt_create_rows[] = {
	/* rd_align RD_UNALIGNED */
	{ "rd_align", CG_UNALIGNED, CG_VALID, L1SZ, 2, IN, NULL },
	/* rd_bound RD_DEV_MEM */
	{ "rd_bound/dev", CG_DEV, CG_VALID, L1SZ, 2, IN, SKIP_DEV },
	/* rd_bound RD_OUTSIDE_OF_PERMITTED_PA */
	{ "rd_bound/pa", CG_OUTSIDE, CG_VALID, L1SZ, 2, IN, NULL },
	/* rd_state RD_STATE_UNDELEGATED .. RD_STATE_DATA */
	{ "rd_state/undelegated", CG_UNDELEGATED, CG_VALID, L1SZ, 2, IN, NULL },
	{ "rd_state/delegated", CG_DELEGATED, CG_VALID, L1SZ, 2, IN, NULL },
	{ "rd_state/rec", CG_REC, CG_VALID, L1SZ, 2, IN, NULL },
	{ "rd_state/rtt", CG_RTT, CG_VALID, L1SZ, 2, IN, NULL },
	{ "rd_state/data", CG_DATA, CG_VALID, L1SZ, 2, IN, NULL },
	/* level_bound LEVEL_STARTING */
	{ "level_bound/start", CG_VALID, CG_VALID, L1SZ, 0, IN, NULL },
	/* level_bound LEVEL_OOB: the walk to the NS IPA would succeed */
	{ "level_bound/oob", CG_VALID, CG_VALID, UNPROT + L3SZ, 4, IN, NULL },
	/* ipa_align IPA_UNALIGNED: not level-1 aligned */
	{ "ipa_align", CG_VALID, CG_VALID, 2UL * L2SZ, 2, IN, NULL },
	/* ipa_bound IPA_OOB */
	{ "ipa_bound", CG_VALID, CG_VALID, IPA_OOB, 2, IN, NULL },
	/* rtt_align RTT_UNALIGNED */
	{ "rtt_align", CG_VALID, CG_UNALIGNED, L1SZ, 2, IN, NULL },
	/* rtt_bound RTT_DEV_MEM, RTT_OUTSIDE_PERMITTED_PA */
	{ "rtt_bound/dev", CG_VALID, CG_DEV, L1SZ, 2, IN, SKIP_DEV },
	{ "rtt_bound/pa", CG_VALID, CG_OUTSIDE, L1SZ, 2, IN, NULL },
	/* rtt_state RTT_STATE_UNDELEGATED .. RTT_STATE_DATA */
	{ "rtt_state/undelegated", CG_VALID, CG_UNDELEGATED, L1SZ, 2, IN, NULL },
	{ "rtt_state/rd", CG_VALID, CG_RD, L1SZ, 2, IN, NULL },
	{ "rtt_state/rec", CG_VALID, CG_REC, L1SZ, 2, IN, NULL },
	{ "rtt_state/rtt", CG_VALID, CG_RTT, L1SZ, 2, IN, NULL },
	{ "rtt_state/data", CG_VALID, CG_DATA, L1SZ, 2, IN, NULL },
	/* rtt_bound2 RTT_LPA2_PA: no LPA2, so the PA is out of range */
	{ "rtt_bound2", CG_VALID, CG_LPA2, L1SZ, 2, IN, NULL },
	/* rtt_walk LEVEL_NO_PARENT_RTTE: no level-2 RTT at 1 GiB */
	{ "rtt_walk", CG_VALID, CG_VALID, L1SZ, 3, RTT(1), NULL },
	/* rtte_state RTTE_STATE_TABLE: the level-1 entry is a table */
	{ "rtte_state", CG_VALID, CG_VALID, UNPROT, 2, RTT(1), NULL },
};

static void
test_rtt_create_acs(void **state)
{
	struct conf c;
	unsigned long res[4], i, rtt;

	conf_init(&c, state, false, 4UL * L3SZ);
	rtt = fw_delegated(c.fw);
	/* ACS: an NS mapping at the first NS IPA (level-1 entry is a TABLE). */
	assert_int_equal(hm_realm_map_tables(c.r, UNPROT, 3), 0);
	for (i = 0UL; i < sizeof(rtt_create_rows) / sizeof(rtt_create_rows[0]);
	     i++) {
		const struct rtt_create_row *w = &rtt_create_rows[i];

		if (conf_skip(&c, w->skip)) {
			continue;
		}
		conf_expect(&c, "RMI_RTT_CREATE", w->acs,
			    conf_rmi(&c, RMI_RTT_CREATE,
				     conf_gran(&c, w->rd, c.rd),
				     conf_gran(&c, w->rtt, rtt), w->ipa,
				     w->level, NULL), w->want);
	}
	/* Footprint unchanged, then the valid call succeeds. */
	assert_int_equal(conf_rmi(&c, RMI_RTT_READ_ENTRY, c.rd, L1SZ, 1, 0,
				  res), RMI_SUCCESS);
	assert_int_equal(res[1], RMI_UNASSIGNED);
	assert_int_equal(conf_rmi(&c, RMI_RTT_CREATE, c.rd, rtt, L1SZ, 2,
				  NULL), RMI_SUCCESS);
	assert_int_equal(conf_table_at(&c, L1SZ, 1), rtt);
	conf_report(&c, "RMI_RTT_CREATE");
	fw_check(c.fw);
}

/* ---- RMI_RTT_DESTROY (ACS cmd_rtt_destroy) ------------------------------- */

struct rtt_ipa_level_row {
	const char *acs;
	enum conf_gran rd;
	unsigned long ipa, level, want;
	const char *skip;
};

#define DESTROY_LIVE	0UL		/* level-3 RTT with a DATA entry */
#define DESTROY_VALID	L2SZ		/* level-3 RTT, all UNASSIGNED */
#define DESTROY_NONE	(2UL * L2SZ)	/* level-2 entry UNASSIGNED */
#define DESTROY_FOLDED	(3UL * L2SZ)	/* level-2 entry ASSIGNED (a block) */

static const struct rtt_ipa_level_row rtt_destroy_rows[] = {
	/* rd_align RD_UNALIGNED */
	{ "rd_align", CG_UNALIGNED, DESTROY_VALID, 3, IN, NULL },
	/* rd_bound RD_OUTSIDE_OF_PERMITTED_PA, RD_DEV_MEM */
	{ "rd_bound/pa", CG_OUTSIDE, DESTROY_VALID, 3, IN, NULL },
	{ "rd_bound/dev", CG_DEV, DESTROY_VALID, 3, IN, SKIP_DEV },
	/* rd_state RD_STATE_UNDELEGATED .. RD_STATE_DATA */
	{ "rd_state/undelegated", CG_UNDELEGATED, DESTROY_VALID, 3, IN, NULL },
	{ "rd_state/delegated", CG_DELEGATED, DESTROY_VALID, 3, IN, NULL },
	{ "rd_state/rec", CG_REC, DESTROY_VALID, 3, IN, NULL },
	{ "rd_state/rtt", CG_RTT, DESTROY_VALID, 3, IN, NULL },
	{ "rd_state/data", CG_DATA, DESTROY_VALID, 3, IN, NULL },
	/* level_bound LEVEL_INVALID, LEVEL_STARTING_LEVEL */
	{ "level_bound/oob", CG_VALID, DESTROY_VALID, 4, IN, NULL },
	{ "level_bound/start", CG_VALID, DESTROY_VALID, 0, IN, NULL },
	/* ipa_align IPA_LEVEL_UNALIGNED */
	{ "ipa_align", CG_VALID, DESTROY_NONE + L3SZ, 3, IN, NULL },
	/* ipa_bound IPA_OUT_OF_PERMITTED_IPA */
	{ "ipa_bound", CG_VALID, IPA_OOB, 3, IN, NULL },
	/* rtt_walk IPA_NO_PARENT_RTTE: no level-2 RTT at 1 GiB */
	{ "rtt_walk", CG_VALID, L1SZ, 3, RTT(1), NULL },
	/* rtte_state RTTE_STATE_UNASSIGNED, RTTE_STATE_ASSIGNED */
	{ "rtte_state/unassigned", CG_VALID, DESTROY_NONE, 3, RTT(2), NULL },
	{ "rtte_state/assigned", CG_VALID, DESTROY_FOLDED, 3, RTT(2), NULL },
	/* rtt_live RTT_LIVE */
	{ "rtt_live", CG_VALID, DESTROY_LIVE, 3, RTT(3), NULL },
};

/* 512 DATA granules, contiguous and 2 MiB aligned, at @ipa (level-2
 * aligned) of the NEW realm, folded into a level-2 block unless !fold. */
static void
conf_block(struct conf *c, unsigned long ipa, bool fold)
{
	unsigned long pa, i, res[4];

	/* The last 2 MiB of the pool are free: the host allocates upwards. */
	pa = HM_PA_BASE + 4096UL * G - L2SZ;
	assert_int_equal(hm_realm_map_tables(c->r, ipa, 3), 0);
	for (i = 0UL; i < 512UL; i++) {
		assert_int_equal(conf_rmi(c, RMI_GRANULE_DELEGATE, pa + i * G,
					  0, 0, 0, NULL), RMI_SUCCESS);
		(void)conf_data_new(c, c->r, ipa + i * G, pa + i * G);
	}
	if (fold) {
		assert_int_equal(conf_rmi(c, RMI_RTT_FOLD, c->rd, ipa, 3, 0,
					  res), RMI_SUCCESS);
	}
}

static void
run_ipa_level_rows(struct conf *c, const char *cmd, unsigned long fid,
		   const struct rtt_ipa_level_row *rows, size_t n)
{
	size_t i;

	for (i = 0U; i < n; i++) {
		const struct rtt_ipa_level_row *w = &rows[i];

		if (conf_skip(c, w->skip)) {
			continue;
		}
		conf_expect(c, cmd, w->acs,
			    conf_rmi(c, fid, conf_gran(c, w->rd, c->rd), w->ipa,
				     w->level, 0, NULL), w->want);
	}
}

static void
test_rtt_destroy_acs(void **state)
{
	struct conf c;
	unsigned long res[4], rtt;

	conf_init(&c, state, false, 5UL * L3SZ);
	assert_int_equal(hm_realm_map_tables(c.r, DESTROY_VALID, 3), 0);
	conf_block(&c, DESTROY_FOLDED, true);
	rtt = conf_table_at(&c, DESTROY_VALID, 2);
	run_ipa_level_rows(&c, "RMI_RTT_DESTROY", RMI_RTT_DESTROY,
			   rtt_destroy_rows, sizeof(rtt_destroy_rows) /
			   sizeof(rtt_destroy_rows[0]));
	/* X2 top is defined on RMI_ERROR_RTT: the walk's next live entry. */
	assert_int_equal(conf_rmi(&c, RMI_RTT_DESTROY, c.rd, DESTROY_NONE, 3,
				  0, res), RTT(2));
	assert_int_equal(res[1], DESTROY_FOLDED);
	assert_int_equal(conf_rmi(&c, RMI_RTT_DESTROY, c.rd, DESTROY_VALID, 3,
				  0, res), RMI_SUCCESS);
	assert_int_equal(res[0], rtt);
	assert_int_equal(res[1], DESTROY_FOLDED);
	conf_report(&c, "RMI_RTT_DESTROY");
	fw_check(c.fw);
}

/* ---- RMI_RTT_FOLD (ACS cmd_rtt_fold) ------------------------------------- */

#define FOLD_VALID	0UL		/* homogeneous: 512 contiguous DATA */
#define FOLD_MIXED	L2SZ		/* one DATA entry, the rest UNASSIGNED */
#define FOLD_NONE	(2UL * L2SZ)	/* level-2 entry UNASSIGNED */
#define FOLD_FOLDED	(5UL * L2SZ)	/* already a block */
#define FOLD_UNMAPPED	L0SZ		/* NS half, no RTTs below level 0 */

static const struct rtt_ipa_level_row rtt_fold_rows[] = {
	/* rd_align RD_UNALIGNED */
	{ "rd_align", CG_UNALIGNED, FOLD_VALID, 3, IN, NULL },
	/* rd_bound RD_OUTSIDE_OF_PERMITTED_PA, RD_DEV_MEM */
	{ "rd_bound/pa", CG_OUTSIDE, FOLD_VALID, 3, IN, NULL },
	{ "rd_bound/dev", CG_DEV, FOLD_VALID, 3, IN, SKIP_DEV },
	/* rd_state RD_STATE_UNDELEGATED .. RD_STATE_DATA */
	{ "rd_state/undelegated", CG_UNDELEGATED, FOLD_VALID, 3, IN, NULL },
	{ "rd_state/delegated", CG_DELEGATED, FOLD_VALID, 3, IN, NULL },
	{ "rd_state/rec", CG_REC, FOLD_VALID, 3, IN, NULL },
	{ "rd_state/rtt", CG_RTT, FOLD_VALID, 3, IN, NULL },
	{ "rd_state/data", CG_DATA, FOLD_VALID, 3, IN, NULL },
	/* level_bound LEVEL_STARTING_LEVLE, LEVEL_OUT_OF_BOUND */
	{ "level_bound/start", CG_VALID, FOLD_VALID, 0, IN, NULL },
	{ "level_bound/oob", CG_VALID, FOLD_VALID, 4, IN, NULL },
	/* ipa_align IPA_L2_UNALIGNED */
	{ "ipa_align", CG_VALID, L3SZ, 3, IN, NULL },
	/* ipa_bound IPA_OUT_OF_BOUND */
	{ "ipa_bound", CG_VALID, IPA_OOB, 3, IN, NULL },
	/* rtt_walk IPA_NOT_MAPPED */
	{ "rtt_walk", CG_VALID, FOLD_UNMAPPED, 3, RTT(0), NULL },
	/* rtte_state RTTE_UNASSIGED, RTTE_ASSIGNED */
	{ "rtte_state/unassigned", CG_VALID, FOLD_NONE, 3, RTT(2), NULL },
	{ "rtte_state/assigned", CG_VALID, FOLD_FOLDED, 3, RTT(2), NULL },
	/* rtte_homo RTT_NON_HOMOGENEOUS */
	{ "rtte_homo", CG_VALID, FOLD_MIXED, 3, RTT(3), NULL },
	/* level_bound_compare_rtt_walk LEVEL_BOUND_RTT_WALK */
	{ "level_bound>rtt_walk", CG_VALID, FOLD_UNMAPPED, 0, IN, NULL },
	/* level_bound_compare_rtte_state LEVEL_BOUND_RTTE_STATE */
	{ "level_bound>rtte_state", CG_VALID, FOLD_UNMAPPED, 0, IN, NULL },
};

static void
test_rtt_fold_acs(void **state)
{
	struct conf c;
	unsigned long res[4], rtt, pa;

	conf_init(&c, state, false, FOLD_MIXED);
	conf_block(&c, FOLD_VALID, false);
	pa = conf_pa_at(&c, c.r, FOLD_VALID);
	rtt = conf_table_at(&c, FOLD_VALID, 2);
	/* FOLD_FOLDED: a second block, from granules of its own. */
	{
		unsigned long i, res2[4];

		assert_int_equal(hm_realm_map_tables(c.r, FOLD_FOLDED, 3), 0);
		for (i = 0UL; i < 512UL; i++) {
			unsigned long g = pa - L2SZ + i * G;

			assert_int_equal(conf_rmi(&c, RMI_GRANULE_DELEGATE, g,
						  0, 0, 0, NULL), RMI_SUCCESS);
			(void)conf_data_new(&c, c.r, FOLD_FOLDED + i * G, g);
		}
		assert_int_equal(conf_rmi(&c, RMI_RTT_FOLD, c.rd, FOLD_FOLDED,
					  3, 0, res2), RMI_SUCCESS);
	}
	run_ipa_level_rows(&c, "RMI_RTT_FOLD", RMI_RTT_FOLD, rtt_fold_rows,
			   sizeof(rtt_fold_rows) / sizeof(rtt_fold_rows[0]));
	assert_int_equal(conf_rmi(&c, RMI_RTT_FOLD, c.rd, FOLD_VALID, 3, 0,
				  res), RMI_SUCCESS);
	assert_int_equal(res[0], rtt);
	assert_int_equal(conf_rmi(&c, RMI_RTT_READ_ENTRY, c.rd, FOLD_VALID, 2,
				  0, res), RMI_SUCCESS);
	assert_int_equal(res[0], 2);
	assert_int_equal(res[1], RMI_ASSIGNED);
	assert_int_equal(res[2], pa);
	conf_report(&c, "RMI_RTT_FOLD");
	fw_check(c.fw);
}

/*
 * RMI_RTT_FOLD on CSM ranges (ABI.md 4.7): a consumer's level-3 RTT whose
 * entries map one contiguous, aligned block of the provider's, and the
 * provider's RTT, are not homogeneous while shared (ACS rtte_homo:
 * RMI_ERROR_RTT, 3) where RMM 1.0 would fold them; the walk rows answer as
 * in RMM 1.0; unshared, the provider's folds.
 */
static void
test_rtt_fold_csm(void **state)
{
	struct conf c = { .fw = *state };
	struct hm_realm_params rp = { .size = sizeof(rp), .ipa_width = 24U };
	struct hm_realm *p = fw_realm(c.fw, &rp), *r = fw_realm(c.fw, &rp);
	unsigned long blk = hm_level_size(c.fw->hm, 2), pa, i, res[4];
	struct sid sid;

	pa = HM_PA_BASE + 4096UL * G - 4UL * blk;
	assert_int_equal(hm_realm_map_tables(p, PBASE, 3), 0);
	for (i = 0UL; i < blk / G; i++) {
		assert_int_equal(conf_rmi(&c, RMI_GRANULE_DELEGATE, pa + i * G,
					  0, 0, 0, NULL), RMI_SUCCESS);
		assert_int_equal(conf_rmi(&c, RMI_DATA_CREATE_UNKNOWN,
					  hm_realm_rd(p), pa + i * G,
					  PBASE + i * G, 0, NULL), RMI_SUCCESS);
	}
	sid = fw_share_attach(p, PBASE, r, CBASE, blk, CSM_PERM_RO, NULL);
	/* ipa_align, rtte_state: as in RMM 1.0 */
	conf_expect(&c, "RMI_RTT_FOLD", "ipa_align",
		    conf_rmi(&c, RMI_RTT_FOLD, hm_realm_rd(r), CBASE + G, 3, 0,
			     res), IN);
	conf_expect(&c, "RMI_RTT_FOLD", "rtte_state",
		    conf_rmi(&c, RMI_RTT_FOLD, hm_realm_rd(r), CBASE + blk, 3,
			     0, res), RTT(2));
	/* rtte_homo: shared pages do not fold */
	conf_expect(&c, "RMI_RTT_FOLD", "rtte_homo (CSM consumer)",
		    conf_rmi(&c, RMI_RTT_FOLD, hm_realm_rd(r), CBASE, 3, 0,
			     res), RTT(3));
	conf_expect(&c, "RMI_RTT_FOLD", "rtte_homo (CSM provider)",
		    conf_rmi(&c, RMI_RTT_FOLD, hm_realm_rd(p), PBASE, 3, 0,
			     res), RTT(3));
	fw_check(c.fw);
	assert_int_equal(fw_revoke(p, &sid), RSI_SUCCESS);
	assert_int_equal(conf_rmi(&c, RMI_RTT_FOLD, hm_realm_rd(p), PBASE, 3,
				  0, res), RMI_SUCCESS);
	conf_report(&c, "RMI_RTT_FOLD on CSM ranges");
	fw_check(c.fw);
}

/* ---- RMI_RTT_READ_ENTRY (ACS cmd_rtt_read_entry) ------------------------- */

static const struct rtt_ipa_level_row rtt_read_entry_rows[] = {
	/* rd_align RD_UNALIGNED */
	{ "rd_align", CG_UNALIGNED, 0UL, 3, IN, NULL },
	/* rd_bound RD_DEV_MEM, RD_OUTSIDE_OF_PERMITTED_PA */
	{ "rd_bound/dev", CG_DEV, 0UL, 3, IN, SKIP_DEV },
	{ "rd_bound/pa", CG_OUTSIDE, 0UL, 3, IN, NULL },
	/* rd_state RD_STATE_UNDELEGATED .. RD_STATE_DATA */
	{ "rd_state/undelegated", CG_UNDELEGATED, 0UL, 3, IN, NULL },
	{ "rd_state/delegated", CG_DELEGATED, 0UL, 3, IN, NULL },
	{ "rd_state/rec", CG_REC, 0UL, 3, IN, NULL },
	{ "rd_state/rtt", CG_RTT, 0UL, 3, IN, NULL },
	{ "rd_state/data", CG_DATA, 0UL, 3, IN, NULL },
	/* level_bound LEVEL_OOB */
	{ "level_bound", CG_VALID, 0UL, 4, IN, NULL },
	/* ipa_align IPA_UNALIGNED */
	{ "ipa_align", CG_VALID, 1UL, 3, IN, NULL },
	/* ipa_bound IPA_OOB */
	{ "ipa_bound", CG_VALID, IPA_OOB, 3, IN, NULL },
};

static void
test_rtt_read_entry_acs(void **state)
{
	struct conf c;
	unsigned long res[4];

	conf_init(&c, state, false, 4UL * L3SZ);
	run_ipa_level_rows(&c, "RMI_RTT_READ_ENTRY", RMI_RTT_READ_ENTRY,
			   rtt_read_entry_rows, sizeof(rtt_read_entry_rows) /
			   sizeof(rtt_read_entry_rows[0]));
	assert_int_equal(conf_rmi(&c, RMI_RTT_READ_ENTRY, c.rd, 4UL * L3SZ, 3,
				  0, res), RMI_SUCCESS);
	assert_int_equal(res[0], 3);
	assert_int_equal(res[1], RMI_ASSIGNED);
	assert_int_equal(res[2], c.data);
	assert_int_equal(res[3], RIPAS_RAM);
	conf_report(&c, "RMI_RTT_READ_ENTRY");
	fw_check(c.fw);
}

/* ---- RMI_RTT_INIT_RIPAS (ACS cmd_rtt_init_ripas) ------------------------- */

struct rtt_range_row {
	const char *acs;
	enum conf_gran rd;
	unsigned long base, top, want;
	const char *skip;
};

#define IR_BASE		0UL			/* level-3 entry, EMPTY */
#define IR_TOP		(IR_BASE + L3SZ)
#define IR_DATA		(4UL * L3SZ)		/* ASSIGNED */
#define IR_UNMAPPED	L2SZ			/* level-2 entry, no RTT */

static const struct rtt_range_row rtt_init_ripas_rows[] = {
	/* rd_align RD_UNALIGNED */
	{ "rd_align", CG_UNALIGNED, IR_BASE, IR_TOP, IN, NULL },
	/* rd_bound RD_DEV_MEM, RD_OUTSIDE_OF_PERMITTED_PA */
	{ "rd_bound/dev", CG_DEV, IR_BASE, IR_TOP, IN, SKIP_DEV },
	{ "rd_bound/pa", CG_OUTSIDE, IR_BASE, IR_TOP, IN, NULL },
	/* rd_state RD_STATE_UNDELEGATED .. RD_STATE_DATA */
	{ "rd_state/undelegated", CG_UNDELEGATED, IR_BASE, IR_TOP, IN, NULL },
	{ "rd_state/delegated", CG_DELEGATED, IR_BASE, IR_TOP, IN, NULL },
	{ "rd_state/rec", CG_REC, IR_BASE, IR_TOP, IN, NULL },
	{ "rd_state/rtt", CG_RTT, IR_BASE, IR_TOP, IN, NULL },
	{ "rd_state/data", CG_DATA, IR_BASE, IR_TOP, IN, NULL },
	/* size_valid SIZE_INVALID */
	{ "size_valid", CG_VALID, IR_TOP, IR_BASE, IN, NULL },
	/* top_bound TOP_UNPROTECTED */
	{ "top_bound", CG_VALID, IR_BASE, UNPROT + L3SZ + L3SZ, IN, NULL },
	/* realm_state REALM_SYSTEM_OFF, REALM_ACTIVE */
	{ "realm_state/off", CG_VALID, IR_BASE, IR_TOP, RLM, SKIP_OFF },
	{ "realm_state/active", CG_ACTIVE_RD, IR_BASE, IR_TOP, RLM, NULL },
	/* realm_state_null REALM_NULL: the RD was destroyed */
	{ "realm_state_null", CG_NULL_RD, IR_BASE, IR_TOP, IN, NULL },
	/* base_align BASE_LEVEL_UNALIGNED */
	{ "base_align", CG_VALID, IR_UNMAPPED + L3SZ, IR_UNMAPPED + L3SZ + L2SZ,
	  RTT(2), NULL },
	/* rtte_state RTTE_STATE_ASSIGNED */
	{ "rtte_state", CG_VALID, IR_DATA, IR_DATA + L3SZ, RTT(3), NULL },
	/* top_gran_align TOP_GRAN_UNALIGNED */
	{ "top_gran_align", CG_VALID, IR_BASE, L3SZ / 2UL, IN, NULL },
	/* no_progress TOP_LEVEL_UNALIGNED */
	{ "no_progress", CG_VALID, IR_UNMAPPED, IR_UNMAPPED + L3SZ, RTT(2),
	  NULL },
	/* top_gran_align_compare_no_progress */
	{ "top_gran_align>no_progress", CG_VALID, IR_UNMAPPED,
	  IR_UNMAPPED + L3SZ / 2UL, IN, NULL },
};

static void
test_rtt_init_ripas_acs(void **state)
{
	struct conf c;
	unsigned long res[4], i;

	conf_init(&c, state, false, IR_DATA);
	for (i = 0UL; i < sizeof(rtt_init_ripas_rows) /
			  sizeof(rtt_init_ripas_rows[0]); i++) {
		const struct rtt_range_row *w = &rtt_init_ripas_rows[i];

		if (conf_skip(&c, w->skip)) {
			continue;
		}
		conf_expect(&c, "RMI_RTT_INIT_RIPAS", w->acs,
			    conf_rmi(&c, RMI_RTT_INIT_RIPAS,
				     conf_gran(&c, w->rd, c.rd), w->base,
				     w->top, 0, NULL), w->want);
	}
	assert_int_equal(conf_rmi(&c, RMI_RTT_READ_ENTRY, c.rd, IR_BASE, 3, 0,
				  res), RMI_SUCCESS);
	assert_int_equal(res[3], RIPAS_EMPTY);
	assert_int_equal(conf_rmi(&c, RMI_RTT_INIT_RIPAS, c.rd, IR_BASE,
				  IR_TOP, 0, res), RMI_SUCCESS);
	assert_int_equal(res[0], IR_TOP);
	assert_int_equal(conf_rmi(&c, RMI_RTT_READ_ENTRY, c.rd, IR_BASE, 3, 0,
				  res), RMI_SUCCESS);
	assert_int_equal(res[3], RIPAS_RAM);
	conf_report(&c, "RMI_RTT_INIT_RIPAS");
	fw_check(c.fw);
}

/* ---- RMI_RTT_SET_RIPAS (ACS cmd_rtt_set_ripas) --------------------------- */

/* The RIPAS change the REC has pending when a row runs. */
enum sr_req {
	SR_A = 0,	/* [0, 2 pages): level-3 entries */
	SR_B,		/* [2 MiB + 1 page, 4 MiB): base inside a level-2 entry */
	SR_C,		/* [2 MiB, 4 MiB): base starts a level-2 entry */
};

static const unsigned long sr_range[3][2] = {
	{ 0UL, 2UL * L3SZ },
	{ L2SZ + L3SZ, 2UL * L2SZ },
	{ L2SZ, 2UL * L2SZ },
};

struct rtt_set_ripas_row {
	const char *acs;
	enum conf_gran rd, rec;
	enum sr_req req;
	long dbase;		/* base = request base + dbase */
	unsigned long top;	/* 0: the request's top; SR_TOP_IS_BASE;
				 * else base + top */
	long dtop;		/* top += dtop */
	unsigned long want;
	const char *skip;
};

#define SR_TOP_IS_BASE		1UL
#define SR_ROW_RD(acs, g)	{ acs, g, CG_VALID, SR_A, 0, 0UL, 0, IN, NULL }
#define SR_ROW_REC(acs, g)	{ acs, CG_VALID, g, SR_A, 0, 0UL, 0, IN, NULL }

static const struct rtt_set_ripas_row rtt_set_ripas_rows[] = {
	/* rd_align, rd_bound, rd_state (RD_UNALIGNED .. RD_STATE_DATA) */
	SR_ROW_RD("rd_align", CG_UNALIGNED),
	SR_ROW_RD("rd_bound/pa", CG_OUTSIDE),
	{ "rd_bound/dev", CG_DEV, CG_VALID, SR_A, 0, 0UL, 0, IN, SKIP_DEV },
	SR_ROW_RD("rd_state/undelegated", CG_UNDELEGATED),
	SR_ROW_RD("rd_state/delegated", CG_DELEGATED),
	SR_ROW_RD("rd_state/rec", CG_REC),
	SR_ROW_RD("rd_state/rtt", CG_RTT),
	SR_ROW_RD("rd_state/data", CG_DATA),
	/* rec_align, rec_bound, rec_gran_state (REC_UNALIGNED ..) */
	SR_ROW_REC("rec_align", CG_UNALIGNED),
	SR_ROW_REC("rec_bound/pa", CG_OUTSIDE),
	{ "rec_bound/dev", CG_VALID, CG_DEV, SR_A, 0, 0UL, 0, IN, SKIP_DEV },
	SR_ROW_REC("rec_gran_state/undelegated", CG_UNDELEGATED),
	SR_ROW_REC("rec_gran_state/delegated", CG_DELEGATED),
	SR_ROW_REC("rec_gran_state/rd", CG_RD),
	SR_ROW_REC("rec_gran_state/rtt", CG_RTT),
	SR_ROW_REC("rec_gran_state/data", CG_DATA),
	/* rec_owner REC_OTHER_OWNER */
	{ "rec_owner", CG_VALID, CG_OTHER_REC, SR_A, 0, 0UL, 0, REC_ERR, NULL },
	/* size_valid INVALID_SIZE: top = base */
	{ "size_valid", CG_VALID, CG_VALID, SR_A, 0, SR_TOP_IS_BASE, 0, IN,
	  NULL },
	/* base_bound BASE_MISMATCH */
	{ "base_bound", CG_VALID, CG_VALID, SR_A, 1, 0UL, 0, IN, NULL },
	/* top_bound TOP_OUT_OF_BOUND */
	{ "top_bound", CG_VALID, CG_VALID, SR_A, 0, 0UL, (long)L3SZ, IN, NULL },
	/* base_align BASE_UNALIGNED */
	{ "base_align", CG_VALID, CG_VALID, SR_B, 0, 0UL, 0, RTT(2), NULL },
	/* top_gran_align TOP_GRAN_UNALIGNED */
	{ "top_gran_align", CG_VALID, CG_VALID, SR_A, 0, 0UL,
	  -(long)(L3SZ / 2UL), IN, NULL },
	/* no_progress TOP_LEVEL_UNALIGNED: top = base + 1 page */
	{ "no_progress", CG_VALID, CG_VALID, SR_C, 0, L3SZ, 0, RTT(2), NULL },
	/* aux_live IPA_AUX_LIVE */
	{ "aux_live", CG_VALID, CG_VALID, SR_C, 0, L3SZ, 0, 0UL, SKIP_AUX },
	/* base_bound_compare_base_align BASE_MISMATCH_BASE_UNALIGNED */
	{ "base_bound>base_align", CG_VALID, CG_VALID, SR_A,
	  (long)(L3SZ / 2UL), 0UL, 0, IN, NULL },
	/* top_gran_align_compare_no_progress: top = base + half a page */
	{ "top_gran_align>no_progress", CG_VALID, CG_VALID, SR_C, 0,
	  L3SZ / 2UL, 0, IN, NULL },
};

/* Let the REC finish its RIPAS change (if any) and ask for @req. */
static void
sr_request(struct conf *c, struct hm_realm *r, unsigned long base,
	   unsigned long top)
{
	struct hm_exit e;

	assert_int_equal(hm_rec_enter(r, &e), RMI_SUCCESS);
	hm_realm_smc(r, RSI_IPA_STATE_SET, base, top, RIPAS_EMPTY, 0UL);
	assert_int_equal(hm_rec_enter(r, &e), RMI_SUCCESS);
	assert_int_equal(e.reason, RMI_EXIT_RIPAS_CHANGE);
	assert_int_equal(e.base, base);
	assert_int_equal(e.top, top);
	(void)c;
}

static void
test_rtt_set_ripas_acs(void **state)
{
	struct conf c;
	unsigned long res[4], i, x[4];
	int pending = -1;

	conf_init(&c, state, true, 4UL * L3SZ);
	for (i = 0UL; i < sizeof(rtt_set_ripas_rows) /
			  sizeof(rtt_set_ripas_rows[0]); i++) {
		const struct rtt_set_ripas_row *w = &rtt_set_ripas_rows[i];
		unsigned long base, top;

		if (conf_skip(&c, w->skip)) {
			continue;
		}
		if (pending != (int)w->req) {
			sr_request(&c, c.r, sr_range[w->req][0],
				   sr_range[w->req][1]);
			pending = (int)w->req;
		}
		base = sr_range[w->req][0] + (unsigned long)w->dbase;
		if (w->top == SR_TOP_IS_BASE) {
			top = base;
		} else if (w->top != 0UL) {
			top = base + w->top;
		} else {
			top = sr_range[w->req][1];
		}
		top += (unsigned long)w->dtop;
		conf_expect(&c, "RMI_RTT_SET_RIPAS", w->acs,
			    conf_rmi(&c, RMI_RTT_SET_RIPAS,
				     conf_gran(&c, w->rd, c.rd),
				     conf_gran(&c, w->rec, c.rec), base, top,
				     NULL), w->want);
	}
	/* The valid call: the whole of request A, then the realm sees it. */
	sr_request(&c, c.r, sr_range[SR_A][0], sr_range[SR_A][1]);
	assert_int_equal(conf_rmi(&c, RMI_RTT_SET_RIPAS, c.rd, c.rec,
				  sr_range[SR_A][0], sr_range[SR_A][1], res),
			 RMI_SUCCESS);
	assert_int_equal(res[0], sr_range[SR_A][1]);
	hm_set_enter_flags(c.r, 0UL);
	{
		struct hm_exit e;

		assert_int_equal(hm_rec_enter(c.r, &e), RMI_SUCCESS);
	}
	assert_true(hm_realm_result(c.r, x));
	assert_int_equal(x[0], RSI_SUCCESS);
	assert_int_equal(x[1], sr_range[SR_A][1]);
	assert_int_equal(x[2], RSI_ACCEPT);
	conf_report(&c, "RMI_RTT_SET_RIPAS");
	fw_check(c.fw);
}

/* ---- RMI_RTT_MAP_UNPROTECTED (ACS cmd_rtt_map_unprotected) --------------- */

/* desc (RMM 1.0 B4.3.19): MemAttr [4:2], S2AP [7:6], the output address
 * from bit 12 (aligned to the level), every other bit RES0. */
#define DESC_ATTRS	((1UL << 2) | (3UL << 6))	/* ACS: normal, RW */

enum conf_desc {
	CD_VALID = 0,	/* an NS granule | DESC_ATTRS */
	CD_BAD_ATTR,	/* valid | bit 52 (RES0) */
	CD_UNALIGNED,	/* the NS granule + half a page | DESC_ATTRS */
	CD_LPA2,	/* 1 << 48 | DESC_ATTRS: needs LPA2 */
};

struct rtt_map_row {
	const char *acs;
	enum conf_gran rd;
	unsigned long ipa, level;
	enum conf_desc desc;
	unsigned long want;
	unsigned long top;	/* UNMAP, on RMI_ERROR_RTT: X1; 0 unchecked */
	const char *skip;
};

#define MAP_VALID	(UNPROT + L3SZ)	/* NS level-3 entry, UNASSIGNED_NS */
#define MAP_TAKEN	UNPROT		/* ASSIGNED_NS */
#define MAP_NO_L3	(UNPROT + L2SZ)	/* NS level-2 entry, no RTT below */
#define MAP_PROT	L3SZ		/* protected level-3 entry */

static const struct rtt_map_row rtt_map_rows[] = {
	/* attr_valid MEM_ATTR_INVALID */
	{ "attr_valid", CG_VALID, MAP_VALID, 3, CD_BAD_ATTR, IN, 0, NULL },
	/* rd_align RD_UNALIGNED; rd_bound RD_DEV_MEM, _OUTSIDE_OF_PERMITTED_PA */
	{ "rd_align", CG_UNALIGNED, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	{ "rd_bound/dev", CG_DEV, MAP_VALID, 3, CD_VALID, IN, 0, SKIP_DEV },
	{ "rd_bound/pa", CG_OUTSIDE, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	/* rd_state RD_STATE_UNDELEGATED .. RD_STATE_DATA */
	{ "rd_state/undelegated", CG_UNDELEGATED, MAP_VALID, 3, CD_VALID, IN, 0,
	  NULL },
	{ "rd_state/delegated", CG_DELEGATED, MAP_VALID, 3, CD_VALID, IN, 0,
	  NULL },
	{ "rd_state/rec", CG_REC, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	{ "rd_state/rtt", CG_RTT, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	{ "rd_state/data", CG_DATA, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	/* level_bound LEVEL_STARTING, LEVEL_OOB */
	{ "level_bound/start", CG_VALID, MAP_VALID, 0, CD_VALID, IN, 0, NULL },
	{ "level_bound/oob", CG_VALID, MAP_VALID, 4, CD_VALID, IN, 0, NULL },
	/* addr_align ADDR_UNALIGNED */
	{ "addr_align", CG_VALID, MAP_VALID, 3, CD_UNALIGNED, IN, 0, NULL },
	/* addr_bound ADDR_LPA2_PA: without LPA2 the OA is 48 bits */
	{ "addr_bound", CG_VALID, MAP_VALID, 3, CD_LPA2, IN, 0, NULL },
	/* ipa_align IPA_UNALIGNED */
	{ "ipa_align", CG_VALID, MAP_VALID + 1UL, 3, CD_VALID, IN, 0, NULL },
	/* ipa_bound IPA_PROTECTED, IPA_OOB */
	{ "ipa_bound/protected", CG_VALID, MAP_PROT, 3, CD_VALID, IN, 0, NULL },
	{ "ipa_bound/oob", CG_VALID, IPA_OOB, 3, CD_VALID, IN, 0, NULL },
	/* rtt_walk IPA_NOT_MAPPED */
	{ "rtt_walk", CG_VALID, MAP_NO_L3, 3, CD_VALID, RTT(2), 0, NULL },
	/* rtte_state RTTE_STATE_ASSIGNED_NS */
	{ "rtte_state", CG_VALID, MAP_TAKEN, 3, CD_VALID, RTT(3), 0, NULL },
};

/* UNMAP's valid entry is MAP_VALID once mapped; MAP_TAKEN is then given
 * back, so that it is the UNASSIGNED_NS entry. */
static const struct rtt_map_row rtt_unmap_rows[] = {
	/* rd_align RD_UNALIGNED; rd_bound RD_OUTSIDE_OF_PERMITTED_PA, _DEV_MEM */
	{ "rd_align", CG_UNALIGNED, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	{ "rd_bound/pa", CG_OUTSIDE, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	{ "rd_bound/dev", CG_DEV, MAP_VALID, 3, CD_VALID, IN, 0, SKIP_DEV },
	/* rd_state RD_STATE_UNDELEGATED .. RD_STATE_DATA */
	{ "rd_state/undelegated", CG_UNDELEGATED, MAP_VALID, 3, CD_VALID, IN, 0,
	  NULL },
	{ "rd_state/delegated", CG_DELEGATED, MAP_VALID, 3, CD_VALID, IN, 0,
	  NULL },
	{ "rd_state/rec", CG_REC, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	{ "rd_state/rtt", CG_RTT, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	{ "rd_state/data", CG_DATA, MAP_VALID, 3, CD_VALID, IN, 0, NULL },
	/* level_bound LEVEL_STARTING, LEVEL_OOB */
	{ "level_bound/start", CG_VALID, MAP_VALID, 0, CD_VALID, IN, 0, NULL },
	{ "level_bound/oob", CG_VALID, MAP_VALID, 4, CD_VALID, IN, 0, NULL },
	/* ipa_align IPA_UNALIGNED */
	{ "ipa_align", CG_VALID, MAP_VALID + 1UL, 3, CD_VALID, IN, 0, NULL },
	/* ipa_bound IPA_PROTECTED, IPA_OOB */
	{ "ipa_bound/protected", CG_VALID, MAP_PROT, 3, CD_VALID, IN, 0, NULL },
	{ "ipa_bound/oob", CG_VALID, IPA_OOB, 3, CD_VALID, IN, 0, NULL },
	/* rtt_walk IPA_NOT_MAPPED: top is the next live entry, 2 MiB on */
	{ "rtt_walk", CG_VALID, MAP_NO_L3, 3, CD_VALID, RTT(2),
	  MAP_NO_L3 + L2SZ, NULL },
	/* rtte_state RTTE_STATE_UNASSIGNED_NS: top is the next (live) page */
	{ "rtte_state", CG_VALID, MAP_TAKEN, 3, CD_VALID, RTT(3),
	  MAP_TAKEN + L3SZ, NULL },
	/* level_bound_compare_rtt_walk LEVEL_OOB_IPA_NOT_MAPPED */
	{ "level_bound>rtt_walk", CG_VALID, MAP_NO_L3, 4, CD_VALID, IN, 0,
	  NULL },
	/* level_bound_compare_rtte_state LEVEL_OOB_RTTE_STATE_UNASSIGNED_NS */
	{ "level_bound>rtte_state", CG_VALID, MAP_TAKEN, 4, CD_VALID, IN, 0,
	  NULL },
	/* ipa_bound_compare_rtt_walk IPA_PROTECTED_IPA_NOT_MAPPED */
	{ "ipa_bound>rtt_walk", CG_VALID, L2SZ, 3, CD_VALID, IN, 0, NULL },
};

static unsigned long
conf_desc(enum conf_desc d, unsigned long ns)
{
	switch (d) {
	case CD_VALID:		return ns | DESC_ATTRS;
	case CD_BAD_ATTR:	return ns | DESC_ATTRS | (1UL << 52);
	case CD_UNALIGNED:	return (ns + L3SZ / 2UL) | DESC_ATTRS;
	case CD_LPA2:		return (1UL << 48) | DESC_ATTRS;
	default:		fail();
	}
	return 0UL;
}

/* The NS layout of both tables: RTTs to level 3 at the first NS IPA (its
 * entry 0 mapped) and at NS + 4 MiB (a live level-2 entry after
 * MAP_NO_L3). */
static void
conf_ns_layout(struct conf *c, unsigned long ns)
{
	assert_int_equal(hm_realm_map_tables(c->r, UNPROT, 3), 0);
	assert_int_equal(hm_realm_map_tables(c->r, UNPROT + 2UL * L2SZ, 3), 0);
	assert_int_equal(conf_rmi(c, RMI_RTT_MAP_UNPROTECTED, c->rd, MAP_TAKEN,
				  3, ns, NULL), RMI_SUCCESS);
}

static void
run_map_rows(struct conf *c, const char *cmd, unsigned long fid,
	     const struct rtt_map_row *rows, size_t n, unsigned long ns)
{
	unsigned long res[4];
	size_t i;

	for (i = 0U; i < n; i++) {
		const struct rtt_map_row *w = &rows[i];

		if (conf_skip(c, w->skip)) {
			continue;
		}
		(void)memset(res, 0, sizeof(res));
		conf_expect(c, cmd, w->acs,
			    conf_rmi(c, fid, conf_gran(c, w->rd, c->rd), w->ipa,
				     w->level, conf_desc(w->desc, ns), res),
			    w->want);
		if (w->top != 0UL) {
			assert_int_equal(res[0], w->top);
		}
	}
}

static void
test_rtt_map_unprotected_acs(void **state)
{
	struct conf c;
	unsigned long ns, res[4];

	conf_init(&c, state, false, 4UL * L3SZ);
	ns = hm_ns_alloc(c.fw->hm);
	conf_ns_layout(&c, hm_ns_alloc(c.fw->hm));
	run_map_rows(&c, "RMI_RTT_MAP_UNPROTECTED", RMI_RTT_MAP_UNPROTECTED,
		     rtt_map_rows, sizeof(rtt_map_rows) /
		     sizeof(rtt_map_rows[0]), ns);
	assert_int_equal(conf_rmi(&c, RMI_RTT_READ_ENTRY, c.rd, MAP_VALID, 3,
				  0, res), RMI_SUCCESS);
	assert_int_equal(res[1], RMI_UNASSIGNED);
	assert_int_equal(conf_rmi(&c, RMI_RTT_MAP_UNPROTECTED, c.rd, MAP_VALID,
				  3, conf_desc(CD_VALID, ns), NULL),
			 RMI_SUCCESS);
	assert_int_equal(conf_rmi(&c, RMI_RTT_READ_ENTRY, c.rd, MAP_VALID, 3,
				  0, res), RMI_SUCCESS);
	assert_int_equal(res[1], RMI_ASSIGNED);
	assert_int_equal(res[2] & ~(G - 1UL), ns);
	conf_report(&c, "RMI_RTT_MAP_UNPROTECTED");
	fw_check(c.fw);
}

static void
test_rtt_unmap_unprotected_acs(void **state)
{
	struct conf c;
	unsigned long ns, res[4];

	conf_init(&c, state, false, 5UL * L3SZ);
	ns = hm_ns_alloc(c.fw->hm);
	conf_ns_layout(&c, hm_ns_alloc(c.fw->hm));
	assert_int_equal(conf_rmi(&c, RMI_RTT_MAP_UNPROTECTED, c.rd, MAP_VALID,
				  3, conf_desc(CD_VALID, ns), NULL),
			 RMI_SUCCESS);
	assert_int_equal(conf_rmi(&c, RMI_RTT_UNMAP_UNPROTECTED, c.rd,
				  MAP_TAKEN, 3, 0, res), RMI_SUCCESS);
	run_map_rows(&c, "RMI_RTT_UNMAP_UNPROTECTED",
		     RMI_RTT_UNMAP_UNPROTECTED, rtt_unmap_rows,
		     sizeof(rtt_unmap_rows) / sizeof(rtt_unmap_rows[0]), ns);
	assert_int_equal(conf_rmi(&c, RMI_RTT_UNMAP_UNPROTECTED, c.rd,
				  MAP_VALID, 3, 0, res), RMI_SUCCESS);
	/* The level-3 RTT is now empty: top is the end of it. */
	assert_int_equal(res[0], UNPROT + L2SZ);
	conf_report(&c, "RMI_RTT_UNMAP_UNPROTECTED");
	fw_check(c.fw);
}

/* ---- RMI_FEATURES (ACS cmd_rmi_features) --------------------------------- */

struct features_row {
	const char *acs;
	unsigned long index;
	unsigned long mbz;	/* bits of X1 that must be zero */
};

static const struct features_row features_rows[] = {
	/* RMM_V_1_0: RmiFeatureRegister0 bits 63:42 are zero */
	{ "feature_reg0 RES0", 0UL, ~((1UL << 42) - 1UL) },
	/* RMM_V_1_0: a register index other than 0 reads as zero */
	{ "feature_reg1 zero", 1UL, ~0UL },
};

static void
test_features_acs(void **state)
{
	struct conf c = { .fw = *state };
	unsigned long res[4], i;

	for (i = 0UL; i < sizeof(features_rows) / sizeof(features_rows[0]);
	     i++) {
		const struct features_row *w = &features_rows[i];

		conf_expect(&c, "RMI_FEATURES", w->acs,
			    conf_rmi(&c, RMI_FEATURES, w->index, 0, 0, 0, res),
			    RMI_SUCCESS);
		assert_int_equal(res[0] & w->mbz, 0UL);
	}
	/* S2SZ (bits 7:0) is the widest IPA a realm may have. */
	(void)conf_rmi(&c, RMI_FEATURES, 0, 0, 0, 0, res);
	assert_int_equal(res[0] & 0xffUL, CONF_IPA_WIDTH);
	conf_report(&c, "RMI_FEATURES");
}

/* ---- RSI_IPA_STATE_GET / _SET (ACS cmd_ipa_state_get / _set) ------------- */

struct rsi_ipa_row {
	const char *acs;
	long dbase;		/* base = valid base + dbase */
	unsigned long top;	/* top: one of the RSI_TOP_* below */
	unsigned long ripas;	/* SET: ripas; 0 the valid one (EMPTY) */
	unsigned long want;
};

#define RSI_TOP_VALID		0UL	/* valid top */
#define RSI_TOP_PLUS1		1UL	/* valid top + 1 */
#define RSI_TOP_HALF		2UL	/* valid top / 2 */
#define RSI_TOP_BELOW		3UL	/* valid base - 1 page */
#define RSI_TOP_UNPROT		4UL	/* first NS IPA + 1 page */

static const struct rsi_ipa_row rsi_get_rows[] = {
	/* base_align BASE_UNALIGNED */
	{ "base_align", 1, RSI_TOP_VALID, 0UL, RSI_ERROR_INPUT },
	/* end_align TOP_UNALIGNED */
	{ "end_align", 0, RSI_TOP_PLUS1, 0UL, RSI_ERROR_INPUT },
	/* size_valid SIZE_INVALID */
	{ "size_valid", 0, RSI_TOP_BELOW, 0UL, RSI_ERROR_INPUT },
	/* rgn_bound REGION_UNPROTECTED */
	{ "rgn_bound", 0, RSI_TOP_UNPROT, 0UL, RSI_ERROR_INPUT },
};

static const struct rsi_ipa_row rsi_set_rows[] = {
	/* base_align BASE_UNALIGNED */
	{ "base_align", 1, RSI_TOP_VALID, RIPAS_EMPTY, RSI_ERROR_INPUT },
	/* top_align TOP_UNALLIGNED */
	{ "top_align", 0, RSI_TOP_HALF, RIPAS_EMPTY, RSI_ERROR_INPUT },
	/* size_valid SIZE_INVALID: base = valid base + 2 pages */
	{ "size_valid", 2L * (long)L3SZ, RSI_TOP_VALID, RIPAS_EMPTY,
	  RSI_ERROR_INPUT },
	/* rgn_bound REGION_UNPROTECTED */
	{ "rgn_bound", 0, RSI_TOP_UNPROT, RIPAS_EMPTY, RSI_ERROR_INPUT },
	/* ripas_valid RIPAS_INVALID (DESTROYED is not a value to ask for) */
	{ "ripas_valid", 0, RSI_TOP_VALID, RIPAS_DESTROYED, RSI_ERROR_INPUT },
};

static unsigned long
rsi_top(const struct rsi_ipa_row *w, unsigned long base, unsigned long top,
	unsigned int width)
{
	switch (w->top) {
	case RSI_TOP_PLUS1:	return top + 1UL;
	case RSI_TOP_HALF:	return top / 2UL;
	case RSI_TOP_BELOW:	return base - L3SZ;
	case RSI_TOP_UNPROT:	return (1UL << (width - 1U)) + L3SZ;
	default:		return top;
	}
}

/* Run @rows of RSI @fid on realm @r over the valid range [base, top). */
static void
run_rsi_rows(struct conf *c, struct hm_realm *r, unsigned long fid,
	     const struct rsi_ipa_row *rows, size_t n, unsigned long base,
	     unsigned long top, unsigned int width)
{
	const char *cmd = (fid == RSI_IPA_STATE_GET) ? "RSI_IPA_STATE_GET" :
						       "RSI_IPA_STATE_SET";
	unsigned long out[3];
	size_t i;

	for (i = 0U; i < n; i++) {
		const struct rsi_ipa_row *w = &rows[i];
		unsigned long b = base + (unsigned long)w->dbase;

		conf_expect(c, cmd, w->acs,
			    hm_rsi(r, fid, b, rsi_top(w, base, top, width),
				   w->ripas, 0UL, out), w->want);
	}
}

#define RSI_BASE	0x100000UL
#define RSI_TOP		(RSI_BASE + L3SZ)

static void
test_rsi_ipa_state_get_acs(void **state)
{
	struct conf c = { .fw = *state };
	struct hm_realm *r = conf_realm(c.fw, true);
	unsigned long out[3];

	run_rsi_rows(&c, r, RSI_IPA_STATE_GET, rsi_get_rows,
		     sizeof(rsi_get_rows) / sizeof(rsi_get_rows[0]), RSI_BASE,
		     RSI_TOP, CONF_IPA_WIDTH);
	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_GET, RSI_BASE, RSI_TOP, 0, 0,
				out), RSI_SUCCESS);
	assert_int_equal(out[0], RSI_TOP);
	assert_int_equal(out[1], RIPAS_RAM);
	conf_report(&c, "RSI_IPA_STATE_GET");
	fw_check(c.fw);
}

static void
test_rsi_ipa_state_set_acs(void **state)
{
	struct conf c = { .fw = *state };
	struct hm_realm *r = conf_realm(c.fw, true);
	unsigned long out[3];

	run_rsi_rows(&c, r, RSI_IPA_STATE_SET, rsi_set_rows,
		     sizeof(rsi_set_rows) / sizeof(rsi_set_rows[0]), RSI_BASE,
		     RSI_TOP, CONF_IPA_WIDTH);
	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_SET, RSI_BASE, RSI_TOP,
				RIPAS_EMPTY, 0, out), RSI_SUCCESS);
	assert_int_equal(out[0], RSI_TOP);
	assert_int_equal(out[1], RSI_ACCEPT);
	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_GET, RSI_BASE, RSI_TOP, 0, 0,
				out), RSI_SUCCESS);
	assert_int_equal(out[1], RIPAS_EMPTY);
	conf_report(&c, "RSI_IPA_STATE_SET");
	fw_check(c.fw);
}

/*
 * The same RSI rows on a consumer range (ABI.md 4.6): the input checks
 * answer as in RMM 1.0, a shared page reads RAM, and a change of it is
 * refused: RSI_IPA_STATE_SET returns with X1 at the range's base.
 */
static void
test_rsi_ipa_state_csm(void **state)
{
	struct conf c = { .fw = *state };
	struct hm_realm *r = conf_consumer(c.fw);
	unsigned long out[3];

	run_rsi_rows(&c, r, RSI_IPA_STATE_GET, rsi_get_rows,
		     sizeof(rsi_get_rows) / sizeof(rsi_get_rows[0]), CBASE,
		     CBASE + CSIZE, 30U);
	run_rsi_rows(&c, r, RSI_IPA_STATE_SET, rsi_set_rows,
		     sizeof(rsi_set_rows) / sizeof(rsi_set_rows[0]), CBASE,
		     CBASE + CSIZE, 30U);
	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_GET, CBASE, CBASE + CSIZE, 0,
				0, out), RSI_SUCCESS);
	assert_int_equal(out[0], CBASE + CSIZE);
	assert_int_equal(out[1], RIPAS_RAM);
	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_SET, CBASE, CBASE + CSIZE,
				RIPAS_EMPTY, 0, out), RSI_SUCCESS);
	assert_int_equal(out[0], CBASE);
	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_GET, CBASE, CBASE + CSIZE, 0,
				0, out), RSI_SUCCESS);
	assert_int_equal(out[1], RIPAS_RAM);
	conf_report(&c, "RSI_IPA_STATE_GET/SET on a consumer range");
	fw_check(c.fw);
}

/*
 * RMI_RTT_SET_RIPAS on a consumer range (ABI.md 4.6): the entries map
 * shared pages, so the change makes no progress (RMI_ERROR_RTT at level
 * 3, the ACS's no_progress) where RMM 1.0 would succeed; the input rows
 * answer as in RMM 1.0.
 */
static void
test_rtt_set_ripas_csm(void **state)
{
	struct conf c = { .fw = *state };
	struct hm_realm *r = conf_consumer(c.fw);
	unsigned long rd = hm_realm_rd(r), rec = hm_realm_rec(r), x[4];
	struct hm_exit e;

	sr_request(&c, r, CBASE, CBASE + CSIZE);
	/* size_valid, base_bound, top_bound, top_gran_align */
	conf_expect(&c, "RMI_RTT_SET_RIPAS", "size_valid",
		    conf_rmi(&c, RMI_RTT_SET_RIPAS, rd, rec, CBASE, CBASE,
			     NULL), IN);
	conf_expect(&c, "RMI_RTT_SET_RIPAS", "base_bound",
		    conf_rmi(&c, RMI_RTT_SET_RIPAS, rd, rec, CBASE + 1UL,
			     CBASE + CSIZE, NULL), IN);
	conf_expect(&c, "RMI_RTT_SET_RIPAS", "top_bound",
		    conf_rmi(&c, RMI_RTT_SET_RIPAS, rd, rec, CBASE,
			     CBASE + CSIZE + L3SZ, NULL), IN);
	conf_expect(&c, "RMI_RTT_SET_RIPAS", "top_gran_align",
		    conf_rmi(&c, RMI_RTT_SET_RIPAS, rd, rec, CBASE,
			     CBASE + CSIZE - L3SZ / 2UL, NULL), IN);
	/* no_progress: the first entry maps a shared page */
	conf_expect(&c, "RMI_RTT_SET_RIPAS", "no_progress (CSM)",
		    conf_rmi(&c, RMI_RTT_SET_RIPAS, rd, rec, CBASE,
			     CBASE + CSIZE, NULL), RTT(3));
	assert_int_equal(hm_rec_enter(r, &e), RMI_SUCCESS);
	assert_true(hm_realm_result(r, x));
	assert_int_equal(x[0], RSI_SUCCESS);
	assert_int_equal(x[1], CBASE);
	conf_report(&c, "RMI_RTT_SET_RIPAS on a consumer range");
	fw_check(c.fw);
}

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

#define T(fn)	cmocka_unit_test_setup_teardown(fn, fw_setup, fw_teardown)
#define T3(fn)	cmocka_unit_test_setup_teardown(fn, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* RTT and RSI commands */
		T(test_rtt_create_acs),
		T(test_rtt_destroy_acs),
		T(test_rtt_fold_acs),
		cmocka_unit_test_setup_teardown(test_rtt_fold_csm,
						conf_setup_fanout8,
						fw_teardown),
		T(test_rtt_read_entry_acs),
		T(test_rtt_init_ripas_acs),
		T(test_rtt_set_ripas_acs),
		T(test_rtt_set_ripas_csm),
		T(test_rtt_map_unprotected_acs),
		T(test_rtt_unmap_unprotected_acs),
		T(test_features_acs),
		T(test_rsi_ipa_state_get_acs),
		T(test_rsi_ipa_state_set_acs),
		T(test_rsi_ipa_state_csm),
		/* DATA commands */
		T3(test_data_create_acs),
		T3(test_data_create_acs_csm),
		T3(test_data_create_unknown_acs),
		T3(test_data_create_unknown_acs_csm),
		T3(test_data_destroy_acs),
		T3(test_data_destroy_acs_csm),
	};

	return cmocka_run_group_tests_name("firmware-conformance", tests, NULL,
					   NULL);
}
