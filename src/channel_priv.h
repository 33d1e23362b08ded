/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private channel state, shared by the plain glue (channel.c) and the AEAD
 * transform (channel_aead.c).
 */
#ifndef CAEC_CHANNEL_PRIV_H
#define CAEC_CHANNEL_PRIV_H

#include <stdbool.h>

#include <caec/caec.h>

#include "backend/backend.h"
#include "channel_layout.h"
#include "channel_live.h"
#include "crypto_baseline/aead.h"
#include "uri.h"

struct chan_xf;

struct caec_channel {
	struct caec_ring *tx;
	struct caec_ring *rx;
	struct chan_xf *xf;		/* NULL: plaintext channel */
	struct backend_region reg;
	bool creator;
	/* The validated geometry (private): where ring 0 and ring 1 start,
	 * and the bytes each occupies. */
	uint64_t ring_off[2];
	size_t ring_len;
	struct chan_live live;		/* dead-peer detection */
};

/*
 * chan_scheme - the backend of @scheme, and the AEAD library that protects
 * its messages (AEAD_LIB_NONE for plaintext schemes) (scheme.c).
 * RETURN VALUE: 0; -ENOTSUP for a known scheme not built in; -EINVAL for an
 * unknown one (detail recorded).
 */
int chan_scheme(const char *scheme, const struct backend_ops **ops,
		enum aead_lib *lib);

/*
 * chan_xf_setup - key the AEAD transform of a channel.
 * @lib:   the scheme's AEAD library
 * @h:     the validated private copy of the channel header (its transform
 *         id names the cipher)
 *
 * Each direction has one sticky error, its ring's (ring_set_error()): an
 * authentication failure stops the receiving direction, a cipher failure
 * the one it happened in, a failure to key both.
 *
 * RETURN VALUE: 0; -EINVAL (no or bad key), -ENOTSUP, -ENOMEM, -EIO.
 */
int chan_xf_setup(struct caec_channel *ch, enum aead_lib lib,
		  const struct caec_chan_hdr *h,
		  const struct caec_channel_params *p, const struct caec_uri *u);
void chan_xf_free(struct chan_xf *xf);

/*
 * chan_xf_close - end the sending direction before caec_ring_close(): seal
 * the end-of-stream frame into the transmit ring's trailer (keying a
 * creator whose attacher joined; nothing when no attacher joined or the
 * direction failed, other than by using up its sequence numbers).
 *
 * RETURN VALUE: 0; -ECHILD the handle was inherited through fork(): the
 * caller closes it locally, writing nothing to the region.
 */
int chan_xf_close(struct caec_channel *ch);

/*
 * chan_xf_enter - may this process use the encrypted channel @ch at all?
 * For the calls that reach the rings without the transform (flush, the
 * event fd). RETURN VALUE: 0; -ECHILD in a child that inherited it.
 */
int chan_xf_enter(const struct caec_channel *ch);

/*
 * The channel API on an AEAD channel; same contracts as the plain calls,
 * and -ECHILD from each in a child that inherited the channel.
 */
int chan_xf_send(struct caec_channel *ch, const void *buf, size_t len,
		 unsigned int flags, int timeout_ms);
int chan_xf_reserve(struct caec_channel *ch, size_t len, void **payload,
		    int timeout_ms);
int chan_xf_commit(struct caec_channel *ch, size_t len, unsigned int flags);
ssize_t chan_xf_recv(struct caec_channel *ch, void *buf, size_t cap,
		     unsigned int flags, int timeout_ms);
ssize_t chan_xf_peek(struct caec_channel *ch, const void **payload,
		     int timeout_ms);
int chan_xf_release(struct caec_channel *ch, unsigned int flags);
uint32_t chan_xf_max_msg(const struct caec_channel *ch);

/* Fill a new encrypted channel's random salt and session id. */
int chan_xf_fresh(struct caec_chan_hdr *h);

/* The transform word a creator writes for @lib and @cipher (URI cipher=;
 * "" or NULL: AES-256-GCM), with the record format version
 * (channel_layout.h). */
int chan_xf_id(enum aead_lib lib, const char *cipher, uint32_t *id);

#endif /* CAEC_CHANNEL_PRIV_H */
