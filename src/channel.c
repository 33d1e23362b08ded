/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Duplex channels: a backend region holding two rings. Thin glue.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <caec/caec.h>
#include <caec/csm.h>

#include "channel_priv.h"
#include "error.h"
#include "ring/ring_api.h"
#include "shm_access.h"

#define CHAN_RING_DEFAULT (64u * 1024u)

void
caec_channel_params_init(struct caec_channel_params *p)
{
	memset(p, 0, sizeof(*p));
	p->struct_size = sizeof(*p);
	p->ring_size = CHAN_RING_DEFAULT;
	p->wait.struct_size = sizeof(p->wait);
	p->wait.mode = CAEC_WAIT_ADAPTIVE;
	p->mode = 0600;
}

static int
params_resolve(const struct caec_channel_params *in, const struct caec_uri *u,
	       struct caec_channel_params *p)
{
	caec_channel_params_init(p);
	p->wait.struct_size = 0;	/* defaults, see open_rings() */
	if (in) {
		if (in->struct_size < sizeof(*in))
			return caec_set_detail(-EINVAL,
				"struct caec_channel_params: struct_size %u too small (set it to sizeof)",
				in->struct_size);
		*p = *in;
		if (!p->ring_size)
			p->ring_size = CHAN_RING_DEFAULT;
		if (!p->mode)
			p->mode = 0600;
	}
	if (u->has_ring)
		p->ring_size = u->ring;
	if (u->has_max_msg)
		p->max_msg = u->max_msg;
	if (u->has_wake)
		p->nowake = u->nowake;
	if (u->has_wait) {
		p->wait.struct_size = sizeof(p->wait);
		p->wait.mode = u->wait_mode;
	}
	if (!caec_ring_footprint(p->ring_size))
		return caec_set_detail(-EINVAL,
			"ring size %u is not a power of two in [%u, %u]",
			p->ring_size, CAEC_RING_MIN_SIZE, CAEC_RING_MAX_SIZE);
	if (p->max_msg > caec_ring_max_msg_limit(p->ring_size))
		return caec_set_detail(-EINVAL,
			"max_msg %u exceeds the limit %u of a %u-byte ring",
			p->max_msg, caec_ring_max_msg_limit(p->ring_size),
			p->ring_size);
	return 0;
}

/*
 * Each ring must have the geometry the channel header declares: the size
 * the offsets were checked with, the max_msg the transform sizes records
 * by, the flags the wait was chosen by. Compared on the rings' private
 * copies (what they validated at open and use from then on), so a header
 * rewritten after the check changes nothing.
 */
static int
rings_match(const struct caec_channel *ch, const struct caec_chan_hdr *h,
	    int tx)
{
	uint32_t size, max_msg, flags;
	int i;

	for (i = 0; i < 2; i++) {
		ring_geometry(i == tx ? ch->tx : ch->rx, &size, &max_msg,
			      &flags);
		if (size != h->ring_size)
			return caec_set_detail(-EPROTO,
				"ring %d header: data_size %u disagrees with the channel header's ring_size %u",
				i, size, h->ring_size);
		if (max_msg != h->max_msg)
			return caec_set_detail(-EPROTO,
				"ring %d header: max_msg %u disagrees with the channel header's %u",
				i, max_msg, h->max_msg);
		if (flags != h->flags)
			return caec_set_detail(-EPROTO,
				"ring %d header: flags 0x%x disagree with the channel header's 0x%x",
				i, flags, h->flags);
	}
	return 0;
}

