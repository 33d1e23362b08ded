/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RMI commands: one test per failure condition of ABI.md 4.1-4.5
 * (RMI_APT_CREATE, RMI_APT_DESTROY, the changed RMI_DATA_CREATE_UNKNOWN
 * and RMI_DATA_DESTROY, the REALM_CREATE/DESTROY hooks), success paths,
 * and the realm-id registry.
 */
#include <errno.h>
#include <string.h>

#include "csm_apt.h"
#include "csm_port.h"
#include "fw_test.h"

#define IN(i)		RMI_RETURN(RMI_ERROR_INPUT, (i))
#define REALM(i)	RMI_RETURN(RMI_ERROR_REALM, (i))
#define RTT3		RMI_RETURN(RMI_ERROR_RTT, 3)
#define OUTSIDE		(HM_PA_BASE + 4096UL * G)	/* past the pool */
#define CBASE		0x300000UL

static unsigned long
rmi(struct fw *fw, unsigned long fid, unsigned long a, unsigned long b,
    unsigned long c)
{
	return hm_rmi(fw->hm, fid, a, b, c, 0, NULL);
}

static unsigned long
delegated(struct fw *fw)
{
	unsigned long pa = hm_ns_alloc(fw->hm);

	assert_int_equal(rmi(fw, RMI_GRANULE_DELEGATE, pa, 0, 0), RMI_SUCCESS);
	return pa;
}

static struct hm_realm *
new_realm(struct fw *fw, bool apt)
{
	struct hm_realm_params p = { .size = sizeof(p), .no_apt = !apt,
				     .no_activate = true };

	return fw_realm(fw, &p);
}

/* ---- RMI_APT_CREATE ------------------------------------------------------- */

static void
apt_create_case(void **state, unsigned int tc)
{
	struct fw *fw = *state;
	struct hm_realm *r = new_realm(fw, false);
	unsigned long rd = hm_realm_rd(r), apt = delegated(fw);
	unsigned long ns = hm_ns_alloc(fw->hm);
	unsigned long ret = 0, want = 0;

	switch (tc) {
	case 1: ret = rmi(fw, RMI_APT_CREATE, rd + 8, apt, 0); want = IN(1); break;
	case 2: ret = rmi(fw, RMI_APT_CREATE, OUTSIDE, apt, 0); want = IN(1); break;
	case 3: ret = rmi(fw, RMI_APT_CREATE, rd, apt + 8, 0); want = IN(2); break;
	case 4: ret = rmi(fw, RMI_APT_CREATE, rd, 0, 0); want = IN(2); break;
	case 5: ret = rmi(fw, RMI_APT_CREATE, rd, rd, 0); want = IN(2); break;
	case 6: ret = rmi(fw, RMI_APT_CREATE, apt, delegated(fw), 0);
		want = IN(1); break;
	case 7: ret = rmi(fw, RMI_APT_CREATE, rd, ns, 0); want = IN(2); break;
	case 8:
		assert_int_equal(rmi(fw, RMI_REALM_ACTIVATE, rd, 0, 0), 0);
		ret = rmi(fw, RMI_APT_CREATE, rd, apt, 0);
		want = REALM(0);
		break;
	case 9:
		assert_int_equal(rmi(fw, RMI_APT_CREATE, rd, apt, 0), 0);
		ret = rmi(fw, RMI_APT_CREATE, rd, delegated(fw), 0);
		want = REALM(1);
		break;
	default:
		fail();
	}
	assert_int_equal(ret, want);
	if (tc != 9) {
		assert_int_equal(hm_granule_state(fw->hm, apt),
				 PORT_GS_DELEGATED);
	}
}

