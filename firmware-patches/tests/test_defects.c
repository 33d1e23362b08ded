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
 * RMI_RTT_FOLD ignored the entries' attributes and knew nothing of CSM,
 * so a host that backed a provider's region with contiguous,
 * block-aligned granules could fold an RO
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

/* The realm accepts fresh pages over a DESTROYED range (RIPAS RAM with
 * RSI_CHANGE_DESTROYED); asserts the whole range changed. */
static void
accept_destroyed(struct hm_realm *r, unsigned long base, unsigned long size)
{
	unsigned long out[3] = { 0 };

	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_SET, base, base + size,
				RIPAS_RAM, RSI_CHANGE_DESTROYED, out),
			 RSI_SUCCESS);
	assert_int_equal(out[0], base + size);
}

/* The RIPAS realm @r sees at @ipa (RSI_IPA_STATE_GET). */
static unsigned long
ripas_of(struct hm_realm *r, unsigned long ipa)
{
	unsigned long out[3] = { 0 };

	assert_int_equal(hm_rsi(r, RSI_IPA_STATE_GET, ipa, ipa + G, 0UL, 0UL,
				out), RSI_SUCCESS);
	return out[1];
}

static unsigned long
host_rmi(struct fw *fw, unsigned long fid, unsigned long x1, unsigned long x2,
	 unsigned long x3, unsigned long res[4])
{
	return hm_rmi(fw->hm, fid, x1, x2, x3, 0UL, res);
}

/*
 * An attached consumer range whose level-3 RTT holds no mapping: the host
 * took the provider's granules back, and the consumer accepted fresh pages
 * there (RIPAS RAM), so a new provider granule would be mapped for it.
 * Returns the IPA of that level-3 RTT.
 */
static unsigned long
emptied_consumer_table(struct fw *fw, struct hm_realm *p, struct hm_realm *c,
		       unsigned long freed[SIZE / G])
{
	unsigned long off, res[4];

	(void)fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, NULL);
	for (off = 0UL; off < SIZE; off += G) {
		assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(p),
					  PBASE + off, 0UL, res), RMI_SUCCESS);
		freed[off / G] = res[0];	/* DELEGATED: reusable */
	}
	accept_destroyed(p, PBASE, SIZE);
	accept_destroyed(c, CBASE, SIZE);
	fw_check(fw);
	return CBASE & ~(hm_level_size(fw->hm, 2) - 1UL);
}

/*
 * Defect 3, "RTT_DESTROY + DATA_CREATE_UNKNOWN in an attached range": the
 * host destroyed a consumer's level-3 RTT of an attached range once it held
 * no mapping, then backed the provider's IPA: the cascade found no level-3
 * entry to map (an assertion, or a reference counted with no mapping). The
 * RTTs of a consumed range now count as live until the consumer frees it.
 */
static void
test_defect3_rtt_destroy_in_attached_range(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long freed[SIZE / G], res[4], tbl;

	tbl = emptied_consumer_table(fw, p, c, freed);
	assert_int_equal(host_rmi(fw, RMI_RTT_DESTROY, hm_realm_rd(c), tbl, 3UL,
				  res), RMI_RETURN(RMI_ERROR_RTT, 3));
	assert_int_equal(res[1], tbl);	/* top: a live RTT's own IPA */
	fw_check(fw);
	assert_int_equal(host_rmi(fw, RMI_DATA_CREATE_UNKNOWN, hm_realm_rd(p),
				  freed[0], PBASE, NULL), RMI_SUCCESS);
	assert_int_equal(hm_granule_refcount(fw->hm, freed[0]), 1UL);
	fw_check(fw);
	/* Once the range is freed, the RTT is the host's again. */
	assert_int_equal(hm_realm_destroy(c), 0);
	fw->r[1] = NULL;
	fw_check(fw);
}

/* Defect 3, the same through RMI_RTT_FOLD: a consumer RTT of UNASSIGNED
 * entries folded into a block left the cascade no level-3 entry either. */
static void
test_defect3_rtt_fold_in_attached_range(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1];
	unsigned long freed[SIZE / G], res[4], tbl;

	tbl = emptied_consumer_table(fw, p, c, freed);
	assert_int_equal(host_rmi(fw, RMI_RTT_FOLD, hm_realm_rd(c), tbl, 3UL,
				  res), RMI_RETURN(RMI_ERROR_RTT, 3));
	fw_check(fw);
	assert_int_equal(host_rmi(fw, RMI_DATA_CREATE_UNKNOWN, hm_realm_rd(p),
				  freed[1], PBASE + G, NULL), RMI_SUCCESS);
	assert_int_equal(hm_granule_refcount(fw->hm, freed[1]), 1UL);
	fw_check(fw);
}

/*
 * Defect 4, "RMI_ERROR_RTT always carries level 3": RMM 1.0 reports the
 * level the walk stopped at, which the host uses to create the missing
 * RTTs. A realm with no CSM, and one that provides a region, see 1.0.
 */
