/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Randomized sequences with every security invariant (host/check.c)
 * checked after every step. Realms call any CSM RSI with arguments drawn
 * from what exists (live and dead realm ids, region ids, sids, bases) or
 * mutated, so most calls are malicious or confused; the host calls any RMI
 * with any arguments, ignores or half-answers REC exits, destroys data
 * under consumers, tears realms down and reuses their granules.
 *
 * FW_SEED=<n> replays a run (the seed is printed); FW_STEPS=<n> sets the
 * number of steps (default 20000).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csm_apt.h"
#include "csm_port.h"
#include "fw_test.h"

#define NR_REALMS	5
#define WINDOW		0x100000UL	/* IPAs used: WINDOW + [0, 48 G) */
#define POOL_MAX	256

static uint64_t rng;

static uint64_t
rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static unsigned long
pick(unsigned long n)
{
	return (n == 0UL) ? 0UL : (unsigned long)(rnd() % n);
}

/* Values worth trying: whatever exists now or existed before. */
struct pool {
	unsigned long v[POOL_MAX];
	unsigned int n;
};

static struct pool ids, handles, csm_ids, pas;

static void
remember(struct pool *p, unsigned long v)
{
	unsigned int i;

	for (i = 0U; i < p->n; i++) {
		if (p->v[i] == v) {
			return;
		}
	}
	if (p->n < POOL_MAX) {
		p->v[p->n++] = v;
	} else {
		p->v[pick(POOL_MAX)] = v;
	}
}

/* Sids as pairs (provider id, handle), as consumers would hold them. */
static struct sid sids[POOL_MAX];
static unsigned int nr_sids;

static void
remember_sid(unsigned long prov, unsigned long handle)
{
	unsigned int i;

	remember(&handles, handle);
	for (i = 0U; i < nr_sids; i++) {
		if ((sids[i].prov == prov) && (sids[i].handle == handle)) {
			return;
		}
	}
	i = (nr_sids < POOL_MAX) ? nr_sids++ : (unsigned int)pick(POOL_MAX);
	sids[i].prov = prov;
	sids[i].handle = handle;
}

static unsigned long
from(const struct pool *p)
{
	unsigned long v = (p->n != 0U) ? p->v[pick(p->n)] : rnd();

	switch (pick(10)) {
	case 0: return rnd();
	case 1: return v + 1;
	case 2: return v ^ (1UL << pick(64));
	default: return v;
	}
}

static unsigned long
ipa(void)
{
	unsigned long v = WINDOW + pick(48) * G;

	return (pick(50) == 0) ? rnd() : v;
}

static unsigned long
size(void)
{
	return (pick(40) == 0) ? rnd() : (1 + pick(4)) * G;
}

static struct hm_realm *realms[NR_REALMS];
static unsigned long nr_ok[7];	/* successful calls per RSI_CSM_* */
static unsigned long attached_steps;	/* sum over steps of attached ranges */

static void
learn(struct fw *fw)
{
	unsigned int i, j;

	for (i = 0U; i < NR_REALMS; i++) {
		struct hm_realm *r = realms[i];
		struct apt *apt;

		if (r == NULL) {
			continue;
		}
		remember(&ids, hm_realm_id(r));
		remember(&pas, hm_realm_rd(r));
		remember(&pas, hm_realm_rec(r));
		if ((hm_realm_apt(r) == 0UL) ||
		    (hm_granule_state(fw->hm, hm_realm_apt(r)) != PORT_GS_APT)) {
			continue;
		}
		remember(&pas, hm_realm_apt(r));
		apt = hm_granule_peek(fw->hm, hm_realm_apt(r));
		for (j = 0U; j < APT_CAPACITY; j++) {
			if (apt->e[j].type == APT_REGION) {
				remember(&csm_ids, apt->e[j].id);
			} else if (apt->e[j].type == APT_GRANT) {
				remember_sid(hm_realm_id(r), apt->e[j].id);
			} else if (apt->e[j].type == APT_CONSUMED) {
				remember_sid(apt->e[j].peer, apt->e[j].id);
				attached_steps += (apt->e[j].state ==
						   CSM_STATE_ATTACHED);
			}
		}
	}
}