static void test_rmi_apt_create_TC1(void **s) { apt_create_case(s, 1); }
static void test_rmi_apt_create_TC2(void **s) { apt_create_case(s, 2); }
static void test_rmi_apt_create_TC3(void **s) { apt_create_case(s, 3); }
static void test_rmi_apt_create_TC4(void **s) { apt_create_case(s, 4); }
static void test_rmi_apt_create_TC5(void **s) { apt_create_case(s, 5); }
static void test_rmi_apt_create_TC6(void **s) { apt_create_case(s, 6); }
static void test_rmi_apt_create_TC7(void **s) { apt_create_case(s, 7); }
static void test_rmi_apt_create_TC8(void **s) { apt_create_case(s, 8); }
static void test_rmi_apt_create_TC9(void **s) { apt_create_case(s, 9); }

static void
test_rmi_apt_create_success(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *r = new_realm(fw, false);
	unsigned long apt = delegated(fw);
	struct apt *a;

	assert_int_equal(rmi(fw, RMI_APT_CREATE, hm_realm_rd(r), apt, 0),
			 RMI_SUCCESS);
	assert_int_equal(hm_granule_state(fw->hm, apt), PORT_GS_APT);
	a = hm_granule_peek(fw->hm, apt);
	assert_true(apt_valid(a));
	assert_int_equal(a->hdr.owner, hm_realm_id(r));
	assert_int_equal(a->hdr.capacity, 84);
	assert_int_equal(a->hdr.nr_used, 0);
	/* An APT granule is Realm PAS: the host cannot read it. */
	assert_int_equal(hm_ns_read(fw->hm, apt, &a, 8), -EPERM);
	/* ...and cannot undelegate it while it is an APT. */
	assert_int_equal(rmi(fw, RMI_GRANULE_UNDELEGATE, apt, 0, 0), IN(0));
}

/* ---- RMI_APT_DESTROY --------------------------------------------------------- */

static void
apt_destroy_case(void **state, unsigned int tc)
{
	struct fw *fw = *state;
	struct hm_realm *r = fw->r[0];
	unsigned long rd = hm_realm_rd(r), apt = hm_realm_apt(r);
	unsigned long ret = 0, want = 0;

	/* Teardown state for all but TC9: no RECs left. */
	if (tc != 9) {
		assert_int_equal(rmi(fw, RMI_REC_DESTROY, hm_realm_rec(r), 0, 0),
				 0);
	}
	switch (tc) {
	case 1: ret = rmi(fw, RMI_APT_DESTROY, rd + 8, apt, 0); want = IN(1); break;
	case 2: ret = rmi(fw, RMI_APT_DESTROY, OUTSIDE, apt, 0); want = IN(1); break;
	case 3: ret = rmi(fw, RMI_APT_DESTROY, rd, apt + 8, 0); want = IN(2); break;
	case 4: ret = rmi(fw, RMI_APT_DESTROY, rd, OUTSIDE, 0); want = IN(2); break;
	case 5: ret = rmi(fw, RMI_APT_DESTROY, rd, rd, 0); want = IN(2); break;
	case 6: ret = rmi(fw, RMI_APT_DESTROY, apt - G, apt, 0);
		want = IN(1); break;
	case 7: ret = rmi(fw, RMI_APT_DESTROY, rd, delegated(fw), 0);
		want = IN(2); break;
	case 8: ret = rmi(fw, RMI_APT_DESTROY, rd, hm_realm_apt(fw->r[1]), 0);
		want = IN(2); break;
	case 9: ret = rmi(fw, RMI_APT_DESTROY, rd, apt, 0); want = REALM(0);
		break;
	default:
		fail();
	}
	assert_int_equal(ret, want);
	assert_int_equal(hm_granule_state(fw->hm, apt), PORT_GS_APT);
}

static void test_rmi_apt_destroy_TC1(void **s) { apt_destroy_case(s, 1); }
static void test_rmi_apt_destroy_TC2(void **s) { apt_destroy_case(s, 2); }
static void test_rmi_apt_destroy_TC3(void **s) { apt_destroy_case(s, 3); }
static void test_rmi_apt_destroy_TC4(void **s) { apt_destroy_case(s, 4); }
static void test_rmi_apt_destroy_TC5(void **s) { apt_destroy_case(s, 5); }
static void test_rmi_apt_destroy_TC6(void **s) { apt_destroy_case(s, 6); }
static void test_rmi_apt_destroy_TC7(void **s) { apt_destroy_case(s, 7); }
static void test_rmi_apt_destroy_TC8(void **s) { apt_destroy_case(s, 8); }
static void test_rmi_apt_destroy_TC9(void **s) { apt_destroy_case(s, 9); }

