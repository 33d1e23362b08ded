/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Records of the encrypted NW channels: header, nonce, per-direction keys,
 * seal into a ring slot, open with the replay/reorder/drop check.
 */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "frame.h"
#include "hkdf.h"
#include "../error.h"

static const char *
frame_label(uint32_t dir)
{
	switch (dir) {
	case FRAME_DIR_C2A:
		return "caec c2a";
	case FRAME_DIR_A2C:
		return "caec a2c";
	default:
		return NULL;
	}
}

void
frame_nonce(uint32_t dir, uint64_t seq, uint8_t *nonce)
{
	uint32_t d = htole32(dir);
	uint64_t s = htole64(seq);

	/*
	 * Never reused under a key: each key belongs to one direction of one
	 * channel (HKDF label per direction, fresh salt per channel), only
	 * that direction's sender seals with it, and its sequence starts at 0,
	 * grows by one per record and is refused rather than wrapped at the
	 * end (frame_seal). The direction field keeps the two directions'
	 * nonces apart even if their keys were ever equal.
	 */
	memcpy(nonce, &d, sizeof(d));
	memcpy(nonce + sizeof(d), &s, sizeof(s));
}

int
frame_derive_key(const uint8_t *psk, const uint8_t *salt, size_t salt_len,
		 enum frame_dir dir, uint8_t *key)
{
	const char *label = frame_label(dir);

	if (!label)
		return caec_set_detail(-EINVAL, "frame: bad direction %d", (int)dir);
	if (!salt_len || salt_len > FRAME_SALT_MAX)
		return caec_set_detail(-EINVAL,
			"frame: salt of %zu bytes, need 1 .. %u", salt_len,
			FRAME_SALT_MAX);
	return aead_hkdf_sha256(salt, salt_len, psk, AEAD_KEY_LEN,
				(const uint8_t *)label, strlen(label),
				key, AEAD_KEY_LEN);
}

int
frame_init(struct frame_state *st, const struct aead_ops *ops,
	   const uint8_t *psk, const uint8_t *salt, size_t salt_len,
	   enum frame_dir dir, uint32_t chan_id)
{
	uint8_t key[AEAD_KEY_LEN];
	int rc;

	memset(st, 0, sizeof(*st));
	rc = frame_derive_key(psk, salt, salt_len, dir, key);
	if (!rc)
		rc = aead_create(ops, key, &st->aead);
	explicit_bzero(key, sizeof(key));
	if (rc)
		return rc;
	st->chan_id = chan_id;
	st->dir = dir;
	return 0;
}

void
frame_fini(struct frame_state *st)
{
	aead_destroy(st->aead);
	memset(st, 0, sizeof(*st));
}

static void
frame_hdr_encode(struct frame_hdr *h, uint64_t seq, uint32_t len,
		 uint32_t chan_id)
{
	h->seq = htole64(seq);
	h->len = htole32(len);
	h->chan_id = htole32(chan_id);
}

ssize_t
frame_seal(struct frame_state *st, const void *pt, size_t len,
	   void *dst, size_t dst_cap)
{
	uint8_t nonce[AEAD_NONCE_LEN];
	uint8_t *out = dst;
	struct frame_hdr h;
	int rc;

	if (st->ended)
		return caec_set_detail(-EPIPE,
			"frame: this direction was closed (end of stream sent)");
	if (len > FRAME_LEN_MAX || len > (size_t)SSIZE_MAX - FRAME_OVERHEAD)
		return caec_set_detail(-EMSGSIZE,
			"frame: payload of %zu bytes, the header holds up to %u",
			len, FRAME_LEN_MAX);
	if (dst_cap < frame_record_size(len))
		return caec_set_detail(-EMSGSIZE,
			"frame: record of %zu bytes does not fit in %zu",
			frame_record_size(len), dst_cap);
	if (st->seq == UINT64_MAX)
		return caec_set_detail(-EOVERFLOW,
			"frame: sequence space of this direction exhausted; re-create the channel");

	frame_hdr_encode(&h, st->seq, (uint32_t)len, st->chan_id);
	frame_nonce(st->dir, st->seq, nonce);
	memcpy(out, &h, sizeof(h));
	rc = aead_seal(st->aead, nonce, &h, sizeof(h), pt, len,
		       out + FRAME_HDR_SIZE, out + FRAME_HDR_SIZE + len);
	/* On failure, partial output under this nonce may be out: the
	 * sequence advances all the same, so the nonce is never used again. */
	st->seq++;
	return rc ? rc : (ssize_t)frame_record_size(len);
}

