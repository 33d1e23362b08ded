/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The channel region's header: a wire format like the ring's.
 *
 *   offset  size
 *   0       128   channel header (below)
 *   ring_off[0]   ring 0: creator -> attacher
 *   ring_off[1]   ring 1: attacher -> creator
 *
 * Offsets are 64-byte aligned; each ring occupies caec_ring_footprint(
 * ring_size) bytes. The creator formats both rings, then stores magic last.
 */
#ifndef CAEC_CHANNEL_LAYOUT_H
#define CAEC_CHANNEL_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define CAEC_CHAN_MAGIC 0x4e484343u	/* "CCHN" little-endian */
#define CAEC_CHAN_VERSION 1u
#define CAEC_CHAN_HDR_SIZE 128u

struct caec_chan_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t hdr_size;
	uint32_t ring_size;
	uint32_t max_msg;
	uint32_t flags;		/* CAEC_RING_F_* applied to both rings */
	uint32_t transform;	/* how messages are protected: see below */
	uint64_t ring_off[2];
	uint64_t region_len;	/* bytes the creator laid out */
	uint8_t salt[32];	/* creator's random half of the HKDF salt */
	uint32_t session_id;	/* random, authenticated in every AEAD header */
	/* Written by the attacher (AEAD channels): */
	uint32_t attached;	/* release-stored after salt_a */
	uint8_t salt_a[32];	/* attacher's random half of the HKDF salt */
	/* Each side's kernel id once it holds its liveness lock, 0 before
	 * (channel_live.c): live[0] the creator's, live[1] the attacher's. */
	uint32_t live[2];
};

/*
 * Liveness locks (channel_live.c): each side holds an OFD write lock on one
 * byte of the region's file at CAEC_CHAN_LIVE_LOCK + role (0 creator, 1
 * attacher), far past any region's end.
 */
#define CAEC_CHAN_LIVE_LOCK ((long long)1 << 62)

/*
 * The transform word: message protection, chosen by the creator's scheme.
 *   bits 7:0    the cipher, CAEC_CHAN_XF_*
 *   bits 15:8   encrypted channels: the version of the record (frame)
 *               format, CAEC_CHAN_FRAME_VERSION; 0 for plaintext. Libraries
 *               before the end-of-stream frame wrote 0 (format 1); an
 *               attacher refuses every version but its own.
 *   bits 31:16  zero
 */
#define CAEC_CHAN_XF_PLAIN 0u
#define CAEC_CHAN_XF_AES256GCM 1u
#define CAEC_CHAN_XF_CHACHA20POLY1305 2u
#define CAEC_CHAN_FRAME_VERSION 2u

#define CAEC_CHAN_XF_CIPHER(t) ((t) & 0xffu)
#define CAEC_CHAN_XF_FRAME(t) (((t) >> 8) & 0xffu)
#define CAEC_CHAN_XF_MAKE(cipher, frame) ((cipher) | (frame) << 8)

_Static_assert(sizeof(struct caec_chan_hdr) == CAEC_CHAN_HDR_SIZE, "size");
_Static_assert(offsetof(struct caec_chan_hdr, version) == 4, "version");
_Static_assert(offsetof(struct caec_chan_hdr, hdr_size) == 6, "hdr_size");
_Static_assert(offsetof(struct caec_chan_hdr, ring_size) == 8, "ring_size");
_Static_assert(offsetof(struct caec_chan_hdr, max_msg) == 12, "max_msg");
_Static_assert(offsetof(struct caec_chan_hdr, flags) == 16, "flags");
_Static_assert(offsetof(struct caec_chan_hdr, transform) == 20, "transform");
_Static_assert(offsetof(struct caec_chan_hdr, ring_off) == 24, "ring_off");
_Static_assert(offsetof(struct caec_chan_hdr, salt) == 48, "salt");
_Static_assert(offsetof(struct caec_chan_hdr, session_id) == 80,
	       "session_id");
_Static_assert(offsetof(struct caec_chan_hdr, attached) == 84, "attached");
_Static_assert(offsetof(struct caec_chan_hdr, salt_a) == 88, "salt_a");
_Static_assert(offsetof(struct caec_chan_hdr, region_len) == 40,
	       "region_len");
_Static_assert(offsetof(struct caec_chan_hdr, live) == 120, "live");

#endif /* CAEC_CHANNEL_LAYOUT_H */