static void
test_rmi_apt_destroy_success(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long apt = hm_realm_apt(p), x;
	uint8_t zero[64] = { 0 };
	struct sid sid;

	sid = fw_share_attach(p, 0x100000UL, c, CBASE, G, CSM_PERM_RW, NULL);
	assert_int_equal(rmi(fw, RMI_REC_DESTROY, hm_realm_rec(p), 0, 0), 0);
	hm_tlbi_clear(fw->hm);
	assert_int_equal(rmi(fw, RMI_APT_DESTROY, hm_realm_rd(p), apt, 0),
			 RMI_SUCCESS);
	assert_int_equal(hm_granule_state(fw->hm, apt), PORT_GS_DELEGATED);
	assert_memory_equal(hm_granule_peek(fw->hm, apt), zero, sizeof(zero));
	/* The cascade: the consumer lost its mapping, with a TLBI. */
	assert_int_equal(hm_tlbi_count(fw->hm, hm_realm_rd(c), CBASE), 1);
	assert_int_not_equal(hm_realm_read(c, CBASE, &x, 8), 0);
	fw_check(fw);
	assert_int_equal(fw_detach(c, &sid), RSI_SUCCESS);
	/* Now the realm can go. */
	assert_int_equal(hm_realm_destroy(p), 0);
	fw->r[0] = NULL;
}

/* ---- RMI_DATA_CREATE_UNKNOWN (changed) ---------------------------------------- */

static void
data_create_case(void **state, unsigned int tc)
{
	struct fw *fw = *state;
	struct hm_realm *r = fw->r[1];
	unsigned long rd = hm_realm_rd(r), data = delegated(fw);
	unsigned long ipa = 0x200000UL, ret = 0, want = IN(0);
	struct sid sid;

	switch (tc) {
	case 1: ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd + 8, data, ipa); break;
	case 2: ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, OUTSIDE, data, ipa); break;
	case 3: ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd, data + 8, ipa); break;
	case 4: ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd, OUTSIDE, ipa); break;
	case 5: ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd, rd, ipa); break;
	case 6: ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd, data, ipa + 8); break;
	case 7: ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, data, delegated(fw),
			  ipa); break;
	case 8: ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd, data, 1UL << 29);
		break;
	case 9: ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd,
			  hm_ns_alloc(fw->hm), ipa); break;
	case 10:
		/* No level-3 RTT there: the level the walk stopped at. */
		ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd, data, 0x10000000UL);
		want = RMI_RETURN(RMI_ERROR_RTT, 2);
		break;
	case 11:
		assert_int_equal(hm_realm_populate(r, ipa, G), 0);
		ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd, data, ipa);
		want = RTT3;
		break;
	case 12:
		/* A hole of an attached, then of a revoked consumer range. */
		sid = fw_share_attach(fw->r[0], 0x100000UL, r, CBASE, 2 * G,
				      CSM_PERM_RW, NULL);
		assert_int_equal(hm_rmi(fw->hm, RMI_DATA_DESTROY,
					hm_realm_rd(fw->r[0]), 0x101000UL, 0,
					0, NULL), RMI_SUCCESS);
		assert_int_equal(rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd, data,
				     CBASE + G), RTT3);
		assert_int_equal(fw_revoke(fw->r[0], &sid), RSI_SUCCESS);
		ret = rmi(fw, RMI_DATA_CREATE_UNKNOWN, rd, data, CBASE);
		want = RTT3;
		break;
	default:
		fail();
	}
	assert_int_equal(ret, want);
	assert_int_equal(hm_granule_state(fw->hm, data), PORT_GS_DELEGATED);
}

