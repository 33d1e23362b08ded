/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the crypto baseline (src/crypto_baseline): known-answer
 * vectors (AES-256-GCM: GCM spec test cases 13-16 and NIST CAVP
 * gcmEncryptExtIV256; ChaCha20-Poly1305: RFC 8439 2.8.2; HKDF-SHA256:
 * RFC 5869 A.1-A.3) through every compiled implementation, interop between
 * OpenSSL and MbedTLS, the record format against vectors computed with an
 * independent implementation (Python cryptography), tampering, replay,
 * reordering, wrong keys, hostile shared memory racing seal and open, and
 * key files. A test whose implementation is not compiled in is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef CAEC_HAVE_OPENSSL
#include <openssl/evp.h>
#elif defined(CAEC_HAVE_MBEDTLS)
#include <mbedtls/chachapoly.h>
#include <mbedtls/gcm.h>
#endif

#include <caec/caec.h>

#include "../src/crypto_baseline/aead.h"
#include "../src/crypto_baseline/frame.h"
#include "../src/crypto_baseline/hkdf.h"
#include "lib/scribbler.h"

#ifdef CAEC_HAVE_OPENSSL
#define HAVE_OPENSSL true
#else
#define HAVE_OPENSSL false
#endif
#ifdef CAEC_HAVE_MBEDTLS
#define HAVE_MBEDTLS true
#else
#define HAVE_MBEDTLS false
#endif

#define BIG (64u * 1024u + 7u)	/* > several AEAD_CHUNKs, odd tail */

/* Helpers */

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2, i;
	unsigned int v;

	assert_true(strlen(s) % 2 == 0);
	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* Equal over @n bytes; n == 0 is trivially equal (no byte is compared). */
#define assert_bytes(a, b, n) assert_true(memcmp((a), (b), (n)) == 0)

/* Deterministic filler (xorshift), so a failure reproduces. */
static void
fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
}

static bool
all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* The implementation named by @name, or skip the test if not compiled in. */
static const struct aead_ops *
need(const char *name)
{
	const struct aead_ops *ops;
	int rc = aead_find(name, &ops);

	if (rc == -ENOTSUP)
		skip();
	assert_int_equal(rc, 0);
	return ops;
}

static struct aead_ctx *
ctx_new(const char *name, const uint8_t *key)
{
	struct aead_ctx *ctx;

	assert_int_equal(aead_create(need(name), key, &ctx), 0);
	return ctx;
}

/* The other library's implementation of the same cipher. */
static const char *
peer_of(const char *name)
{
	if (!strcmp(name, "openssl"))
		return "mbedtls";
	if (!strcmp(name, "mbedtls"))
		return "openssl";
	if (!strcmp(name, "openssl-chacha20"))
		return "mbedtls-chacha20";
	return "openssl-chacha20";
}

static bool
is_chacha(const char *name)
{
	return strstr(name, "chacha") != NULL;
}

/* Lookup */

static void
test_find(void **state)
{
	static const char *const names[] = {
		"openssl", "openssl-chacha20", "mbedtls", "mbedtls-chacha20",
	};
	const struct aead_ops *ops;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < 4; i++) {
		bool built = i < 2 ? HAVE_OPENSSL : HAVE_MBEDTLS;
		rc = aead_find(names[i], &ops);
		if (built) {
			assert_int_equal(rc, 0);
			assert_string_equal(aead_ops_name(ops), names[i]);
			assert_string_equal(aead_ops_cipher(ops), i % 2 ?
					    "chacha20-poly1305" : "aes-256-gcm");
		} else {
			assert_int_equal(rc, -ENOTSUP);
			assert_null(ops);
			assert_non_null(strstr(caec_error_detail(), "not compiled in"));
		}
	}
	assert_int_equal(aead_find("aes-256-gcm", &ops), -EINVAL);
	assert_non_null(strstr(caec_error_detail(), "unknown AEAD implementation"));
	assert_int_equal(aead_find("OpenSSL", &ops), -EINVAL);
}

/* AES-256-GCM known answers */

struct kat {
	const char *name, *key, *iv, *aad, *pt, *ct, *tag;
};

