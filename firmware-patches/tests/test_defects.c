/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Regression tests for the CSM / RMM 1.0 interaction defects (libcaec
 * issue 18): each test is named after its defect, plays the legal RMM 1.0
 * commands that broke a guarantee, and asserts the guarantee.
 */
#include <errno.h>
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

#define T(f)	cmocka_unit_test_setup_teardown(f, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defect9_reclaim_missing_table),
	};

	return cmocka_run_group_tests_name("firmware-defects", tests, NULL,
					   NULL);
}