static void test_rmi_data_create_unknown_TC1(void **s) { data_create_case(s, 1); }
static void test_rmi_data_create_unknown_TC2(void **s) { data_create_case(s, 2); }
static void test_rmi_data_create_unknown_TC3(void **s) { data_create_case(s, 3); }
static void test_rmi_data_create_unknown_TC4(void **s) { data_create_case(s, 4); }
static void test_rmi_data_create_unknown_TC5(void **s) { data_create_case(s, 5); }
static void test_rmi_data_create_unknown_TC6(void **s) { data_create_case(s, 6); }
static void test_rmi_data_create_unknown_TC7(void **s) { data_create_case(s, 7); }
static void test_rmi_data_create_unknown_TC8(void **s) { data_create_case(s, 8); }
static void test_rmi_data_create_unknown_TC9(void **s) { data_create_case(s, 9); }
static void test_rmi_data_create_unknown_TC10(void **s) { data_create_case(s, 10); }
static void test_rmi_data_create_unknown_TC11(void **s) { data_create_case(s, 11); }
static void test_rmi_data_create_unknown_TC12(void **s) { data_create_case(s, 12); }

/* The realm asks for RIPAS RAM over the DESTROYED granule at @ipa. */
static void
accept_destroyed(struct hm_realm *r, unsigned long ipa)
{
	unsigned long out[3] = { 0 };

	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_SET, ipa, ipa + G, RIPAS_RAM,
				RSI_CHANGE_DESTROYED, out), RSI_SUCCESS);
	assert_int_equal(out[0], ipa + G);
}

static void
test_rmi_data_create_unknown_success(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0];
	unsigned long data = delegated(fw), res[4];
	struct hm_rtte e;
	unsigned long id;
	struct sid s1, s2;

	/* Region of 2 granules, one consumer attached, one only reserved. */
	s1 = fw_share_attach(p, 0x100000UL, fw->r[1], CBASE, 2 * G,
			     CSM_PERM_RO, &id);
	assert_int_equal(fw_share(p, id, fw->r[2], CSM_PERM_RW, &s2), 0);
	assert_int_equal(fw_reserve(fw->r[2], &s2, CBASE, 2 * G), 0);
	assert_int_equal(hm_rmi(fw->hm, RMI_DATA_DESTROY, hm_realm_rd(p),
				0x101000UL, 0, 0, res), RMI_SUCCESS);
	/* Both sides accept a fresh page there (ABI.md 4.6): only then is
	 * a new granule mapped for the attached consumer. */
	accept_destroyed(p, 0x101000UL);
	accept_destroyed(fw->r[1], CBASE + G);
	assert_int_equal(rmi(fw, RMI_DATA_CREATE_UNKNOWN, hm_realm_rd(p), data,
			     0x101000UL), RMI_SUCCESS);
	assert_int_equal(hm_granule_state(fw->hm, data), PORT_GS_DATA);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(fw->r[1]),
				      CBASE + G, &e), 0);
	assert_int_equal(e.pa, data);
	assert_int_equal(e.perm, CSM_PERM_RO);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(fw->r[2]),
				      CBASE + G, &e), 0);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(hm_granule_refcount(fw->hm, data), 1);
	(void)s1;
}

/* ---- RMI_DATA_DESTROY (changed) ------------------------------------------------- */