static int
open_rings(struct caec_channel *ch, const struct caec_chan_hdr *h,
	   const struct caec_wait_params *wait)
{
	size_t fp = caec_ring_footprint(h->ring_size);
	uint8_t *base = ch->reg.base;
	int tx = ch->creator ? 0 : 1;
	struct caec_wait_params w = *wait;
	uint32_t rflags;
	int rc, i;

	for (i = 0; i < 2; i++) {
		rflags = ring_mem_flags(base + h->ring_off[i]);
		if (rflags != h->flags)
			return caec_set_detail(-EPROTO,
				"ring %d header: flags 0x%x disagree with the channel header's 0x%x",
				i, rflags, h->flags);
	}

	/*
	 * No futex on a wake=none region: the default wait (NULL params, a
	 * zero wait.struct_size, no wait= in the URI) polls with back-off; an
	 * explicit ADAPTIVE request fails in caec_ring_open().
	 */
	if (!w.struct_size) {
		memset(&w, 0, sizeof(w));
		w.struct_size = sizeof(w);
		if (h->flags & CAEC_RING_F_NOWAKE)
			w.mode = CAEC_WAIT_BACKOFF;
	}
	rc = caec_ring_open(base + h->ring_off[tx], fp, CAEC_RING_PRODUCER,
			    &w, &ch->tx);
	if (rc)
		return rc;
	rc = caec_ring_open(base + h->ring_off[1 - tx], fp, CAEC_RING_CONSUMER,
			    &w, &ch->rx);
	if (!rc)
		rc = rings_match(ch, h, tx);
	if (rc) {
		ring_discard(ch->tx);
		ring_discard(ch->rx);
		ch->tx = NULL;
		ch->rx = NULL;
		return rc;
	}
	/* The rings report the region's loss on their error paths. */
	ring_set_lost(ch->tx, &ch->reg.lost);
	ring_set_lost(ch->rx, &ch->reg.lost);
	ch->ring_off[0] = h->ring_off[0];
	ch->ring_off[1] = h->ring_off[1];
	ch->ring_len = fp;
	return 0;
}

/*
 * The region's creator went away (backend_owner): in the snapshot that
 * replaces the mapping, the creator's side of both rings is closed (it
 * produces ring 0 and consumes ring 1: channel_layout.h).
 */
static void
chan_peer_gone(void *ctx, uint8_t *img, size_t len)
{
	const struct caec_channel *ch = ctx;
	int i;

	for (i = 0; i < 2; i++)
		if (ch->ring_off[i] <= len && len - ch->ring_off[i] >= ch->ring_len)
			ring_mem_close(img + ch->ring_off[i],
				       i ? CAEC_RING_CONSUMER :
					   CAEC_RING_PRODUCER);
}

/* Wake the sleepers of both rings through a second mapping. */
static void
chan_wake(void *ctx, const uint8_t *alias, size_t len)
{
	const struct caec_channel *ch = ctx;
	int i;

	for (i = 0; i < 2; i++)
		if (ch->ring_off[i] <= len && len - ch->ring_off[i] >= ch->ring_len)
			ring_mem_wake(alias + ch->ring_off[i]);
}

/* The geometry is valid: let the backend report what it does to the region. */
static void
chan_bind(struct caec_channel *ch)
{
	const struct backend_owner owner = {
		.peer_gone = chan_peer_gone,
		.wake = chan_wake,
		.ctx = ch,
	};

	if (ch->reg.ops->bind)
		ch->reg.ops->bind(&ch->reg, &owner);
}

static int
channel_new(const char *uri, const struct caec_channel_params *params,
	    struct caec_channel **out, struct caec_uri *u,
	    struct caec_channel_params *p, const struct backend_ops **ops,
	    enum aead_lib *lib)
{
	int rc;

	if (!out)
		return caec_set_detail(-EINVAL, "channel: out is NULL");
	*out = NULL;
	rc = uri_parse(uri, u);
	if (rc)
		return rc;
	rc = chan_scheme(u->scheme, ops, lib);
	if (rc)
		return rc;
	rc = params_resolve(params, u, p);
	if (rc)
		return rc;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->live.fd = -1;
	(*out)->live.slot = -1;
	return 0;
}

/*
 * Undo a create or attach that failed before the channel was handed out:
 * nothing was published to the peer (no magic, no closed flags), so the
 * private handles are freed and the region released (removed if created).
 */
static void
channel_discard(struct caec_channel *ch, struct caec_channel **out)
{
	chan_live_stop(ch);
	ring_discard(ch->tx);
	ring_discard(ch->rx);
	if (ch->reg.ops)
		ch->reg.ops->release(&ch->reg, ch->creator);
	free(ch);
	*out = NULL;
}

