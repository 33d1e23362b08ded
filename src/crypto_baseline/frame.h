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

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "aead.h"

/*
 * struct frame_hdr - the per-message header as it is on the wire.
 * @seq:     little-endian; the message's position in its direction, from 0
 * @len:     little-endian; payload (plaintext) length in bytes
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
 *
 * Errors are not kept here: the channel keeps one sticky error per direction
 * (its ring's), so a direction that failed is never used again.
 */
struct frame_state {
	struct aead_ctx *aead;
	uint64_t seq;
	uint32_t chan_id;
	uint32_t dir;
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
 * RETURN VALUE: the record size; -EMSGSIZE @len > UINT32_MAX or @dst_cap too
 * small (nothing written); -EOVERFLOW sequence space exhausted; -EIO library
 * failure: partial output may be at @dst, and the sequence advanced all the
 * same (the nonce is retired), so the receiver would see a gap: the caller
 * closes the direction (a channel makes the error sticky) and publishes
 * nothing of @dst.
 */
ssize_t frame_seal(struct frame_state *st, const void *pt, size_t len,
		   void *dst, size_t dst_cap);

/*
 * frame_open - check and decrypt the record of the next expected message.
 * @rec:     the record, @rec_len bytes (shared memory allowed, see above)
 * @pt:      out: the payload, private memory
 * @pt_cap:  bytes available at @pt
 *
 * The checks, in order: @rec_len >= FRAME_OVERHEAD; header len == @rec_len
 * - FRAME_OVERHEAD; header chan_id == ours; header seq == expected; then the
 * tag over header and ciphertext. The expected sequence advances only on
 * success; a failure changes nothing, so the caller decides whether a bad
 * record is fatal (recommended for a channel: make -EBADMSG sticky).
 *
 * RETURN VALUE: the payload length; -EBADMSG a check failed (the detail says
 * which) and @pt holds no plaintext; -EMSGSIZE @pt_cap too small (nothing
 * consumed, retry with a larger buffer).
 */
ssize_t frame_open(struct frame_state *st, const void *rec, size_t rec_len,
		   void *pt, size_t pt_cap);

#endif /* CAEC_FRAME_H */