static struct hm_realm *
any_realm(void)
{
	unsigned int i, k = (unsigned int)pick(NR_REALMS);

	for (i = 0U; i < NR_REALMS; i++) {
		if (realms[(k + i) % NR_REALMS] != NULL) {
			return realms[(k + i) % NR_REALMS];
		}
	}
	return NULL;
}

/* A region id of @r itself, most of the time. */
static unsigned long
own_csm_id(struct fw *fw, struct hm_realm *r)
{
	struct apt *apt;
	unsigned int j, k = (unsigned int)pick(APT_CAPACITY);

	if ((pick(4) != 0) && (hm_realm_apt(r) != 0UL) &&
	    (hm_granule_state(fw->hm, hm_realm_apt(r)) == PORT_GS_APT)) {
		apt = hm_granule_peek(fw->hm, hm_realm_apt(r));
		for (j = 0U; j < APT_CAPACITY; j++) {
			if (apt->e[(j + k) % APT_CAPACITY].type == APT_REGION) {
				return apt->e[(j + k) % APT_CAPACITY].id;
			}
		}
	}
	return from(&csm_ids);
}

/* One CSM RSI with arguments that are mostly plausible. */
static void
realm_call(struct fw *fw, struct hm_realm *r, unsigned long *fid,
	   unsigned long a[4])
{
	static const unsigned long fids[] = {
		RSI_CSM_CREATE, RSI_CSM_SHARE, RSI_CSM_RESERVE, RSI_CSM_ATTACH,
		RSI_CSM_DETACH_AND_FREE, RSI_CSM_REVOKE, RSI_CSM_DESTROY,
	};
	unsigned long perm = (pick(8) == 0) ? pick(5) : 1 + pick(2);

	*fid = fids[pick(7)];
	(void)memset(a, 0, 4 * sizeof(a[0]));
	switch (*fid) {
	case RSI_CSM_CREATE:
		a[0] = ipa();
		a[1] = size();
		break;
	case RSI_CSM_SHARE:
		a[0] = own_csm_id(fw, r);
		a[1] = from(&ids);
		a[2] = perm;
		break;
	case RSI_CSM_DESTROY:
		a[0] = own_csm_id(fw, r);
		break;
	default:
		if ((nr_sids != 0U) && (pick(5) != 0)) {
			struct sid *sid = &sids[pick(nr_sids)];

			a[0] = sid->prov;
			a[1] = sid->handle;
		} else {
			a[0] = (pick(4) == 0) ? hm_realm_id(r) : from(&ids);
			a[1] = from(&handles);
		}
		a[2] = ipa();
		a[3] = size();
		break;
	}
}

/* A host that may ignore exits or meddle before re-entering. */
static void hostile_rmi(struct fw *fw);

static void
stepwise_rsi(struct fw *fw, struct hm_realm *r, unsigned long fid,
	     const unsigned long a[4])
{
	struct hm_exit exit;
	unsigned long x[4];
	unsigned int n;

	hm_realm_smc(r, fid, a[0], a[1], a[2], a[3]);
	for (n = 0U; n < 4U; n++) {
		if (hm_rec_enter(r, &exit) != RMI_SUCCESS) {
			return;
		}
		if (hm_realm_result(r, x)) {
			return;
		}
		switch (pick(4)) {
		case 0:
			break;			/* ignore the exit */
		case 1:
			hostile_rmi(fw);	/* meddle */
			break;
		case 2:
			exit.top = exit.base + (exit.top - exit.base) / 2;
			hm_host_answer(r, &exit);	/* half */
			break;
		default:
			hm_host_answer(r, &exit);
			break;
		}
	}
}

