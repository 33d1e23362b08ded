/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message protection of the encrypted NW channels: one record per message.
 *
 * RECORD (wire format, identical for every implementation and architecture)
 *
 *   offset        size  field
 *        0          16  struct frame_hdr, little-endian, sent in clear and
 *                       authenticated as the AAD
 *       16         len  ciphertext (same length as the plaintext)
 *   16+len          16  tag
 *
 *   Wire overhead: FRAME_OVERHEAD = 32 bytes per message (header + tag).
 *
 * END OF STREAM: a sender that closes its direction seals one more frame,
 * the end-of-stream (EOS) frame: a header whose len field is FRAME_LEN_EOS
 * (bit 31 set, no payload bits) and no payload, so header and tag only
 * (FRAME_EOS_SIZE = 32 bytes), under the direction's next sequence number
 * like any record. It is therefore authenticated, bound to its channel and
 * direction, and valid at exactly one position: after the last message. A
 * receiver that opens it knows the sender closed and that nothing it sent
 * was dropped; a close without it is not a clean end. Payload lengths are
 * below 2^31, so no message header looks like an EOS header. After the EOS
 * frame the sender's direction is ended: nothing more is sealed under its
 * key. frame_seal_end() builds it; frame_open() reports it as -EPIPE.
 *
 * FORMAT VERSION: 2 (the EOS frame; version 1 had none). A channel states it
 * in its header (CAEC_CHAN_FRAME_VERSION, channel_layout.h) and an attacher
 * refuses any other, so an old peer that would never send the EOS frame is
 * refused at attach instead of ending every stream with -EBADMSG.
 *
 * NONCE (12 bytes, never sent): dir as u32 LE | seq as u64 LE; see
 * frame_nonce() for why it is never reused under a key.
 *
 * KEYS: one per direction, HKDF-SHA256(IKM = the 32-byte pre-shared key,
 * salt = the channel's random salt, info = "caec c2a" or "caec a2c"), so the
 * two directions never share a key. c2a is creator -> attacher.
 *
 * Salt: the sender must never derive its key from randomness it only read
 * from hypervisor-visible memory: a replayed old salt would make it reuse
 * (key, nonce) pairs of an earlier channel, which breaks GCM. Use
 * salt = creator's 32 random bytes | attacher's 32 random bytes, each side
 * using its private copy of its own half; this also stops records of an old
 * channel being replayed into a new one.
 *
 * RECEIVING: frame_open() accepts only the next expected sequence, so a
 * replayed, reordered, dropped, truncated, extended or tampered record fails
 * with -EBADMSG and nothing unauthenticated reaches the caller. The record may
 * stay in shared memory: its header and tag are copied once into private
 * memory and its ciphertext passes once through the context's private bounce
 * buffer (aead.h, HOSTILE MEMORY); nothing in it is read twice.
 */
#ifndef CAEC_FRAME_H
#define CAEC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "aead.h"

/*
 * struct frame_hdr - the per-message header as it is on the wire.
 * @seq:     little-endian; the message's position in its direction, from 0
 * @len:     little-endian; payload (plaintext) length in bytes, below
 *           2^31; FRAME_LEN_EOS in the end-of-stream frame
 * @chan_id: little-endian; channel/session id both ends agreed on
 */
struct frame_hdr {
	uint64_t seq;
	uint32_t len;
	uint32_t chan_id;
};

#define FRAME_HDR_SIZE 16u
#define FRAME_TAG_SIZE AEAD_TAG_LEN
#define FRAME_OVERHEAD (FRAME_HDR_SIZE + FRAME_TAG_SIZE)
#define FRAME_SALT_MAX 64u
#define FRAME_LEN_EOS 0x80000000u	/* the EOS frame's len field */
#define FRAME_LEN_MAX 0x7fffffffu	/* largest payload of a message */
#define FRAME_EOS_SIZE FRAME_OVERHEAD	/* header and tag, no payload */
#define FRAME_VERSION 2u

_Static_assert(sizeof(struct frame_hdr) == FRAME_HDR_SIZE, "frame_hdr size");
_Static_assert(offsetof(struct frame_hdr, seq) == 0, "frame_hdr.seq");
_Static_assert(offsetof(struct frame_hdr, len) == 8, "frame_hdr.len");
_Static_assert(offsetof(struct frame_hdr, chan_id) == 12, "frame_hdr.chan_id");
_Static_assert(FRAME_OVERHEAD == 32, "wire overhead");

/* Direction: the nonce's first field and the HKDF label. */
enum frame_dir {
	FRAME_DIR_C2A = 1,	/* creator -> attacher, info "caec c2a" */
	FRAME_DIR_A2C = 2,	/* attacher -> creator, info "caec a2c" */
};

/*
 * struct frame_state - one direction of one channel, as seen by one side
 * (the sender seals with it, the receiver opens with it). Private memory.
 * @aead:    the direction's keyed context (owned)
 * @seq:     sender: sequence of the next record; receiver: the one expected
 * @chan_id: written into / required in every header
 * @dir:     enum frame_dir
 * @ended:   sender: the EOS frame was sealed, nothing more is
 *
 * Errors are not kept here: the channel keeps one sticky error per direction
 * (its ring's), so a direction that failed is never used again.
 */
struct frame_state {
	struct aead_ctx *aead;
	uint64_t seq;
	uint32_t chan_id;
	uint32_t dir;
	bool ended;
};

/* Payload bytes -> record bytes. */
static inline size_t
frame_record_size(size_t len)
{
	return len + FRAME_OVERHEAD;
}

/* frame_nonce - the 12-byte nonce of message @seq in direction @dir. */
void frame_nonce(uint32_t dir, uint64_t seq, uint8_t *nonce);

/*
 * frame_derive_key - the key of direction @dir.
 * @psk:  AEAD_KEY_LEN bytes of pre-shared key
 * @salt: 1 .. FRAME_SALT_MAX bytes (see "Salt" above)
 * @key:  out: AEAD_KEY_LEN bytes; the caller wipes it after use
 *
 * RETURN VALUE: 0; -EINVAL bad direction or salt length; -ENOTSUP; -EIO.
 */
int frame_derive_key(const uint8_t *psk, const uint8_t *salt, size_t salt_len,
		     enum frame_dir dir, uint8_t *key);

/*
 * frame_init - derive the direction key and key a context for it; the
 * derived key is wiped. The sequence starts at 0.
 *
 * RETURN VALUE: as frame_derive_key() and aead_create(). On failure @st is
 * zeroed and frame_fini() on it is harmless.
 */
int frame_init(struct frame_state *st, const struct aead_ops *ops,
	       const uint8_t *psk, const uint8_t *salt, size_t salt_len,
	       enum frame_dir dir, uint32_t chan_id);

/* frame_fini - destroy the context (wiping its key), zero the state. */
void frame_fini(struct frame_state *st);

/*
 * frame_seal - write the record of one message.
 * @pt:      @len bytes of plaintext in private memory
 * @dst:     where the record goes, typically the reserved ring slot in
 *           shared memory; receives only header, ciphertext and tag
 * @dst_cap: bytes available at @dst, at least frame_record_size(@len)
 *
 * The sequence advances on success. After the last sequence (2^64 - 2) the
 * direction is exhausted: the channel must be re-created (new salt), never
 * wrap, since a wrapped sequence would repeat nonces.
 *
 * RETURN VALUE: the record size; -EMSGSIZE @len > FRAME_LEN_MAX or @dst_cap
 * too small (nothing written); -EOVERFLOW sequence space exhausted; -EPIPE
 * the direction was ended by frame_seal_end() (nothing written); -EIO library
 * failure: partial output may be at @dst, and the sequence advanced all the
 * same (the nonce is retired), so the receiver would see a gap: the caller
 * closes the direction (a channel makes the error sticky) and publishes
 * nothing of @dst.
 */
ssize_t frame_seal(struct frame_state *st, const void *pt, size_t len,
		   void *dst, size_t dst_cap);

/*
 * frame_seal_end - write the end-of-stream frame (FRAME_EOS_SIZE bytes) of
 * the direction to @dst, which may be shared memory, and end the direction.
 *
 * It takes the next sequence number like a message; the last one that
 * frame_seal() leaves unused (2^64 - 1) is still valid here, so a direction
 * can always be ended. Ended, @st seals nothing more (both calls return
 * -EPIPE), so the EOS nonce is never used twice.
 *
 * RETURN VALUE: FRAME_EOS_SIZE; -EMSGSIZE @dst_cap too small; -EPIPE already
 * ended; -EIO library failure (the direction is ended all the same).
 */
ssize_t frame_seal_end(struct frame_state *st, void *dst, size_t dst_cap);

/*
 * frame_open - check and decrypt the record of the next expected message.
 * @rec:     the record, @rec_len bytes (shared memory allowed, see above)
 * @pt:      out: the payload, private memory
 * @pt_cap:  bytes available at @pt
 *
 * The checks, in order: @rec_len >= FRAME_OVERHEAD; header len ==
 * @rec_len - FRAME_OVERHEAD, or, for an EOS frame, header len ==
 * FRAME_LEN_EOS and @rec_len == FRAME_EOS_SIZE; header chan_id == ours;
 * header seq == expected; then the tag over header and ciphertext. The
 * expected sequence advances only on a message opened; a failure changes
 * nothing, so the caller decides whether a bad record is fatal (recommended
 * for a channel: make -EBADMSG sticky), and so does the EOS frame: it ends
 * the stream, and the caller keeps -EPIPE from then on.
 *
 * RETURN VALUE: the payload length; -EPIPE an authentic EOS frame: the
 * sender closed after everything it sent was opened; -EBADMSG a check
 * failed (the detail says which) and @pt holds no plaintext; -EMSGSIZE
 * @pt_cap too small for an otherwise valid header (nothing consumed, retry
 * with a larger buffer).
 */
ssize_t frame_open(struct frame_state *st, const void *rec, size_t rec_len,
		   void *pt, size_t pt_cap);

#endif /* CAEC_FRAME_H */
