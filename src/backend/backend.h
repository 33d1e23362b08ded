/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Region providers. A backend turns a URI location into a mapped shared
 * region; the channel layer formats or validates what is inside. The
 * nw-openssl, nw-mbedtls and csm schemes plug in here with their own ops.
 */
#ifndef CAEC_BACKEND_H
#define CAEC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../uri.h"

struct caec_csm_sid;

/*
 * What a region's owner (the channel) does when the backend replaces the
 * region's bytes under it (csm: a revoked grant, a provider that went
 * away). Called from any thread with the backend's registry lock held: a
 * hook must not call into the backend, and uses only @ctx's private state
 * (which outlives the binding: the owner releases the region before it
 * frees @ctx).
 */
struct backend_owner {
	/*
	 * The region's creator went away. @img is a private copy of the
	 * region's @len bytes that is about to replace the mapping: mark the
	 * creator's side closed in it, so that the owner drains what was
	 * sent, then sees the close.
	 */
	void (*peer_gone)(void *ctx, uint8_t *img, size_t len);
	/* Wake every sleeper in the region through @alias, a second
	 * mapping of its @len bytes (shared futexes are keyed by page). */
	void (*wake)(void *ctx, const uint8_t *alias, size_t len);
	void *ctx;
};

struct backend_region {
	void *base;		/* mapping, 64-byte aligned */
	size_t len;		/* bytes mapped */
	int fd;			/* backing descriptor, -1 if none */
	char *unlink_path;	/* created shm name or file to remove */
	bool unlink_shm;	/* unlink_path is a shm name */
	const struct backend_ops *ops;
	void *priv;		/* the backend's own state */
	int guard;		/* SIGBUS guard id (region.h), -1 if none */
	/*
	 * create only: true when every mapped byte is known to be zero
	 * because the backend made the object now (a new shm object, file or
	 * memfd sized from nothing). Otherwise (an existing ivshmem BAR, any
	 * object that may hold a previous session's bytes, a backend that
	 * cannot tell) the channel clears the whole mapping before it
	 * formats it.
	 */
	bool fresh;
	/*
	 * 0, or the error every channel call returns from now on: the
	 * region was taken away (csm: revoked by its provider). Written by
	 * the backend from any thread with a release store; read with
	 * backend_region_lost().
	 */
	int lost;
};

static inline int
backend_region_lost(const struct backend_region *reg)
{
	/* Pairs with the backend's release store of lost. */
	return __atomic_load_n(&reg->lost, __ATOMIC_ACQUIRE);
}

struct backend_ops {
	const char *scheme;
	/*
	 * create: make a region of at least @len bytes, mapped read-write.
	 * attach: map an existing region whole.
	 * Both return 0 or a negative errno with a detail recorded.
	 */
	int (*create)(const struct caec_uri *u, size_t len, uint32_t mode,
		      struct backend_region *out);
	int (*attach)(const struct caec_uri *u, struct backend_region *out);
	/* Unmap and close; remove what create made (creator only). */
	void (*release)(struct backend_region *reg, bool creator);
	/*
	 * Optional. bind: from now on @owner is told when the region is
	 * replaced, and reg->lost is set when it is lost (at once if that
	 * already happened). Called once the owner's geometry is valid.
	 */
	void (*bind)(struct backend_region *reg,
		     const struct backend_owner *owner);
	/* Optional (csm): the sharing id of the region's grant; the realm
	 * at the other end (the creator: the grant's consumer; the attacher:
	 * the sid's provider); revoke the grant. */
	int (*csm_sid)(const struct backend_region *reg,
		       struct caec_csm_sid *sid);
	int (*csm_peer)(const struct backend_region *reg, uint64_t *realm_id);
	int (*csm_revoke)(struct backend_region *reg);
};

/* csm: the trust anchor of the running caec-rmmd, "SOCKET.pub" (csm_token.c). */
void backend_csm_anchor(char *buf, size_t len);

/*
 * Tests only: an existing regular file at this path is what nw:file/
 * create treats like an ivshmem BAR's sysfs resource file (a fixed-size
 * object it reuses instead of refusing). NULL outside the tests.
 */
extern const char *backend_nw_test_bar;

extern const struct backend_ops backend_nw_ops;
extern const struct backend_ops backend_csm_ops;

#endif /* CAEC_BACKEND_H */