static void
hostile_rmi(struct fw *fw)
{
	static const unsigned long fids[] = {
		RMI_GRANULE_DELEGATE, RMI_GRANULE_UNDELEGATE,
		RMI_DATA_CREATE_UNKNOWN, RMI_DATA_DESTROY, RMI_APT_CREATE,
		RMI_APT_DESTROY, RMI_REALM_ACTIVATE, RMI_REALM_DESTROY,
		RMI_REC_DESTROY, RMI_RTT_MAP_UNPROTECTED,
		RMI_RTT_UNMAP_UNPROTECTED, RMI_RTT_READ_ENTRY,
	};
	struct hm_realm *r = any_realm();
	unsigned long fid = fids[pick(12)], res[4], a[4], fresh;

	/* Teardown commands: rarer, or no realm would stay usable. */
	while (((fid == RMI_REC_DESTROY) || (fid == RMI_REALM_DESTROY) ||
		(fid == RMI_APT_DESTROY)) && (pick(6) != 0)) {
		fid = fids[pick(12)];
	}

	a[0] = (r != NULL && pick(2)) ? hm_realm_rd(r) : from(&pas);
	a[1] = pick(2) ? from(&pas) : ipa();
	a[2] = pick(2) ? ipa() : 3;
	a[3] = from(&pas);
	if ((fid == RMI_DATA_CREATE_UNKNOWN) || (fid == RMI_APT_CREATE)) {
		fresh = hm_ns_alloc(fw->hm);
		if ((fresh != 0UL) && (pick(4) != 0)) {
			(void)hm_rmi(fw->hm, RMI_GRANULE_DELEGATE, fresh, 0, 0,
				     0, NULL);
			a[1] = fresh;
		}
		remember(&pas, fresh);
	}
	if ((fid == RMI_RTT_MAP_UNPROTECTED) && (r != NULL)) {
		a[1] = (1UL << 29) + pick(8) * G;
	}
	if ((hm_rmi(fw->hm, fid, a[0], a[1], a[2], a[3], res) == 0) &&
	    (fid == RMI_DATA_DESTROY) && pick(2)) {
		(void)hm_rmi(fw->hm, RMI_GRANULE_UNDELEGATE, res[0], 0, 0, 0,
			     NULL);
	}
}

/* An honest pair: P creates, shares with C, C reserves and attaches. */
static void
honest_share(void)
{
	struct hm_realm *p = realms[pick(NR_REALMS)], *c = any_realm();
	unsigned long id, out[3], size_ = (1 + pick(3)) * G;

	if ((p == NULL) || (c == NULL) || (p == c)) {
		return;
	}
	if (hm_rsi(p, RSI_CSM_CREATE, ipa(), size_, 0, 0, out) != 0) {
		return;
	}
	id = out[0];
	if (hm_rsi(p, RSI_CSM_SHARE, id, hm_realm_id(c), 1 + pick(2), 0,
		   out) != 0) {
		return;
	}
	if (hm_rsi(c, RSI_CSM_RESERVE, out[0], out[1], ipa(), size_, NULL) ==
	    0) {
		(void)hm_rsi(c, RSI_CSM_ATTACH, out[0], out[1], 0, 0, NULL);
	}
}