static void
data_destroy_case(void **state, unsigned int tc)
{
	struct fw *fw = *state;
	struct hm_realm *r = fw->r[1];
	unsigned long rd = hm_realm_rd(r), ipa = 0x200000UL;
	unsigned long ret = 0, want = IN(0), res[4];

	assert_int_equal(hm_realm_populate(r, ipa, G), 0);
	switch (tc) {
	case 1: ret = rmi(fw, RMI_DATA_DESTROY, rd + 8, ipa, 0); break;
	case 2: ret = rmi(fw, RMI_DATA_DESTROY, OUTSIDE, ipa, 0); break;
	case 3: ret = rmi(fw, RMI_DATA_DESTROY, rd, ipa + 8, 0); break;
	case 4: ret = rmi(fw, RMI_DATA_DESTROY, hm_realm_rec(r), ipa, 0); break;
	case 5: ret = rmi(fw, RMI_DATA_DESTROY, rd, 1UL << 29, 0); break;
	case 6:
		ret = hm_rmi(fw->hm, RMI_DATA_DESTROY, rd, 0x10000000UL, 0, 0,
			     res);
		want = RMI_RETURN(RMI_ERROR_RTT, 2);
		assert_int_equal(res[1], hm_level_size(fw->hm, 1));
		break;
	case 7:
		ret = hm_rmi(fw->hm, RMI_DATA_DESTROY, rd, ipa + G, 0, 0, res);
		want = RTT3;
		/* top: the end of the level-3 RTT, nothing live after ipa */
		assert_int_equal(res[1], ipa + hm_level_size(fw->hm, 2));
		break;
	case 8:
		(void)fw_share_attach(fw->r[0], 0x100000UL, r, CBASE, G,
				      CSM_PERM_RW, NULL);
		ret = hm_rmi(fw->hm, RMI_DATA_DESTROY, rd, CBASE, 0, 0, res);
		want = RTT3;
		assert_int_equal(res[1], CBASE + G);
		break;
	default:
		fail();
	}
	assert_int_equal(ret, want);
}

static void test_rmi_data_destroy_TC1(void **s) { data_destroy_case(s, 1); }
static void test_rmi_data_destroy_TC2(void **s) { data_destroy_case(s, 2); }
static void test_rmi_data_destroy_TC3(void **s) { data_destroy_case(s, 3); }
static void test_rmi_data_destroy_TC4(void **s) { data_destroy_case(s, 4); }
static void test_rmi_data_destroy_TC5(void **s) { data_destroy_case(s, 5); }
static void test_rmi_data_destroy_TC6(void **s) { data_destroy_case(s, 6); }
static void test_rmi_data_destroy_TC7(void **s) { data_destroy_case(s, 7); }
static void test_rmi_data_destroy_TC8(void **s) { data_destroy_case(s, 8); }

/* ---- RTT_DESTROY / RTT_FOLD hook (ABI.md 4.5) --------------------------------- */

/*
 * A range reserved (not attached yet: its level-3 RTT holds no live entry)
 * keeps its RTTs: DESTROY or FOLD of them is refused as for a live RTT.
 */
static void
rtt_unlink_case(void **state, unsigned long fid)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long tbl = CBASE & ~(hm_level_size(fw->hm, 2) - 1UL), res[4];
	unsigned long id;
	struct sid sid;

	assert_int_equal(fw_create(p, 0x100000UL, G, &id), RSI_SUCCESS);
	assert_int_equal(fw_share(p, id, c, CSM_PERM_RW, &sid), RSI_SUCCESS);
	assert_int_equal(fw_reserve(c, &sid, CBASE, G), RSI_SUCCESS);
	assert_int_equal(hm_rmi(fw->hm, fid, hm_realm_rd(c), tbl, 3, 0, res),
			 RMI_RETURN(RMI_ERROR_RTT, 3));
	fw_check(fw);
	/* Freed, the range is ordinary again: the RTT can go. */
	assert_int_equal(fw_detach(c, &sid), RSI_SUCCESS);
	assert_int_equal(hm_rmi(fw->hm, fid, hm_realm_rd(c), tbl, 3, 0, res),
			 RMI_SUCCESS);
	fw_check(fw);
}

static void test_rmi_rtt_destroy_TC1(void **s) { rtt_unlink_case(s, RMI_RTT_DESTROY); }
static void test_rmi_rtt_fold_TC1(void **s) { rtt_unlink_case(s, RMI_RTT_FOLD); }

/* ---- Realm hooks and realm ids ------------------------------------------------------ */

struct trng_script {
	const uint64_t *v;
	unsigned int n, i;
	bool fail;
};

