/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attestation: a realm's parameters (REALM_PARAMS: hash algorithm and
 * personalization value, fixed before it runs), its extensible measurements
 * (MEASURE_EXTEND, as RSI_MEASUREMENT_EXTEND) and its tokens (TOKEN), whose
 * claims are partly the daemon's (RIM = the client's measurement, REMs,
 * RPV) and partly the firmware's (realm id and CSM membership, from
 * csm_token_claims() through the host model).
 *
 * RSI_MEASUREMENT_EXTEND is an RMM 1.0 command, not part of the CSM
 * extension: the daemon keeps the REMs itself, as TF-RMM keeps them in the
 * realm descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rmmd.h"

#if defined(CAEC_HAVE_TOKENS)

#include <openssl/err.h>
#include <openssl/evp.h>

#include "csm.h"
#include "../attest/token.h"

_Static_assert(RMMD_HASH_SHA256 == TOKEN_HASH_SHA256 &&
	       RMMD_HASH_SHA512 == TOKEN_HASH_SHA512, "hash numbering");

int
rmmd_tokens_start(struct rmmd *d)
{
	struct token_signer *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	rc = token_signer_init(t, d->cfg.anchor);
	if (rc) {
		free(t);
		return rc;
	}
	d->tokens = t;
	return 0;
}

void
rmmd_tokens_stop(struct rmmd *d)
{
	if (!d->tokens)
		return;
	token_signer_free(d->tokens);
	free(d->tokens);
	d->tokens = NULL;
	(void)unlink(d->cfg.anchor);
}

int
rmmd_cmd_realm_params(struct rmmd *d, struct rmmd_client *c, const void *req,
		      struct rmmd_cmd_out *out)
{
	const struct rmmd_req_realm_params *q = req;
	int rc;

	if (!d->tokens)
		return -ENOTSUP;
	if (c->started)
		return -EPROTO;		/* the realm runs: fixed */
	if (q->reserved || (q->hash_algo != RMMD_HASH_SHA256 &&
			    q->hash_algo != RMMD_HASH_SHA512))
		return -EINVAL;
	rc = rmmd_exe_unchanged(c);
	if (rc)
		return rc;
	if (q->hash_algo == RMMD_HASH_SHA512)
		memcpy(c->att.rim, c->rim512, sizeof(c->att.rim));
	c->att.hash_algo = q->hash_algo;
	memcpy(c->att.rpv, q->rpv, sizeof(c->att.rpv));
	memset(c->att.rem, 0, sizeof(c->att.rem));
	c->started = true;		/* once */
	out->rep.val[0] = q->hash_algo;
	rmmd_debug("realm %016llx: hash %s", (unsigned long long)c->realm_id,
		   q->hash_algo == RMMD_HASH_SHA512 ? "sha-512" : "sha-256");
	return 0;
}

int
rmmd_cmd_extend(struct rmmd *d, struct rmmd_client *c, const void *req,
		struct rmmd_cmd_out *out)
{
	const struct rmmd_req_extend *q = req;
	const EVP_MD *alg = c->att.hash_algo == RMMD_HASH_SHA512 ?
			    EVP_sha512() : EVP_sha256();
	size_t hlen = token_hash_len(c->att.hash_algo);
	uint8_t *rem;
	unsigned int n = 0;
	EVP_MD_CTX *md;
	int rc = -EIO;

	(void)out;
	if (!d->tokens)
		return -ENOTSUP;
	/* RSI_MEASUREMENT_EXTEND's failure conditions, in its order. */
	if (q->index < 1 || q->index > TOKEN_NR_REM || q->size > 64)
		return -EINVAL;
	rem = c->att.rem[q->index - 1];
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestInit_ex(md, alg, NULL) == 1 &&
	    EVP_DigestUpdate(md, rem, hlen) == 1 &&
	    EVP_DigestUpdate(md, q->value, q->size) == 1 &&
	    EVP_DigestFinal_ex(md, rem, &n) == 1 && n == hlen)
		rc = 0;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return rc;
}

int
rmmd_cmd_token(struct rmmd *d, struct rmmd_client *c, const void *req,
	       struct rmmd_cmd_out *out)
{
	const struct rmmd_req_token *q = req;
	uint8_t fw[RMMD_TOKEN_MAX / 2];
	struct token_realm r;
	size_t fw_len = 0, len = 0;
	int rc;

	if (!d->tokens)
		return -ENOTSUP;
	rc = rmmd_exe_unchanged(c);
	if (rc)
		return rc;
	rc = hm_token_claims(c->realm, fw, sizeof(fw), &fw_len);
	if (rc)
		return rc == -ENOSPC ? -ENOMEM : rc;
	r.hash_algo = c->att.hash_algo;
	if (r.hash_algo == RMMD_HASH_SHA256)
		memcpy(r.rim, c->measurement, sizeof(c->measurement));
	else
		memcpy(r.rim, c->att.rim, sizeof(r.rim));
	memcpy(r.rem, c->att.rem, sizeof(r.rem));
	memcpy(r.rpv, c->att.rpv, sizeof(r.rpv));
	out->extra = malloc(RMMD_TOKEN_MAX);
	if (!out->extra)
		return -ENOMEM;
	rc = token_build(d->tokens, q->challenge, &r, fw, fw_len,
			 CSM_TOKEN_NR_CLAIMS, out->extra, RMMD_TOKEN_MAX, &len);
	if (rc)
		return rc == -ENOSPC ? -ENOMEM : rc;
	out->extra_len = len;
	out->rep.val[0] = len;
	return 0;
}

#else

int
rmmd_tokens_start(struct rmmd *d)
{
	(void)d;
	return 0;
}

void
rmmd_tokens_stop(struct rmmd *d)
{
	(void)d;
}

static int
no_tokens(struct rmmd *d, struct rmmd_client *c, const void *req,
	  struct rmmd_cmd_out *out)
{
	(void)d;
	(void)c;
	(void)req;
	(void)out;
	return -ENOTSUP;
}

int
rmmd_cmd_token(struct rmmd *d, struct rmmd_client *c, const void *req,
	       struct rmmd_cmd_out *out)
{
	return no_tokens(d, c, req, out);
}

int
rmmd_cmd_realm_params(struct rmmd *d, struct rmmd_client *c,
		      const void *req, struct rmmd_cmd_out *out)
{
	return no_tokens(d, c, req, out);
}

int
rmmd_cmd_extend(struct rmmd *d, struct rmmd_client *c, const void *req,
		struct rmmd_cmd_out *out)
{
	return no_tokens(d, c, req, out);
}

#endif
