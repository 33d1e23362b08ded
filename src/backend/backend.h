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

struct backend_region {
	void *base;		/* mapping, 64-byte aligned */
	size_t len;		/* bytes mapped */
	int fd;			/* backing descriptor, -1 if none */
	char *unlink_path;	/* created shm name or file to remove */
	bool unlink_shm;	/* unlink_path is a shm name */
	const struct backend_ops *ops;
	void *priv;		/* the backend's own state */
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
};

extern const struct backend_ops backend_nw_ops;
extern const struct backend_ops backend_csm_ops;

/*
 * backend_lookup - the ops for @scheme, and the AEAD family that protects
 * its messages (NULL for plaintext schemes).
 * RETURN VALUE: 0; -ENOTSUP for a known scheme not built in; -EINVAL for an
 * unknown one (detail recorded).
 */
int backend_lookup(const char *scheme, const struct backend_ops **ops,
		   const char **aead);

#endif /* CAEC_BACKEND_H */
