/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table an AEAD implementation fills in. Only aead.c calls these; it
 * owns the bounce buffer, the chunking and the wiping of failed output, so
 * an implementation is a thin binding of one library's streaming API.
 */
#ifndef CAEC_AEAD_IMPL_H
#define CAEC_AEAD_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aead.h"

struct aead_ops {
	const char *name;	/* lookup name, e.g. "openssl" */
	const char *cipher;	/* "aes-256-gcm" | "chacha20-poly1305" */

	/* Allocate the library state and run the key schedule. */
	int (*create)(const uint8_t *key, void **impl);
	/* Wipe the key schedule and free. */
	void (*destroy)(void *impl);

	/* Start a message: nonce (AEAD_NONCE_LEN) and the whole AAD. */
	int (*begin)(void *impl, bool seal, const uint8_t *nonce,
		     const uint8_t *aad, size_t aad_len);
	/*
	 * Encrypt or decrypt @len <= AEAD_CHUNK bytes, writing exactly @len
	 * bytes to @out. @len is a multiple of 16 except on the last call of
	 * a message; @in and @out never overlap and are both private.
	 */
	int (*update)(void *impl, const uint8_t *in, size_t len, uint8_t *out);
	/* Finish a seal: the tag. */
	int (*seal_final)(void *impl, uint8_t *tag);
	/* Finish an open: 0 when @tag (private) matches, else -EBADMSG. */
	int (*open_final)(void *impl, const uint8_t *tag);
};

#ifdef CAEC_HAVE_OPENSSL
extern const struct aead_ops aead_openssl_gcm_ops;
extern const struct aead_ops aead_openssl_chacha_ops;
#endif
#ifdef CAEC_HAVE_MBEDTLS
extern const struct aead_ops aead_mbedtls_gcm_ops;
extern const struct aead_ops aead_mbedtls_chacha_ops;
#endif

#endif /* CAEC_AEAD_IMPL_H */
