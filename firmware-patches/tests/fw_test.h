/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixtures shared by the firmware tests: a fresh host model per test, a
 * few realms, RSI wrappers that return X0 and the outputs, and the
 * invariant check every test ends with.
 */
#ifndef FW_TEST_H
#define FW_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "csm_abi.h"
#include "hm.h"

#define G		HM_GRANULE
#define FW_REALMS	6

struct fw {
	struct hm *hm;
	struct hm_realm *r[FW_REALMS];
};

/* A sid as the realm holds it. */
struct sid {
	unsigned long prov;
	unsigned long handle;
};

/* cmocka setup/teardown: model only / model and 3 realms with APTs. */
int fw_setup(void **state);
int fw_setup3(void **state);
int fw_teardown(void **state);

/* Assert the model's invariants hold (prints the broken one). */
void fw_check(struct fw *fw);

struct hm_realm *fw_realm(struct fw *fw, const struct hm_realm_params *p);

/* RSI wrappers: return X0; outputs through pointers (may be NULL). */
unsigned long fw_create(struct hm_realm *r, unsigned long base,
			unsigned long size, unsigned long *id);
unsigned long fw_share(struct hm_realm *p, unsigned long id,
		       const struct hm_realm *c, unsigned long perm,
		       struct sid *sid);
unsigned long fw_reserve(struct hm_realm *c, const struct sid *sid,
			 unsigned long base, unsigned long size);
unsigned long fw_attach(struct hm_realm *c, const struct sid *sid);
unsigned long fw_detach(struct hm_realm *c, const struct sid *sid);
unsigned long fw_revoke(struct hm_realm *p, const struct sid *sid);
unsigned long fw_destroy(struct hm_realm *p, unsigned long id);

/* The last failure detail (X1) seen by a wrapper. */
unsigned long fw_detail(void);

/* Provider creates a region of @size at @pbase, shares it with @c (perm),
 * @c reserves at @cbase and attaches. Asserts success; returns the sid. */
struct sid fw_share_attach(struct hm_realm *p, unsigned long pbase,
			   struct hm_realm *c, unsigned long cbase,
			   unsigned long size, unsigned long perm,
			   unsigned long *id);

/*
 * An NS realm-parameters granule for RMI_REALM_CREATE: IPA width @s2sz,
 * starting level @sl with @num RTTs from @rtt_base, VMID @vmid.
 */
unsigned long fw_realm_params(struct fw *fw, uint64_t s2sz, int64_t sl,
			      uint64_t rtt_base, uint64_t num, uint16_t vmid);

/* A delegated granule (asserts). */
unsigned long fw_delegated(struct fw *fw);

/* Assert X0 and the detail of a failed RSI. */
#define assert_rsi_fail(call, status, det) do {				\
	assert_int_equal((call), (status));				\
	assert_int_equal(fw_detail(), (det));				\
} while (0)

#endif /* FW_TEST_H */
