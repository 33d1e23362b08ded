/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared test fixtures (see fw_test.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_test.h"

static unsigned long last_detail;

int
fw_setup(void **state)
{
	struct fw *fw = calloc(1U, sizeof(*fw));
	struct hm_params p = { .size = sizeof(p), .nr_granules = 4096UL };

	assert_non_null(fw);
	assert_int_equal(hm_create(&p, &fw->hm), 0);
	*state = fw;
	return 0;
}

int
fw_setup3(void **state)
{
	struct fw *fw;
	int i;

	(void)fw_setup(state);
	fw = *state;
	for (i = 0; i < 3; i++) {
		fw->r[i] = fw_realm(fw, NULL);
	}
	return 0;
}

void
fw_check(struct fw *fw)
{
	char msg[256];

	if (hm_check(fw->hm, msg, sizeof(msg)) != 0) {
		print_error("invariant broken: %s\n", msg);
		fail();
	}
}

int
fw_teardown(void **state)
{
	struct fw *fw = *state;
	char msg[256];
	int ret = hm_check(fw->hm, msg, sizeof(msg));

	/* Destroy first: a failed check must not leak the singleton. */
	hm_destroy(fw->hm);
	free(fw);
	if (ret != 0) {
		print_error("invariant broken at teardown: %s\n", msg);
		return -1;
	}
	return 0;
}

struct hm_realm *
fw_realm(struct fw *fw, const struct hm_realm_params *p)
{
	struct hm_realm *r = NULL;

	assert_int_equal(hm_realm_create(fw->hm, p, &r), 0);
	assert_non_null(r);
	return r;
}

static unsigned long
rsi(struct hm_realm *r, unsigned long fid, unsigned long x1, unsigned long x2,
    unsigned long x3, unsigned long x4, unsigned long out[3])
{
	unsigned long x0 = hm_rsi(r, fid, x1, x2, x3, x4, out);

	last_detail = (x0 == RSI_SUCCESS) ? CSM_E_NONE : out[0];
	return x0;
}

unsigned long
fw_detail(void)
{
	return last_detail;
}

unsigned long
fw_create(struct hm_realm *r, unsigned long base, unsigned long size,
	  unsigned long *id)
{
	unsigned long out[3];
	unsigned long x0 = rsi(r, RSI_CSM_CREATE, base, size, 0, 0, out);

	if ((x0 == RSI_SUCCESS) && (id != NULL)) {
		*id = out[0];
	}
	return x0;
}

unsigned long
fw_share(struct hm_realm *p, unsigned long id, const struct hm_realm *c,
	 unsigned long perm, struct sid *sid)
{
	unsigned long out[3];
	unsigned long x0 = rsi(p, RSI_CSM_SHARE, id,
			       (c != NULL) ? hm_realm_id(c) : 0UL, perm, 0,
			       out);

	if ((x0 == RSI_SUCCESS) && (sid != NULL)) {
		sid->prov = out[0];
		sid->handle = out[1];
	}
	return x0;
}

unsigned long
fw_reserve(struct hm_realm *c, const struct sid *sid, unsigned long base,
	   unsigned long size)
{
	unsigned long out[3];

	return rsi(c, RSI_CSM_RESERVE, sid->prov, sid->handle, base, size,
		   out);
}

unsigned long
fw_attach(struct hm_realm *c, const struct sid *sid)
{
	unsigned long out[3];

	return rsi(c, RSI_CSM_ATTACH, sid->prov, sid->handle, 0, 0, out);
}

unsigned long
fw_detach(struct hm_realm *c, const struct sid *sid)
{
	unsigned long out[3];

	return rsi(c, RSI_CSM_DETACH_AND_FREE, sid->prov, sid->handle, 0, 0,
		   out);
}

unsigned long
fw_revoke(struct hm_realm *p, const struct sid *sid)
{
	unsigned long out[3];

	return rsi(p, RSI_CSM_REVOKE, sid->prov, sid->handle, 0, 0, out);
}

unsigned long
fw_destroy(struct hm_realm *p, unsigned long id)
{
	unsigned long out[3];

	return rsi(p, RSI_CSM_DESTROY, id, 0, 0, 0, out);
}

struct sid
fw_share_attach(struct hm_realm *p, unsigned long pbase, struct hm_realm *c,
		unsigned long cbase, unsigned long size, unsigned long perm,
		unsigned long *id)
{
	unsigned long csm_id;
	struct sid sid;

	assert_int_equal(fw_create(p, pbase, size, &csm_id), RSI_SUCCESS);
	assert_int_equal(fw_share(p, csm_id, c, perm, &sid), RSI_SUCCESS);
	assert_int_equal(fw_reserve(c, &sid, cbase, size), RSI_SUCCESS);
	assert_int_equal(fw_attach(c, &sid), RSI_SUCCESS);
	if (id != NULL) {
		*id = csm_id;
	}
	return sid;
}

unsigned long
fw_realm_params(struct fw *fw, uint64_t s2sz, int64_t sl, uint64_t rtt_base,
		uint64_t num, uint16_t vmid)
{
	unsigned long params = hm_ns_alloc(fw->hm);

	assert_int_not_equal(params, 0);
	assert_int_equal(hm_ns_write(fw->hm, params + HM_PARAMS_S2SZ, &s2sz, 8),
			 0);
	assert_int_equal(hm_ns_write(fw->hm, params + HM_PARAMS_VMID, &vmid, 2),
			 0);
	assert_int_equal(hm_ns_write(fw->hm, params + HM_PARAMS_RTT_BASE,
				     &rtt_base, 8), 0);
	assert_int_equal(hm_ns_write(fw->hm, params + HM_PARAMS_RTT_LEVEL_START,
				     &sl, 8), 0);
	assert_int_equal(hm_ns_write(fw->hm, params + HM_PARAMS_RTT_NUM_START,
				     &num, 8), 0);
	return params;
}

unsigned long
fw_delegated(struct fw *fw)
{
	unsigned long pa = hm_ns_alloc(fw->hm);

	assert_int_not_equal(pa, 0);
	assert_int_equal(hm_rmi(fw->hm, RMI_GRANULE_DELEGATE, pa, 0, 0, 0,
				NULL), RMI_SUCCESS);
	return pa;
}