/*
 * Clear a region the backend could not vouch for (struct backend_region's
 * fresh): an existing ivshmem BAR or object keeps the previous session's
 * records, which must not survive into this one, neither in the data areas
 * (which formatting does not write) nor between and after the rings.
 * Naturally aligned 8-byte stores, as device memory requires.
 */
static void
region_clear(uint8_t *base, size_t len)
{
	uint64_t *w = (uint64_t *)base;
	size_t i;

	for (i = 0; i < len / 8; i++)
		sh_store(&w[i], 0);
	for (i = len & ~(size_t)7; i < len; i++)
		sh_store(&base[i], 0);
}

int
caec_channel_create(const char *uri, const struct caec_channel_params *params,
		    struct caec_channel **out)
{
	const struct backend_ops *ops;
	struct caec_channel_params p;
	struct caec_chan_hdr *h, hp;
	struct caec_channel *ch;
	enum aead_lib lib = AEAD_LIB_NONE;
	struct caec_uri *u;
	uint32_t flags, xf;
	size_t fp, len;
	uint8_t *base;
	int rc, i;

	u = malloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	rc = channel_new(uri, params, out, u, &p, &ops, &lib);
	if (rc)
		goto out;
	ch = *out;
	rc = chan_xf_id(lib, u->cipher, &xf);
	if (rc)
		goto fail;
	ch->creator = true;
	fp = (caec_ring_footprint(p.ring_size) + 63) & ~(size_t)63;
	len = CAEC_CHAN_HDR_SIZE + 2 * fp;
	rc = ops->create(u, len, p.mode, &ch->reg);
	if (rc)
		goto fail;
	ch->reg.ops = ops;
	base = ch->reg.base;
	h = (struct caec_chan_hdr *)base;
	flags = p.nowake ? CAEC_RING_F_NOWAKE : 0;
	if (!ch->reg.fresh)
		region_clear(base, ch->reg.len);

	/* Build the header privately; only the private copy is used later. */
	memset(&hp, 0, sizeof(hp));
	hp.version = CAEC_CHAN_VERSION;
	hp.hdr_size = CAEC_CHAN_HDR_SIZE;
	hp.ring_size = p.ring_size;
	hp.max_msg = p.max_msg ? p.max_msg :
				 caec_ring_max_msg_limit(p.ring_size);
	hp.flags = flags;
	hp.transform = xf;
	hp.region_len = len;
	for (i = 0; i < 2; i++)
		hp.ring_off[i] = CAEC_CHAN_HDR_SIZE + (uint64_t)i * fp;
	if (lib) {
		rc = chan_xf_fresh(&hp);
		if (rc)
			goto fail;
	}
	sh_store_rel(&h->magic, 0);
	memcpy(base + sizeof(uint32_t), (uint8_t *)&hp + sizeof(uint32_t),
	       CAEC_CHAN_HDR_SIZE - sizeof(uint32_t));
	for (i = 0; i < 2; i++) {
		rc = caec_ring_format(base + hp.ring_off[i], fp, p.ring_size,
				      p.max_msg, flags);
		if (rc)
			goto fail;
	}
	rc = open_rings(ch, &hp, &p.wait);
	if (rc)
		goto fail;
	chan_bind(ch);
	if (lib) {
		rc = chan_xf_setup(ch, lib, &hp, &p, u);
		explicit_bzero(hp.salt, sizeof(hp.salt));
		if (rc)
			goto fail;
	}
	chan_live_start(ch);
	/* Pairs with the acquire load of magic in caec_channel_attach(). */
	sh_store_rel(&h->magic, CAEC_CHAN_MAGIC);
	goto out;
fail:
	channel_discard(ch, out);
out:
	free(u);
	return rc;
}