static const struct kat gcm_kats[] = {
	/* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases
	 * 13-16 (17 and 18 use 64- and 480-bit IVs: not a 96-bit nonce). */
	{ "GCM spec TC13",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "", "",
	  "530f8afbc74536b9a963b4f1c4cb738b" },
	{ "GCM spec TC14",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "",
	  "00000000000000000000000000000000",
	  "cea7403d4d606b6e074ec5d3baf39d18",
	  "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "GCM spec TC15",
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888", "",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "GCM spec TC16",
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	/* NIST CAVP gcmEncryptExtIV256.rsp, 96-bit IV, 128-bit tag */
	{ "CAVP PTlen=0 AADlen=0 #0",
	  "b52c505a37d78eda5dd34f20c22540ea1b58963cf8e5bf8ffa85f9f2492505b4",
	  "516c33929df5a3284ff463d7", "", "", "",
	  "bdc1ac884d332457a1d2664f168c76f0" },
	{ "CAVP PTlen=128 AADlen=0 #0",
	  "31bdadd96698c204aa9ce1448ea94ae1fb4a9a0b3c9d773b51bb1822666b8f22",
	  "0d18e06c7c725ac9e362e1ce", "",
	  "2db5168e932556f8089a0622981d017d",
	  "fa4362189661d163fcd6a56d8bf0405a",
	  "d636ac1bbedd5cc3ee727dc2ab4a9489" },
	{ "CAVP PTlen=128 AADlen=128 #0",
	  "92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b",
	  "ac93a1a6145299bde902f21a", "1e0889016f67601c8ebea4943bc23ad6",
	  "2d71bcfa914e4ac045b2aa60955fad24",
	  "8995ae2e6df3dbf96fac7b7137bae67f",
	  "eca5aa77d51d4a0a14d9c51e1da474ab" },
	{ "CAVP PTlen=104 AADlen=160 #1",
	  "97431e565e8370a4879de962746a2fd67eca868b1c8e51eece2c1f94f74af407",
	  "17fb63066e2726d282ecc610", "78e7374da7c77be5938de8dd76cf0308618306a9",
	  "e21629cc973fbe40176e621d9d", "80dbd469de480389ba6c2fca52",
	  "4e284abb8b4f9f13c7497ae56df05fa5" },
	{ "CAVP PTlen=408 AADlen=720 #2",
	  "c277df045d0a1a3956958f271055c229d2634427b1d73e99d54920da69f72e01",
	  "79e24f84bc77a21a6cb14ee2",
	  "ca09282238d492029afbd30ea9b4aa9d448d77b4b41a791c35ebe3f8e5034ac7"
	  "1210117a843fae647cea020712c27e5c8f85acf933d5e28430c7770862d8dbb1"
	  "97cbbcfe49dd63f6aa05fbd13e32c459342698dfee5935c7c321",
	  "5ca68d858cc30b1cb0514c4e9de98e1a1a835df401f69e9ec6f1bcb1158f0911"
	  "4dff551683b3827457f77e17a7097b1ea69eac",
	  "5c5223c8eda59a8dc28b08e6c21482a46e5d84d32c7050bf144fc57f4e8094de"
	  "133198da7b4b8398b167204aff837da15d9ab2",
	  "378885950a4491bee3cd681d3c957b9a" },
};

static const struct kat chacha_kat = {
	"RFC 8439 2.8.2",
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	"070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
	/* "Ladies and Gentlemen of the class of '99: If I could offer you
	 * only one tip for the future, sunscreen would be it." */
	"4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
	"73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
	"6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
	"637265656e20776f756c642062652069742e",
	"d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	"3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	"92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	"3ff4def08e4b7a9de576d26586cec64b6116",
	"1ae10b594f09e26a7e902ecbd0600691",
};

/*
 * One vector: seal gives the ciphertext and tag; open gives the plaintext,
 * separately and in place; a flipped tag bit or AAD bit gives -EBADMSG and
 * an all-zero output.
 */
static void
run_kat(const char *impl, const struct kat *v)
{
	uint8_t key[32], iv[12], aad[128], pt[128], ct[128], tag[16];
	uint8_t got_ct[128], got_tag[16], out[128];
	size_t aad_len, pt_len, ct_len;
	struct aead_ctx *ctx;

	assert_int_equal(unhex(v->key, key, sizeof(key)), 32);
	assert_int_equal(unhex(v->iv, iv, sizeof(iv)), 12);
	aad_len = unhex(v->aad, aad, sizeof(aad));
	pt_len = unhex(v->pt, pt, sizeof(pt));
	ct_len = unhex(v->ct, ct, sizeof(ct));
	assert_int_equal(unhex(v->tag, tag, sizeof(tag)), 16);
	assert_int_equal(pt_len, ct_len);

	ctx = ctx_new(impl, key);
	assert_int_equal(aead_seal(ctx, iv, aad, aad_len, pt, pt_len, got_ct,
				   got_tag), 0);
	assert_bytes(got_ct, ct, ct_len);
	assert_memory_equal(got_tag, tag, 16);

	memset(out, 0xaa, sizeof(out));
	assert_int_equal(aead_open(ctx, iv, aad, aad_len, ct, ct_len, tag, out), 0);
	assert_bytes(out, pt, pt_len);

	memcpy(out, ct, ct_len);	/* in place */
	assert_int_equal(aead_open(ctx, iv, aad, aad_len, out, ct_len, tag, out), 0);
	assert_bytes(out, pt, pt_len);

	tag[15] ^= 0x01;
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(aead_open(ctx, iv, aad, aad_len, ct, ct_len, tag, out),
			 -EBADMSG);
	assert_true(all_bytes(out, ct_len, 0));
	assert_true(all_bytes(out + ct_len, sizeof(out) - ct_len, 0xaa));
	tag[15] ^= 0x01;
	if (aad_len) {
		aad[0] ^= 0x80;
		assert_int_equal(aead_open(ctx, iv, aad, aad_len, ct, ct_len, tag,
					   out), -EBADMSG);
		assert_true(all_bytes(out, ct_len, 0));
		aad[0] ^= 0x80;
	}
	/* The failures left the context usable. */
	assert_int_equal(aead_open(ctx, iv, aad, aad_len, ct, ct_len, tag, out), 0);
	aead_destroy(ctx);
}

static void
test_gcm_kat(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(gcm_kats) / sizeof(gcm_kats[0]); i++) {
		print_message("  %s: %s\n", (const char *)*state, gcm_kats[i].name);
		run_kat(*state, &gcm_kats[i]);
	}
}

static void
test_chacha_kat(void **state)
{
	run_kat(*state, &chacha_kat);
}

static void
test_size_limits(void **state)
{
	uint8_t key[32] = { 1 }, nonce[12] = { 0 }, tag[16];
	struct aead_ctx *ctx = ctx_new(*state, key);

	/* Refused before any byte is touched (the pointers are NULL). */
	assert_int_equal(aead_seal(ctx, nonce, NULL, 0, NULL,
				   (size_t)AEAD_MSG_MAX + 1, NULL, tag), -EMSGSIZE);
	assert_int_equal(aead_open(ctx, nonce, NULL, 0, NULL,
				   (size_t)AEAD_MSG_MAX + 1, tag, NULL), -EMSGSIZE);
	assert_int_equal(aead_seal(ctx, nonce, NULL, (size_t)AEAD_AAD_MAX + 1,
				   NULL, 0, NULL, tag), -EMSGSIZE);
	aead_destroy(ctx);
}

/* HKDF-SHA256, RFC 5869 A.1-A.3 */

static void
test_hkdf_rfc5869(void **state)
{
	static const struct {
		const char *ikm, *salt, *info, *prk, *okm;
	} tc[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
		  "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
		  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		  "34007208d5b887185865" },
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
		  "404142434445464748494a4b4c4d4e4f",
		  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
		  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
		  "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
		  "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
		  "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
		  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
		  "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
		  "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
		  "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
		  "cc30c58179ec3e87c14c01d5c1f3434f1d87" },
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
		  "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
		  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		  "9d201395faa4b61a96c8" },
	};
	uint8_t ikm[80], salt[80], info[80], prk[32], okm[82], want[82];
	size_t i, ikm_len, salt_len, info_len, okm_len;

	(void)state;
	for (i = 0; i < 3; i++) {
		ikm_len = unhex(tc[i].ikm, ikm, sizeof(ikm));
		salt_len = unhex(tc[i].salt, salt, sizeof(salt));
		info_len = unhex(tc[i].info, info, sizeof(info));
		unhex(tc[i].prk, want, sizeof(want));
		assert_int_equal(aead_hkdf_extract(salt_len ? salt : NULL, salt_len,
						   ikm, ikm_len, prk), 0);
		assert_memory_equal(prk, want, 32);
		okm_len = unhex(tc[i].okm, want, sizeof(want));
		memset(okm, 0, sizeof(okm));
		assert_int_equal(aead_hkdf_expand(prk, 32, info, info_len, okm,
						  okm_len), 0);
		assert_memory_equal(okm, want, okm_len);
		memset(okm, 0, sizeof(okm));
		assert_int_equal(aead_hkdf_sha256(salt, salt_len, ikm, ikm_len,
						  info, info_len, okm, okm_len), 0);
		assert_memory_equal(okm, want, okm_len);
		/* A shorter output is a prefix: the block chaining is right. */
		memset(okm, 0, sizeof(okm));
		assert_int_equal(aead_hkdf_expand(prk, 32, info, info_len, okm, 33), 0);
		assert_memory_equal(okm, want, 33);
		assert_true(all_bytes(okm + 33, sizeof(okm) - 33, 0));
	}
}

static void
test_hkdf_limits(void **state)
{
	static uint8_t okm[AEAD_HKDF_MAX_OKM + 1];
	uint8_t prk[32] = { 7 };

	(void)state;
	assert_int_equal(aead_hkdf_expand(prk, 32, NULL, 0, okm, 0), -EINVAL);
	assert_int_equal(aead_hkdf_expand(prk, 32, NULL, 0, okm,
					  AEAD_HKDF_MAX_OKM + 1), -EINVAL);
	assert_int_equal(aead_hkdf_expand(prk, 31, NULL, 0, okm, 32), -EINVAL);
	assert_int_equal(aead_hkdf_expand(prk, 32, NULL, 0, okm,
					  AEAD_HKDF_MAX_OKM), 0);
	/* 255 blocks all differ from each other (the counter is in there). */
	assert_memory_not_equal(okm, okm + 32 * 254, 32);
}

