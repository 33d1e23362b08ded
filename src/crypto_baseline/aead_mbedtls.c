/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AEAD with MbedTLS 2.28: AES-256-GCM (mbedtls_gcm_*) and ChaCha20-Poly1305
 * (mbedtls_chachapoly_*).
 *
 * The key is set once in create; a message only runs starts/update/finish.
 * Decryption uses the piecewise API, which releases plaintext before the tag
 * is known (the MbedTLS docs warn about it): that plaintext only goes to the
 * caller's private buffer, and aead_open() wipes it when the tag fails.
 */
#include <errno.h>
#include <stdlib.h>

#include <mbedtls/chachapoly.h>
#include <mbedtls/gcm.h>
#include <mbedtls/platform_util.h>

#include "aead_impl.h"
#include "../error.h"

struct mbed_gcm {
	mbedtls_gcm_context gcm;
};

struct mbed_chacha {
	mbedtls_chachapoly_context cp;
};

static int
mbed_fail(const char *what, int err)
{
	return caec_set_detail(-EIO, "MbedTLS %s failed (-0x%04x)", what,
			       (unsigned int)-err);
}

/* Constant-time tag comparison: time does not depend on where they differ. */
static int
tag_check(const uint8_t *want, const uint8_t *got)
{
	volatile uint8_t diff = 0;
	size_t i;

	for (i = 0; i < AEAD_TAG_LEN; i++)
		diff |= want[i] ^ got[i];
	return diff ? -EBADMSG : 0;
}

/* AES-256-GCM */

static void
gcm_destroy(void *impl)
{
	struct mbed_gcm *m = impl;

	if (!m)
		return;
	mbedtls_gcm_free(&m->gcm);	/* zeroizes the key schedule */
	free(m);
}

static int
gcm_create(const uint8_t *key, void **impl)
{
	struct mbed_gcm *m;
	int err;

	*impl = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return caec_set_detail(-ENOMEM, "aead: out of memory");
	mbedtls_gcm_init(&m->gcm);
	err = mbedtls_gcm_setkey(&m->gcm, MBEDTLS_CIPHER_ID_AES, key,
				 AEAD_KEY_LEN * 8);
	if (err) {
		gcm_destroy(m);
		return mbed_fail("gcm_setkey", err);
	}
	*impl = m;
	return 0;
}

static int
gcm_begin(void *impl, bool seal, const uint8_t *nonce,
	  const uint8_t *aad, size_t aad_len)
{
	struct mbed_gcm *m = impl;
	int err;

	err = mbedtls_gcm_starts(&m->gcm,
				 seal ? MBEDTLS_GCM_ENCRYPT : MBEDTLS_GCM_DECRYPT,
				 nonce, AEAD_NONCE_LEN, aad, aad_len);
	return err ? mbed_fail("gcm_starts", err) : 0;
}

static int
gcm_update(void *impl, const uint8_t *in, size_t len, uint8_t *out)
{
	struct mbed_gcm *m = impl;
	int err;

	/* 2.28 needs whole blocks on every call but the last: aead.c feeds
	 * AEAD_CHUNK-sized pieces, a multiple of 16. */
	err = mbedtls_gcm_update(&m->gcm, len, in, out);
	return err ? mbed_fail("gcm_update", err) : 0;
}

static int
gcm_seal_final(void *impl, uint8_t *tag)
{
	struct mbed_gcm *m = impl;
	int err;

	err = mbedtls_gcm_finish(&m->gcm, tag, AEAD_TAG_LEN);
	return err ? mbed_fail("gcm_finish", err) : 0;
}

static int
gcm_open_final(void *impl, const uint8_t *tag)
{
	struct mbed_gcm *m = impl;
	uint8_t got[AEAD_TAG_LEN];
	int err, rc;

	err = mbedtls_gcm_finish(&m->gcm, got, sizeof(got));
	rc = err ? mbed_fail("gcm_finish", err) : tag_check(tag, got);
	mbedtls_platform_zeroize(got, sizeof(got));
	return rc;
}