/* Validate the creator's header (read once into @h) against the mapping. */
static int
chan_hdr_check(const struct caec_chan_hdr *h, size_t maplen)
{
	size_t fp;
	int i;

	if (h->magic != CAEC_CHAN_MAGIC)
		return caec_set_detail(-EPROTO,
			"channel header: bad magic 0x%08x (expected 0x%08x; not a libcaec channel, or not initialised yet)",
			h->magic, CAEC_CHAN_MAGIC);
	if (h->version != CAEC_CHAN_VERSION)
		return caec_set_detail(-EPROTO,
			"channel header: unsupported version %u (this library speaks %u)",
			h->version, CAEC_CHAN_VERSION);
	if (h->hdr_size != CAEC_CHAN_HDR_SIZE)
		return caec_set_detail(-EPROTO,
			"channel header: hdr_size %u (expected %u)",
			h->hdr_size, CAEC_CHAN_HDR_SIZE);
	fp = caec_ring_footprint(h->ring_size);
	if (!fp)
		return caec_set_detail(-EPROTO,
			"channel header: ring_size %u is not a power of two in [%u, %u]",
			h->ring_size, CAEC_RING_MIN_SIZE, CAEC_RING_MAX_SIZE);
	if (h->max_msg == 0 ||
	    h->max_msg > caec_ring_max_msg_limit(h->ring_size))
		return caec_set_detail(-EPROTO,
			"channel header: max_msg %u outside 1..%u", h->max_msg,
			caec_ring_max_msg_limit(h->ring_size));
	if (h->flags & ~CAEC_RING_F_NOWAKE)
		return caec_set_detail(-EPROTO,
			"channel header: unknown flags 0x%x", h->flags);
	if ((h->transform >> 16) ||
	    CAEC_CHAN_XF_CIPHER(h->transform) > CAEC_CHAN_XF_CHACHA20POLY1305 ||
	    (h->transform == CAEC_CHAN_XF_PLAIN) !=
		    (CAEC_CHAN_XF_CIPHER(h->transform) == CAEC_CHAN_XF_PLAIN))
		return caec_set_detail(-EPROTO,
			"channel header: unknown transform 0x%x", h->transform);
	/* Version 1 (before the end-of-stream frame) wrote no version. */
	if (h->transform != CAEC_CHAN_XF_PLAIN &&
	    CAEC_CHAN_XF_FRAME(h->transform) != CAEC_CHAN_FRAME_VERSION)
		return caec_set_detail(-EPROTO,
			"channel header: encrypted record format version %u, this library speaks %u (the peer's libcaec is %s)",
			CAEC_CHAN_XF_FRAME(h->transform) ?
				CAEC_CHAN_XF_FRAME(h->transform) : 1u,
			CAEC_CHAN_FRAME_VERSION,
			CAEC_CHAN_XF_FRAME(h->transform) <
					CAEC_CHAN_FRAME_VERSION ?
				"older: no authenticated end of stream" :
				"newer");
	if (h->region_len > maplen)
		return caec_set_detail(-EPROTO,
			"channel header: region_len %llu exceeds the %zu mapped bytes",
			(unsigned long long)h->region_len, maplen);
	for (i = 0; i < 2; i++) {
		uint64_t off = h->ring_off[i];

		if ((off & 63) || off < CAEC_CHAN_HDR_SIZE ||
		    off > h->region_len || h->region_len - off < fp)
			return caec_set_detail(-EPROTO,
				"channel header: ring_off[%d] %llu outside the region",
				i, (unsigned long long)off);
	}
	if ((h->ring_off[0] < h->ring_off[1] ?
		     h->ring_off[1] - h->ring_off[0] :
		     h->ring_off[0] - h->ring_off[1]) < fp)
		return caec_set_detail(-EPROTO,
			"channel header: ring_off[0] and ring_off[1] overlap (rings of %zu bytes)",
			fp);
	return 0;
}

int
caec_channel_attach(const char *uri, const struct caec_channel_params *params,
		    struct caec_channel **out)
{
	const struct backend_ops *ops;
	struct caec_channel_params p;
	struct caec_chan_hdr h, *sh;
	struct caec_channel *ch;
	enum aead_lib lib = AEAD_LIB_NONE;
	struct caec_uri *u;
	int rc;

