/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The crypto-only reference of the encrypted modes: single-core seal-only
 * and open-only throughput of the same crypto library (OpenSSL EVP for
 * nw-openssl, MbedTLS 2.28 for nw-mbedtls), called here directly, with no
 * ring and no second core. The slower of the two bounds an encrypted stream,
 * whose sender seals while its receiver opens in parallel.
 *
 * Per message it does the cryptographic work of one record of the encrypted
 * channels, in their wire format:
 *
 *   record = header (16 bytes: u64 seq, u32 len, u32 session id, all
 *            little-endian; sent in clear, authenticated as the AAD)
 *          | ciphertext (len bytes) | tag (16 bytes)
 *   nonce  = direction (u32 LE) | seq (u64 LE), 12 bytes, never sent
 *   cipher = AES-256-GCM, keyed once per direction
 *
 * as the channel does it: seal encrypts through a private bounce buffer of
 * at most CREF_CHUNK bytes and then copies that ciphertext into the record;
 * open copies the record's tag and each ciphertext chunk into private
 * memory once, checks the header (length, session id, the expected
 * sequence), decrypts into a private buffer and fails on a tag mismatch.
 * The key is drawn at random and set once per measurement (the channel
 * derives its direction keys once, when it is created), so the timed loops
 * hold the per-message work only.
 */
#include <endian.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#ifdef CAEC_HAVE_OPENSSL
#include <openssl/err.h>
#include <openssl/evp.h>
#endif
#ifdef CAEC_HAVE_MBEDTLS
#include <mbedtls/gcm.h>
#endif

#include "bench.h"

#define CRYPTO_REF_BYTES (16u << 20)	/* records per measurement */
#define CRYPTO_REF_MIN 256u

#define CREF_KEY_LEN 32u
#define CREF_NONCE_LEN 12u
#define CREF_HDR_LEN 16u
#define CREF_TAG_LEN 16u
#define CREF_OVERHEAD (CREF_HDR_LEN + CREF_TAG_LEN)
/* The bounce buffer: a multiple of 16 (MbedTLS GCM takes whole blocks on
 * every update but the last), the library's chunk size. */
#define CREF_CHUNK 4096u
#define CREF_DIR 1u		/* creator -> attacher */
#define CREF_SESSION 1u

/* The record header as it is on the wire. */
struct cref_hdr {
	uint64_t seq;
	uint32_t len;
	uint32_t session;
};

_Static_assert(sizeof(struct cref_hdr) == CREF_HDR_LEN, "record header size");

/* One direction's keyed cipher, as one side uses it (seals or opens). */
struct cref_side {
	const struct cref_lib *lib;
	bool seal;		/* the sealer, or the opener */
	uint64_t seq;		/* sealer: the next record; opener: expected */
#ifdef CAEC_HAVE_OPENSSL
	EVP_CIPHER_CTX *evp;
#endif
#ifdef CAEC_HAVE_MBEDTLS
	mbedtls_gcm_context gcm;
#endif
	uint8_t bounce[CREF_CHUNK] __attribute__((aligned(64)));
};

/*
 * One crypto library. Every call returns 0 or a negative errno; open_final
 * returns -EBADMSG when the tag does not match.
 */
struct cref_lib {
	const char *name;	/* the mode's scheme without "nw-" */
	int (*init)(struct cref_side *s, const uint8_t *key);
	void (*fini)(struct cref_side *s);
	int (*begin)(struct cref_side *s, const uint8_t *nonce,
		     const uint8_t *aad, size_t aad_len);
	int (*update)(struct cref_side *s, const uint8_t *in, size_t len,
		      uint8_t *out);
	int (*seal_final)(struct cref_side *s, uint8_t *tag);
	int (*open_final)(struct cref_side *s, const uint8_t *tag);
};

#ifdef CAEC_HAVE_OPENSSL
/* OpenSSL EVP: the context is keyed once; a message only sets the nonce. */

static int
ossl_fail(void)
{
	ERR_clear_error();
	return -EIO;
}

