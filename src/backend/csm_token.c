/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attestation: this realm's token for a challenge (from the service), and
 * the check of a peer's token (src/attest/token_verify.c, also behind
 * caec-attest).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../error.h"
#include "csm_priv.h"

#if defined(CAEC_HAVE_TOKENS)
#include "../attest/token.h"
#endif

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

int
caec_csm_token_verify(const uint8_t *token, size_t len, const char *anchor,
		      const uint8_t challenge[CAEC_CSM_CHALLENGE_LEN],
		      const uint8_t *measurement,
		      struct caec_csm_token_info *info)
{
#if defined(CAEC_HAVE_TOKENS)
	struct token_claims tc;
	char path[PATH_MAX], why[200];
	EVP_PKEY *iak;
	int rc;

	if (!token || !challenge || !info ||
	    info->struct_size < sizeof(*info))
		return caec_set_detail(-EINVAL,
			"caec_csm_token_verify: NULL argument or struct_size too small");
	if (!anchor) {
		csm_rmmd_socket_path(path, sizeof(path) - 4);
		strcat(path, ".pub");
		anchor = path;
	}
	rc = token_anchor_load(anchor, &iak);
	if (rc)
		return caec_set_detail(rc, "trust anchor %s: %s", anchor,
				       rc == -ENOENT ? "no such file" :
						       "not a PEM public key");
	rc = token_verify(token, len, iak, challenge, measurement, &tc, why,
			  sizeof(why));
	EVP_PKEY_free(iak);
	if (rc)
		return caec_set_detail(rc, "token rejected: %s", why);
	info->has_realm_id = tc.has_realm_id;
	info->realm_id = tc.realm_id;
	memcpy(info->measurement, tc.rim, sizeof(info->measurement));
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