	u = malloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	rc = channel_new(uri, params, out, u, &p, &ops, &lib);
	if (rc)
		goto out;
	ch = *out;
	rc = ops->attach(u, &ch->reg);
	if (rc)
		goto fail;
	ch->reg.ops = ops;
	if (ch->reg.len < CAEC_CHAN_HDR_SIZE) {
		rc = caec_set_detail(-EPROTO,
			"region of %zu bytes cannot hold a channel header",
			ch->reg.len);
		goto fail;
	}
	sh = ch->reg.base;
	/* One private copy; pairs with the release store of magic in create. */
	memset(&h, 0, sizeof(h));
	h.magic = sh_load_acq(&sh->magic);
	h.version = sh_load(&sh->version);
	h.hdr_size = sh_load(&sh->hdr_size);
	h.ring_size = sh_load(&sh->ring_size);
	h.max_msg = sh_load(&sh->max_msg);
	h.flags = sh_load(&sh->flags);
	h.ring_off[0] = sh_load(&sh->ring_off[0]);
	h.ring_off[1] = sh_load(&sh->ring_off[1]);
	h.region_len = sh_load(&sh->region_len);
	h.transform = sh_load(&sh->transform);
	h.session_id = sh_load(&sh->session_id);
	memcpy(h.salt, sh->salt, sizeof(h.salt));
	rc = chan_hdr_check(&h, ch->reg.len);
	if (rc)
		goto fail;
	if (!lib && h.transform != CAEC_CHAN_XF_PLAIN) {
		rc = caec_set_detail(-EACCES,
			"channel is encrypted (transform %u): attach with nw-openssl: or nw-mbedtls: and its key",
			h.transform);
		goto fail;
	}
	if (lib && h.transform == CAEC_CHAN_XF_PLAIN) {
		rc = caec_set_detail(-EPROTO,
			"channel header: transform is plaintext, but the scheme '%s' expects an encrypted channel",
			u->scheme);
		goto fail;
	}
	rc = open_rings(ch, &h, &p.wait);
	if (rc)
		goto fail;
	chan_bind(ch);
	if (lib) {
		rc = chan_xf_setup(ch, lib, &h, &p, u);
		if (rc)
			goto fail;
	}
	chan_live_start(ch);
	goto out;
fail:
	channel_discard(ch, out);
out:
	free(u);
	return rc;
}

void
caec_channel_close(struct caec_channel *ch)
{
	if (!ch)
		return;
	if (ch->xf && chan_xf_close(ch) == -ECHILD) {
		/*
		 * Inherited through fork(): the channel is the parent's, whose
		 * stream goes on. Free this process's copies only: no
		 * end-of-stream frame, no counter, no closed flag, no wake-up,
		 * and a created name stays.
		 */
		chan_xf_free(ch->xf);
		ring_forget(ch->tx);
		ring_forget(ch->rx);
		chan_live_stop(ch);	/* the parent's lock stays */
		ch->reg.ops->release(&ch->reg, false);
		free(ch);
		return;
	}
	chan_xf_free(ch->xf);
	caec_ring_close(ch->tx);
	caec_ring_close(ch->rx);
	/* After the closed flags: a peer sees the close, then the lock go. */
	chan_live_stop(ch);
	ch->reg.ops->release(&ch->reg, ch->creator);
	free(ch);
}

/*
 * The data path: plaintext channels go straight to the rings; encrypted ones
 * through the AEAD transform (channel_aead.c). Both are tail calls, so the
 * plaintext path needs no stack frame. A backend that lost the region (csm:
 * the provider revoked the grant) fails every call from then on with its
 * error: chan_enter() before the call, and inside it the rings, whose error
 * paths report the loss (ring_set_lost()), including for a call that was
 * inside the ring at that moment.
 */

/* Every data-path call: a valid handle on a region that is still ours. */
static int
chan_enter(const struct caec_channel *ch)
{
	return ch ? backend_region_lost(&ch->reg) : -EINVAL;
}

int
caec_channel_send(struct caec_channel *ch, const void *buf, size_t len,
		  unsigned int flags, int timeout_ms)
{
	int rc;

	rc = chan_enter(ch);
	if (rc)
		return rc;
	if (ch->xf)
		return chan_xf_send(ch, buf, len, flags, timeout_ms);
	/* A tail call: the ring maps its errors to the loss (ring_ret()). */
	return caec_ring_send(ch->tx, buf, len, flags, timeout_ms);
}

