/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Regression tests for the CSM / RMM 1.0 interaction defects (libcaec
 * issue 18): each test is named after its defect, plays the legal RMM 1.0
 * commands that broke a guarantee, and asserts the guarantee.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csm_apt.h"
#include "csm_port.h"
#include "fw_test.h"

#define PBASE	0x100000UL
#define CBASE	0x300000UL
#define SIZE	(2UL * G)

/*
 * Defect 9, "a missing L3 table counts as assigned": a consumer range with
 * no level-3 RTT used to draw a RECLAIM exit the host could not act on.
 * RECLAIM now asks for level-3 RTTs as well, and RESERVE completes.
 */
static void
test_defect9_reclaim_missing_table(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	struct hm_rtte e;

	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(c), CBASE, &e), 0);
	assert_true(e.level < 3);
	(void)fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, NULL);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(c), CBASE, &e), 0);
	assert_int_equal(e.level, 3);
	assert_int_equal(e.state, RMI_ASSIGNED);
	fw_check(fw);
}

/* The realm asks for RIPAS @ripas over [base, base + size); X0, and in
 * *@next (may be NULL) X1: where the change stopped (RMM 1.0: the host may
 * apply part of it, or none). */
static unsigned long
ipa_state_set(struct hm_realm *r, unsigned long base, unsigned long size,
	      unsigned long ripas, unsigned long *next)
{
	unsigned long out[3] = { 0 };
	unsigned long x0;

	x0 = hm_rsi(r, RSI_IPA_STATE_SET, base, base + size, ripas, 0UL, out);
	if (next != NULL) {
		*next = out[0];
	}
	return x0;
}

/*
 * Defect 1, "RO becomes RW through RIPAS": an RO consumer that set its
 * range EMPTY then RAM got its entries rebuilt with the default (RW)
 * permission. Writes must stay refused whatever RIPAS it asks for.
 */
static void
test_defect1_ripas_cycle_keeps_read_only(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	uint8_t b = 0x5a;
	unsigned long id, resp = ~0UL;

	(void)fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RO, &id);
	assert_int_equal(hm_realm_write(c, CBASE, &b, 1), -EACCES);
	/* Refused: no entry changes, the realm learns it made no progress. */
	assert_int_equal(ipa_state_set(c, CBASE, SIZE, RIPAS_EMPTY, &resp),
			 RSI_SUCCESS);
	assert_int_equal(resp, CBASE);
	(void)ipa_state_set(c, CBASE, SIZE, RIPAS_RAM, NULL);
	assert_int_equal(hm_realm_write(c, CBASE, &b, 1), -EACCES);
	assert_int_equal(hm_realm_write(c, CBASE + G, &b, 1), -EACCES);
	fw_check(fw);
}

/*
 * Defect 1, second half: consumer entries the realm turned EMPTY used to
 * survive REVOKE (only ASSIGNED_RAM entries were unmapped), and a later
 * RAM brought the provider's granules back. After a revoke the range maps
 * nothing of the provider's, whatever RIPAS it had or asks for.
 */
static void
test_defect1_empty_entries_revoked(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	uint8_t b = 0;
	unsigned long id;
	struct sid sid;

	sid = fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, &id);
	b = 0x77;
	assert_int_equal(hm_realm_write(p, PBASE, &b, 1), 0);
	(void)ipa_state_set(c, CBASE, SIZE, RIPAS_EMPTY, NULL);
	assert_int_equal(fw_revoke(p, &sid), RSI_SUCCESS);
	fw_check(fw);
	(void)ipa_state_set(c, CBASE, SIZE, RIPAS_RAM, NULL);
	b = 0;
	if (hm_realm_read(c, CBASE, &b, 1) == 0)
		assert_int_not_equal(b, 0x77);
	fw_check(fw);
}

/*
 * Defect 7, "not SMP-safe": RSI calls kept their call state (the lock set
 * gathered in phase 1) in one static, and APT_DESTROY and the DATA
 * commands their lock sets. Another CPU's command between the two phases
 * overwrote it. Here realm 2 creates a region on CPU 1 between the phases
 * of realm 1's ATTACH on CPU 0: both must complete as if alone.
 */
struct other_call {
	struct hm *hm;
	struct hm_realm *r;
	unsigned int runs;
	unsigned long ret;
};

/* Realm 2, on the next CPU: a DETACH of a grant it does not hold (it
 * fails, after running through the RSI call path); again at the next
 * phase boundary of the CPU it interrupted. */
static void
other_cpu_call(void *arg)
{
	struct other_call *o = arg;
	struct sid bogus = { 0x1234UL, 0x5678UL };

	o->ret = fw_detach(o->r, &bogus);
	if (++o->runs < 64U) {
		hm_interleave_again(o->hm, 1U);
	}
}