ssize_t
frame_seal_end(struct frame_state *st, void *dst, size_t dst_cap)
{
	uint8_t nonce[AEAD_NONCE_LEN];
	uint8_t *out = dst;
	struct frame_hdr h;
	int rc;

	if (st->ended)
		return caec_set_detail(-EPIPE,
			"frame: this direction was closed (end of stream sent)");
	if (dst_cap < FRAME_EOS_SIZE)
		return caec_set_detail(-EMSGSIZE,
			"frame: end-of-stream frame of %u bytes does not fit in %zu",
			FRAME_EOS_SIZE, dst_cap);
	/*
	 * seq may be UINT64_MAX here: frame_seal() never uses it, and ended
	 * makes this the only frame ever sealed under it.
	 */
	frame_hdr_encode(&h, st->seq, FRAME_LEN_EOS, st->chan_id);
	frame_nonce(st->dir, st->seq, nonce);
	memcpy(out, &h, sizeof(h));
	rc = aead_seal(st->aead, nonce, &h, sizeof(h), NULL, 0, NULL,
		       out + FRAME_HDR_SIZE);
	st->ended = true;
	return rc ? rc : (ssize_t)FRAME_EOS_SIZE;
}

ssize_t
frame_open(struct frame_state *st, const void *rec, size_t rec_len,
	   void *pt, size_t pt_cap)
{
	uint8_t nonce[AEAD_NONCE_LEN];
	const uint8_t *in = rec;
	struct frame_hdr h;
	uint64_t seq;
	uint32_t len, plen, chan_id;
	bool eos;
	int rc;

	if (rec_len < FRAME_OVERHEAD)
		return caec_set_detail(-EBADMSG,
			"frame: record of %zu bytes is shorter than header and tag",
			rec_len);
	memcpy(&h, in, sizeof(h));	/* the one read of the header */
	seq = le64toh(h.seq);
	len = le32toh(h.len);
	chan_id = le32toh(h.chan_id);
	eos = len == FRAME_LEN_EOS;
	plen = eos ? 0 : len;
	if ((len > FRAME_LEN_MAX && !eos) || plen != rec_len - FRAME_OVERHEAD)
		return caec_set_detail(-EBADMSG,
			"frame: header says %s%u payload bytes, record holds %zu (truncated or altered)",
			eos ? "end of stream, " : "", plen,
			rec_len - FRAME_OVERHEAD);
	if (chan_id != st->chan_id)
		return caec_set_detail(-EBADMSG,
			"frame: channel id %u, expected %u", chan_id, st->chan_id);
	if (seq != st->seq)
		return caec_set_detail(-EBADMSG,
			"frame: sequence %llu, expected %llu (replayed, reordered or dropped)",
			(unsigned long long)seq, (unsigned long long)st->seq);
	if (pt_cap < plen)
		return caec_set_detail(-EMSGSIZE,
			"frame: payload of %u bytes, buffer holds %zu", plen, pt_cap);

	frame_nonce(st->dir, st->seq, nonce);
	rc = aead_open(st->aead, nonce, &h, sizeof(h), in + FRAME_HDR_SIZE, plen,
		       in + FRAME_HDR_SIZE + plen, pt);
	if (rc)
		return rc;
	if (eos)
		return caec_set_detail(-EPIPE,
			"frame: authentic end of stream after %llu messages",
			(unsigned long long)seq);
	st->seq++;
	return plen;
}
