/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The paper's life cycle end to end on the host model: create -> share ->
 * reserve -> attach -> data visible to both at different IPAs -> revoke ->
 * consumer loses access -> destroy; several consumers; read-only consumers;
 * a realm that provides one region and consumes another; host-side data
 * destroy (cascade) and realm teardown while shares exist.
 */
#include <errno.h>
#include <string.h>

#include "fw_test.h"

#define PBASE	0x100000UL
#define CBASE	0x340000UL
#define SIZE	(4UL * G)

static void
put(struct hm_realm *r, unsigned long ipa, const char *s)
{
	assert_int_equal(hm_realm_write(r, ipa, s, strlen(s) + 1U), 0);
}

static void
expect(struct hm_realm *r, unsigned long ipa, const char *s)
{
	char buf[64] = { 0 };

	assert_int_equal(hm_realm_read(r, ipa, buf, strlen(s) + 1U), 0);
	assert_string_equal(buf, s);
}

static unsigned long
pa_of(struct fw *fw, struct hm_realm *r, unsigned long ipa)
{
	struct hm_rtte e;

	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(r), ipa, &e), 0);
	return (e.state == RMI_ASSIGNED) ? e.pa : 0UL;
}

/*
 * The whole sequence of the paper with one provider and one consumer, both
 * of which already use the IPAs involved (so both exits are taken).
 */
static void
test_lifecycle_paper(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long id, pa, buf;
	struct sid sid;

	put(p, PBASE, "hello");			/* P's private page */
	put(c, CBASE, "mine");			/* C's private page */
	assert_int_equal(fw_create(p, PBASE, SIZE, &id), RSI_SUCCESS);
	assert_int_equal(id, 1);
	expect(p, PBASE, "hello");		/* contents kept */
	fw_check(fw);

	assert_int_equal(fw_share(p, id, c, CSM_PERM_RW, &sid), RSI_SUCCESS);
	assert_int_equal(sid.prov, hm_realm_id(p));
	assert_int_equal(sid.handle, CSM_SID_HANDLE(id, 1));
	assert_int_equal(fw_reserve(c, &sid, CBASE, SIZE), RSI_SUCCESS);
	fw_check(fw);
	/* Reserved but not attached: no access, and the host cannot back it. */
	assert_int_equal(hm_realm_read(c, CBASE, &buf, 8U), -EFAULT);
	assert_int_equal(fw_attach(c, &sid), RSI_SUCCESS);
	fw_check(fw);

	/* Same granules, different IPAs, both directions. */
	expect(c, CBASE, "hello");
	put(c, CBASE + G + 8, "world");
	expect(p, PBASE + G + 8, "world");
	assert_int_equal(pa_of(fw, p, PBASE), pa_of(fw, c, CBASE));
	/* The host cannot read it (GPC), and its refcount counts C. */
	pa = pa_of(fw, p, PBASE);
	assert_int_equal(hm_ns_read(fw->hm, pa, &buf, 8U), -EPERM);
	assert_int_equal(hm_granule_refcount(fw->hm, pa), 1);

	hm_tlbi_clear(fw->hm);
	assert_int_equal(fw_revoke(p, &sid), RSI_SUCCESS);
	assert_int_equal(hm_realm_read(c, CBASE, &buf, 8U), -EFAULT);
	assert_true(hm_tlbi_count(fw->hm, hm_realm_rd(c), CBASE) >= 1);
	assert_int_equal(hm_granule_refcount(fw->hm, pa), 0);
	expect(p, PBASE, "hello");
	fw_check(fw);

	assert_int_equal(fw_destroy(p, id), RSI_SUCCESS);
	expect(p, PBASE + G + 8, "world");	/* memory stays P's */
	assert_int_equal(fw_detach(c, &sid), RSI_SUCCESS);
	/* The range is ordinary memory again: fresh, zeroed pages. */
	buf = 1;
	assert_int_equal(hm_realm_read(c, CBASE, &buf, 8U), 0);
	assert_int_equal(buf, 0);
	fw_check(fw);
}