/* Interop and chunking */

/* One-shot seal with the library directly, without aead.c's chunking. */
static void
ref_seal(bool chacha, const uint8_t *key, const uint8_t *nonce,
	 const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t len,
	 uint8_t *ct, uint8_t *tag)
{
#ifdef CAEC_HAVE_OPENSSL
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l;

	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex(c, chacha ? EVP_chacha20_poly1305()
					    : EVP_aes_256_gcm(), NULL, key, nonce), 1);
	assert_int_equal(EVP_EncryptUpdate(c, NULL, &l, aad, (int)aad_len), 1);
	assert_int_equal(EVP_EncryptUpdate(c, ct, &l, pt, (int)len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, ct + len, &l), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag), 1);
	EVP_CIPHER_CTX_free(c);
#elif defined(CAEC_HAVE_MBEDTLS)
	if (chacha) {
		mbedtls_chachapoly_context c;

		mbedtls_chachapoly_init(&c);
		assert_int_equal(mbedtls_chachapoly_setkey(&c, key), 0);
		assert_int_equal(mbedtls_chachapoly_encrypt_and_tag(&c, len, nonce,
				 aad, aad_len, pt, ct, tag), 0);
		mbedtls_chachapoly_free(&c);
	} else {
		mbedtls_gcm_context c;

		mbedtls_gcm_init(&c);
		assert_int_equal(mbedtls_gcm_setkey(&c, MBEDTLS_CIPHER_ID_AES, key,
						    256), 0);
		assert_int_equal(mbedtls_gcm_crypt_and_tag(&c, MBEDTLS_GCM_ENCRYPT,
				 len, nonce, 12, aad, aad_len, pt, ct, 16, tag), 0);
		mbedtls_gcm_free(&c);
	}
#else
	(void)chacha, (void)key, (void)nonce, (void)aad, (void)aad_len;
	(void)pt, (void)len, (void)ct, (void)tag;
	skip();
#endif
}

/*
 * Sizes around the bounce-buffer chunk: every implementation equals a
 * one-shot library call, and what one library seals the other opens.
 */
static void
test_interop_sizes(void **state)
{
	static const size_t sizes[] = {
		0, 1, 15, 16, 17, 255, AEAD_CHUNK - 1, AEAD_CHUNK, AEAD_CHUNK + 1,
		2 * AEAD_CHUNK + 13, BIG,
	};
	const char *impl = *state, *peer = peer_of(impl);
	uint8_t key[32], nonce[12], aad[16], tag[16], rtag[16];
	const struct aead_ops *ops;
	static uint8_t pt[BIG], ct[BIG], ref[BIG], out[BIG];
	struct aead_ctx *a, *b;
	size_t i;

	fill(key, sizeof(key), 1);
	a = ctx_new(impl, key);
	/* Without the other library, the same one (chunking still checked). */
	b = ctx_new(aead_find(peer, &ops) ? impl : peer, key);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];

		fill(nonce, sizeof(nonce), 100 + i);
		fill(aad, sizeof(aad), 200 + i);
		fill(pt, n, 300 + i);
		assert_int_equal(aead_seal(a, nonce, aad, sizeof(aad), pt, n, ct,
					   tag), 0);
		ref_seal(is_chacha(impl), key, nonce, aad, sizeof(aad), pt, n, ref,
			 rtag);
		assert_bytes(ct, ref, n);
		assert_memory_equal(tag, rtag, 16);
		memset(out, 0, n);
		assert_int_equal(aead_open(b, nonce, aad, sizeof(aad), ct, n, tag,
					   out), 0);
		assert_bytes(out, pt, n);
		/* and back the other way, on reused contexts */
		assert_int_equal(aead_seal(b, nonce, aad, sizeof(aad), pt, n, out,
					   rtag), 0);
		assert_bytes(out, ct, n);
		assert_int_equal(aead_open(a, nonce, aad, sizeof(aad), out, n, rtag,
					   out), 0);
		assert_bytes(out, pt, n);
	}
	aead_destroy(a);
	aead_destroy(b);
}

/* A tag failure on a multi-chunk message wipes every chunk, not the last. */
static void
test_open_failure_wipes_all(void **state)
{
	uint8_t key[32], nonce[12] = { 9 }, tag[16];
	static uint8_t pt[BIG], ct[BIG], out[BIG];
	struct aead_ctx *ctx;

	fill(key, sizeof(key), 2);
	fill(pt, BIG, 3);
	ctx = ctx_new(*state, key);
	assert_int_equal(aead_seal(ctx, nonce, NULL, 0, pt, BIG, ct, tag), 0);
	ct[BIG - 1] ^= 0x40;	/* last chunk: earlier chunks decrypt fine */
	memset(out, 0xaa, BIG);
	assert_int_equal(aead_open(ctx, nonce, NULL, 0, ct, BIG, tag, out), -EBADMSG);
	assert_true(all_bytes(out, BIG, 0));
	assert_non_null(strstr(caec_error_detail(), "tag mismatch"));
	/* in place, same */
	assert_int_equal(aead_open(ctx, nonce, NULL, 0, ct, BIG, tag, ct), -EBADMSG);
	assert_true(all_bytes(ct, BIG, 0));
	aead_destroy(ctx);
}

/* Record format */

static const uint8_t g_psk[32] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
};
#define G_CHAN 0x11223344u

static void
g_salt(uint8_t *salt)	/* 0x40 .. 0x7f: creator half | attacher half */
{
	int i;

	for (i = 0; i < 64; i++)
		salt[i] = (uint8_t)(0x40 + i);
}

static void
frame_new(struct frame_state *st, const char *impl, const uint8_t *psk,
	  enum frame_dir dir, uint32_t chan)
{
	uint8_t salt[64];

	g_salt(salt);
	assert_int_equal(frame_init(st, need(impl), psk, salt, sizeof(salt), dir,
				    chan), 0);
}

static void
test_nonce_layout(void **state)
{
	uint8_t n[12];
	static const uint8_t want[12] = {
		0x02, 0, 0, 0, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
	};

	(void)state;
	frame_nonce(FRAME_DIR_A2C, 0x0102030405060708ull, n);
	assert_memory_equal(n, want, 12);
	assert_int_equal(frame_record_size(0), 32);
}

/* Keys and records equal those of an independent implementation (Python
 * cryptography: HKDF, AESGCM, ChaCha20Poly1305) for the documented format. */
