/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the other layers of the library (channels, transforms, backends) may
 * do to a ring beyond the public caec_ring_* calls. struct caec_ring and the
 * shared layout stay private to src/ring/: nothing outside it names their
 * fields.
 */
#ifndef CAEC_RING_API_H
#define CAEC_RING_API_H

#include <stddef.h>
#include <stdint.h>

#include <caec/ring.h>

/*
 * ring_set_lost - report the region's loss on this ring's error paths.
 * @lost: an int the region's owner release-stores a negative errno into
 *        when the region is taken away (csm: a revoked grant); it must
 *        outlive the ring handle. NULL: no such reporting.
 *
 * From then on every failing call on the ring returns *@lost when it is set
 * (a loss explains any failure, including one the loss caused).
 */
void ring_set_lost(struct caec_ring *r, const int *lost);

/*
 * ring_set_peer_check - a blocking call's test of the peer's life.
 * @fn: returns 0 while the peer may be alive, a negative errno (the call's
 *      result) once it is known to be gone; NULL: no such test
 *
 * Only a call that blocks (it found the ring empty or full) runs it: at
 * most every RING_PEER_CHECK_MS while it waits, its sleeps then being cut
 * into slices of that length, also with CAEC_FOREVER. Never on the fast
 * path, and never while the ring is ready: what a dead peer sent is
 * received before its death is reported.
 */
#define RING_PEER_CHECK_MS 100
void ring_set_peer_check(struct caec_ring *r, int (*fn)(void *), void *ctx);

/*
 * ring_set_error - make @err this direction's sticky error.
 * @err: a negative errno: -EPROTO (the ring's own checks or a record
 *       longer than the channel's), -EBADMSG (a record or the end of the
 *       stream failed authentication), -EIO (the cipher library failed),
 *       -EOVERFLOW (sequence numbers used up), -EPIPE (an authentic end of
 *       stream: the direction is over),
 *       -EACCES (the channel's attested handshake failed: channel_attest.c)
 *
 * A direction has one sticky error: once set, every data call on the ring
 * returns it, and it is never replaced. When two errors meet, the first one
 * that happened wins. The send fast path closes.
 *
 * RETURN VALUE: the sticky error now in force (the first one), or the
 * region's loss when it was lost (ring_set_lost()), which explains it.
 */
int ring_set_error(struct caec_ring *r, int err);

/* ring_error - this direction's sticky error (or the region's loss, as for
 * ring_set_error()), or 0. */
int ring_error(const struct caec_ring *r);

/*
 * ring_geometry - the geometry this handle validated at open and uses from
 * then on (private copies, never re-read from the shared header): the data
 * area's size, max_msg and the format flags. A channel compares them with
 * what its own header declares.
 */
void ring_geometry(const struct caec_ring *r, uint32_t *data_size,
		   uint32_t *max_msg, uint32_t *flags);

/*
 * ring_wake_count - how many FUTEX_WAKE calls this handle issued to wake
 * the peer (diagnostics and tests: the bound on what a peer's sleep words
 * can make a publisher do, ring_wait.c).
 */
uint64_t ring_wake_count(const struct caec_ring *r);

/*
 * ring_discard - free a handle that never carried data, publishing nothing
 * (no closed flag, no counter): for a create or attach that fails before
 * the channel is handed out. NULL is a no-op.
 */
void ring_discard(struct caec_ring *r);

/*
 * ring_forget - free a handle this process inherited through fork(),
 * writing nothing to the shared block (no counter, no closed flag, no
 * wake-up): the ring is the parent's, which goes on using it. An event
 * watcher thread did not survive the fork: its descriptor is closed without
 * a join. NULL is a no-op.
 */
void ring_forget(struct caec_ring *r);

/*
 * THE TRAILER: up to RING_TRAILER_MAX bytes a closing producer leaves for
 * the consumer in its own block, beside the records (ring_layout.h), so a
 * full ring cannot keep them out; a channel puts its end-of-stream frame
 * there.
 */
#define RING_TRAILER_MAX 64u

/*
 * ring_set_trailer - producer: write @len bytes (at most RING_TRAILER_MAX,
 * no secret: the region is shared) as the trailer. The consumer sees them
 * once this side's closed flag, which caec_ring_close() release-stores
 * after them.
 *
 * RETURN VALUE: 0; -EINVAL (not a producer, @len too large).
 */
int ring_set_trailer(struct caec_ring *r, const void *buf, size_t len);

/*
 * ring_trailer - consumer: copy the first @len (at most RING_TRAILER_MAX)
 * bytes of the producer's trailer into private @buf, reading each once.
 * Meaningful after a call on the ring returned -EPIPE: the acquire load of
 * closed behind it orders the producer's trailer stores before this read.
 * The bytes are untrusted like any in the region.
 *
 * RETURN VALUE: 0; -EINVAL (not a consumer, @len too large).
 */
int ring_trailer(const struct caec_ring *r, void *buf, size_t len);

/*
 * The functions below act on a ring's shared block through a mapping the
 * caller chose. @mem is the start of a ring block of at least
 * CAEC_RING_HDR_SIZE bytes at a position the caller took from its own
 * validated (private) geometry, never from the shared header.
 */

/* ring_mem_flags - the format flags the block's header declares (one load;
 * the value is untrusted, the caller compares it with what it expects). */
uint32_t ring_mem_flags(const void *mem);

/* ring_mem_close - mark @side of the block closed (e.g. in a private
 * snapshot of a region whose peer went away). */
void ring_mem_close(void *mem, enum caec_ring_role side);

/* ring_mem_wake - wake every futex sleeper of both sides of the block; @mem
 * may be a second mapping of the same pages (shared futexes are keyed by
 * page, not by address). */
void ring_mem_wake(const void *mem);

#endif /* CAEC_RING_API_H */
