/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The attacks of the paper's threat model, each as a test: an impostor at
 * a dead realm's RD address; a consumer not named in SHARE; a consumer
 * passing access on; a provider (or the host) freeing memory under a
 * consumer; size mismatch; overlapping regions; the host reading or
 * remapping CSM memory.
 */
#include <errno.h>
#include <string.h>

#include "csm_port.h"
#include "fw_test.h"

#define PBASE	0x100000UL
#define CBASE	0x300000UL
#define SIZE	(2UL * G)

static unsigned long
rmi(struct fw *fw, unsigned long fid, unsigned long a, unsigned long b,
    unsigned long c, unsigned long d)
{
	return hm_rmi(fw->hm, fid, a, b, c, d, NULL);
}

/* An impostor at a dead consumer's RD address gets a new id: no access. */
static void
test_attack_impostor_consumer_rd_reuse(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	uint64_t old_id = hm_realm_id(c);
	unsigned long rd = hm_realm_rd(c), id, out[3];
	struct hm_realm *imp;
	struct sid sid;

	assert_int_equal(fw_create(p, PBASE, SIZE, &id), RSI_SUCCESS);
	assert_int_equal(fw_share(p, id, c, CSM_PERM_RW, &sid), RSI_SUCCESS);
	assert_int_equal(hm_realm_destroy(c), 0);
	fw->r[1] = NULL;
	/* The host starts an impostor at exactly the same RD address. */
	imp = fw_realm(fw, &(struct hm_realm_params){ .size = sizeof(
			struct hm_realm_params), .rd = rd });
	assert_int_equal(hm_realm_rd(imp), rd);
	assert_int_not_equal(hm_realm_id(imp), old_id);
	assert_rsi_fail(fw_reserve(imp, &sid, CBASE, SIZE), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
	/* The provider's grant names the dead id, which stays dead. */
	assert_int_equal(hm_rsi(p, RSI_CSM_SHARE, id, old_id, CSM_PERM_RW, 0,
				out), RSI_ERROR_INPUT);
	assert_int_equal(out[0], CSM_E_UNKNOWN_REALM);
}

/* An impostor at a dead provider's RD cannot stand in for it. */
static void
test_attack_impostor_provider_rd_reuse(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long rd = hm_realm_rd(p), id, out[3];
	struct hm_realm *imp;
	struct sid sid;

	assert_int_equal(fw_create(p, PBASE, SIZE, &id), RSI_SUCCESS);
	assert_int_equal(fw_share(p, id, c, CSM_PERM_RW, &sid), RSI_SUCCESS);
	assert_int_equal(hm_realm_destroy(p), 0);
	fw->r[0] = NULL;
	imp = fw_realm(fw, &(struct hm_realm_params){ .size = sizeof(
			struct hm_realm_params), .rd = rd });
	assert_int_equal(hm_realm_rd(imp), rd);
	assert_rsi_fail(fw_reserve(c, &sid, CBASE, SIZE), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_REALM);
	/* The impostor even makes a region with the same csm id: its grant
	 * would be a new consent under its own (new) id, not the old sid. */
	assert_int_equal(fw_create(imp, PBASE, SIZE, &out[0]), RSI_SUCCESS);
	assert_int_equal(out[0], id);
	assert_rsi_fail(fw_reserve(c, &sid, CBASE, SIZE), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_REALM);
	sid.prov = hm_realm_id(imp);
	assert_rsi_fail(fw_reserve(c, &sid, CBASE, SIZE), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
}

/* A realm the provider did not name cannot reserve or attach, by any sid. */
static void
test_attack_unnamed_consumer(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1], *x = fw->r[2];
	struct sid sid, guess;
	unsigned long seq;

	sid = fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, NULL);
	assert_rsi_fail(fw_reserve(x, &sid, CBASE, SIZE), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
	assert_rsi_fail(fw_attach(x, &sid), RSI_ERROR_INPUT, CSM_E_UNKNOWN_SID);
	/* Guessing handles gets nowhere either. */
	guess.prov = sid.prov;
	for (seq = 0; seq < 8; seq++) {
		guess.handle = CSM_SID_HANDLE(1, seq);
		assert_int_not_equal(fw_reserve(x, &guess, CBASE, SIZE),
				     RSI_SUCCESS);
	}
	/* Nor can the host back x's range with p's granules. */
	assert_int_equal(hm_realm_populate(x, CBASE, G), 0);
	fw_check(fw);
}

/* The consumer cannot pass its access on to a third realm. */
static void
test_attack_consumer_passes_access(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1], *x = fw->r[2];
	unsigned long id, out[3];
	struct sid sid;

	sid = fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, &id);
	/* Re-share the provider's region id: not c's region. */
	assert_rsi_fail(fw_share(c, id, x, CSM_PERM_RW, NULL), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_CSM);
	/* Make its own region over the consumed range: overlap. */
	assert_rsi_fail(fw_create(c, CBASE, SIZE, NULL), RSI_ERROR_INPUT,
			CSM_E_OVERLAP);
	/* Revoke or destroy on the provider's behalf. */
	assert_rsi_fail(fw_revoke(c, &sid), RSI_ERROR_INPUT,
			CSM_E_NOT_PROVIDER);
	assert_rsi_fail(fw_destroy(c, id), RSI_ERROR_INPUT, CSM_E_UNKNOWN_CSM);
	/* Hand the sid to x: the grant names c. */
	assert_rsi_fail(fw_reserve(x, &sid, CBASE, SIZE), RSI_ERROR_INPUT,
			CSM_E_UNKNOWN_SID);
	/* A share naming c's own id as provider fails as SELF for c. */
	assert_int_equal(hm_rsi(c, RSI_CSM_RESERVE, hm_realm_id(c), sid.handle,
				0x700000UL, SIZE, out), RSI_ERROR_INPUT);
	assert_int_equal(out[0], CSM_E_SELF);
	fw_check(fw);
}

