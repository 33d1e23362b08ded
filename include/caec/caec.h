/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libcaec — confidential, attestable and efficient communication between
 * confidential VMs (Arm CCA realms) and, for development, between processes.
 *
 * This is the umbrella header. It defines the error contract shared by every
 * libcaec function and pulls in the ring and channel APIs.
 *
 * ERROR CONTRACT
 *   Every function returns 0 (or a non-negative count) on success and a
 *   negative errno value on failure. Nothing relies on errno. The codes used:
 *
 *   -EAGAIN     ring full (producer) or empty (consumer) in a non-blocking call
 *   -EMSGSIZE   message larger than the ring's maximum message size, or a
 *               receive buffer smaller than the next message (the message
 *               stays in the ring: nothing is lost)
 *   -EPROTO     the peer or the shared header broke the protocol (bad magic,
 *               version, geometry, counter or record, an encrypted record
 *               longer than the channel's, a peer of another record format
 *               version at attach); sticky for a ring
 *   -EBADMSG    authentication of a protected message, or of the end of an
 *               encrypted stream, failed; sticky for the direction it
 *               arrived on (the other direction still works)
 *   -ETIMEDOUT  a blocking call's timeout expired (also how a peer that died
 *               silently is seen where its death cannot be detected:
 *               between VMs, caec_channel_peer_watched())
 *   -ECONNRESET a blocking call's peer process ended without closing the
 *               channel (peers on one kernel); what it sent was received
 *               first. Not sticky: each blocked call tests again
 *   -EDQUOT     caec-rmmd: this realm's quota of regions or pool bytes
 *   -EBUSY      a resource is in use (nw:shm reclaim=1 of a name a live
 *               process holds)
 *   -EPIPE      the peer closed its side and everything it sent was consumed;
 *               on an encrypted channel only once the peer's authenticated
 *               end-of-stream frame was verified (a closed flag without it
 *               is -EBADMSG), and final: the direction stays at -EPIPE
 *   -ENOTSUP    the requested backend or scheme is not available in this build
 *   -EACCES     access to the region was denied
 *   -EINVAL     invalid argument (malformed URI, bad parameter)
 *   -ENOENT     the named region (shm name, file) does not exist
 *   -EEXIST     a region of that name already exists (create)
 *   -ENOMEM     out of memory
 *   -ENOSPC     the region is too small for the requested rings
 *   -EOVERFLOW  an encrypted direction used up its 2^64 - 1 sequence numbers
 *   -EIO        the cryptographic library failed (the direction is closed)
 *   -ENOLINK    a CSM region's service went away (caec-rmmd stopped or
 *               restarted): the region can no longer be shared, revoked or
 *               destroyed through the service; its mapping stays
 *   -ECHILD     an encrypted channel used in a child that inherited it
 *               through fork(): only the process that opened it may seal
 *               and open (or nonces would repeat); the child may only close
 *               it, which frees its copy and writes nothing to the region
 *
 *   STICKY ERRORS: each direction of a channel (each ring) has one sticky
 *   error: -EPROTO, -EBADMSG, -EIO or -EOVERFLOW, or on an encrypted
 *   channel's receiving side the verified end of stream, -EPIPE. Once set,
 *   every data call in that direction returns it. When two errors meet on one direction,
 *   the first one that happened wins and is never replaced.
 *
 *   caec_strerror() turns any of them into a sentence; caec_error_detail()
 *   returns the last detailed message produced in the calling thread (e.g.
 *   which header field failed validation).
 */
#ifndef CAEC_CAEC_H
#define CAEC_CAEC_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

#define CAEC_VERSION_MAJOR 0
#define CAEC_VERSION_MINOR 1
#define CAEC_VERSION_PATCH 0

/*
 * caec_version - version of the library actually loaded.
 *
 * RETURN VALUE: a static string "MAJOR.MINOR.PATCH".
 */
const char *caec_version(void);

/*
 * caec_strerror - describe a libcaec error code.
 * @err: a value returned by a libcaec function (negative errno); a positive
 *       value is treated as its negation.
 *
 * RETURN VALUE: a static, human-readable sentence; never NULL.
 */
const char *caec_strerror(int err);

/*
 * caec_error_detail - the detail of the last error in this thread.
 *
 * Functions that fail on input validation (URIs, shared headers, parameters)
 * record a sentence naming the offending field. Successful calls do not clear
 * it.
 *
 * RETURN VALUE: a thread-local string, "" when nothing was recorded; valid
 * until the next libcaec call in the same thread.
 */
