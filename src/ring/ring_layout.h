/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ring's shared layout. This is a wire format: fixed-width little-endian
 * fields, no pointers, every offset asserted below. Two builds (x86-64 and
 * aarch64, two processes or two VMs) interoperate on the same bytes.
 * docs/ring-format.md describes it for readers of the bytes.
 *
 *   offset  size  line          writer     fields
 *   0       128   header        formatter  magic, version, hdr_size,
 *                                          data_size, max_msg, flags
 *   128     128   producer      producer   tail (u64), closed (u32),
 *                                          trailer (64 bytes at 192)
 *   256     128   consumer      consumer   head (u64), closed (u32),
 *                                          trailer (unused, zero)
 *   384     128   producer-wake producer   sleeping, seq, watching (u32)
 *   512     128   consumer-wake consumer   sleeping, seq, watching (u32)
 *   640     data_size           producer   records
 *
 * Each block is two cache lines wide so that the adjacent-line prefetcher of
 * one side does not pull in the other side's hot line. Every field has one
 * writer: only plain (acquire/release) loads and stores touch the region,
 * never read-modify-write atomics.
 *
 * THE SLEEP WORDS sleeping and watching each announce one sleeper of the
 * block's side (ring_wait.c): bit 0 is set while it may be in futex_wait,
 * bits 31:1 count its announcements (each sleep sets bit 0 with a count one
 * higher; waking up clears bit 0 and keeps the count). A publisher wakes a
 * given announcement once: a peer that keeps bit 0 set with the same count
 * costs it one FUTEX_WAKE, not one per publish. Version 1 used 0 / 1.
 *
 * tail and head are free-running byte counters (they wrap at 2^64); the
 * position in the data area is counter & (data_size - 1). Invariants a
 * reader checks: both are multiples of 8, and tail - head <= data_size.
 *
 * THE TRAILER is what a closing producer leaves for the consumer beside the
 * records, in a slot no full ring can take (a channel's authenticated
 * end-of-stream frame, ring_set_trailer()). It is written before closed is
 * release-stored and read once after closed was acquire-loaded; zero (as
 * formatted) when the side closes without one. It sits in the block's
 * second cache line, away from the hot counter.
 *
 * A record is an 8-byte header followed by the payload, padded to 8 bytes:
 *   u32 len   payload bytes (MSG) or bytes after the header (PAD)
 *   u32 type  CAEC_REC_MSG or CAEC_REC_PAD
 * A record never wraps: when a message does not fit before the end of the data
 * area, the producer writes a PAD record that ends exactly at the end and
 * starts the message at offset 0.
 */
#ifndef CAEC_RING_LAYOUT_H
#define CAEC_RING_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define CAEC_RING_MAGIC 0x474e5243u	/* "CRNG" little-endian */
#define CAEC_RING_VERSION 2u
#define CAEC_RING_BLOCK 128u
#define CAEC_RING_HDR_SIZE (5u * CAEC_RING_BLOCK)

#define CAEC_REC_HDR 8u
#define CAEC_REC_MSG 0x4d534731u	/* "1GSM" */
#define CAEC_REC_PAD 0x44415031u	/* "1PAD" */

struct caec_ring_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t hdr_size;
	uint32_t data_size;
	uint32_t max_msg;
	uint32_t flags;
	uint32_t reserved[27];
};

#define CAEC_RING_TRAILER 64u

struct caec_ring_side {
	uint64_t counter;	/* tail (producer) or head (consumer) */
	uint32_t closed;
	uint32_t reserved[13];
	uint8_t trailer[CAEC_RING_TRAILER];	/* see THE TRAILER above */
};

struct caec_ring_wake {
	uint32_t sleeping;	/* sleep word of this side's caller (above) */
	uint32_t seq;		/* futex word the *peer* sleeps on */
	uint32_t watching;	/* sleep word of its event-fd watcher */
	uint32_t reserved[29];
};

struct caec_ring_shared {
	struct caec_ring_hdr hdr;
	struct caec_ring_side prod;
	struct caec_ring_side cons;
	struct caec_ring_wake prod_wake;
	struct caec_ring_wake cons_wake;
	/* data_size bytes of records follow */
};

_Static_assert(sizeof(struct caec_ring_hdr) == CAEC_RING_BLOCK, "hdr size");
_Static_assert(sizeof(struct caec_ring_side) == CAEC_RING_BLOCK, "side size");
_Static_assert(sizeof(struct caec_ring_wake) == CAEC_RING_BLOCK, "wake size");
_Static_assert(offsetof(struct caec_ring_hdr, magic) == 0, "magic");
_Static_assert(offsetof(struct caec_ring_hdr, version) == 4, "version");
_Static_assert(offsetof(struct caec_ring_hdr, hdr_size) == 6, "hdr_size");
_Static_assert(offsetof(struct caec_ring_hdr, data_size) == 8, "data_size");
_Static_assert(offsetof(struct caec_ring_hdr, max_msg) == 12, "max_msg");
_Static_assert(offsetof(struct caec_ring_hdr, flags) == 16, "flags");
_Static_assert(offsetof(struct caec_ring_side, counter) == 0, "counter");
_Static_assert(offsetof(struct caec_ring_side, closed) == 8, "closed");
_Static_assert(offsetof(struct caec_ring_side, trailer) == 64, "trailer");
_Static_assert(offsetof(struct caec_ring_wake, sleeping) == 0, "sleeping");
_Static_assert(offsetof(struct caec_ring_wake, seq) == 4, "seq");
_Static_assert(offsetof(struct caec_ring_wake, watching) == 8, "watching");
_Static_assert(offsetof(struct caec_ring_shared, hdr) == 0, "hdr off");
_Static_assert(offsetof(struct caec_ring_shared, prod) == 128, "prod off");
_Static_assert(offsetof(struct caec_ring_shared, cons) == 256, "cons off");
_Static_assert(offsetof(struct caec_ring_shared, prod_wake) == 384,
	       "prod_wake off");
_Static_assert(offsetof(struct caec_ring_shared, cons_wake) == 512,
	       "cons_wake off");
_Static_assert(sizeof(struct caec_ring_shared) == CAEC_RING_HDR_SIZE,
	       "data offset");

/* Bit 0 of a sleep word: the sleeper may be in futex_wait. */
#define CAEC_WAKE_ASLEEP 1u
/* The count of a sleep word grows by this much per announcement. */
#define CAEC_WAKE_STEP 2u

/* The record header as one 64-bit word: len in bits 31:0, type in 63:32. */
static inline uint64_t
ring_rec_make(uint32_t len, uint32_t type)
{
	return (uint64_t)len | ((uint64_t)type << 32);
}

static inline uint64_t
ring_rec_size(uint64_t len)
{
	return CAEC_REC_HDR + ((len + 7u) & ~(uint64_t)7u);
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ring wire format is little-endian; add byte swaps for this target"
#endif

#endif /* CAEC_RING_LAYOUT_H */
