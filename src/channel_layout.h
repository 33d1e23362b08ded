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
	uint32_t reserved0;
	uint64_t ring_off[2];
	uint64_t region_len;	/* bytes the creator laid out */
	uint8_t reserved[80];
};

_Static_assert(sizeof(struct caec_chan_hdr) == CAEC_CHAN_HDR_SIZE, "size");
_Static_assert(offsetof(struct caec_chan_hdr, version) == 4, "version");
_Static_assert(offsetof(struct caec_chan_hdr, hdr_size) == 6, "hdr_size");
_Static_assert(offsetof(struct caec_chan_hdr, ring_size) == 8, "ring_size");
_Static_assert(offsetof(struct caec_chan_hdr, max_msg) == 12, "max_msg");
_Static_assert(offsetof(struct caec_chan_hdr, flags) == 16, "flags");
_Static_assert(offsetof(struct caec_chan_hdr, ring_off) == 24, "ring_off");
_Static_assert(offsetof(struct caec_chan_hdr, region_len) == 40,
	       "region_len");

#endif /* CAEC_CHANNEL_LAYOUT_H */