static int
scripted_trng(uint64_t *out, void *arg)
{
	struct trng_script *s = arg;

	if (s->fail) {
		return -5;
	}
	*out = s->v[s->i % s->n];
	s->i++;
	return 0;
}

static void
test_rmi_realm_create_TC1(void **state)	/* id_unavailable */
{
	struct fw *fw = *state;
	static const uint64_t zero[] = { 0 };
	struct trng_script s = { zero, 1, 0, false };
	struct hm_realm *r = NULL;
	struct hm_params p = { .size = sizeof(p), .registry_slots = 4 };
	unsigned long rd = delegated(fw);
	int i;

	/* A TRNG that fails, or only ever says 0, or a live id. */
	hm_set_trng(fw->hm, scripted_trng, &s);
	assert_int_not_equal(hm_realm_create(fw->hm, NULL, &r), 0);
	s.fail = true;
	assert_int_not_equal(hm_realm_create(fw->hm, NULL, &r), 0);
	s.fail = false;
	s.v = (const uint64_t[]){ hm_realm_id(fw->r[0]) };
	assert_int_not_equal(hm_realm_create(fw->hm, NULL, &r), 0);
	hm_set_trng(fw->hm, NULL, NULL);
	assert_int_equal(hm_granule_state(fw->hm, rd), PORT_GS_DELEGATED);

	/* A full registry (4 slots keep one free: 3 live realms). */
	hm_destroy(fw->hm);
	memset(fw->r, 0, sizeof(fw->r));
	assert_int_equal(hm_create(&p, &fw->hm), 0);
	for (i = 0; i < 3; i++) {
		fw->r[i] = fw_realm(fw, NULL);
	}
	assert_int_not_equal(hm_realm_create(fw->hm, NULL, &r), 0);
	assert_int_equal(hm_realm_destroy(fw->r[2]), 0);
	fw->r[2] = NULL;
	assert_int_equal(hm_realm_create(fw->hm, NULL, &r), 0);
}

static void
test_rmi_realm_create_id_status(void **state)
{
	struct fw *fw = *state;
	static const uint64_t zero[] = { 0 };
	struct trng_script s = { zero, 1, 0, false };
	unsigned long rd = delegated(fw), rtt = delegated(fw);
	unsigned long params = fw_realm_params(fw, 30, 2, rtt, 1, 77);

	hm_set_trng(fw->hm, scripted_trng, &s);
	assert_int_equal(rmi(fw, RMI_REALM_CREATE, rd, params, 0), REALM(2));
	assert_int_equal(hm_granule_state(fw->hm, rd), PORT_GS_DELEGATED);
	assert_int_equal(hm_granule_state(fw->hm, rtt), PORT_GS_DELEGATED);
	hm_set_trng(fw->hm, NULL, NULL);
	assert_int_equal(rmi(fw, RMI_REALM_CREATE, rd, params, 0), 0);
	assert_int_equal(hm_granule_state(fw->hm, rtt), PORT_GS_RTT);
	assert_int_equal(rmi(fw, RMI_REALM_DESTROY, rd, 0, 0), 0);
	assert_int_equal(hm_granule_state(fw->hm, rtt), PORT_GS_DELEGATED);
}

static void
test_rmi_realm_create_ids(void **state)
{
	struct fw *fw = *state;
	/* 0 and a duplicate are skipped; the next value is taken. */
	static const uint64_t seq[] = { 0, 0x1111, 0, 0x1111, 0x2222 };
	struct trng_script s = { seq, 5, 0, false };
	struct hm_realm *a, *b;

	hm_set_trng(fw->hm, scripted_trng, &s);
	a = fw_realm(fw, NULL);
	b = fw_realm(fw, NULL);
	hm_set_trng(fw->hm, NULL, NULL);
	assert_int_equal(hm_realm_id(a), 0x1111);
	assert_int_equal(hm_realm_id(b), 0x2222);
	/* Default TRNG: distinct, non-zero, 64-bit wide. */
	assert_int_not_equal(hm_realm_id(fw->r[0]), 0);
	assert_int_not_equal(hm_realm_id(fw->r[0]), hm_realm_id(fw->r[1]));
	assert_true((hm_realm_id(fw->r[0]) | hm_realm_id(fw->r[1]) |
		     hm_realm_id(fw->r[2])) > 0xffffffffUL);
}