static void
test_defect4_error_rtt_level(void **state)
{
	struct fw *fw = *state;
	struct hm_realm_params rp = { .size = sizeof(rp), .no_apt = true,
				      .ipa_width = 33, .rtt_levels = 3 };
	struct hm_realm *plain = fw_realm(fw, &rp), *p = fw->r[0];
	unsigned long data = fw_delegated(fw), res[4];
	unsigned long ipa = 0x40000000UL;	/* no RTT below level 1 */

	assert_int_equal(host_rmi(fw, RMI_DATA_CREATE_UNKNOWN,
				  hm_realm_rd(plain), data, ipa, NULL),
			 RMI_RETURN(RMI_ERROR_RTT, 1));
	assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(plain),
				  ipa, 0UL, res), RMI_RETURN(RMI_ERROR_RTT, 1));
	assert_int_equal(hm_realm_map_tables(plain, ipa, 2), 0);
	assert_int_equal(host_rmi(fw, RMI_DATA_CREATE_UNKNOWN,
				  hm_realm_rd(plain), data, ipa, NULL),
			 RMI_RETURN(RMI_ERROR_RTT, 2));
	assert_int_equal(hm_realm_map_tables(plain, ipa, 3), 0);
	assert_int_equal(host_rmi(fw, RMI_DATA_CREATE_UNKNOWN,
				  hm_realm_rd(plain), data, ipa, NULL),
			 RMI_SUCCESS);
	/* A provider with a region: the same, outside and inside it. */
	assert_int_equal(fw_create(p, PBASE, SIZE, NULL), RSI_SUCCESS);
	data = fw_delegated(fw);
	assert_int_equal(host_rmi(fw, RMI_DATA_CREATE_UNKNOWN, hm_realm_rd(p),
				  data, 0x10000000UL, NULL),
			 RMI_RETURN(RMI_ERROR_RTT, 2));
	assert_int_equal(host_rmi(fw, RMI_DATA_CREATE_UNKNOWN, hm_realm_rd(p),
				  data, PBASE, NULL),
			 RMI_RETURN(RMI_ERROR_RTT, 3));
	fw_check(fw);
	assert_int_equal(hm_realm_destroy(plain), 0);
}

/*
 * Defect 4, DATA_DESTROY's outputs: 1.0 gives X1 = the granule's PA and
 * X2 = top, the next live entry, on success and on RMI_ERROR_RTT; the
 * changed command gave X2 = ipa + 4K, and nothing on failure.
 */
static void
test_defect4_data_destroy_top(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *r = fw->r[2], *p = fw->r[0], *c = fw->r[1];
	unsigned long base = 0x200000UL, res[4];
	struct hm_rtte e;

	/* Live at base, base + 3G; base + G, base + 2G unassigned. */
	assert_int_equal(hm_realm_populate(r, base, G), 0);
	assert_int_equal(hm_realm_populate(r, base + 3UL * G, G), 0);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(r), base, &e), 0);
	assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(r), base,
				  0UL, res), RMI_SUCCESS);
	assert_int_equal(res[0], e.pa);
	assert_int_equal(res[1], base + 3UL * G);
	assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(r),
				  base + G, 0UL, res),
			 RMI_RETURN(RMI_ERROR_RTT, 3));
	assert_int_equal(res[0], 0UL);
	assert_int_equal(res[1], base + 3UL * G);
	/* No level-3 RTT: top skips the level-2 entries that are not live, to
	 * the end of that RTT (the unprotected half's entries are not live). */
	assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(r),
				  0x10000000UL, 0UL, res),
			 RMI_RETURN(RMI_ERROR_RTT, 2));
	assert_int_equal(res[1], hm_level_size(fw->hm, 1));
	/* Provider region: 1.0's outputs; a consumer's mapped page: refused,
	 * top past the consumed range (nothing there is the host's). */
	(void)fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, NULL);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(p), PBASE, &e), 0);
	assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(p), PBASE,
				  0UL, res), RMI_SUCCESS);
	assert_int_equal(res[0], e.pa);
	assert_int_equal(res[1], PBASE + G);
	assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(c),
				  CBASE + G, 0UL, res),
			 RMI_RETURN(RMI_ERROR_RTT, 3));
	assert_int_equal(res[0], 0UL);
	assert_int_equal(res[1], CBASE + SIZE);
	fw_check(fw);
}

/*
 * Defect 4, RIPAS after a destroy: 1.0 makes a destroyed RAM page DESTROYED
 * (the realm learns it lost the contents) and leaves an EMPTY one EMPTY.
 */