/* The provider (or the host) frees memory under an attached consumer. */
static void
test_attack_provider_frees_under_consumer(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long res[4], x, pa;
	struct hm_rtte e;
	unsigned long id;
	const char *secret = "do-not-leak";
	char buf[16];

	(void)fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, &id);
	assert_int_equal(hm_realm_write(p, PBASE, secret, 12), 0);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(p), PBASE, &e), 0);
	pa = e.pa;

	/* The host cannot undelegate or read the shared granule. */
	assert_int_equal(rmi(fw, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0),
			 RMI_RETURN(RMI_ERROR_INPUT, 0));
	assert_int_equal(hm_ns_read(fw->hm, pa, buf, 8), -EPERM);
	/* It cannot take it through the consumer either. */
	assert_int_equal(hm_rmi(fw->hm, RMI_DATA_DESTROY, hm_realm_rd(c),
				CBASE, 0, 0, res),
			 RMI_RETURN(RMI_ERROR_RTT, 3));
	/* Through the provider it can, and the cascade comes first. */
	assert_int_equal(hm_rmi(fw->hm, RMI_DATA_DESTROY, hm_realm_rd(p),
				PBASE, 0, 0, res), RMI_SUCCESS);
	assert_int_equal(hm_violations(fw->hm, NULL), 0);	/* no scrub while mapped */
	assert_int_equal(hm_realm_read(c, CBASE, &x, 8), -EFAULT);
	/* Undelegated and read by the host: zero, the secret is gone. */
	assert_int_equal(rmi(fw, RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0), 0);
	assert_int_equal(hm_ns_read(fw->hm, pa, buf, 12), 0);
	assert_int_not_equal(memcmp(buf, secret, 12), 0);
	fw_check(fw);

	/* The provider destroys the region under the consumer. */
	assert_int_equal(fw_destroy(p, id), RSI_SUCCESS);
	assert_int_equal(hm_realm_read(c, CBASE + G, &x, 8), -EFAULT);
	fw_check(fw);
}