static void
test_rmi_realm_destroy_TC1(void **state)	/* apt_live */
{
	struct fw *fw = *state;
	struct hm_realm *r = fw->r[0];
	unsigned long id, out[3];

	assert_int_equal(rmi(fw, RMI_REC_DESTROY, hm_realm_rec(r), 0, 0), 0);
	assert_int_equal(rmi(fw, RMI_REALM_DESTROY, hm_realm_rd(r), 0, 0),
			 REALM(1));
	assert_int_equal(rmi(fw, RMI_APT_DESTROY, hm_realm_rd(r),
			     hm_realm_apt(r), 0), 0);
	assert_int_equal(rmi(fw, RMI_REALM_DESTROY, hm_realm_rd(r), 0, 0), 0);
	/* The id is gone from the registry. */
	assert_int_equal(fw_create(fw->r[1], 0x100000UL, G, &id), RSI_SUCCESS);
	assert_int_equal(hm_rsi(fw->r[1], RSI_CSM_SHARE, id, hm_realm_id(r),
				CSM_PERM_RW, 0, out), RSI_ERROR_INPUT);
	assert_int_equal(out[0], CSM_E_UNKNOWN_REALM);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rmi_apt_create_TC1), T(test_rmi_apt_create_TC2),
		T(test_rmi_apt_create_TC3), T(test_rmi_apt_create_TC4),
		T(test_rmi_apt_create_TC5), T(test_rmi_apt_create_TC6),
		T(test_rmi_apt_create_TC7), T(test_rmi_apt_create_TC8),
		T(test_rmi_apt_create_TC9), T(test_rmi_apt_create_success),
		T(test_rmi_apt_destroy_TC1), T(test_rmi_apt_destroy_TC2),
		T(test_rmi_apt_destroy_TC3), T(test_rmi_apt_destroy_TC4),
		T(test_rmi_apt_destroy_TC5), T(test_rmi_apt_destroy_TC6),
		T(test_rmi_apt_destroy_TC7), T(test_rmi_apt_destroy_TC8),
		T(test_rmi_apt_destroy_TC9), T(test_rmi_apt_destroy_success),
		T(test_rmi_data_create_unknown_TC1),
		T(test_rmi_data_create_unknown_TC2),
		T(test_rmi_data_create_unknown_TC3),
		T(test_rmi_data_create_unknown_TC4),
		T(test_rmi_data_create_unknown_TC5),
		T(test_rmi_data_create_unknown_TC6),
		T(test_rmi_data_create_unknown_TC7),
		T(test_rmi_data_create_unknown_TC8),
		T(test_rmi_data_create_unknown_TC9),
		T(test_rmi_data_create_unknown_TC10),
		T(test_rmi_data_create_unknown_TC11),
		T(test_rmi_data_create_unknown_TC12),
		T(test_rmi_data_create_unknown_success),
		T(test_rmi_data_destroy_TC1), T(test_rmi_data_destroy_TC2),
		T(test_rmi_data_destroy_TC3), T(test_rmi_data_destroy_TC4),
		T(test_rmi_data_destroy_TC5), T(test_rmi_data_destroy_TC6),
		T(test_rmi_data_destroy_TC7), T(test_rmi_data_destroy_TC8),
		T(test_rmi_rtt_destroy_TC1), T(test_rmi_rtt_fold_TC1),
		T(test_rmi_realm_create_TC1), T(test_rmi_realm_create_id_status),
		T(test_rmi_realm_create_ids), T(test_rmi_realm_destroy_TC1),
	};

	return cmocka_run_group_tests_name("firmware-rmi", tests, NULL, NULL);
}