static void
test_frame_golden(void **state)
{
	const char *impl = *state;
	static const char *const key_c2a =
		"b07abce125ee821698cb5a9643b6f111ac186aa6db91b6ea4be477ccd039f90c";
	static const char *const key_a2c =
		"c9bd3b42931a085870171a6c59b59ffeee5b480e2d9027685e7792242e0297a5";
	static const char *const gcm_c2a0 =
		"00000000000000000b00000044332211"
		"333bd088d3f2b634473f27"
		"a885f19e9b2169bb37cae03504d18fa4";
	static const char *const gcm_c2a1 =
		"01000000000000001c00000044332211"
		"75327ce151c2febb8e3a358c433fbfb572c0b34c0bbaccd44bd1b25e"
		"b742201df1b67f255ddc77f630e63535";
	static const char *const gcm_a2c0 =
		"00000000000000000b00000044332211"
		"453f9f97c400d04215e1e1"
		"676b61bd0b1e39d9dbdd828c5a811022";
	static const char *const cc_c2a0 =
		"00000000000000000b00000044332211"
		"186c13fe8de41eb7401689"
		"0d5bc7083e3eede9a837eadb6e3c2b2f";
	static const char m0[] = "hello, caec";
	static const char m1[] = "second message, a bit longer";
	uint8_t salt[64], key[32], want[128], rec[128], out[64];
	struct frame_state tx, rx, tx2;
	size_t n;

	g_salt(salt);
	need(impl);
	assert_int_equal(frame_derive_key(g_psk, salt, 64, FRAME_DIR_C2A, key), 0);
	unhex(key_c2a, want, sizeof(want));
	assert_memory_equal(key, want, 32);
	assert_int_equal(frame_derive_key(g_psk, salt, 64, FRAME_DIR_A2C, key), 0);
	unhex(key_a2c, want, sizeof(want));
	assert_memory_equal(key, want, 32);

	frame_new(&tx, impl, g_psk, FRAME_DIR_C2A, G_CHAN);
	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, G_CHAN);
	frame_new(&tx2, impl, g_psk, FRAME_DIR_A2C, G_CHAN);

	n = unhex(is_chacha(impl) ? cc_c2a0 : gcm_c2a0, want, sizeof(want));
	assert_int_equal(frame_seal(&tx, m0, strlen(m0), rec, sizeof(rec)),
			 (ssize_t)n);
	assert_memory_equal(rec, want, n);
	assert_int_equal(frame_open(&rx, want, n, out, sizeof(out)),
			 (ssize_t)strlen(m0));
	assert_memory_equal(out, m0, strlen(m0));
	if (!is_chacha(impl)) {
		n = unhex(gcm_c2a1, want, sizeof(want));
		assert_int_equal(frame_seal(&tx, m1, strlen(m1), rec, sizeof(rec)),
				 (ssize_t)n);
		assert_memory_equal(rec, want, n);
		assert_int_equal(frame_open(&rx, want, n, out, sizeof(out)),
				 (ssize_t)strlen(m1));
		n = unhex(gcm_a2c0, want, sizeof(want));
		assert_int_equal(frame_seal(&tx2, m0, strlen(m0), rec, sizeof(rec)),
				 (ssize_t)n);
		assert_memory_equal(rec, want, n);
	}
	frame_fini(&tx), frame_fini(&rx), frame_fini(&tx2);
}

static void
test_frame_params(void **state)
{
	uint8_t salt[65] = { 1 }, key[32];
	struct frame_state st;

	(void)state;
	assert_int_equal(frame_derive_key(g_psk, salt, 0, FRAME_DIR_C2A, key),
			 -EINVAL);
	assert_int_equal(frame_derive_key(g_psk, salt, 65, FRAME_DIR_C2A, key),
			 -EINVAL);
	assert_int_equal(frame_derive_key(g_psk, salt, 32, (enum frame_dir)3, key),
			 -EINVAL);
	assert_int_equal(frame_derive_key(g_psk, salt, 32, (enum frame_dir)0, key),
			 -EINVAL);
	/* A failed init leaves a state that frame_fini accepts. */
	assert_int_equal(frame_init(&st, NULL, g_psk, salt, 0, FRAME_DIR_C2A, 1),
			 -EINVAL);
	frame_fini(&st);
}

/* Messages sealed by one implementation open with the other, both ways,
 * both directions, across sizes. */
static void
test_frame_interop(void **state)
{
	const char *impl = *state, *peer = peer_of(impl);
	static uint8_t pt[BIG], rec[BIG + FRAME_OVERHEAD], out[BIG];
	const struct aead_ops *ops;
	struct frame_state c2a_tx, c2a_rx, a2c_tx, a2c_rx;
	size_t sizes[] = { 0, 1, 100, AEAD_CHUNK + 3, BIG }, i;
	ssize_t r;

	need(impl);
	if (aead_find(peer, &ops))
		peer = impl;	/* one library only: a round trip at least */
	frame_new(&c2a_tx, impl, g_psk, FRAME_DIR_C2A, 5);
	frame_new(&c2a_rx, peer, g_psk, FRAME_DIR_C2A, 5);
	frame_new(&a2c_tx, peer, g_psk, FRAME_DIR_A2C, 5);
	frame_new(&a2c_rx, impl, g_psk, FRAME_DIR_A2C, 5);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill(pt, sizes[i], 40 + i);
		r = frame_seal(&c2a_tx, pt, sizes[i], rec, BIG + FRAME_OVERHEAD);
		assert_int_equal(r, (ssize_t)frame_record_size(sizes[i]));
		assert_int_equal(frame_open(&c2a_rx, rec, (size_t)r, out, BIG),
				 (ssize_t)sizes[i]);
		assert_bytes(out, pt, sizes[i]);
		r = frame_seal(&a2c_tx, pt, sizes[i], rec, BIG + FRAME_OVERHEAD);
		assert_int_equal(frame_open(&a2c_rx, rec, (size_t)r, out, BIG),
				 (ssize_t)sizes[i]);
		assert_bytes(out, pt, sizes[i]);
	}
	assert_int_equal(c2a_tx.seq, 5);
	assert_int_equal(c2a_rx.seq, 5);
	frame_fini(&c2a_tx), frame_fini(&c2a_rx);
	frame_fini(&a2c_tx), frame_fini(&a2c_rx);
}

/*
 * Every single-bit change anywhere in a record (header: sequence, length,
 * channel id; ciphertext; tag) fails with -EBADMSG, leaves no plaintext
 * (the output is all zero or untouched) and does not advance the receiver.
 */