static void
test_attack_size_mismatch(void **state)
{
	struct fw *fw = *state;
	unsigned long id;
	struct sid sid;

	assert_int_equal(fw_create(fw->r[0], PBASE, SIZE, &id), RSI_SUCCESS);
	assert_int_equal(fw_share(fw->r[0], id, fw->r[1], CSM_PERM_RW, &sid),
			 RSI_SUCCESS);
	/* Larger would map past the region; smaller would hide a part. */
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE, SIZE * 4),
			RSI_ERROR_INPUT, CSM_E_SIZE_MISMATCH);
	assert_rsi_fail(fw_reserve(fw->r[1], &sid, CBASE, G), RSI_ERROR_INPUT,
			CSM_E_SIZE_MISMATCH);
	assert_int_equal(fw_reserve(fw->r[1], &sid, CBASE, SIZE), RSI_SUCCESS);
}

static void
test_attack_overlapping_regions(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1], *q = fw->r[2];
	unsigned long id1, id2;
	struct sid s1, s2;

	s1 = fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, &id1);
	/* Two regions over the same provider granules. */
	assert_rsi_fail(fw_create(p, PBASE + G, SIZE, NULL), RSI_ERROR_INPUT,
			CSM_E_OVERLAP);
	/* Two consumed ranges at the same consumer IPAs. */
	assert_int_equal(fw_create(q, PBASE, SIZE, &id2), RSI_SUCCESS);
	assert_int_equal(fw_share(q, id2, c, CSM_PERM_RW, &s2), RSI_SUCCESS);
	assert_rsi_fail(fw_reserve(c, &s2, CBASE + G, SIZE), RSI_ERROR_INPUT,
			CSM_E_OVERLAP);
	/* A consumed range over the consumer's own region. */
	assert_int_equal(fw_create(c, 0x600000UL, G, NULL), RSI_SUCCESS);
	assert_rsi_fail(fw_reserve(c, &s2, 0x600000UL - G, SIZE),
			RSI_ERROR_INPUT, CSM_E_OVERLAP);
	assert_int_equal(fw_reserve(c, &s2, 0x700000UL, SIZE), RSI_SUCCESS);
	(void)s1;
	fw_check(fw);
}

/* The host maps a CSM granule at an unprotected IPA: the GPC stops it. */
static void
test_attack_host_unprotected_alias(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long unprot = 1UL << 29, x;
	struct hm_rtte e;

	(void)fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, NULL);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(p), PBASE, &e), 0);
	assert_int_equal(hm_realm_map_tables(c, unprot, 3), 0);
	assert_int_equal(rmi(fw, RMI_RTT_MAP_UNPROTECTED, hm_realm_rd(c),
			     unprot, 3, e.pa), RMI_SUCCESS);
	/* An unprotected access is a Non-secure PAS access: it faults. */
	assert_int_equal(hm_realm_read(c, unprot, &x, 8), -EFAULT);
	/* A real NS page there works (the realm's shared-with-host path). */
	assert_int_equal(rmi(fw, RMI_RTT_UNMAP_UNPROTECTED, hm_realm_rd(c),
			     unprot, 3, 0), RMI_SUCCESS);
	assert_int_equal(rmi(fw, RMI_RTT_MAP_UNPROTECTED, hm_realm_rd(c),
			     unprot, 3, hm_ns_alloc(fw->hm)), RMI_SUCCESS);
	assert_int_equal(hm_realm_read(c, unprot, &x, 8), 0);
	fw_check(fw);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_attack_impostor_consumer_rd_reuse),
		T(test_attack_impostor_provider_rd_reuse),
		T(test_attack_unnamed_consumer),
		T(test_attack_consumer_passes_access),
		T(test_attack_provider_frees_under_consumer),
		T(test_attack_size_mismatch),
		T(test_attack_overlapping_regions),
		T(test_attack_host_unprotected_alias),
	};

	return cmocka_run_group_tests_name("firmware-attacks", tests, NULL,
					   NULL);
}