static void
step(struct fw *fw)
{
	struct hm_realm *r = any_realm();
	unsigned long fid, a[4], buf = 0, out[3];
	unsigned int k = (unsigned int)pick(NR_REALMS);

	switch (pick(20)) {
	case 0:	/* a realm dies and another is born, maybe at its RD */
		if ((realms[k] != NULL) && (pick(3) != 0) &&
		    (hm_granule_state(fw->hm, hm_realm_rec(realms[k])) ==
		     PORT_GS_REC)) {
			break;	/* mostly replace realms the host crippled */
		}
		if (realms[k] != NULL) {
			(void)hm_realm_destroy(realms[k]);
			realms[k] = NULL;
		}
		(void)hm_realm_create(fw->hm, NULL, &realms[k]);
		break;
	case 1: case 2: case 3:
		hostile_rmi(fw);
		break;
	case 4:
		if (r != NULL) {
			realm_call(fw, r, &fid, a);
			stepwise_rsi(fw, r, fid, a);
		}
		break;
	case 7: case 8:
		honest_share();
		break;
	case 5: case 6:
		if (r != NULL) {
			buf = rnd();
			(void)hm_realm_write(r, ipa(), &buf, 8U);
			(void)hm_realm_read(r, ipa(), &buf, 8U);
		}
		break;
	default:
		if (r != NULL) {
			realm_call(fw, r, &fid, a);
			unsigned long x0 = hm_rsi(r, fid, a[0], a[1], a[2], a[3], out);
			if (x0 == 0) {
				nr_ok[fid - RSI_CSM_FID_FIRST]++;
			} else if (getenv("FW_DEBUG") && fid == RSI_CSM_SHARE) {
				printf("share %lx %lx -> %lx %lx\n", a[0], a[1], x0, out[0]);
			}
		}
		break;
	}
}

static void
test_random_invariants(void **state)
{
	struct fw *fw = *state;
	const char *s = getenv("FW_SEED"), *n = getenv("FW_STEPS");
	unsigned long steps = (n != NULL) ? strtoul(n, NULL, 0) : 20000UL;
	uint64_t seed = (s != NULL) ? strtoull(s, NULL, 0) :
			(uint64_t)time(NULL) ^ (uint64_t)clock();
	unsigned long i, calls_ok = 0, tlbi0;
	char msg[256];
	unsigned int k;

	printf("test_random_invariants: FW_SEED=%" PRIu64 " FW_STEPS=%lu\n",
	       seed, steps);
	rng = seed * 0x9E3779B97F4A7C15ULL + 1U;
	for (k = 0U; k < NR_REALMS; k++) {
		realms[k] = fw_realm(fw, NULL);
	}
	tlbi0 = hm_tlbi_total(fw->hm);
	for (i = 0UL; i < steps; i++) {
		learn(fw);
		step(fw);
		if (hm_check(fw->hm, msg, sizeof(msg)) != 0) {
			print_error("FW_SEED=%" PRIu64 " step %lu: %s\n", seed,
				    i, msg);
			fail();
		}
		hm_tlbi_clear(fw->hm);
	}
	/* The run did real work: shares were made and torn down. */
	for (k = 0U; k < NR_REALMS; k++) {
		if (realms[k] != NULL) {
			struct apt *apt;

			if (hm_granule_state(fw->hm, hm_realm_apt(realms[k])) !=
			    PORT_GS_APT) {
				continue;
			}
			apt = hm_granule_peek(fw->hm, hm_realm_apt(realms[k]));
			calls_ok += apt->hdr.gen;
		}
	}
	printf("test_random_invariants: ok create %lu share %lu reserve %lu "
	       "attach %lu detach %lu revoke %lu destroy %lu; %lu TLBIs, "
	       "APT generations %lu, attached ranges x steps %lu\n",
	       nr_ok[0], nr_ok[1], nr_ok[2], nr_ok[3], nr_ok[4], nr_ok[5],
	       nr_ok[6], hm_tlbi_total(fw->hm) - tlbi0, calls_ok,
	       attached_steps);
	assert_true(handles.n > 0U);
	assert_true(attached_steps > steps / 20U);
	assert_true(hm_tlbi_total(fw->hm) > tlbi0);
}

static int
setup(void **state)
{
	struct fw *fw = calloc(1U, sizeof(*fw));
	struct hm_params p = { .size = sizeof(p), .nr_granules = 2048UL };

	assert_non_null(fw);
	assert_int_equal(hm_create(&p, &fw->hm), 0);
	*state = fw;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_invariants, setup,
						fw_teardown),
	};

	return cmocka_run_group_tests_name("firmware-random", tests, NULL,
					   NULL);
}