static void
test_frame_tamper_every_bit(void **state)
{
	const char *impl = *state;
	uint8_t pt[37], rec[37 + FRAME_OVERHEAD], bad[sizeof(rec)], out[64];
	struct frame_state tx, rx;
	size_t bit;
	ssize_t r;

	memset(pt, 'P', sizeof(pt));
	frame_new(&tx, impl, g_psk, FRAME_DIR_C2A, 7);
	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, 7);
	r = frame_seal(&tx, pt, sizeof(pt), rec, sizeof(rec));
	assert_int_equal(r, (ssize_t)sizeof(rec));
	for (bit = 0; bit < 8 * sizeof(rec); bit++) {
		memcpy(bad, rec, sizeof(rec));
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(frame_open(&rx, bad, sizeof(bad), out, sizeof(out)),
				 -EBADMSG);
		assert_true(all_bytes(out, sizeof(pt), 0) ||
			    all_bytes(out, sizeof(pt), 0xaa));
		assert_true(all_bytes(out + sizeof(pt), sizeof(out) - sizeof(pt), 0xaa));
		assert_int_equal(rx.seq, 0);
	}
	/* A header change is caught by the header checks, the rest by the tag. */
	memcpy(bad, rec, sizeof(rec));
	bad[0] ^= 1;
	assert_int_equal(frame_open(&rx, bad, sizeof(bad), out, sizeof(out)), -EBADMSG);
	assert_non_null(strstr(caec_error_detail(), "sequence"));
	memcpy(bad, rec, sizeof(rec));
	bad[FRAME_HDR_SIZE] ^= 1;
	assert_int_equal(frame_open(&rx, bad, sizeof(bad), out, sizeof(out)), -EBADMSG);
	assert_non_null(strstr(caec_error_detail(), "tag mismatch"));
	/* The genuine record still opens. */
	assert_int_equal(frame_open(&rx, rec, sizeof(rec), out, sizeof(out)),
			 (ssize_t)sizeof(pt));
	assert_memory_equal(out, pt, sizeof(pt));
	frame_fini(&tx), frame_fini(&rx);
}

/* A forged header that is consistent with its (forged) length still fails:
 * the tag covers the header. */
static void
test_frame_forged_header(void **state)
{
	const char *impl = *state;
	uint8_t pt[40], rec[40 + FRAME_OVERHEAD], out[64];
	struct frame_state tx, rx;
	struct frame_hdr h;

	fill(pt, sizeof(pt), 11);
	frame_new(&tx, impl, g_psk, FRAME_DIR_C2A, 7);
	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, 7);
	assert_int_equal(frame_seal(&tx, pt, sizeof(pt), rec, sizeof(rec)),
			 (ssize_t)sizeof(rec));
	/* Shorten by 8: drop 8 ciphertext bytes, fix the header length. */
	memcpy(&h, rec, sizeof(h));
	h.len = htole32(32);
	memcpy(rec, &h, sizeof(h));
	memmove(rec + FRAME_HDR_SIZE + 32, rec + FRAME_HDR_SIZE + 40, 16);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(frame_open(&rx, rec, 32 + FRAME_OVERHEAD, out, sizeof(out)),
			 -EBADMSG);
	assert_true(all_bytes(out, 32, 0));
	frame_fini(&tx), frame_fini(&rx);
}

static void
test_frame_truncated(void **state)
{
	const char *impl = *state;
	uint8_t pt[20], rec[20 + FRAME_OVERHEAD + 1], out[64];
	struct frame_state tx, rx;
	size_t n;

	memset(pt, 'x', sizeof(pt));
	frame_new(&tx, impl, g_psk, FRAME_DIR_A2C, 1);
	frame_new(&rx, impl, g_psk, FRAME_DIR_A2C, 1);
	assert_int_equal(frame_seal(&tx, pt, sizeof(pt), rec, sizeof(rec)),
			 (ssize_t)(20 + FRAME_OVERHEAD));
	for (n = 0; n < 20 + FRAME_OVERHEAD; n++)
		assert_int_equal(frame_open(&rx, rec, n, out, sizeof(out)), -EBADMSG);
	assert_int_equal(frame_open(&rx, rec, 20 + FRAME_OVERHEAD + 1, out,
				    sizeof(out)), -EBADMSG);
	assert_int_equal(frame_open(&rx, rec, 20 + FRAME_OVERHEAD, out,
				    sizeof(out)), 20);
	frame_fini(&tx), frame_fini(&rx);
}

static void
test_frame_replay_reorder_drop(void **state)
{
	const char *impl = *state;
	uint8_t rec[4][10 + FRAME_OVERHEAD], out[16];
	struct frame_state tx, rx;
	size_t len = sizeof(rec[0]);
	int i;

	frame_new(&tx, impl, g_psk, FRAME_DIR_C2A, 3);
	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, 3);
	for (i = 0; i < 4; i++)
		assert_int_equal(frame_seal(&tx, "0123456789", 10, rec[i], len),
				 (ssize_t)len);
	/* reorder: 1 before 0 */
	assert_int_equal(frame_open(&rx, rec[1], len, out, sizeof(out)), -EBADMSG);
	assert_non_null(strstr(caec_error_detail(), "expected 0"));
	assert_int_equal(frame_open(&rx, rec[0], len, out, sizeof(out)), 10);
	/* replay of 0 */
	assert_int_equal(frame_open(&rx, rec[0], len, out, sizeof(out)), -EBADMSG);
	assert_int_equal(frame_open(&rx, rec[1], len, out, sizeof(out)), 10);
	/* drop of 2 */
	assert_int_equal(frame_open(&rx, rec[3], len, out, sizeof(out)), -EBADMSG);
	/* A replayed record whose header claims the expected sequence: the
	 * header passes, the tag (nonce and AAD) does not. */
	{
		uint8_t forged[sizeof(rec[0])];
		struct frame_hdr h;

		memcpy(forged, rec[1], len);
		memcpy(&h, forged, sizeof(h));
		h.seq = htole64(2);
		memcpy(forged, &h, sizeof(h));
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(frame_open(&rx, forged, len, out, sizeof(out)),
				 -EBADMSG);
		assert_true(all_bytes(out, 10, 0));
	}
	assert_int_equal(frame_open(&rx, rec[2], len, out, sizeof(out)), 10);
	assert_int_equal(frame_open(&rx, rec[3], len, out, sizeof(out)), 10);
	assert_int_equal(rx.seq, 4);
	frame_fini(&tx), frame_fini(&rx);
}

/* Wrong PSK, salt, direction (a record reflected back to its sender's own
 * receive side), channel id or cipher: rejected. */
static void
test_frame_wrong_key(void **state)
{
	const char *impl = *state;
	uint8_t rec[12 + FRAME_OVERHEAD], out[16], psk2[32], salt[64];
	struct frame_state tx, rx;
	size_t len = sizeof(rec);

	frame_new(&tx, impl, g_psk, FRAME_DIR_C2A, 9);
	assert_int_equal(frame_seal(&tx, "attack at 9!", 12, rec, len), (ssize_t)len);

	memcpy(psk2, g_psk, 32);
	psk2[31] ^= 1;
	frame_new(&rx, impl, psk2, FRAME_DIR_C2A, 9);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(frame_open(&rx, rec, len, out, sizeof(out)), -EBADMSG);
	assert_true(all_bytes(out, 12, 0));
	frame_fini(&rx);

	g_salt(salt);
	salt[63] ^= 1;		/* the attacher's half */
	assert_int_equal(frame_init(&rx, need(impl), g_psk, salt, 64,
				    FRAME_DIR_C2A, 9), 0);
	assert_int_equal(frame_open(&rx, rec, len, out, sizeof(out)), -EBADMSG);
	frame_fini(&rx);

	frame_new(&rx, impl, g_psk, FRAME_DIR_A2C, 9);
	assert_int_equal(frame_open(&rx, rec, len, out, sizeof(out)), -EBADMSG);
	frame_fini(&rx);

	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, 10);
	assert_int_equal(frame_open(&rx, rec, len, out, sizeof(out)), -EBADMSG);
	assert_non_null(strstr(caec_error_detail(), "channel id"));
	frame_fini(&rx);

	{
		const char *other = is_chacha(impl) ?
			(strstr(impl, "openssl") ? "openssl" : "mbedtls") :
			(strstr(impl, "openssl") ? "openssl-chacha20" : "mbedtls-chacha20");

		frame_new(&rx, other, g_psk, FRAME_DIR_C2A, 9);
		assert_int_equal(frame_open(&rx, rec, len, out, sizeof(out)), -EBADMSG);
		frame_fini(&rx);
	}

	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, 9);
	assert_int_equal(frame_open(&rx, rec, len, out, sizeof(out)), 12);
	frame_fini(&rx);
	frame_fini(&tx);
}

