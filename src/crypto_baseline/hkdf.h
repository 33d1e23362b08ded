/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HKDF-SHA256 (RFC 5869) over the HMAC-SHA256 of whichever library the build
 * has: OpenSSL (EVP_MAC) when CAEC_HAVE_OPENSSL, else MbedTLS (mbedtls_md);
 * -ENOTSUP with neither. Both give the same bytes; the RFC vectors check it.
 */
#ifndef CAEC_HKDF_H
#define CAEC_HKDF_H

#include <stddef.h>
#include <stdint.h>

#define AEAD_SHA256_LEN 32u
#define AEAD_HKDF_MAX_OKM (255u * AEAD_SHA256_LEN)

/*
 * aead_hkdf_extract - PRK = HMAC-SHA256(salt, IKM).
 * @salt: may be NULL/empty: then HashLen zero bytes, as RFC 5869 says
 * @prk:  out: AEAD_SHA256_LEN bytes
 *
 * RETURN VALUE: 0; -ENOTSUP no crypto library; -EIO library failure.
 */
int aead_hkdf_extract(const uint8_t *salt, size_t salt_len,
		      const uint8_t *ikm, size_t ikm_len, uint8_t *prk);

/*
 * aead_hkdf_expand - OKM = T(1) | T(2) | ... truncated to @okm_len, where
 * T(i) = HMAC-SHA256(PRK, T(i-1) | info | i).
 * @prk_len: at least AEAD_SHA256_LEN
 * @okm_len: 1 .. AEAD_HKDF_MAX_OKM
 *
 * RETURN VALUE: 0; -EINVAL bad length; -ENOTSUP; -EIO. @okm is zeroed on
 * failure.
 */
int aead_hkdf_expand(const uint8_t *prk, size_t prk_len,
		     const uint8_t *info, size_t info_len,
		     uint8_t *okm, size_t okm_len);

/* aead_hkdf_sha256 - extract then expand; the PRK is wiped. */
int aead_hkdf_sha256(const uint8_t *salt, size_t salt_len,
		     const uint8_t *ikm, size_t ikm_len,
		     const uint8_t *info, size_t info_len,
		     uint8_t *okm, size_t okm_len);

#endif /* CAEC_HKDF_H */
