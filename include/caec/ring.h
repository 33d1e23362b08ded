/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libcaec ring — a lock-free single-producer / single-consumer ring of
 * variable-size messages inside a caller-provided shared byte region.
 *
 * The region may be mapped at different addresses (and by different kernels:
 * two VMs sharing an ivshmem BAR or a CSM region) on the two sides. The ring
 * stores no pointers; its layout is a wire format, documented in
 * docs/ring-format.md and asserted at compile time in src/ring/ring_layout.h.
 *
 * TRUST: the peer and, for normal-world memory, the hypervisor may write any
 * shared byte at any time. Each side keeps the geometry in private memory
 * after open, reads every shared counter and record header exactly once,
 * validates it and then uses only its private copy. A violation makes every
 * later call on that ring return -EPROTO. No shared value can make the ring
 * crash, hang or access memory outside the region.
 *
 * THREADS: one thread at a time per side. The producer and the consumer may
 * run concurrently in different threads, processes or VMs.
 */
#ifndef CAEC_RING_H
#define CAEC_RING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

struct caec_wait_params;

/* Smallest and largest ring data size (bytes, power of two). */
#define CAEC_RING_MIN_SIZE 4096u
#define CAEC_RING_MAX_SIZE (1u << 30)

/*
 * Ring format flags (stored in the shared header by caec_ring_format()).
 * CAEC_RING_F_NOWAKE: the sides never sleep on a futex (regions shared between
 *                     VMs, or pure polling); publishing skips the sleeper
 *                     check. Both sides must then use SPIN or BACKOFF waits.
 */
#define CAEC_RING_F_NOWAKE 0x1u

/* An opaque, private view of one side of a ring. */
struct caec_ring;

enum caec_ring_role {
	CAEC_RING_PRODUCER = 0,
	CAEC_RING_CONSUMER = 1,
};

/*
 * caec_ring_footprint - bytes of shared memory a ring of @data_size needs.
 *
 * RETURN VALUE: the footprint (header + data), or 0 if @data_size is not a
 * power of two in [CAEC_RING_MIN_SIZE, CAEC_RING_MAX_SIZE].
 */
size_t caec_ring_footprint(uint32_t data_size);

/*
 * caec_ring_max_msg_limit - largest max_msg a ring of @data_size accepts.
 *
 * A message of that size always fits once the ring is empty, wherever the
 * counters stand (a record may need a padding record before it at the wrap).
 *
 * RETURN VALUE: data_size / 2 - 8, or 0 for an invalid @data_size.
 */
uint32_t caec_ring_max_msg_limit(uint32_t data_size);

/*
 * caec_ring_format - initialise a ring in shared memory.
 * @mem:       start of the ring, 64-byte aligned
 * @len:       bytes available at @mem
 * @data_size: data area size, power of two, CAEC_RING_MIN_SIZE..MAX_SIZE
 * @max_msg:   largest payload in bytes; 0 selects the limit
 * @flags:     CAEC_RING_F_* flags
 *
 * Must be called by one side before either side opens the ring; the peer must
 * not open it concurrently. The magic word is stored last (release), so a
 * peer that sees it sees an initialised header. Only the header blocks are
 * written: the data area keeps whatever bytes it held, so a caller that
 * formats over memory an earlier session used clears it first (channels do
 * that for every region that is not fresh).
 *
 * RETURN VALUE: 0; -EINVAL for a bad size, alignment, max_msg or flag;
 * -ENOSPC if @len is smaller than caec_ring_footprint(@data_size).
 */
int caec_ring_format(void *mem, size_t len, uint32_t data_size,
		     uint32_t max_msg, uint32_t flags);

/*
 * caec_ring_open - validate a formatted ring and open one side of it.
 * @mem:  start of the ring (may differ from the peer's address)
 * @len:  bytes mapped at @mem
 * @role: CAEC_RING_PRODUCER or CAEC_RING_CONSUMER
 * @wait: wait strategy for blocking calls, or NULL for the defaults
 * @out:  the new handle
 *
 * Reads the shared header once, validates magic, version and geometry against
 * @len, and copies the geometry into the private handle. The counters are
 * taken from the shared state, so a side can reopen a ring it closed.
 *
 * RETURN VALUE: 0; -EPROTO naming the bad field (see caec_error_detail()) for
 * a header that is not a valid ring; -EINVAL for bad arguments, or for an
 * ADAPTIVE wait on a CAEC_RING_F_NOWAKE ring; -ENOMEM.
 */
int caec_ring_open(void *mem, size_t len, enum caec_ring_role role,
		   const struct caec_wait_params *wait, struct caec_ring **out);

/*
 * caec_ring_close - close one side and free the handle.
 *
 * Publishes any pending batch, marks the side closed in shared memory and
 * wakes the peer. The consumer then drains what was sent before the close and
 * gets -EPIPE. A producer whose consumer closed gets -EPIPE the next time
 * it reads the consumer's counter: when its cached view of the ring says
 * full (keeping the consumer's cache line off the producer's fast path).
 * @r may be NULL.
 */
void caec_ring_close(struct caec_ring *r);