static void
test_frame_directions_differ(void **state)
{
	uint8_t salt[64], k1[32], k2[32];

	(void)state;
	g_salt(salt);
	assert_int_equal(frame_derive_key(g_psk, salt, 64, FRAME_DIR_C2A, k1), 0);
	assert_int_equal(frame_derive_key(g_psk, salt, 64, FRAME_DIR_A2C, k2), 0);
	assert_memory_not_equal(k1, k2, 32);
	salt[0] ^= 1;
	assert_int_equal(frame_derive_key(g_psk, salt, 64, FRAME_DIR_C2A, k2), 0);
	assert_memory_not_equal(k1, k2, 32);
}

/* The sequence never wraps: the last one seals, then the direction is
 * exhausted; the receiver accepts that last one. */
static void
test_frame_seq_exhaustion(void **state)
{
	const char *impl = *state;
	uint8_t rec[3 + FRAME_OVERHEAD], out[8];
	struct frame_state tx, rx;

	frame_new(&tx, impl, g_psk, FRAME_DIR_C2A, 1);
	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, 1);
	tx.seq = rx.seq = UINT64_MAX - 1;
	assert_int_equal(frame_seal(&tx, "end", 3, rec, sizeof(rec)),
			 (ssize_t)sizeof(rec));
	assert_int_equal(frame_open(&rx, rec, sizeof(rec), out, sizeof(out)), 3);
	memset(rec, 0x5a, sizeof(rec));
	assert_int_equal(frame_seal(&tx, "end", 3, rec, sizeof(rec)), -EOVERFLOW);
	assert_true(all_bytes(rec, sizeof(rec), 0x5a));
	assert_int_equal(tx.seq, UINT64_MAX);
	frame_fini(&tx), frame_fini(&rx);
}

/*
 * The end-of-stream frame: header and tag only, under the next sequence
 * number; it opens as -EPIPE at exactly that position and in no other
 * direction, size or form; the direction then seals nothing more, and even
 * the last sequence number frame_seal() leaves unused can end a direction.
 */
static void
test_frame_end_of_stream(void **state)
{
	const char *impl = *state;
	uint8_t rec[3 + FRAME_OVERHEAD], eos[FRAME_EOS_SIZE + 8], bad[64];
	uint8_t out[8];
	struct frame_state tx, rx, other;
	struct frame_hdr h;
	size_t i;

	frame_new(&tx, impl, g_psk, FRAME_DIR_C2A, 7);
	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, 7);
	frame_new(&other, impl, g_psk, FRAME_DIR_A2C, 7);
	assert_int_equal(frame_seal(&tx, "one", 3, rec, sizeof(rec)),
			 (ssize_t)sizeof(rec));
	assert_int_equal(frame_seal_end(&tx, eos, FRAME_EOS_SIZE - 1), -EMSGSIZE);
	assert_int_equal(frame_seal_end(&tx, eos, sizeof(eos)), FRAME_EOS_SIZE);
	memcpy(&h, eos, sizeof(h));
	assert_int_equal(le64toh(h.seq), 1);
	assert_int_equal(le32toh(h.len), FRAME_LEN_EOS);
	/* Ended: nothing more is sealed under this key. */
	assert_int_equal(frame_seal(&tx, "two", 3, rec, sizeof(rec)), -EPIPE);
	assert_int_equal(frame_seal_end(&tx, eos + 8, FRAME_EOS_SIZE), -EPIPE);

	/* Before the last message it is out of place, then it is the end. */
	assert_int_equal(frame_open(&rx, eos, FRAME_EOS_SIZE, out, 0), -EBADMSG);
	assert_int_equal(frame_open(&rx, rec, sizeof(rec), out, sizeof(out)), 3);
	assert_int_equal(frame_open(&rx, eos, FRAME_EOS_SIZE + 1, out, 0),
			 -EBADMSG);
	for (i = 0; i < FRAME_EOS_SIZE; i++) {
		memcpy(bad, eos, FRAME_EOS_SIZE);
		bad[i] ^= 0x04;
		assert_int_equal(frame_open(&rx, bad, FRAME_EOS_SIZE, out, 0),
				 -EBADMSG);
	}
	other.seq = 1;
	assert_int_equal(frame_open(&other, eos, FRAME_EOS_SIZE, out, 0),
			 -EBADMSG);
	assert_int_equal(frame_open(&rx, eos, FRAME_EOS_SIZE, out, 0), -EPIPE);
	assert_int_equal(rx.seq, 1);
	frame_fini(&tx), frame_fini(&rx), frame_fini(&other);

	/* An exhausted direction still ends, once. */
	frame_new(&tx, impl, g_psk, FRAME_DIR_C2A, 7);
	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, 7);
	tx.seq = rx.seq = UINT64_MAX;
	assert_int_equal(frame_seal(&tx, "end", 3, rec, sizeof(rec)), -EOVERFLOW);
	assert_int_equal(frame_seal_end(&tx, eos, sizeof(eos)), FRAME_EOS_SIZE);
	assert_int_equal(frame_seal_end(&tx, eos, sizeof(eos)), -EPIPE);
	assert_int_equal(frame_open(&rx, eos, FRAME_EOS_SIZE, out, 0), -EPIPE);
	frame_fini(&tx), frame_fini(&rx);
}

static void
test_frame_bounds(void **state)
{
	const char *impl = *state;
	uint8_t rec[64], out[64];
	struct frame_state tx, rx;

	frame_new(&tx, impl, g_psk, FRAME_DIR_C2A, 1);
	frame_new(&rx, impl, g_psk, FRAME_DIR_C2A, 1);
	memset(rec, 0x5a, sizeof(rec));
	assert_int_equal(frame_seal(&tx, out, 20, rec, 20 + FRAME_OVERHEAD - 1),
			 -EMSGSIZE);
	assert_true(all_bytes(rec, sizeof(rec), 0x5a));
	assert_int_equal(tx.seq, 0);
	assert_int_equal(frame_seal(&tx, "twenty bytes of text", 20, rec,
				    20 + FRAME_OVERHEAD), 20 + FRAME_OVERHEAD);
	/* too small a receive buffer: nothing consumed, a retry works */
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(frame_open(&rx, rec, 20 + FRAME_OVERHEAD, out, 19),
			 -EMSGSIZE);
	assert_true(all_bytes(out, sizeof(out), 0xaa));
	assert_int_equal(rx.seq, 0);
	assert_int_equal(frame_open(&rx, rec, 20 + FRAME_OVERHEAD, out, 20), 20);
	assert_memory_equal(out, "twenty bytes of text", 20);
	frame_fini(&tx), frame_fini(&rx);
}

