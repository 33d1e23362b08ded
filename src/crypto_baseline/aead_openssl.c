/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AEAD with OpenSSL 3 EVP: AES-256-GCM and ChaCha20-Poly1305.
 *
 * Two cipher contexts per key, one per operation, each keyed once in create;
 * a message only sets the nonce (EVP_CipherInit_ex with a NULL cipher and
 * key), which reuses the expanded key and allocates nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "aead_impl.h"
#include "../error.h"

struct ossl_aead {
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec;
	EVP_CIPHER_CTX *cur;	/* the operation begun last */
};

static int
ossl_fail(const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[128];

	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return caec_set_detail(-EIO, "OpenSSL %s failed: %s", what,
			       e ? buf : "no error queued");
}

static void
ossl_destroy(void *impl)
{
	struct ossl_aead *o = impl;

	if (!o)
		return;
	/* EVP_CIPHER_CTX_free cleanses the provider context and its key. */
	EVP_CIPHER_CTX_free(o->enc);
	EVP_CIPHER_CTX_free(o->dec);
	free(o);
}

static int
ossl_create(const char *cipher_name, const uint8_t *key, void **impl)
{
	struct ossl_aead *o;
	EVP_CIPHER *cipher;
	int rc = 0;

	*impl = NULL;
	cipher = EVP_CIPHER_fetch(NULL, cipher_name, NULL);
	if (!cipher) {
		ERR_clear_error();
		return caec_set_detail(-ENOTSUP,
			"OpenSSL has no %s in its loaded providers", cipher_name);
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		EVP_CIPHER_free(cipher);
		return caec_set_detail(-ENOMEM, "aead: out of memory");
	}
	o->enc = EVP_CIPHER_CTX_new();
	o->dec = EVP_CIPHER_CTX_new();
	if (!o->enc || !o->dec)
		rc = caec_set_detail(-ENOMEM, "EVP_CIPHER_CTX_new: out of memory");
	/* The key schedule, once per context. The nonce length is the
	 * default (12) for both ciphers. */
	else if (EVP_EncryptInit_ex2(o->enc, cipher, key, NULL, NULL) != 1 ||
		 EVP_DecryptInit_ex2(o->dec, cipher, key, NULL, NULL) != 1 ||
		 EVP_CIPHER_CTX_get_iv_length(o->enc) != (int)AEAD_NONCE_LEN)
		rc = ossl_fail("key setup");
	EVP_CIPHER_free(cipher);	/* the contexts hold their own reference */
	if (rc) {
		ERR_clear_error();
		ossl_destroy(o);
		return rc;
	}
	*impl = o;
	return 0;
}

static int
ossl_create_gcm(const uint8_t *key, void **impl)
{
	return ossl_create("AES-256-GCM", key, impl);
}

static int
ossl_create_chacha(const uint8_t *key, void **impl)
{
	return ossl_create("ChaCha20-Poly1305", key, impl);
}

static int
ossl_begin(void *impl, bool seal, const uint8_t *nonce,
	   const uint8_t *aad, size_t aad_len)
{
	struct ossl_aead *o = impl;
	int outl;

	o->cur = seal ? o->enc : o->dec;
	if (EVP_CipherInit_ex2(o->cur, NULL, NULL, nonce, seal, NULL) != 1)
		return ossl_fail("nonce setup");
	/* aad_len <= AEAD_AAD_MAX < INT_MAX (aead.c checks). */
	if (aad_len &&
	    EVP_CipherUpdate(o->cur, NULL, &outl, aad, (int)aad_len) != 1)
		return ossl_fail("AAD update");
	return 0;
}

static int
ossl_update(void *impl, const uint8_t *in, size_t len, uint8_t *out)
{
	struct ossl_aead *o = impl;
	int outl;

	/* len <= AEAD_CHUNK; both ciphers are streams: out length == in. */
	if (EVP_CipherUpdate(o->cur, out, &outl, in, (int)len) != 1)
		return ossl_fail("cipher update");
	if ((size_t)outl != len)
		return caec_set_detail(-EIO, "OpenSSL returned %d bytes for %zu",
				       outl, len);
	return 0;
}

static int
ossl_seal_final(void *impl, uint8_t *tag)
{
	struct ossl_aead *o = impl;
	uint8_t none[16];
	int outl;

	if (EVP_CipherFinal_ex(o->cur, none, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(o->cur, EVP_CTRL_AEAD_GET_TAG,
				(int)AEAD_TAG_LEN, tag) != 1)
		return ossl_fail("seal final");
	return 0;
}

static int
ossl_open_final(void *impl, const uint8_t *tag)
{
	struct ossl_aead *o = impl;
	uint8_t t[AEAD_TAG_LEN], none[16];
	int outl;

	memcpy(t, tag, sizeof(t));	/* the ctrl takes a non-const pointer */
	if (EVP_CIPHER_CTX_ctrl(o->cur, EVP_CTRL_AEAD_SET_TAG,
				(int)AEAD_TAG_LEN, t) != 1)
		return ossl_fail("set tag");
	/* The constant-time tag comparison happens here. */
	if (EVP_CipherFinal_ex(o->cur, none, &outl) != 1) {
		ERR_clear_error();
		return -EBADMSG;
	}
	return 0;
}

const struct aead_ops aead_openssl_gcm_ops = {
	.name = "openssl",
	.cipher = "aes-256-gcm",
	.create = ossl_create_gcm,
	.destroy = ossl_destroy,
	.begin = ossl_begin,
	.update = ossl_update,
	.seal_final = ossl_seal_final,
	.open_final = ossl_open_final,
};

const struct aead_ops aead_openssl_chacha_ops = {
	.name = "openssl-chacha20",
	.cipher = "chacha20-poly1305",
	.create = ossl_create_chacha,
	.destroy = ossl_destroy,
	.begin = ossl_begin,
	.update = ossl_update,
	.seal_final = ossl_seal_final,
	.open_final = ossl_open_final,
};