static void
test_defect7_per_cpu_call_state(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	struct other_call o = { .hm = fw->hm, .r = fw->r[2], .ret = ~0UL };
	unsigned long id;
	struct sid sid;

	assert_int_equal(fw_create(p, PBASE, SIZE, &id), RSI_SUCCESS);
	assert_int_equal(fw_share(p, id, c, CSM_PERM_RW, &sid), RSI_SUCCESS);
	assert_int_equal(fw_reserve(c, &sid, CBASE, SIZE), RSI_SUCCESS);
	hm_set_interleave(fw->hm, 1U, other_cpu_call, &o);
	assert_int_equal(fw_attach(c, &sid), RSI_SUCCESS);
	hm_set_interleave(fw->hm, 1U, NULL, NULL);
	assert_true(o.runs >= 1U);
	assert_int_not_equal(o.ret, RSI_SUCCESS);
	fw_check(fw);
	assert_int_equal(fw_detach(c, &sid), RSI_SUCCESS);
	fw_check(fw);
}

/* A model with 8 entries per RTT: a level-2 block is 8 pages, so that a
 * whole consumer RTT is cheap to make foldable. */
static int
setup_fanout8(void **state)
{
	struct fw *fw = calloc(1U, sizeof(*fw));
	struct hm_params p = { .size = sizeof(p), .nr_granules = 4096UL,
			       .rtt_fanout = 8U };

	assert_non_null(fw);
	assert_int_equal(hm_create(&p, &fw->hm), 0);
	*state = fw;
	return 0;
}

/*
 * Defect 2, "RTT_FOLD rebuilds an RW block over a consumer range":
 * RMI_RTT_FOLD ignored the entries' attributes and knew nothing of CSM, so a host that backed a provider's
 * region with contiguous, block-aligned granules could fold an RO
 * consumer's level-3 RTT into one read-write block, which REVOKE (page by
 * page, level 3 only) then left mapped. A consumed range's RTT does not
 * fold: its entries stay level-3 entries with the granted permission.
 */
static void
test_defect2_fold_keeps_consumer_pages(void **state)
{
	struct fw *fw = *state;
	struct hm_realm_params rp = { .size = sizeof(rp), .ipa_width = 24U };
	struct hm_realm *p = fw_realm(fw, &rp), *c = fw_realm(fw, &rp);
	unsigned long blk = hm_level_size(fw->hm, 2), pa, i, res[4];
	struct hm_rtte e;
	uint8_t b = 0x5a;
	struct sid sid;

	/* The host backs the provider's region with one aligned block. */
	pa = HM_PA_BASE + 4096UL * G - 4UL * blk;
	assert_int_equal(hm_realm_map_tables(p, PBASE, 3), 0);
	for (i = 0UL; i < blk / G; i++) {
		assert_int_equal(hm_rmi(fw->hm, RMI_GRANULE_DELEGATE,
					pa + i * G, 0, 0, 0, NULL), RMI_SUCCESS);
		assert_int_equal(hm_rmi(fw->hm, RMI_DATA_CREATE_UNKNOWN,
					hm_realm_rd(p), pa + i * G,
					PBASE + i * G, 0, NULL), RMI_SUCCESS);
	}
	sid = fw_share_attach(p, PBASE, c, CBASE, blk, CSM_PERM_RO, NULL);
	assert_int_equal(hm_realm_write(c, CBASE, &b, 1), -EACCES);
	/* The consumer's RTT (and the provider's) is not homogeneous. */
	assert_int_equal(hm_rmi(fw->hm, RMI_RTT_FOLD, hm_realm_rd(c), CBASE,
				3, 0, res), RMI_RETURN(RMI_ERROR_RTT, 3));
	assert_int_equal(hm_rmi(fw->hm, RMI_RTT_FOLD, hm_realm_rd(p), PBASE,
				3, 0, res), RMI_RETURN(RMI_ERROR_RTT, 3));
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(c), CBASE, &e), 0);
	assert_int_equal(e.level, 3);
	assert_int_equal(e.perm, CSM_PERM_RO);
	assert_int_equal(hm_realm_write(c, CBASE, &b, 1), -EACCES);
	fw_check(fw);
	/* Revoked, the range maps nothing of the provider's. */
	assert_int_equal(fw_revoke(p, &sid), RSI_SUCCESS);
	assert_int_not_equal(hm_realm_read(c, CBASE, &b, 1), 0);
	fw_check(fw);
	/* Unshared again, the provider's RTT folds as in RMM 1.0. */
	assert_int_equal(hm_rmi(fw->hm, RMI_RTT_FOLD, hm_realm_rd(p), PBASE,
				3, 0, res), RMI_SUCCESS);
	fw_check(fw);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defect1_ripas_cycle_keeps_read_only),
		T(test_defect1_empty_entries_revoked),
		T(test_defect7_per_cpu_call_state),
		T(test_defect9_reclaim_missing_table),
		cmocka_unit_test_setup_teardown(
			test_defect2_fold_keeps_consumer_pages, setup_fanout8,
			fw_teardown),
	};

	return cmocka_run_group_tests_name("firmware-defects", tests, NULL,
					   NULL);
}