/* Hostile shared memory: a second thread (lib/scribbler.h) writes the
 * "shared" buffer while seal or open runs on it. */

#define MARK "PLAINTEXT-MARKER"	/* 16 bytes, repeated as the plaintext */

/* A scribbler on @len bytes at @buf, parked until scribbler_go(). */
static void
racer_init(struct scribbler *r, uint8_t *buf, size_t len,
	   enum scribble_mode mode)
{
	assert_int_equal(scribbler_start(r, &(struct scribbler_cfg){
		.buf = buf, .len = len, .mode = mode,
		.needle = "PLAINTEXT-" }), 0);
}

#define RACE_LEN (4 * AEAD_CHUNK)
#define RACE_ITERS 400

/*
 * A writer zeroes part of the destination while seal runs. Whatever the
 * destination ends up holding, opening it gives the original plaintext or
 * -EBADMSG: the tag is never computed over bytes the writer chose (libraries
 * that MAC their output read it back; sealing straight into shared memory
 * fails this test).
 */
static void
test_race_seal_dst(void **state)
{
	uint8_t key[32], nonce[12] = { 0 }, tag[16];
	static uint8_t pt[RACE_LEN], dst[RACE_LEN], out[RACE_LEN];
	struct aead_ctx *ctx;
	struct scribbler r;
	int i, forged = 0, ok = 0;

	fill(key, sizeof(key), 5);
	fill(pt, RACE_LEN, 6);
	ctx = ctx_new(*state, key);
	racer_init(&r, dst + AEAD_CHUNK + 100, 256, SCRIBBLE_ZERO);
	for (i = 0; i < RACE_ITERS; i++) {
		nonce[0] = (uint8_t)i, nonce[1] = (uint8_t)(i >> 8);
		scribbler_go(&r);
		assert_int_equal(aead_seal(ctx, nonce, NULL, 0, pt, RACE_LEN, dst,
					   tag), 0);
		scribbler_pause(&r);
		if (aead_open(ctx, nonce, NULL, 0, dst, RACE_LEN, tag, out) == 0) {
			if (memcmp(out, pt, RACE_LEN))
				forged++;
			else
				ok++;
		} else {
			assert_true(all_bytes(out, RACE_LEN, 0));
		}
	}
	assert_int_equal(scribbler_stop(&r), 0);
	print_message("  %s: %d intact, %d overwritten, %d forged\n",
		      (const char *)*state, ok, RACE_ITERS - ok - forged, forged);
	assert_int_equal(forged, 0);
	aead_destroy(ctx);
}

/*
 * A writer flips ciphertext bits back and forth while open runs on the
 * shared record: open returns the original plaintext or -EBADMSG with a
 * zeroed output, never a mix (MAC over one version, decryption of another).
 */
static void
test_race_open_src(void **state)
{
	uint8_t key[32], nonce[12] = { 1 }, tag[16];
	static uint8_t pt[RACE_LEN], ct[RACE_LEN], shared[RACE_LEN];
	static uint8_t out[RACE_LEN];
	struct aead_ctx *ctx;
	struct scribbler r;
	int i, rc, ok = 0, bad = 0;

	fill(key, sizeof(key), 7);
	fill(pt, RACE_LEN, 8);
	ctx = ctx_new(*state, key);
	assert_int_equal(aead_seal(ctx, nonce, NULL, 0, pt, RACE_LEN, ct, tag), 0);
	racer_init(&r, shared + 2 * AEAD_CHUNK + 40, 64, SCRIBBLE_FLIP);
	for (i = 0; i < RACE_ITERS; i++) {
		memcpy(shared, ct, RACE_LEN);
		scribbler_go(&r);
		rc = aead_open(ctx, nonce, NULL, 0, shared, RACE_LEN, tag, out);
		scribbler_pause(&r);
		if (rc == 0) {
			assert_memory_equal(out, pt, RACE_LEN);
			ok++;
		} else {
			assert_int_equal(rc, -EBADMSG);
			assert_true(all_bytes(out, RACE_LEN, 0));
			bad++;
		}
	}
	assert_int_equal(scribbler_stop(&r), 0);
	print_message("  %s: %d authentic, %d rejected\n", (const char *)*state,
		      ok, bad);
	aead_destroy(ctx);
}

/* A watcher scanning the destination during seal never sees plaintext. */
static void
test_race_dst_never_plaintext(void **state)
{
	uint8_t key[32], nonce[12] = { 2 }, tag[16];
	static uint8_t pt[RACE_LEN], dst[RACE_LEN];
	struct aead_ctx *ctx;
	struct scribbler r;
	size_t i;

	for (i = 0; i < RACE_LEN; i += 16)
		memcpy(pt + i, MARK, 16);
	fill(key, sizeof(key), 9);
	ctx = ctx_new(*state, key);
	racer_init(&r, dst + AEAD_CHUNK, AEAD_CHUNK, SCRIBBLE_WATCH);
	for (i = 0; i < RACE_ITERS; i++) {
		nonce[4] = (uint8_t)i, nonce[5] = (uint8_t)(i >> 8);
		memset(dst, 0, RACE_LEN);
		scribbler_go(&r);
		assert_int_equal(aead_seal(ctx, nonce, NULL, 0, pt, RACE_LEN, dst,
					   tag), 0);
		scribbler_pause(&r);
	}
	assert_int_equal(scribbler_stop(&r), 0);
	assert_int_equal(r.hits, 0);
	assert_null(memmem(dst, RACE_LEN, "PLAINTEXT-", 10));
	aead_destroy(ctx);
}

/* Key files */

static char keydir[64];

static int
key_setup(void **state)
{
	(void)state;
	strcpy(keydir, "/tmp/caec-keyXXXXXX");
	if (!mkdtemp(keydir))
		return -1;
	return chmod(keydir, 0711);
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb, (void)type, (void)ftw;
	return remove(path);
}

