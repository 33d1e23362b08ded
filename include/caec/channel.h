/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libcaec channels — a duplex channel is two SPSC rings in one shared region:
 * the creator's transmit ring is the attacher's receive ring and vice versa.
 *
 * Channels are named by URI, "SCHEME:LOCATION[?key=value&...]":
 *
 *   nw:shm/NAME       POSIX shared memory object /NAME (shm_open)
 *   nw:file/PATH      a file: a /dev/shm or hugetlbfs file, or an ivshmem
 *                     PCI BAR (/sys/bus/pci/devices/BDF/resource2) in a VM.
 *                     PATH is absolute: nw:file//dev/shm/x
 *   nw:memfd          (create only) an anonymous memfd, for fork()-based use;
 *                     caec_channel_region_fd() gives the descriptor
 *   nw:fd/N           (attach only) an inherited region descriptor N
 *
 *   nw-openssl:LOC, nw-mbedtls:LOC   the nw locations above, every message
 *                    sealed with AES-256-GCM (or cipher=chacha20-poly1305)
 *                    under per-direction keys derived from a pre-shared key;
 *                    the two libraries interoperate on one channel
 *   csm:...          confidential shared memory
 *   A build without a scheme's backend returns -ENOTSUP.
 *
 * Query keys (override the params struct):
 *   ring=SIZE     data bytes per ring (power of two, suffix K/M/G allowed)
 *   max_msg=SIZE  largest message
 *   wake=futex|none   futex wake-up protocol, or pure polling (between VMs)
 *   wait=adaptive|spin|backoff   this side's wait strategy
 *   key=PATH      encrypted schemes: the pre-shared key file
 *   cipher=NAME   encrypted schemes, create: aes-256-gcm (default) or
 *                 chacha20-poly1305
 *   reclaim=1     nw:shm create: when NAME exists and no process holds a
 *                 channel on it any more (its users died: no liveness lock
 *                 is held, caec_channel_peer_watched()), remove it and
 *                 create anew; while one is held, -EBUSY. Without it an
 *                 existing NAME is -EEXIST. A process that opened the
 *                 object without libcaec is not seen.
 */
#ifndef CAEC_CHANNEL_H
#define CAEC_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <caec/caec.h>	/* struct caec_wait_params */

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

struct caec_channel;

/*
 * struct caec_channel_params - options for create and attach.
 * @struct_size: sizeof(struct caec_channel_params)
 * @ring_size:   data bytes per direction (create); 0 = 64 KiB
 * @max_msg:     largest message (create); 0 = the ring's limit
 * @nowake:      create the region without the futex wake-up protocol
 *               (both sides then poll: SPIN or BACKOFF)
 * @wait:        this side's wait strategy; struct_size 0 = defaults
 * @mode:        file mode for created shm objects and files; 0 = 0600
 * @key:         encrypted schemes: 32 bytes of pre-shared key, or NULL
 * @key_file:    encrypted schemes: a file holding the key (32 raw bytes or
 *               64 hex digits), used when @key is NULL and the URI has no
 *               key=PATH
 */
struct caec_channel_params {
	uint32_t struct_size;
	uint32_t ring_size;
	uint32_t max_msg;
	uint32_t nowake;
	struct caec_wait_params wait;
	uint32_t mode;
	const uint8_t *key;
	const char *key_file;
};

/*
 * caec_channel_params_init - fill @p with the defaults described above.
 */
void caec_channel_params_init(struct caec_channel_params *p);

/*
 * caec_channel_create - create a region, format both rings and open the
 * creator's side.
 * @uri:    channel URI (see above)
 * @params: options, or NULL for the defaults
 * @out:    the new channel
 *
 * nw:shm and nw:file refuse an existing object (-EEXIST), except files that
 * cannot be created or resized (an ivshmem BAR), which are used as they are
 * when large enough. A created shm name is unlinked by caec_channel_close().
 *
 * RETURN VALUE: 0; -EINVAL (malformed URI or parameter), -ENOTSUP (scheme not
 * built in), -EEXIST, -ENOENT, -EACCES, -ENOSPC (region too small), -ENOMEM.
 */
int caec_channel_create(const char *uri,
			const struct caec_channel_params *params,
			struct caec_channel **out);

/*
 * caec_channel_attach - open the other side of an existing channel.
 *
 * Validates the channel header and both rings (magic, version, geometry)
 * before using anything in them.
 *
 * RETURN VALUE: 0; -EPROTO naming the bad field (caec_error_detail()), the
 * other errors of caec_channel_create().
 */