/*
 * caec_ring_send - copy one message into the ring.
 * @buf, @len:   payload; @len may be 0 (an empty message is delivered as one)
 * @flags:       0 or CAEC_MORE (batch: publish later)
 * @timeout_ms:  CAEC_NONBLOCK, a positive number of ms, or CAEC_FOREVER
 *
 * RETURN VALUE: 0; -EAGAIN (full, non-blocking), -ETIMEDOUT, -EMSGSIZE (@len
 * above max_msg), -EPIPE (consumer closed), -EPROTO, -EINVAL (consumer
 * handle, or a reservation is open).
 */
int caec_ring_send(struct caec_ring *r, const void *buf, size_t len,
		   unsigned int flags, int timeout_ms);

/*
 * caec_ring_reserve - reserve a contiguous slot for a zero-copy send.
 * @len:        largest payload the caller will write (loan max, commit less)
 * @payload:    receives a pointer into the shared region, 8-byte aligned,
 *              valid for @len bytes until caec_ring_commit()
 *
 * Only one reservation may be open at a time.
 *
 * RETURN VALUE: 0; the errors of caec_ring_send().
 */
int caec_ring_reserve(struct caec_ring *r, size_t len, void **payload,
		      int timeout_ms);

/*
 * caec_ring_commit - finish a reservation with its actual length.
 * @len:   bytes written, at most the reserved length
 * @flags: 0 or CAEC_MORE
 *
 * The unused tail of the 8-byte-aligned record is zeroed, so no stale private
 * bytes reach shared memory.
 *
 * RETURN VALUE: 0; -EINVAL (no reservation or @len too large); -EPIPE.
 */
int caec_ring_commit(struct caec_ring *r, size_t len, unsigned int flags);

/*
 * caec_ring_flush - publish every message committed with CAEC_MORE.
 *
 * RETURN VALUE: 0; -EPROTO; -EINVAL for a consumer handle.
 */
int caec_ring_flush(struct caec_ring *r);

/*
 * caec_ring_recv - copy the next message out of the ring.
 * @buf, @cap:  destination buffer and its size
 * @flags:      0 or CAEC_MORE (defer publishing the freed space)
 *
 * RETURN VALUE: the message length (>= 0); -EAGAIN, -ETIMEDOUT, -EPIPE
 * (producer closed and ring drained), -EPROTO; -EMSGSIZE if @cap is smaller
 * than the message, which then stays in the ring (see caec_ring_peek() for
 * its length).
 */
ssize_t caec_ring_recv(struct caec_ring *r, void *buf, size_t cap,
		       unsigned int flags, int timeout_ms);

/*
 * caec_ring_peek - look at the next message in place (zero-copy receive).
 * @payload: receives a pointer into the shared region
 *
 * The bytes stay in shared memory: a hostile peer can still change them, so
 * copy before parsing anything security-relevant. The length returned is the
 * validated private copy. Calling peek again before release returns the same
 * message.
 *
 * RETURN VALUE: the message length (>= 0); the errors of caec_ring_recv()
 * except -EMSGSIZE.
 */
ssize_t caec_ring_peek(struct caec_ring *r, const void **payload,
		       int timeout_ms);

/*
 * caec_ring_release - consume the message returned by caec_ring_peek().
 * @flags: 0 or CAEC_MORE (defer publishing the freed space)
 *
 * RETURN VALUE: 0; -EINVAL if no message is peeked.
 */
int caec_ring_release(struct caec_ring *r, unsigned int flags);

/*
 * caec_ring_max_msg - the ring's maximum payload size, from the private copy.
 */
uint32_t caec_ring_max_msg(const struct caec_ring *r);

/*
 * caec_ring_wait - block until the ring is readable (consumer) or has room
 * for a message of @len bytes (producer), without transferring anything.
 *
 * RETURN VALUE: 0 when ready; -ETIMEDOUT, -EAGAIN (@timeout_ms 0), -EPIPE,
 * -EPROTO; -EMSGSIZE (producer, @len above max_msg), -EINVAL (@r NULL).
 */
int caec_ring_wait(struct caec_ring *r, size_t len, int timeout_ms);

/*
 * caec_ring_event_fd - a descriptor to poll for "readable" (consumer only).
 *
 * Starts, on first call, a watcher thread that makes the returned eventfd
 * readable (POLLIN) whenever the ring holds a message, the producer closed,
 * or the ring is broken. Contract for the caller: on POLLIN, receive until a
 * call returns -EAGAIN; that call clears the descriptor and re-arms the
 * watcher (it costs two system calls, on the empty path only). Do not read
 * the descriptor yourself. Both sides must share a kernel (futex wake-ups).
 * The descriptor is owned by the ring and closed by caec_ring_close().
 *
 * RETURN VALUE: the descriptor; -EINVAL (producer handle), -ENOTSUP (ring
 * formatted with CAEC_RING_F_NOWAKE), -ENOMEM, or the error of eventfd(2) or
 * pthread_create(3).
 */
int caec_ring_event_fd(struct caec_ring *r);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif /* CAEC_RING_H */