static void
test_defect4_destroy_ripas_destroyed(void **state)
{
	struct fw *fw = *state;
	struct hm_realm_params rp = { .size = sizeof(rp), .no_apt = true,
				      .ripas_empty = true, .no_fault_in = true };
	struct hm_realm *r = fw->r[2], *empty = fw_realm(fw, &rp);
	unsigned long ipa = 0x200000UL, res[4];
	struct hm_rtte e;
	uint8_t b;

	assert_int_equal(hm_realm_populate(r, ipa, G), 0);
	assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(r), ipa,
				  0UL, res), RMI_SUCCESS);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(r), ipa, &e), 0);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.ripas, RIPAS_DESTROYED);
	assert_int_equal(ripas_of(r, ipa), RIPAS_DESTROYED);
	assert_int_equal(hm_realm_read(r, ipa, &b, 1U), -EFAULT);
	/* Backing it again does not hide the loss (1.0: RIPAS unchanged). */
	assert_int_equal(host_rmi(fw, RMI_DATA_CREATE_UNKNOWN, hm_realm_rd(r),
				  res[0], ipa, NULL), RMI_SUCCESS);
	assert_int_equal(ripas_of(r, ipa), RIPAS_DESTROYED);
	/* EMPTY stays EMPTY. */
	assert_int_equal(hm_realm_populate(empty, ipa, G), 0);
	assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(empty),
				  ipa, 0UL, res), RMI_SUCCESS);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(empty), ipa, &e), 0);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.ripas, RIPAS_EMPTY);
	fw_check(fw);
	assert_int_equal(hm_realm_destroy(empty), 0);
}

/*
 * Defect 5, "the cascade defeats RIPAS DESTROYED": after the host destroyed
 * a provider granule and created a new one there, the zero page was mapped
 * valid into every consumer, which read it as the shared data. Now the
 * consumer's entry stays unmapped (DESTROYED: reads fail) and the provider
 * sees RIPAS DESTROYED, as in 1.0; nor does a later ATTACH map that page.
 */
static void
test_defect5_destroyed_not_remapped_to_consumers(void **state)
{
	struct fw *fw = *state;
	struct hm_realm *p = fw->r[0], *c = fw->r[1], *c2 = fw->r[2];
	const char secret[] = "shared data";
	char buf[sizeof(secret)] = { 0 };
	unsigned long res[4], id;
	struct hm_rtte e;
	struct sid sid2;

	(void)fw_share_attach(p, PBASE, c, CBASE, SIZE, CSM_PERM_RW, &id);
	assert_int_equal(hm_realm_write(p, PBASE, secret, sizeof(secret)), 0);
	assert_int_equal(hm_realm_read(c, CBASE, buf, sizeof(buf)), 0);
	assert_string_equal(buf, secret);
	assert_int_equal(host_rmi(fw, RMI_DATA_DESTROY, hm_realm_rd(p), PBASE,
				  0UL, res), RMI_SUCCESS);
	assert_int_equal(host_rmi(fw, RMI_DATA_CREATE_UNKNOWN, hm_realm_rd(p),
				  res[0], PBASE, NULL), RMI_SUCCESS);
	assert_int_equal(hm_realm_read(c, CBASE, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(hm_rtt_entry(fw->hm, hm_realm_rd(c), CBASE, &e), 0);
	assert_int_equal(e.state, RMI_UNASSIGNED);
	assert_int_equal(e.ripas, RIPAS_DESTROYED);
	assert_int_equal(ripas_of(p, PBASE), RIPAS_DESTROYED);
	assert_int_equal(hm_realm_read(p, PBASE, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(hm_granule_refcount(fw->hm, res[0]), 0UL);
	fw_check(fw);
	/* A consumer attaching now gets the pages the provider can use. */
	assert_int_equal(fw_share(p, id, c2, CSM_PERM_RO, &sid2), RSI_SUCCESS);
	assert_int_equal(fw_reserve(c2, &sid2, CBASE, SIZE), RSI_SUCCESS);
	assert_int_equal(fw_attach(c2, &sid2), RSI_SUCCESS);
	assert_int_equal(hm_realm_read(c2, CBASE, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(hm_realm_read(c2, CBASE + G, buf, 1U), 0);
	fw_check(fw);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fw_setup3, fw_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defect1_ripas_cycle_keeps_read_only),
		T(test_defect1_empty_entries_revoked),
		T(test_defect3_rtt_destroy_in_attached_range),
		T(test_defect3_rtt_fold_in_attached_range),
		T(test_defect4_error_rtt_level),
		T(test_defect4_data_destroy_top),
		T(test_defect4_destroy_ripas_destroyed),
		T(test_defect5_destroyed_not_remapped_to_consumers),
		T(test_defect7_per_cpu_call_state),
		T(test_defect9_reclaim_missing_table),
		cmocka_unit_test_setup_teardown(
			test_defect2_fold_keeps_consumer_pages, setup_fanout8,
			fw_teardown),
	};

	return cmocka_run_group_tests_name("firmware-defects", tests, NULL,
					   NULL);
}
