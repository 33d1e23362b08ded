/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AEAD registry and the seal/open driver: every implementation runs through
 * the same private bounce buffer, so the hostile-memory guarantees of aead.h
 * hold whatever the library does internally.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aead_impl.h"
#include "../error.h"

struct aead_ctx {
	const struct aead_ops *ops;
	void *impl;
	/* Ciphertext only, never plaintext: seal output, open input. */
	uint8_t bounce[AEAD_CHUNK] __attribute__((aligned(64)));
};

#ifdef CAEC_HAVE_OPENSSL
#define OPENSSL_OPS(x) (&(x))
#else
#define OPENSSL_OPS(x) NULL
#endif
#ifdef CAEC_HAVE_MBEDTLS
#define MBEDTLS_OPS(x) (&(x))
#else
#define MBEDTLS_OPS(x) NULL
#endif

/* The library names, as Meson options and implementation-name prefixes. */
static const char *const lib_names[AEAD_LIB_COUNT] = {
	[AEAD_LIB_OPENSSL] = "openssl",
	[AEAD_LIB_MBEDTLS] = "mbedtls",
};

/* One row per cipher, keyed by its id; adding a cipher adds a row. */
static const struct aead_row {
	uint32_t id;
	const char *cipher;
	const char *suffix;	/* of the implementation name: "LIB" SUFFIX */
	const struct aead_ops *ops[AEAD_LIB_COUNT];	/* NULL: not built */
} aead_table[] = {
	{ AEAD_AES256GCM, "aes-256-gcm", "", {
		[AEAD_LIB_OPENSSL] = OPENSSL_OPS(aead_openssl_gcm_ops),
		[AEAD_LIB_MBEDTLS] = MBEDTLS_OPS(aead_mbedtls_gcm_ops) } },
	{ AEAD_CHACHA20POLY1305, "chacha20-poly1305", "-chacha20", {
		[AEAD_LIB_OPENSSL] = OPENSSL_OPS(aead_openssl_chacha_ops),
		[AEAD_LIB_MBEDTLS] = MBEDTLS_OPS(aead_mbedtls_chacha_ops) } },
};

#define AEAD_ROWS (sizeof(aead_table) / sizeof(aead_table[0]))

static const struct aead_row *
row_of(uint32_t id)
{
	size_t i;

	for (i = 0; i < AEAD_ROWS; i++)
		if (aead_table[i].id == id)
			return &aead_table[i];
	return NULL;
}

int
aead_lookup(enum aead_lib lib, uint32_t id, const struct aead_ops **ops)
{
	const struct aead_row *row = row_of(id);

	*ops = NULL;
	if (lib <= AEAD_LIB_NONE || lib >= AEAD_LIB_COUNT)
		return caec_set_detail(-EINVAL, "AEAD library %d unknown",
				       (int)lib);
	if (!row)
		return caec_set_detail(-EINVAL, "AEAD cipher id %u unknown", id);
	if (!row->ops[lib])
		return caec_set_detail(-ENOTSUP,
			"AEAD implementation '%s%s' is not compiled in (configure with -D%s=enabled)",
			lib_names[lib], row->suffix, lib_names[lib]);
	*ops = row->ops[lib];
	return 0;
}

int
aead_cipher_id(const char *cipher, uint32_t *id)
{
	size_t i;

	for (i = 0; cipher && i < AEAD_ROWS; i++)
		if (!strcmp(cipher, aead_table[i].cipher)) {
			*id = aead_table[i].id;
			return 0;
		}
	return caec_set_detail(-EINVAL,
		"unknown cipher '%s' (known: aes-256-gcm, chacha20-poly1305)",
		cipher ? cipher : "");
}

int
aead_find(const char *name, const struct aead_ops **ops)
{
	size_t i, n;
	int lib;

	*ops = NULL;
	if (!name)
		return caec_set_detail(-EINVAL, "AEAD implementation: no name");
	for (lib = AEAD_LIB_NONE + 1; lib < AEAD_LIB_COUNT; lib++) {
		n = strlen(lib_names[lib]);
		if (strncmp(name, lib_names[lib], n))
			continue;
		for (i = 0; i < AEAD_ROWS; i++)
			if (!strcmp(name + n, aead_table[i].suffix))
				return aead_lookup((enum aead_lib)lib,
						   aead_table[i].id, ops);
	}
	return caec_set_detail(-EINVAL,
		"unknown AEAD implementation '%s' (openssl, openssl-chacha20, mbedtls, mbedtls-chacha20)",
		name);
}