int caec_channel_attach(const char *uri,
			const struct caec_channel_params *params,
			struct caec_channel **out);

/*
 * caec_channel_close - close both directions, unmap and free. The peer
 * drains what was sent, then gets -EPIPE. @ch may be NULL.
 *
 * An encrypted channel first seals an end-of-stream frame under its sending
 * direction's next sequence number into a slot of the ring kept for it (a
 * full ring does not keep it out), so the peer's -EPIPE is authenticated.
 * It is not sealed when no peer ever attached, or when the sending direction
 * failed (-EIO, -EPROTO): the peer then sees -EBADMSG at the end.
 *
 * In a child that inherited an encrypted channel through fork(), close only
 * frees the child's copy: no end-of-stream frame, no closed flag, nothing
 * written to the region, a created name not removed; the parent's stream
 * goes on. (A plaintext nw: channel has no such protection: its close in
 * either process ends the stream for both, so close an inherited nw:
 * channel only in the process that uses it. A csm: channel's region is
 * gone in the child, see the csm documentation.)
 */
void caec_channel_close(struct caec_channel *ch);

/*
 * caec_channel_send - send one message (see caec_ring_send()).
 */
int caec_channel_send(struct caec_channel *ch, const void *buf, size_t len,
		      unsigned int flags, int timeout_ms);

/*
 * caec_channel_reserve, caec_channel_commit - zero-copy send (see
 * caec_ring_reserve() and caec_ring_commit()).
 */
int caec_channel_reserve(struct caec_channel *ch, size_t len, void **payload,
			 int timeout_ms);
int caec_channel_commit(struct caec_channel *ch, size_t len,
			unsigned int flags);

/*
 * caec_channel_flush - publish a batch sent with CAEC_MORE.
 */
int caec_channel_flush(struct caec_channel *ch);

/*
 * caec_channel_recv - receive one message (see caec_ring_recv()).
 *
 * RETURN VALUE: the message length, or a negative errno.
 */
ssize_t caec_channel_recv(struct caec_channel *ch, void *buf, size_t cap,
			  unsigned int flags, int timeout_ms);

/*
 * caec_channel_peek, caec_channel_release - zero-copy receive (see
 * caec_ring_peek() and caec_ring_release()).
 */
ssize_t caec_channel_peek(struct caec_channel *ch, const void **payload,
			  int timeout_ms);
int caec_channel_release(struct caec_channel *ch, unsigned int flags);

/*
 * caec_channel_peer_watched - does this side learn of the peer's death
 * before a timeout?
 *
 * When both sides run on one kernel and the region's file takes locks (an
 * shm object, a file, a memfd), each side holds a lock the kernel drops when
 * its process ends; a call blocked on a peer that ended without closing
 * returns -ECONNRESET within about 100 ms, also with CAEC_FOREVER (a clean
 * close stays -EPIPE, and what the peer sent before it died is received
 * first). Between VMs (an ivshmem BAR), before the peer attached, or on a
 * file system without locks, only the timeout ends such a wait. A peer that
 * is alive but stuck is not dead. A fork()ed child's copy of the channel
 * holds no lock: the parent's death is seen all the same.
 *
 * RETURN VALUE: 1 (detected), 0 (timeout only), -EINVAL (@ch NULL).
 */
int caec_channel_peer_watched(const struct caec_channel *ch);

/*
 * caec_channel_max_msg - the largest message this channel carries.
 */
uint32_t caec_channel_max_msg(const struct caec_channel *ch);

/*
 * caec_channel_region_fd - the descriptor backing the region, to pass to a
 * child (nw:fd/N) or over a socket. It is close-on-exec: a fork()ed child
 * has it, an exec'd program only gets it through a dup() or a dup2() in
 * posix_spawn's file actions, made for that purpose.
 *
 * RETURN VALUE: the descriptor (owned by the channel); -ENOTSUP when the
 * backend has none.
 */
int caec_channel_region_fd(const struct caec_channel *ch);

/*
 * caec_channel_event_fd - a descriptor that polls readable when a message can
 * be received (see caec_ring_event_fd() for the contract: receive until
 * -EAGAIN after each POLLIN). Owned by the channel.
 */
int caec_channel_event_fd(struct caec_channel *ch);

/*
 * caec_channel_tx, caec_channel_rx - the channel's two rings, for callers
 * that want the ring API directly (caec_ring_wait(), statistics). Owned by
 * the channel: never close them.
 */
struct caec_ring *caec_channel_tx(struct caec_channel *ch);
struct caec_ring *caec_channel_rx(struct caec_channel *ch);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif /* CAEC_CHANNEL_H */