static int
ossl_init(struct cref_side *s, const uint8_t *key)
{
	EVP_CIPHER *cipher;
	int rc = 0;

	cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	if (!cipher)
		return ossl_fail();
	s->evp = EVP_CIPHER_CTX_new();
	if (!s->evp)
		rc = -ENOMEM;
	else if (EVP_CipherInit_ex2(s->evp, cipher, key, NULL, s->seal,
				    NULL) != 1 ||
		 EVP_CIPHER_CTX_get_iv_length(s->evp) != (int)CREF_NONCE_LEN)
		rc = ossl_fail();
	EVP_CIPHER_free(cipher);
	return rc;
}

static void
ossl_fini(struct cref_side *s)
{
	EVP_CIPHER_CTX_free(s->evp);
	s->evp = NULL;
}

static int
ossl_begin(struct cref_side *s, const uint8_t *nonce, const uint8_t *aad,
	   size_t aad_len)
{
	int outl;

	if (EVP_CipherInit_ex2(s->evp, NULL, NULL, nonce, s->seal,
			       NULL) != 1 ||
	    EVP_CipherUpdate(s->evp, NULL, &outl, aad, (int)aad_len) != 1)
		return ossl_fail();
	return 0;
}

static int
ossl_update(struct cref_side *s, const uint8_t *in, size_t len, uint8_t *out)
{
	int outl;

	if (EVP_CipherUpdate(s->evp, out, &outl, in, (int)len) != 1 ||
	    (size_t)outl != len)
		return ossl_fail();
	return 0;
}