static int
key_teardown(void **state)
{
	(void)state;
	return nftw(keydir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *
key_write(const char *name, const void *data, size_t len)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", keydir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char key_hex[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";

static void
test_key_formats(void **state)
{
	uint8_t key[32];

	(void)state;
	memset(key, 0, sizeof(key));
	assert_int_equal(aead_key_load_file(key_write("raw", g_psk, 32), key), 0);
	assert_memory_equal(key, g_psk, 32);

	memset(key, 0, sizeof(key));
	assert_int_equal(aead_key_load_file(key_write("hex", key_hex, 64), key), 0);
	assert_memory_equal(key, g_psk, 32);

	memset(key, 0, sizeof(key));
	{
		char nl[65];

		memcpy(nl, key_hex, 64);
		nl[64] = '\n';
		assert_int_equal(aead_key_load_file(key_write("hexnl", nl, 65), key), 0);
		assert_memory_equal(key, g_psk, 32);
	}
}

static void
expect_key_error(const char *path, int err, const char *detail)
{
	uint8_t key[32];

	memset(key, 0x5a, sizeof(key));
	assert_int_equal(aead_key_load_file(path, key), err);
	assert_true(all_bytes(key, sizeof(key), 0x5a));	/* untouched */
	if (!strstr(caec_error_detail(), detail))
		fail_msg("detail \"%s\" lacks \"%s\"", caec_error_detail(), detail);
	if (path && *path && !strstr(caec_error_detail(), path))
		fail_msg("detail \"%s\" does not name %s", caec_error_detail(), path);
}

static void
test_key_errors(void **state)
{
	char path[160], buf[80];
	uint8_t zero[32] = { 0 };

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", keydir);
	expect_key_error(path, -ENOENT, "does not exist");
	expect_key_error("", -EINVAL, "empty path");

	expect_key_error(key_write("short", g_psk, 31), -EINVAL,
			 "has 31 bytes, need 32");
	expect_key_error(key_write("empty", g_psk, 0), -EINVAL,
			 "has 0 bytes, need 32");
	expect_key_error(key_write("raw+nl", "0123456789abcdef0123456789abcdef\n",
				   33), -EINVAL, "has 33 bytes, need 32");
	memset(buf, 'a', sizeof(buf));
	expect_key_error(key_write("hex65", buf, 65), -EINVAL, "has 65 bytes");
	expect_key_error(key_write("long", buf, 80), -EINVAL, "has 80 bytes");
	memcpy(buf, key_hex, 64);
	buf[5] = 'g';
	expect_key_error(key_write("badhex", buf, 64), -EINVAL,
			 "byte 5 is not a hex digit");
	memcpy(buf, key_hex, 64);
	buf[64] = '\r', buf[65] = '\n';
	expect_key_error(key_write("crlf", buf, 66), -EINVAL, "has 66 bytes");
	expect_key_error(key_write("zero", zero, 32), -EINVAL, "all-zero");
	expect_key_error(keydir, -EINVAL, "is a directory");
}

/* Unreadable: as root, DAC does not apply, so try as nobody in a child. */
static void
test_key_unreadable(void **state)
{
	const char *path = key_write("unreadable", g_psk, 32);
	int status;
	pid_t pid;

	(void)state;
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() != 0) {
		expect_key_error(path, -EACCES, "not readable: permission denied");
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t key[32];
		int rc;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(77);
		rc = aead_key_load_file(path, key);
		_exit(rc == -EACCES &&
		      strstr(caec_error_detail(), "not readable: permission denied") &&
		      strstr(caec_error_detail(), path) ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

#define PER_IMPL(fn, impl) cmocka_unit_test_prestate(fn, (void *)(impl))

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		PER_IMPL(test_gcm_kat, "openssl"),
		PER_IMPL(test_gcm_kat, "mbedtls"),
		PER_IMPL(test_chacha_kat, "openssl-chacha20"),
		PER_IMPL(test_chacha_kat, "mbedtls-chacha20"),
		PER_IMPL(test_size_limits, "openssl"),
		PER_IMPL(test_size_limits, "mbedtls"),
		cmocka_unit_test(test_hkdf_rfc5869),
		cmocka_unit_test(test_hkdf_limits),
		PER_IMPL(test_interop_sizes, "openssl"),
		PER_IMPL(test_interop_sizes, "mbedtls"),
		PER_IMPL(test_interop_sizes, "openssl-chacha20"),
		PER_IMPL(test_interop_sizes, "mbedtls-chacha20"),
		PER_IMPL(test_open_failure_wipes_all, "openssl"),
		PER_IMPL(test_open_failure_wipes_all, "mbedtls"),
		PER_IMPL(test_open_failure_wipes_all, "openssl-chacha20"),
		PER_IMPL(test_open_failure_wipes_all, "mbedtls-chacha20"),
		cmocka_unit_test(test_nonce_layout),
		PER_IMPL(test_frame_golden, "openssl"),
		PER_IMPL(test_frame_golden, "mbedtls"),
		PER_IMPL(test_frame_golden, "openssl-chacha20"),
		PER_IMPL(test_frame_golden, "mbedtls-chacha20"),
		cmocka_unit_test(test_frame_params),
		PER_IMPL(test_frame_interop, "openssl"),
		PER_IMPL(test_frame_interop, "mbedtls"),
		PER_IMPL(test_frame_interop, "openssl-chacha20"),
		PER_IMPL(test_frame_interop, "mbedtls-chacha20"),
		PER_IMPL(test_frame_tamper_every_bit, "openssl"),
		PER_IMPL(test_frame_tamper_every_bit, "mbedtls"),
		PER_IMPL(test_frame_tamper_every_bit, "openssl-chacha20"),
		PER_IMPL(test_frame_tamper_every_bit, "mbedtls-chacha20"),
		PER_IMPL(test_frame_forged_header, "openssl"),
		PER_IMPL(test_frame_forged_header, "mbedtls"),
		PER_IMPL(test_frame_truncated, "openssl"),
		PER_IMPL(test_frame_truncated, "mbedtls"),
		PER_IMPL(test_frame_replay_reorder_drop, "openssl"),
		PER_IMPL(test_frame_replay_reorder_drop, "mbedtls"),
		PER_IMPL(test_frame_wrong_key, "openssl"),
		PER_IMPL(test_frame_wrong_key, "mbedtls"),
		PER_IMPL(test_frame_wrong_key, "openssl-chacha20"),
		PER_IMPL(test_frame_wrong_key, "mbedtls-chacha20"),
		cmocka_unit_test(test_frame_directions_differ),
		PER_IMPL(test_frame_seq_exhaustion, "openssl"),
		PER_IMPL(test_frame_seq_exhaustion, "mbedtls"),
		PER_IMPL(test_frame_end_of_stream, "openssl"),
		PER_IMPL(test_frame_end_of_stream, "mbedtls"),
		PER_IMPL(test_frame_end_of_stream, "openssl-chacha20"),
		PER_IMPL(test_frame_bounds, "openssl"),
		PER_IMPL(test_frame_bounds, "mbedtls"),
		PER_IMPL(test_race_seal_dst, "openssl"),
		PER_IMPL(test_race_seal_dst, "mbedtls"),
		PER_IMPL(test_race_seal_dst, "openssl-chacha20"),
		PER_IMPL(test_race_seal_dst, "mbedtls-chacha20"),
		PER_IMPL(test_race_open_src, "openssl"),
		PER_IMPL(test_race_open_src, "mbedtls"),
		PER_IMPL(test_race_open_src, "openssl-chacha20"),
		PER_IMPL(test_race_open_src, "mbedtls-chacha20"),
		PER_IMPL(test_race_dst_never_plaintext, "openssl"),
		PER_IMPL(test_race_dst_never_plaintext, "mbedtls"),
		cmocka_unit_test_setup_teardown(test_key_formats, key_setup,
						key_teardown),
		cmocka_unit_test_setup_teardown(test_key_errors, key_setup,
						key_teardown),
		cmocka_unit_test_setup_teardown(test_key_unreadable, key_setup,
						key_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