/* ChaCha20-Poly1305 */

#if defined(MBEDTLS_CHACHAPOLY_C)
static void
chacha_destroy(void *impl)
{
	struct mbed_chacha *m = impl;

	if (!m)
		return;
	mbedtls_chachapoly_free(&m->cp);	/* zeroizes the key */
	free(m);
}

static int
chacha_create(const uint8_t *key, void **impl)
{
	struct mbed_chacha *m;
	int err;

	*impl = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return caec_set_detail(-ENOMEM, "aead: out of memory");
	mbedtls_chachapoly_init(&m->cp);
	err = mbedtls_chachapoly_setkey(&m->cp, key);
	if (err) {
		chacha_destroy(m);
		return mbed_fail("chachapoly_setkey", err);
	}
	*impl = m;
	return 0;
}

static int
chacha_begin(void *impl, bool seal, const uint8_t *nonce,
	     const uint8_t *aad, size_t aad_len)
{
	struct mbed_chacha *m = impl;
	int err;

	err = mbedtls_chachapoly_starts(&m->cp, nonce,
					seal ? MBEDTLS_CHACHAPOLY_ENCRYPT
					     : MBEDTLS_CHACHAPOLY_DECRYPT);
	if (!err && aad_len)
		err = mbedtls_chachapoly_update_aad(&m->cp, aad, aad_len);
	return err ? mbed_fail("chachapoly_starts", err) : 0;
}

static int
chacha_update(void *impl, const uint8_t *in, size_t len, uint8_t *out)
{
	struct mbed_chacha *m = impl;
	int err;

	err = mbedtls_chachapoly_update(&m->cp, len, in, out);
	return err ? mbed_fail("chachapoly_update", err) : 0;
}

static int
chacha_seal_final(void *impl, uint8_t *tag)
{
	struct mbed_chacha *m = impl;
	int err;

	err = mbedtls_chachapoly_finish(&m->cp, tag);
	return err ? mbed_fail("chachapoly_finish", err) : 0;
}

static int
chacha_open_final(void *impl, const uint8_t *tag)
{
	struct mbed_chacha *m = impl;
	uint8_t got[AEAD_TAG_LEN];
	int err, rc;

	err = mbedtls_chachapoly_finish(&m->cp, got);
	rc = err ? mbed_fail("chachapoly_finish", err) : tag_check(tag, got);
	mbedtls_platform_zeroize(got, sizeof(got));
	return rc;
}
#else
static int
chacha_create(const uint8_t *key, void **impl)
{
	(void)key;
	*impl = NULL;
	return caec_set_detail(-ENOTSUP,
		"this MbedTLS is built without ChaCha20-Poly1305 (MBEDTLS_CHACHAPOLY_C)");
}
#endif

const struct aead_ops aead_mbedtls_gcm_ops = {
	.name = "mbedtls",
	.cipher = "aes-256-gcm",
	.create = gcm_create,
	.destroy = gcm_destroy,
	.begin = gcm_begin,
	.update = gcm_update,
	.seal_final = gcm_seal_final,
	.open_final = gcm_open_final,
};

#if defined(MBEDTLS_CHACHAPOLY_C)
const struct aead_ops aead_mbedtls_chacha_ops = {
	.name = "mbedtls-chacha20",
	.cipher = "chacha20-poly1305",
	.create = chacha_create,
	.destroy = chacha_destroy,
	.begin = chacha_begin,
	.update = chacha_update,
	.seal_final = chacha_seal_final,
	.open_final = chacha_open_final,
};
#else
/* An MbedTLS configured without MBEDTLS_CHACHAPOLY_C: create refuses, so
 * nothing else is ever called. */
const struct aead_ops aead_mbedtls_chacha_ops = {
	.name = "mbedtls-chacha20",
	.cipher = "chacha20-poly1305",
	.create = chacha_create,
};
#endif
