/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attestation: this realm's token for a challenge (from the service), the
 * check of a peer's token (src/attest/token_verify.c, also behind
 * caec-attest), the parameters the realm starts with, and its extensible
 * measurements.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "csm_priv.h"

#if defined(CAEC_HAVE_TOKENS)
#include "../attest/token.h"
#endif

void
backend_csm_anchor(char *buf, size_t len)
{
	csm_rmmd_socket_path(buf, len > 4 ? len - 4 : len);
	strcat(buf, ".pub");
}

int
caec_csm_token(const uint8_t challenge[CAEC_CSM_CHALLENGE_LEN], uint8_t *buf,
	       size_t cap, size_t *len)
{
	struct csm_conn *c;
	int rc;

	if (!challenge || !buf || !len)
		return -EINVAL;
	rc = csm_conn_get(&c);
	if (rc)
		return rc;
	if (!c->t->token)
		rc = caec_set_detail(-ENOTSUP,
			"%s gives no tokens: in a realm, ask the kernel (configfs-tsm) for one",
			c->t->name);
	else
		rc = c->t->token(c, challenge, buf, cap, len);
	csm_conn_put(c);
	return rc;
}

#if defined(CAEC_HAVE_TOKENS)
_Static_assert(CAEC_CSM_TOKEN_MAX == TOKEN_MAX, "one token-size bound");
_Static_assert(CAEC_CSM_HASH_SHA256 == TOKEN_HASH_SHA256 &&
	       CAEC_CSM_HASH_SHA512 == TOKEN_HASH_SHA512, "hash numbering");
_Static_assert(CAEC_CSM_LIFECYCLE_EMULATED == CCA_LIFECYCLE_EMULATED,
	       "the emulator's lifecycle");

/* The fields of struct caec_csm_token_info every caller has. */
#define INFO_V1 offsetof(struct caec_csm_token_info, measurement_len)

static void
fill_info(const struct token_claims *tc, struct caec_csm_token_info *info)
{
	info->has_realm_id = tc->has_realm_id;
	info->realm_id = tc->realm_id;
	memcpy(info->measurement, tc->rim, sizeof(info->measurement));
	if (info->struct_size < sizeof(*info))
		return;
	info->measurement_len = (uint32_t)tc->meas_len;
	info->lifecycle = tc->lifecycle;
	memcpy(info->rim, tc->rim, sizeof(info->rim));
	memcpy(info->rpv, tc->rpv, sizeof(info->rpv));
	memcpy(info->rem, tc->rem, sizeof(info->rem));
}
#endif

int
caec_csm_token_verify(const uint8_t *token, size_t len, const char *anchor,
		      const uint8_t challenge[CAEC_CSM_CHALLENGE_LEN],
		      const uint8_t *measurement,
		      struct caec_csm_token_info *info)
{
#if defined(CAEC_HAVE_TOKENS)
	struct token_anchors set = { 0 };
	struct token_expect x = {
		.challenge = challenge,
		.rim = measurement,
		.rim_len = TOKEN_RIM_LEN,
	};
	struct token_claims tc;
	char path[PATH_MAX], why[512];
	int rc;

	if (!token || !challenge || !info || info->struct_size < INFO_V1)
		return caec_set_detail(-EINVAL,
			"caec_csm_token_verify: NULL argument or struct_size too small");
	if (!anchor) {
		backend_csm_anchor(path, sizeof(path));
		anchor = path;
	}
	rc = token_anchors_load(&set, anchor, why, sizeof(why));
	if (rc) {
		token_anchors_free(&set);
		return caec_set_detail(rc, "%s", why);
	}
	rc = token_verify_with(token, len, &set, &x, &tc, why, sizeof(why));
	token_anchors_free(&set);
	if (rc)
		return caec_set_detail(rc, "token rejected: %s", why);
	fill_info(&tc, info);
	token_claims_free(&tc);
	return 0;
#else
	(void)token;
	(void)len;
	(void)anchor;
	(void)challenge;
	(void)measurement;
	(void)info;
	return caec_set_detail(-ENOTSUP,
		"this libcaec was built without attestation (libcbor and OpenSSL)");
#endif
}

/* ---- the realm's parameters and measurements ----------------------------- */

static pthread_mutex_t params_lock = PTHREAD_MUTEX_INITIALIZER;
static struct caec_csm_realm_params params;
static bool params_set;

int
caec_csm_realm_params(const struct caec_csm_realm_params *p)
{
	if (!p || p->struct_size < sizeof(*p) ||
	    (p->hash_algo != CAEC_CSM_HASH_SHA256 &&
	     p->hash_algo != CAEC_CSM_HASH_SHA512))
		return caec_set_detail(-EINVAL,
			"caec_csm_realm_params: NULL, struct_size too small, or an unknown hash algorithm");
	pthread_mutex_lock(&params_lock);
	params = *p;
	params_set = true;
	pthread_mutex_unlock(&params_lock);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
csm_realm_params_get(uint32_t *hash_algo, uint8_t rpv[CAEC_CSM_RPV_LEN],
		     bool *given)
{
	const char *e;
	size_t i;

	pthread_mutex_lock(&params_lock);
	*given = params_set;
	*hash_algo = params.hash_algo;
	memcpy(rpv, params.rpv, CAEC_CSM_RPV_LEN);
	pthread_mutex_unlock(&params_lock);
	if (*given)
		return 0;
	*hash_algo = CAEC_CSM_HASH_SHA256;
	memset(rpv, 0, CAEC_CSM_RPV_LEN);
	e = getenv("CAEC_CSM_HASH");
	if (e && *e) {
		if (!strcmp(e, "sha-512"))
			*hash_algo = CAEC_CSM_HASH_SHA512;
		else if (strcmp(e, "sha-256"))
			return caec_set_detail(-EINVAL,
				"$CAEC_CSM_HASH is '%s': sha-256 or sha-512", e);
		*given = true;
	}
	e = getenv("CAEC_CSM_RPV");
	if (e && *e) {
		if (strlen(e) != 2 * CAEC_CSM_RPV_LEN)
			return caec_set_detail(-EINVAL,
				"$CAEC_CSM_RPV needs %d hex digits",
				2 * CAEC_CSM_RPV_LEN);
		for (i = 0; i < CAEC_CSM_RPV_LEN; i++) {
			if (hexval(e[2 * i]) < 0 || hexval(e[2 * i + 1]) < 0)
				return caec_set_detail(-EINVAL,
					"$CAEC_CSM_RPV is not hex");
			rpv[i] = (uint8_t)(hexval(e[2 * i]) << 4 |
					   hexval(e[2 * i + 1]));
		}
		*given = true;
	}
	return 0;
}

int
caec_csm_measurement_extend(unsigned int index, const void *data, size_t len)
{
	struct csm_conn *c;
	int rc;

	if (index < 1 || index > 4 || len > 64 || (!data && len))
		return caec_set_detail(-EINVAL,
			"caec_csm_measurement_extend: index %u (1..4), %zu bytes (64 at most)",
			index, len);
	rc = csm_conn_get(&c);
	if (rc)
		return rc;
	if (!c->t->extend)
		rc = caec_set_detail(-ENOTSUP,
			"%s extends no measurement: in a realm, use the kernel's RSI interface",
			c->t->name);
	else
		rc = c->t->extend(c, index, data, len);
	csm_conn_put(c);
	return rc;
}