/* Two consumers, one RO and one RW; the RO one cannot write. */
static void
test_lifecycle_multi_consumer_ro(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c1 = fw->r[1], *c2 = fw->r[2];
	unsigned long id, x = 42;
	struct sid s1, s2;

	s1 = fw_share_attach(p, PBASE, c1, CBASE, SIZE, CSM_PERM_RO, &id);
	assert_int_equal(fw_share(p, id, c2, CSM_PERM_RW, &s2), RSI_SUCCESS);
	assert_int_not_equal(s1.handle, s2.handle);
	assert_int_equal(fw_reserve(c2, &s2, 0x800000UL, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(c2, &s2), RSI_SUCCESS);
	fw_check(fw);

	put(c2, 0x800000UL + 3 * G, "from c2");
	expect(c1, CBASE + 3 * G, "from c2");
	expect(p, PBASE + 3 * G, "from c2");
	assert_int_equal(hm_realm_write(c1, CBASE, &x, 8U), -EACCES);
	assert_int_equal(hm_granule_refcount(fw->hm, pa_of(fw, p, PBASE)), 2);

	/* DESTROY revokes every consumer (paper semantics). */
	hm_tlbi_clear(fw->hm);
	assert_int_equal(fw_destroy(p, id), RSI_SUCCESS);
	assert_int_equal(hm_realm_read(c1, CBASE, &x, 8U), -EFAULT);
	assert_int_equal(hm_realm_read(c2, 0x800000UL, &x, 8U), -EFAULT);
	assert_true(hm_tlbi_count(fw->hm, hm_realm_rd(c1), CBASE) >= 1);
	assert_true(hm_tlbi_count(fw->hm, hm_realm_rd(c2), 0x800000UL) >= 1);
	assert_int_equal(hm_granule_refcount(fw->hm, pa_of(fw, p, PBASE)), 0);
	fw_check(fw);
	assert_int_equal(fw_detach(c1, &s1), RSI_SUCCESS);
	assert_int_equal(fw_detach(c2, &s2), RSI_SUCCESS);
}

/* A provides X to B while B provides Y to A. */
static void
test_lifecycle_both_roles(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *a = fw->r[0], *b = fw->r[1];
	struct sid sx, sy;

	sx = fw_share_attach(a, PBASE, b, CBASE, SIZE, CSM_PERM_RW, NULL);
	sy = fw_share_attach(b, 0x600000UL, a, 0x700000UL, 2 * G, CSM_PERM_RW,
			     NULL);
	put(a, PBASE, "a->b");
	put(b, 0x600000UL + G, "b->a");
	expect(b, CBASE, "a->b");
	expect(a, 0x700000UL + G, "b->a");
	fw_check(fw);
	assert_int_equal(fw_detach(b, &sx), RSI_SUCCESS);
	assert_int_equal(fw_revoke(b, &sy), RSI_SUCCESS);
	assert_int_equal(fw_detach(a, &sy), RSI_SUCCESS);
	fw_check(fw);
}

/* Detach, then reserve and attach again under the same grant. */
static void
test_lifecycle_reattach(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	struct sid sid;

	sid = fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, NULL);
	put(p, PBASE, "again");
	assert_int_equal(fw_detach(c, &sid), RSI_SUCCESS);
	assert_int_equal(fw_reserve(c, &sid, 0x900000UL, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(c, &sid), RSI_SUCCESS);
	expect(c, 0x900000UL, "again");
	fw_check(fw);
}

/* The realm accepts a fresh (zero) page over a DESTROYED range: RIPAS RAM
 * with RSI_CHANGE_DESTROYED. */
static void
accept_destroyed(struct hm_realm *r, unsigned long ipa)
{
	unsigned long out[3] = { 0 };

	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_SET, ipa, ipa + G, RIPAS_RAM,
				RSI_CHANGE_DESTROYED, out), RSI_SUCCESS);
	assert_int_equal(out[0], ipa + G);
}

/*
 * The host destroys a provider granule under an attached consumer: the
 * cascade unmaps it for the consumer (with a TLBI) before the scrub. A new
 * granule the host creates there is not passed off as the data: provider
 * and consumer both find RIPAS DESTROYED (ABI.md 4.6). The provider accepts
 * the fresh page; the consumer gets it by attaching again.
 */