static int
ossl_seal_final(struct cref_side *s, uint8_t *tag)
{
	uint8_t none[16];
	int outl;

	if (EVP_CipherFinal_ex(s->evp, none, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(s->evp, EVP_CTRL_AEAD_GET_TAG,
				(int)CREF_TAG_LEN, tag) != 1)
		return ossl_fail();
	return 0;
}

static int
ossl_open_final(struct cref_side *s, const uint8_t *tag)
{
	uint8_t want[CREF_TAG_LEN], none[16];
	int outl;

	memcpy(want, tag, sizeof(want));	/* the ctrl is not const */
	if (EVP_CIPHER_CTX_ctrl(s->evp, EVP_CTRL_AEAD_SET_TAG,
				(int)CREF_TAG_LEN, want) != 1)
		return ossl_fail();
	/* The tag comparison (constant time) is part of the final call. */
	if (EVP_CipherFinal_ex(s->evp, none, &outl) != 1) {
		ERR_clear_error();
		return -EBADMSG;
	}
	return 0;
}
#endif /* CAEC_HAVE_OPENSSL */

#ifdef CAEC_HAVE_MBEDTLS
/* MbedTLS 2.28 GCM: the key is set once; a message runs starts/update/finish. */

static int
mbed_init(struct cref_side *s, const uint8_t *key)
{
	mbedtls_gcm_init(&s->gcm);
	return mbedtls_gcm_setkey(&s->gcm, MBEDTLS_CIPHER_ID_AES, key,
				  CREF_KEY_LEN * 8) ? -EIO : 0;
}

static void
mbed_fini(struct cref_side *s)
{
	mbedtls_gcm_free(&s->gcm);
}

static int
mbed_begin(struct cref_side *s, const uint8_t *nonce, const uint8_t *aad,
	   size_t aad_len)
{
	return mbedtls_gcm_starts(&s->gcm,
				  s->seal ? MBEDTLS_GCM_ENCRYPT : MBEDTLS_GCM_DECRYPT,
				  nonce, CREF_NONCE_LEN, aad, aad_len) ? -EIO : 0;
}

static int
mbed_update(struct cref_side *s, const uint8_t *in, size_t len, uint8_t *out)
{
	return mbedtls_gcm_update(&s->gcm, len, in, out) ? -EIO : 0;
}

static int
mbed_seal_final(struct cref_side *s, uint8_t *tag)
{
	return mbedtls_gcm_finish(&s->gcm, tag, CREF_TAG_LEN) ? -EIO : 0;
}

static int
mbed_open_final(struct cref_side *s, const uint8_t *tag)
{
	uint8_t got[CREF_TAG_LEN];
	volatile uint8_t diff = 0;
	unsigned int i;

	if (mbedtls_gcm_finish(&s->gcm, got, sizeof(got)))
		return -EIO;
	/* Constant time: the time does not tell where the tags differ. */
	for (i = 0; i < CREF_TAG_LEN; i++)
		diff |= got[i] ^ tag[i];
	return diff ? -EBADMSG : 0;
}
#endif /* CAEC_HAVE_MBEDTLS */

/*
 * The libraries by mode; a mode whose library this build lacks has no row
 * (its channels cannot be created either, so the sweep never asks).
 */
static const struct cref_lib cref_libs[] = {
#ifdef CAEC_HAVE_OPENSSL
	{ "openssl", ossl_init, ossl_fini, ossl_begin, ossl_update,
	  ossl_seal_final, ossl_open_final },
#endif
#ifdef CAEC_HAVE_MBEDTLS
	{ "mbedtls", mbed_init, mbed_fini, mbed_begin, mbed_update,
	  mbed_seal_final, mbed_open_final },
#endif
	{ NULL },
};

static const struct cref_lib *
cref_lib_find(const char *name)
{
	const struct cref_lib *lib;

	for (lib = cref_libs; lib->name; lib++)
		if (!strcmp(lib->name, name))
			return lib;
	return NULL;
}

static void
cref_nonce(uint64_t seq, uint8_t *nonce)
{
	uint32_t d = htole32(CREF_DIR);
	uint64_t s = htole64(seq);

	memcpy(nonce, &d, sizeof(d));
	memcpy(nonce + sizeof(d), &s, sizeof(s));
}

/* cref_seal - write the record of the next message at @rec; 0 or -errno. */
static int
cref_seal(struct cref_side *s, const uint8_t *pt, uint32_t len, uint8_t *rec)
{
	const struct cref_lib *lib = s->lib;
	uint8_t nonce[CREF_NONCE_LEN], tag[CREF_TAG_LEN];
	uint8_t *ct = rec + CREF_HDR_LEN;
	struct cref_hdr h;
	size_t off, n;
	int rc;

	h.seq = htole64(s->seq);
	h.len = htole32(len);
	h.session = htole32(CREF_SESSION);
	cref_nonce(s->seq, nonce);
	memcpy(rec, &h, sizeof(h));
	rc = lib->begin(s, nonce, (const uint8_t *)&h, sizeof(h));
	/* Encrypt privately, then copy the ciphertext out. */
	for (off = 0; !rc && off < len; off += n) {
		n = len - off < CREF_CHUNK ? len - off : CREF_CHUNK;
		rc = lib->update(s, pt + off, n, s->bounce);
		if (!rc)
			memcpy(ct + off, s->bounce, n);
	}
	if (!rc)
		rc = lib->seal_final(s, tag);
	if (rc)
		return rc;
	memcpy(ct + len, tag, sizeof(tag));
	s->seq++;
	return 0;
}

/*
 * cref_open - check and decrypt the record of the expected message into
 * @pt (@cap bytes). RETURN VALUE: the payload length; -EBADMSG for a bad
 * header or tag (@pt then holds no plaintext); -EMSGSIZE; -EIO.
 */
static long
cref_open(struct cref_side *s, const uint8_t *rec, size_t rec_len,
	  uint8_t *pt, size_t cap)
{
	const struct cref_lib *lib = s->lib;
	uint8_t nonce[CREF_NONCE_LEN], tag[CREF_TAG_LEN];
	const uint8_t *ct = rec + CREF_HDR_LEN;
	struct cref_hdr h;
	size_t off, n;
	uint32_t len;
	int rc;

	if (rec_len < CREF_OVERHEAD)
		return -EBADMSG;
	memcpy(&h, rec, sizeof(h));
	len = le32toh(h.len);
	if (len != rec_len - CREF_OVERHEAD ||
	    le32toh(h.session) != CREF_SESSION || le64toh(h.seq) != s->seq)
		return -EBADMSG;
	if (cap < len)
		return -EMSGSIZE;
	memcpy(tag, ct + len, sizeof(tag));
	cref_nonce(s->seq, nonce);
	rc = lib->begin(s, nonce, (const uint8_t *)&h, sizeof(h));
	/* Each ciphertext byte is read once, into the bounce buffer. */
	for (off = 0; !rc && off < len; off += n) {
		n = len - off < CREF_CHUNK ? len - off : CREF_CHUNK;
		memcpy(s->bounce, ct + off, n);
		rc = lib->update(s, s->bounce, n, pt + off);
	}
	if (!rc)
		rc = lib->open_final(s, tag);
	if (rc) {
		explicit_bzero(pt, len);	/* no unauthenticated output */
		return rc;
	}
	s->seq++;
	return len;
}

static const char *
cref_errstr(long rc)
{
	switch (rc) {
	case -EBADMSG:
		return "authentication failed";
	case -EMSGSIZE:
		return "buffer too small";
	case -ENOMEM:
		return "out of memory";
	default:
		return "crypto library failure";
	}
}

static void
cref_side_init(struct cref_side *s, const struct cref_lib *lib, bool seal,
	       const uint8_t *key)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->lib = lib;
	s->seal = seal;
	rc = lib->init(s, key);
	if (rc)
		bench_die("crypto reference: %s AES-256-GCM key setup: %s",
			  lib->name, cref_errstr(rc));
}