const char *
aead_ops_name(const struct aead_ops *ops)
{
	return ops->name;
}

const char *
aead_ops_cipher(const struct aead_ops *ops)
{
	return ops->cipher;
}

const char *
aead_name(const struct aead_ctx *ctx)
{
	return ctx->ops->name;
}

int
aead_create(const struct aead_ops *ops, const uint8_t *key,
	    struct aead_ctx **out)
{
	struct aead_ctx *ctx;
	int rc;

	*out = NULL;
	if (!ops || !key)
		return caec_set_detail(-EINVAL, "aead_create: no implementation or key");
	ctx = aligned_alloc(64, sizeof(*ctx));
	if (!ctx)
		return caec_set_detail(-ENOMEM, "aead_create: out of memory");
	memset(ctx, 0, sizeof(*ctx));
	ctx->ops = ops;
	rc = ops->create(key, &ctx->impl);
	if (rc) {
		free(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

void
aead_destroy(struct aead_ctx *ctx)
{
	if (!ctx)
		return;
	ctx->ops->destroy(ctx->impl);
	explicit_bzero(ctx, sizeof(*ctx));
	free(ctx);
}

static int
aead_check_sizes(size_t aad_len, size_t len)
{
	if ((uint64_t)len > AEAD_MSG_MAX)
		return caec_set_detail(-EMSGSIZE,
			"AEAD message of %zu bytes exceeds the cipher's limit", len);
	if (aad_len > AEAD_AAD_MAX)
		return caec_set_detail(-EMSGSIZE,
			"AEAD associated data of %zu bytes is too long", aad_len);
	return 0;
}

int
aead_seal(struct aead_ctx *ctx, const uint8_t *nonce,
	  const void *aad, size_t aad_len,
	  const void *pt, size_t len, void *ct, void *tag)
{
	const uint8_t *in = pt;
	uint8_t *out = ct;
	uint8_t t[AEAD_TAG_LEN];
	size_t off, n;
	int rc;

	rc = aead_check_sizes(aad_len, len);
	if (rc)
		return rc;
	rc = ctx->ops->begin(ctx->impl, true, nonce, aad, aad_len);
	if (rc)
		return rc;
	/* Encrypt privately, then publish: @ct only ever receives ciphertext,
	 * and the MAC never reads it back (see aead.h, HOSTILE MEMORY). */
	for (off = 0; off < len; off += n) {
		n = len - off < AEAD_CHUNK ? len - off : AEAD_CHUNK;
		rc = ctx->ops->update(ctx->impl, in + off, n, ctx->bounce);
		if (rc)
			return rc;
		memcpy(out + off, ctx->bounce, n);
	}
	rc = ctx->ops->seal_final(ctx->impl, t);
	if (rc)
		return rc;
	memcpy(tag, t, sizeof(t));
	return 0;
}

int
aead_open(struct aead_ctx *ctx, const uint8_t *nonce,
	  const void *aad, size_t aad_len,
	  const void *ct, size_t len, const void *tag, void *pt)
{
	const uint8_t *in = ct;
	uint8_t *out = pt;
	uint8_t t[AEAD_TAG_LEN];
	size_t off, n;
	int rc;

	rc = aead_check_sizes(aad_len, len);
	if (rc)
		return rc;
	memcpy(t, tag, sizeof(t));	/* the one read of the tag */
	rc = ctx->ops->begin(ctx->impl, false, nonce, aad, aad_len);
	if (rc)
		goto fail;
	/* Each ciphertext byte is read once, into the bounce buffer; the
	 * library MACs and decrypts only that private copy. */
	for (off = 0; off < len; off += n) {
		n = len - off < AEAD_CHUNK ? len - off : AEAD_CHUNK;
		memcpy(ctx->bounce, in + off, n);
		rc = ctx->ops->update(ctx->impl, ctx->bounce, n, out + off);
		if (rc)
			goto fail;
	}
	rc = ctx->ops->open_final(ctx->impl, t);
	if (rc)
		goto fail;
	return 0;
fail:
	/* Never leave unauthenticated plaintext behind. */
	if (len)
		explicit_bzero(pt, len);
	if (rc == -EBADMSG)
		caec_set_detail(rc, "%s: authentication tag mismatch", ctx->ops->name);
	return rc;
}