static void
test_lifecycle_data_destroy_cascade(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long res[4], pa, npa, x = 7;
	struct hm_rtte e;
	struct sid sid;

	sid = fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, NULL);
	put(p, PBASE + G, "secret");
	pa = pa_of(fw, p, PBASE + G);
	hm_tlbi_clear(fw->hm);
	assert_int_equal(hm_rmi(fw->hm, RMI_DATA_DESTROY, hm_realm_rd(p),
				PBASE + G, 0, 0, res), RMI_SUCCESS);
	assert_int_equal(res[0], pa);
	assert_int_equal(pa_of(fw, c, CBASE + G), 0);
	assert_true(hm_tlbi_count(fw->hm, hm_realm_rd(c), CBASE + G) >= 1);
	assert_int_equal(hm_realm_read(c, CBASE + G, &x, 8U), -EFAULT);
	fw_check(fw);

	/* The granule was scrubbed only after nobody mapped it. */
	assert_int_equal(hm_granule_state(fw->hm, pa), 1 /* DELEGATED */);
	npa = pa;
	assert_int_equal(hm_rmi(fw->hm, RMI_DATA_CREATE_UNKNOWN,
				hm_realm_rd(p), npa, PBASE + G, 0, NULL),
			 RMI_SUCCESS);
	assert_int_equal(pa_of(fw, c, CBASE + G), 0);
	assert_int_equal(hm_realm_read(c, CBASE + G, &x, 8U), -EFAULT);
	assert_int_equal(hm_realm_read(p, PBASE + G, &x, 8U), -EFAULT);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(c), CBASE + G, &e),
			 0);
	assert_int_equal(e.ripas, RIPAS_DESTROYED);
	fw_check(fw);

	accept_destroyed(p, PBASE + G);
	assert_int_equal(hm_realm_read(p, PBASE + G, &x, 8U), 0);
	assert_int_equal(x, 0);
	expect(c, CBASE, "");	/* the other pages stay shared */
	assert_int_equal(fw_detach(c, &sid), RSI_SUCCESS);
	assert_int_equal(fw_reserve(c, &sid, CBASE, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(c, &sid), RSI_SUCCESS);
	assert_int_equal(pa_of(fw, c, CBASE + G), npa);
	put(p, PBASE + G, "fresh");
	expect(c, CBASE + G, "fresh");
	fw_check(fw);
}

/* Tearing down a provider with live shares revokes its consumers. */
static void
test_lifecycle_teardown_provider(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long x;
	struct sid sid;

	sid = fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, NULL);
	assert_int_equal(hm_realm_destroy(p), 0);
	fw->r[0] = NULL;
	assert_int_equal(hm_realm_read(c, CBASE, &x, 8U), -EFAULT);
	fw_check(fw);
	assert_int_equal(fw_detach(c, &sid), RSI_SUCCESS);
	fw_check(fw);
}

/* Tearing down a consumer hands the grant back to SHARED. */
static void
test_lifecycle_teardown_consumer(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long id;

	(void)fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, &id);
	assert_int_equal(hm_realm_destroy(c), 0);
	fw->r[1] = NULL;
	fw_check(fw);
	assert_int_equal(hm_granule_refcount(fw->hm, pa_of(fw, p, PBASE)), 0);
	assert_int_equal(fw_destroy(p, id), RSI_SUCCESS);
	fw_check(fw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifecycle_paper,
						fw_setup3, fw_teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_multi_consumer_ro,
						fw_setup3, fw_teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_both_roles,
						fw_setup3, fw_teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_reattach,
						fw_setup3, fw_teardown),
		cmocka_unit_test_setup_teardown(
			test_lifecycle_data_destroy_cascade, fw_setup3,
			fw_teardown),
		cmocka_unit_test_setup_teardown(
			test_lifecycle_teardown_provider, fw_setup3,
			fw_teardown),
		cmocka_unit_test_setup_teardown(
			test_lifecycle_teardown_consumer, fw_setup3,
			fw_teardown),
	};

	return cmocka_run_group_tests_name("firmware-lifecycle", tests, NULL,
					   NULL);
}