int
caec_channel_reserve(struct caec_channel *ch, size_t len, void **payload,
		     int timeout_ms)
{
	int rc;

	rc = chan_enter(ch);
	if (rc)
		return rc;
	if (ch->xf)
		return chan_xf_reserve(ch, len, payload, timeout_ms);
	return caec_ring_reserve(ch->tx, len, payload, timeout_ms);
}

int
caec_channel_commit(struct caec_channel *ch, size_t len, unsigned int flags)
{
	int rc;

	rc = chan_enter(ch);
	if (rc)
		return rc;
	if (ch->xf)
		return chan_xf_commit(ch, len, flags);
	return caec_ring_commit(ch->tx, len, flags);
}

int
caec_channel_flush(struct caec_channel *ch)
{
	int rc;

	rc = chan_enter(ch);
	if (!rc && ch->xf)
		rc = chan_xf_enter(ch);
	return rc ? rc : caec_ring_flush(ch->tx);
}

ssize_t
caec_channel_recv(struct caec_channel *ch, void *buf, size_t cap,
		  unsigned int flags, int timeout_ms)
{
	ssize_t rc;

	rc = chan_enter(ch);
	if (rc)
		return rc;
	if (ch->xf)
		return chan_xf_recv(ch, buf, cap, flags, timeout_ms);
	/* A tail call, as in caec_channel_send(). */
	return caec_ring_recv(ch->rx, buf, cap, flags, timeout_ms);
}

ssize_t
caec_channel_peek(struct caec_channel *ch, const void **payload,
		  int timeout_ms)
{
	ssize_t rc;

	rc = chan_enter(ch);
	if (rc)
		return rc;
	if (ch->xf)
		return chan_xf_peek(ch, payload, timeout_ms);
	return caec_ring_peek(ch->rx, payload, timeout_ms);
}

int
caec_channel_release(struct caec_channel *ch, unsigned int flags)
{
	int rc;

	rc = chan_enter(ch);
	if (rc)
		return rc;
	if (ch->xf)
		return chan_xf_release(ch, flags);
	return caec_ring_release(ch->rx, flags);
}

uint32_t
caec_channel_max_msg(const struct caec_channel *ch)
{
	if (!ch)
		return 0;
	return ch->xf ? chan_xf_max_msg(ch) : caec_ring_max_msg(ch->tx);
}

int
caec_channel_region_fd(const struct caec_channel *ch)
{
	if (!ch)
		return -EINVAL;
	return ch->reg.fd >= 0 ? ch->reg.fd : -ENOTSUP;
}

int
caec_channel_event_fd(struct caec_channel *ch)
{
	int rc;

	if (!ch)
		return -EINVAL;
	if (ch->xf) {
		rc = chan_xf_enter(ch);
		if (rc)
			return rc;
	}
	return caec_ring_event_fd(ch->rx);
}

struct caec_ring *
caec_channel_tx(struct caec_channel *ch)
{
	return ch ? ch->tx : NULL;
}

struct caec_ring *
caec_channel_rx(struct caec_channel *ch)
{
	return ch ? ch->rx : NULL;
}

int
caec_channel_csm_sid(const struct caec_channel *ch, struct caec_csm_sid *sid)
{
	if (!ch || !sid)
		return -EINVAL;
	if (!ch->reg.ops->csm_sid)
		return caec_set_detail(-ENOTSUP, "not a csm: channel");
	return ch->reg.ops->csm_sid(&ch->reg, sid);
}

int
caec_channel_csm_revoke(struct caec_channel *ch)
{
	if (!ch)
		return -EINVAL;
	if (!ch->reg.ops->csm_revoke)
		return caec_set_detail(-ENOTSUP, "not a csm: channel");
	return ch->reg.ops->csm_revoke(&ch->reg);
}

int
caec_channel_peer_watched(const struct caec_channel *ch)
{
	if (!ch)
		return caec_set_detail(-EINVAL, "channel: NULL");
	return chan_live_active(ch) ? 1 : 0;
}
