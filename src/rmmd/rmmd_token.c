/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TOKEN: a realm's attestation token, its claims partly the daemon's (RIM =
 * the client's measurement) and partly the firmware's (realm id and CSM
 * membership, from csm_token_claims() through the host model).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rmmd.h"

#if defined(CAEC_HAVE_TOKENS)

#include "csm.h"
#include "../attest/token.h"

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
rmmd_cmd_token(struct rmmd *d, struct rmmd_client *c, const void *req,
	       struct rmmd_cmd_out *out)
{
	const struct rmmd_req_token *q = req;
	uint8_t fw[RMMD_TOKEN_MAX / 2];
	size_t fw_len = 0, len = 0;
	int rc;

	if (!d->tokens)
		return -ENOTSUP;
	rc = hm_token_claims(c->realm, fw, sizeof(fw), &fw_len);
	if (rc)
		return rc == -ENOSPC ? -ENOMEM : rc;
	out->extra = malloc(RMMD_TOKEN_MAX);
	if (!out->extra)
		return -ENOMEM;
	rc = token_build(d->tokens, q->challenge, c->measurement, fw, fw_len,
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

int
rmmd_cmd_token(struct rmmd *d, struct rmmd_client *c, const void *req,
	       struct rmmd_cmd_out *out)
{
	(void)d;
	(void)c;
	(void)req;
	(void)out;
	return -ENOTSUP;
}

#endif