const char *caec_error_detail(void);

/*
 * THE SIGBUS GUARD
 *   A peer that can resize the object under a shared mapping (an nw: shm
 *   object, file or inherited descriptor) makes this process's next access
 *   past the new end raise SIGBUS. libcaec installs a SIGBUS handler
 *   (SA_SIGINFO | SA_ONSTACK) when it maps the first such region: a fault
 *   inside a libcaec region maps zero pages over that whole region and
 *   marks it lost, so the call that touched it, and every later call on its
 *   channel, fails with -EPROTO, and the process lives on. A fault anywhere
 *   else goes to the handler that was installed before libcaec's (or to the
 *   default action). Memfds made by nw:memfd are sealed against resizing
 *   instead, and an inherited memfd without those seals is refused.
 *
 *   An application that installs its own SIGBUS handler after libcaec's
 *   calls caec_sigbus_handle() first from it and returns when that returns 1.
 */

/*
 * caec_sigbus_guard - enable (the default) or disable the guard for regions
 * mapped from now on. Disabling it is also possible with CAEC_SIGBUS_GUARD=0
 * in the environment; regions mapped without the guard kill the process
 * with SIGBUS when a peer truncates them.
 *
 * RETURN VALUE: 0.
 */
int caec_sigbus_guard(int enable);

/*
 * caec_sigbus_handle - handle a SIGBUS if it hit a guarded libcaec region.
 * @sig, @info, @ucontext: the arguments of an SA_SIGINFO handler (@info is
 *        its siginfo_t *; void * here so that this header needs no
 *        POSIX feature macros)
 *
 * Async-signal-safe.
 *
 * RETURN VALUE: 1 when the fault was in a libcaec region (its mapping is
 * now zero pages; return from the handler), 0 otherwise.
 */
int caec_sigbus_handle(int sig, void *info, void *ucontext);

/*
 * Flags for the send/commit and recv/release families.
 *
 * CAEC_MORE: batch — do not publish the counter yet; the next call without
 *            CAEC_MORE (or caec_*_flush) publishes the whole batch at once.
 *            A blocking wait always publishes pending work first, so a batch
 *            can never deadlock the peer.
 */
#define CAEC_MORE 0x1u

/*
 * Timeouts, in milliseconds, for every blocking call:
 *   0   non-blocking: -EAGAIN at once when the call would wait
 *   >0  wait at most this long, then -ETIMEDOUT
 *   <0  wait for ever (a silently dead peer is then never detected: give a
 *       finite timeout when the peer is not trusted to close)
 */
#define CAEC_NONBLOCK 0
#define CAEC_FOREVER (-1)

/*
 * Wait strategies (see struct caec_wait_params).
 *
 * CAEC_WAIT_SPIN      busy-poll the shared counters (the paper's polling);
 *                     lowest latency, burns a core while waiting.
 * CAEC_WAIT_ADAPTIVE  spin for spin_ns, then sleep on a futex word in the
 *                     shared region. Needs both sides on one kernel and the
 *                     region's wake-up protocol enabled. Default.
 * CAEC_WAIT_BACKOFF   spin for spin_ns, then poll with exponential back-off
 *                     sleeps from backoff_min_ns to backoff_max_ns. For
 *                     regions shared between VMs, where no futex can cross.
 */
enum caec_wait_mode {
	CAEC_WAIT_ADAPTIVE = 0,
	CAEC_WAIT_SPIN = 1,
	CAEC_WAIT_BACKOFF = 2,
};

/*
 * struct caec_wait_params - how a blocking call waits.
 * @struct_size:    sizeof(struct caec_wait_params) (ABI versioning)
 * @mode:           enum caec_wait_mode
 * @spin_ns:        nanoseconds to busy-poll before sleeping (ADAPTIVE,
 *                  BACKOFF); 0 selects the default, 20000 ns
 * @backoff_min_ns: first back-off sleep in nanoseconds (BACKOFF); 0 = 1000
 * @backoff_max_ns: longest back-off sleep in nanoseconds (BACKOFF);
 *                  0 = 1000000 (1 ms)
 */
struct caec_wait_params {
	uint32_t struct_size;
	uint32_t mode;
	uint32_t spin_ns;
	uint32_t backoff_min_ns;
	uint32_t backoff_max_ns;
};

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#include <caec/ring.h>
#include <caec/channel.h>
#include <caec/csm.h>

#endif /* CAEC_CAEC_H */
