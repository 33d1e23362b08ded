/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HKDF-SHA256, RFC 5869, over a small HMAC-SHA256 binding (the only part
 * that differs between OpenSSL and MbedTLS).
 */
#include <errno.h>
#include <string.h>

#if defined(CAEC_HAVE_OPENSSL)
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#elif defined(CAEC_HAVE_MBEDTLS)
#include <mbedtls/md.h>
#endif

#include "hkdf.h"
#include "../error.h"

#if defined(CAEC_HAVE_OPENSSL)

struct hmac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

static int
hmac_fail(const char *what)
{
	ERR_clear_error();
	return caec_set_detail(-EIO, "OpenSSL HMAC-SHA256: %s failed", what);
}

static int
hmac_new(struct hmac *h)
{
	h->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	h->ctx = h->mac ? EVP_MAC_CTX_new(h->mac) : NULL;
	if (!h->ctx) {
		EVP_MAC_free(h->mac);
		h->mac = NULL;
		return hmac_fail("setup");
	}
	return 0;
}

static int
hmac_begin(struct hmac *h, const uint8_t *key, size_t key_len)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	/* A NULL key would mean "keep the previous one"; callers never pass
	 * an empty key (an empty salt becomes HashLen zeros). */
	if (EVP_MAC_init(h->ctx, key, key_len, params) != 1)
		return hmac_fail("init");
	return 0;
}

static int
hmac_update(struct hmac *h, const uint8_t *data, size_t len)
{
	if (len && EVP_MAC_update(h->ctx, data, len) != 1)
		return hmac_fail("update");
	return 0;
}

static int
hmac_final(struct hmac *h, uint8_t *out)
{
	size_t outl;

	if (EVP_MAC_final(h->ctx, out, &outl, AEAD_SHA256_LEN) != 1 ||
	    outl != AEAD_SHA256_LEN)
		return hmac_fail("final");
	return 0;
}

static void
hmac_free(struct hmac *h)
{
	EVP_MAC_CTX_free(h->ctx);	/* cleanses the keyed state */
	EVP_MAC_free(h->mac);
}

#elif defined(CAEC_HAVE_MBEDTLS)

struct hmac {
	mbedtls_md_context_t ctx;
};

static int
hmac_fail(const char *what, int err)
{
	return caec_set_detail(-EIO, "MbedTLS HMAC-SHA256: %s failed (-0x%04x)",
			       what, (unsigned int)-err);
}

static int
hmac_new(struct hmac *h)
{
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	int err;

	mbedtls_md_init(&h->ctx);
	if (!info)
		return caec_set_detail(-ENOTSUP, "this MbedTLS has no SHA-256");
	err = mbedtls_md_setup(&h->ctx, info, 1);
	return err ? hmac_fail("setup", err) : 0;
}

static int
hmac_begin(struct hmac *h, const uint8_t *key, size_t key_len)
{
	int err = mbedtls_md_hmac_starts(&h->ctx, key, key_len);

	return err ? hmac_fail("starts", err) : 0;
}

static int
hmac_update(struct hmac *h, const uint8_t *data, size_t len)
{
	int err = len ? mbedtls_md_hmac_update(&h->ctx, data, len) : 0;

	return err ? hmac_fail("update", err) : 0;
}

static int
hmac_final(struct hmac *h, uint8_t *out)
{
	int err = mbedtls_md_hmac_finish(&h->ctx, out);

	return err ? hmac_fail("finish", err) : 0;
}

static void
hmac_free(struct hmac *h)
{
	mbedtls_md_free(&h->ctx);	/* zeroizes the keyed state */
}

#else /* no crypto library */

struct hmac {
	int unused;
};

static int
hmac_new(struct hmac *h)
{
	(void)h;
	return caec_set_detail(-ENOTSUP,
		"HKDF needs OpenSSL or MbedTLS; this build has neither");
}

static int
hmac_begin(struct hmac *h, const uint8_t *key, size_t key_len)
{
	(void)h, (void)key, (void)key_len;
	return -ENOTSUP;
}

static int
hmac_update(struct hmac *h, const uint8_t *data, size_t len)
{
	(void)h, (void)data, (void)len;
	return -ENOTSUP;
}

static int
hmac_final(struct hmac *h, uint8_t *out)
{
	(void)h, (void)out;
	return -ENOTSUP;
}

static void
hmac_free(struct hmac *h)
{
	(void)h;
}

#endif

int
aead_hkdf_extract(const uint8_t *salt, size_t salt_len,
		  const uint8_t *ikm, size_t ikm_len, uint8_t *prk)
{
	static const uint8_t zeros[AEAD_SHA256_LEN];
	struct hmac h;
	int rc;

	if (!salt_len)
		salt = zeros, salt_len = sizeof(zeros);
	rc = hmac_new(&h);
	if (!rc)
		rc = hmac_begin(&h, salt, salt_len);
	if (!rc)
		rc = hmac_update(&h, ikm, ikm_len);
	if (!rc)
		rc = hmac_final(&h, prk);
	hmac_free(&h);
	if (rc)
		explicit_bzero(prk, AEAD_SHA256_LEN);
	return rc;
}

int
aead_hkdf_expand(const uint8_t *prk, size_t prk_len,
		 const uint8_t *info, size_t info_len,
		 uint8_t *okm, size_t okm_len)
{
	uint8_t t[AEAD_SHA256_LEN] = { 0 };
	size_t off = 0, tlen = 0, n;
	uint8_t i = 0;
	struct hmac h;
	int rc;

	if (prk_len < AEAD_SHA256_LEN)
		return caec_set_detail(-EINVAL,
			"HKDF PRK of %zu bytes, need at least %u", prk_len,
			AEAD_SHA256_LEN);
	if (!okm_len || okm_len > AEAD_HKDF_MAX_OKM)
		return caec_set_detail(-EINVAL,
			"HKDF output of %zu bytes, must be 1 .. %u", okm_len,
			AEAD_HKDF_MAX_OKM);
	rc = hmac_new(&h);
	while (!rc && off < okm_len) {
		/* T(i) = HMAC(PRK, T(i-1) | info | i), T(0) empty */
		i++;
		rc = hmac_begin(&h, prk, prk_len);
		if (!rc)
			rc = hmac_update(&h, t, tlen);
		if (!rc)
			rc = hmac_update(&h, info, info_len);
		if (!rc)
			rc = hmac_update(&h, &i, 1);
		if (!rc)
			rc = hmac_final(&h, t);
		if (rc)
			break;
		tlen = sizeof(t);
		n = okm_len - off < tlen ? okm_len - off : tlen;
		memcpy(okm + off, t, n);
		off += n;
	}
	hmac_free(&h);
	explicit_bzero(t, sizeof(t));
	if (rc)
		explicit_bzero(okm, okm_len);
	return rc;
}

int
aead_hkdf_sha256(const uint8_t *salt, size_t salt_len,
		 const uint8_t *ikm, size_t ikm_len,
		 const uint8_t *info, size_t info_len,
		 uint8_t *okm, size_t okm_len)
{
	uint8_t prk[AEAD_SHA256_LEN];
	int rc;

	rc = aead_hkdf_extract(salt, salt_len, ikm, ikm_len, prk);
	if (!rc)
		rc = aead_hkdf_expand(prk, sizeof(prk), info, info_len, okm,
				      okm_len);
	explicit_bzero(prk, sizeof(prk));
	return rc;
}