bool
bench_mode_encrypted(const struct bench_mode *m)
{
	return !strncmp(m->scheme, "nw-", 3);
}

/*
 * bench_crypto_ref - seal-only and open-only MB/s (10^6 payload bytes per
 * second) of @m's library for messages of @size bytes, on the calling core.
 */
void
bench_crypto_ref(const struct bench_mode *m, uint32_t size, double *seal_mbps,
		 double *open_mbps)
{
	const struct cref_lib *lib;
	struct cref_side *tx, *rx;
	uint8_t key[CREF_KEY_LEN], *buf, *pt, *out;
	size_t rec = (size_t)size + CREF_OVERHEAD, n, i;
	uint64_t t0, t1, t2;
	long r;

	*seal_mbps = *open_mbps = NAN;
	lib = cref_lib_find(m->scheme + 3);
	if (!lib)
		bench_die("crypto reference: mode %s: its crypto library is not in this build",
			  m->name);
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		bench_die("getrandom failed: %s", strerror(errno));
	/* One direction key on both sides: rx opens what tx sealed. */
	tx = bench_alloc(sizeof(*tx));
	rx = bench_alloc(sizeof(*rx));
	cref_side_init(tx, lib, true, key);
	cref_side_init(rx, lib, false, key);
	explicit_bzero(key, sizeof(key));
	n = CRYPTO_REF_BYTES / rec;
	if (n < CRYPTO_REF_MIN)
		n = CRYPTO_REF_MIN;
	buf = bench_alloc(n * rec);
	pt = bench_alloc(size);
	out = bench_alloc(size);
	memset(buf, 0, n * rec);	/* fault the pages in, untimed */
	for (i = 0; i < size; i++)
		pt[i] = (uint8_t)(i * 13);

	t0 = bench_now_ns();
	for (i = 0; i < n; i++) {
		r = cref_seal(tx, pt, size, buf + i * rec);
		if (r)
			bench_die("crypto reference: %s seal: %s",
				  lib->name, cref_errstr(r));
	}
	t1 = bench_now_ns();
	for (i = 0; i < n; i++) {
		r = cref_open(rx, buf + i * rec, rec, out, size);
		if (r != (long)size)
			bench_die("crypto reference: %s open of record %zu: %s",
				  lib->name, i,
				  r < 0 ? cref_errstr(r) : "wrong length");
	}
	t2 = bench_now_ns();
	if (memcmp(out, pt, size))
		bench_die("crypto reference: opened bytes differ from sealed");
	*seal_mbps = (double)n * size * 1e3 / (double)(t1 - t0);
	*open_mbps = (double)n * size * 1e3 / (double)(t2 - t1);
	lib->fini(tx);
	lib->fini(rx);
	explicit_bzero(tx, sizeof(*tx));
	explicit_bzero(rx, sizeof(*rx));
	free(tx);
	free(rx);
	free(buf);
	free(pt);
	free(out);
}
