/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * csm: channels and the text form of sharing ids.
 *
 *   csm:share/REALMID   create: a region for the channel, shared read-write
 *                       with realm REALMID (hex); the sharing id to give the
 *                       peer is caec_channel_csm_sid()
 *   csm:attach/SID      attach: reserve and attach sharing id SID (the text
 *                       form of struct caec_csm_sid); the grant must be RW,
 *                       since both sides write (each produces one ring)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csm_priv.h"

struct csm_chan {
	struct caec_csm_region *r;
	struct caec_csm_sid sid;	/* the grant made, or the one attached */
	uint64_t peer;			/* the realm at the other end */
	bool provider;
};

int
caec_csm_sid_format(const struct caec_csm_sid *sid, char *buf, size_t len)
{
	if (!sid || !buf)
		return -EINVAL;
	if (len < CAEC_CSM_SID_STRLEN)
		return -ENOSPC;
	snprintf(buf, len, "%016" PRIx64 "-%016" PRIx64 "-%" PRIu64,
		 sid->provider, sid->handle, sid->size);
	return 0;
}

/* 1..16 hex digits (an optional 0x), ending at @stop. */
static const char *
parse_hex(const char *s, char stop, uint64_t *v)
{
	unsigned int n = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (*v = 0; *s && *s != stop; s++, n++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return NULL;
		if (n == 16)
			return NULL;
		*v = *v << 4 | (uint64_t)d;
	}
	return n && *s == stop ? s : NULL;
}

int
caec_csm_sid_parse(const char *text, struct caec_csm_sid *sid)
{
	const char *s = text;
	uint64_t v;

	if (!text || !sid)
		return -EINVAL;
	s = parse_hex(s, '-', &sid->provider);
	if (s)
		s = parse_hex(s + 1, '-', &sid->handle);
	if (s) {
		s++;
		for (v = 0; *s >= '0' && *s <= '9'; s++) {
			if (v > (UINT64_MAX - 9) / 10)
				break;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		sid->size = v;
	}
	if (!s || *s || !sid->size || !sid->provider)
		return caec_set_detail(-EINVAL,
			"sharing id '%s' is not PROVIDER-HANDLE-SIZE (16 hex digits, 16 hex digits, decimal bytes)",
			text);
	return 0;
}

static int
csm_create(const struct caec_uri *u, size_t len, uint32_t mode,
	   struct backend_region *out)
{
	struct csm_chan *cc;
	uint64_t peer;
	int rc;

	(void)mode;
	if (strncmp(u->location, "share/", 6) ||
	    !parse_hex(u->location + 6, '\0', &peer) || !peer)
		return caec_set_detail(-EINVAL,
			"csm location '%s': create with share/REALMID (the consumer's realm id in hex)",
			u->location);
	cc = calloc(1, sizeof(*cc));
	if (!cc)
		return -ENOMEM;
	rc = caec_csm_create(len, &cc->r);
	if (!rc)
		rc = caec_csm_share(cc->r, peer, CAEC_CSM_RW, &cc->sid);
	if (rc) {
		caec_csm_destroy(cc->r);
		free(cc);
		return rc;
	}
	cc->provider = true;
	cc->peer = peer;
	memset(out, 0, sizeof(*out));
	out->base = caec_csm_base(cc->r);
	out->len = caec_csm_size(cc->r);
	out->fd = -1;		/* not to be passed on: consent is per realm */
	out->guard = -1;
	out->priv = cc;
	return 0;
}

static int
csm_attach(const struct caec_uri *u, struct backend_region *out)
{
	struct csm_chan *cc;
	int rc;

	if (strncmp(u->location, "attach/", 7))
		return caec_set_detail(-EINVAL,
			"csm location '%s': attach with attach/SID (from caec_channel_csm_sid())",
			u->location);
	cc = calloc(1, sizeof(*cc));
	if (!cc)
		return -ENOMEM;
	rc = caec_csm_sid_parse(u->location + 7, &cc->sid);
	if (!rc)
		rc = caec_csm_attach(&cc->sid, &cc->r);
	if (!rc && caec_csm_perm(cc->r) != CAEC_CSM_RW) {
		caec_csm_detach(cc->r);
		rc = caec_set_detail(-EACCES,
			"the grant is read-only; a channel needs RW (map it with caec_csm_attach())");
	}
	if (rc) {
		free(cc);
		return rc;
	}
	cc->peer = cc->sid.provider;
	memset(out, 0, sizeof(*out));
	out->base = caec_csm_base(cc->r);
	out->len = caec_csm_size(cc->r);
	out->fd = -1;
	out->guard = -1;
	out->priv = cc;
	return 0;
}

static void
csm_release(struct backend_region *reg, bool creator)
{
	struct csm_chan *cc = reg->priv;

	(void)creator;
	if (cc) {
		if (cc->provider)
			(void)caec_csm_destroy(cc->r);
		else
			(void)caec_csm_detach(cc->r);
		free(cc);
	}
	memset(reg, 0, sizeof(*reg));
	reg->fd = -1;
	reg->guard = -1;
}

static void
csm_bind(struct backend_region *reg, const struct backend_owner *owner)
{
	struct csm_chan *cc = reg->priv;

	csm_region_bind(cc->r, &reg->lost, owner);
}

static int
csm_sid(const struct backend_region *reg, struct caec_csm_sid *sid)
{
	const struct csm_chan *cc = reg->priv;

	*sid = cc->sid;
	return 0;
}

static int
csm_peer(const struct backend_region *reg, uint64_t *realm_id)
{
	const struct csm_chan *cc = reg->priv;

	*realm_id = cc->peer;
	return 0;
}

static int
csm_revoke(struct backend_region *reg)
{
	struct csm_chan *cc = reg->priv;

	if (!cc->provider)
		return caec_set_detail(-EINVAL,
			"only the channel's creator (the provider) revokes");
	return caec_csm_revoke(cc->r, &cc->sid);
}

const struct backend_ops backend_csm_ops = {
	.scheme = "csm",
	.create = csm_create,
	.attach = csm_attach,
	.release = csm_release,
	.bind = csm_bind,
	.csm_sid = csm_sid,
	.csm_peer = csm_peer,
	.csm_revoke = csm_revoke,
};
