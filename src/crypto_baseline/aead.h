/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AEAD interface of the encrypted NW baseline (nw-openssl, nw-mbedtls).
 *
 * One context per channel direction holds the expanded key: the key schedule
 * runs once in aead_create(); seal and open never allocate and never re-key.
 * Implementations, looked up by name with aead_find():
 *
 *   "openssl"           AES-256-GCM, OpenSSL EVP          (CAEC_HAVE_OPENSSL)
 *   "openssl-chacha20"  ChaCha20-Poly1305, OpenSSL EVP    (CAEC_HAVE_OPENSSL)
 *   "mbedtls"           AES-256-GCM, MbedTLS 2.28         (CAEC_HAVE_MBEDTLS)
 *   "mbedtls-chacha20"  ChaCha20-Poly1305, MbedTLS 2.28   (CAEC_HAVE_MBEDTLS)
 *
 * All use a 32-byte key, a 12-byte nonce and a 16-byte tag, and the two
 * libraries produce identical bytes for the same cipher (a message sealed by
 * one opens with the other).
 *
 * HOSTILE MEMORY. The ciphertext side of both calls may be hypervisor-visible
 * shared memory that is written concurrently:
 *  - aead_seal() encrypts each chunk of at most AEAD_CHUNK bytes into a
 *    private bounce buffer inside the context and only then copies that
 *    ciphertext to @ct. Plaintext is never written to @ct, and the tag is
 *    computed over the private ciphertext: the libraries read their output
 *    back to MAC it, so encrypting straight into shared memory would let a
 *    concurrent writer obtain a valid tag for ciphertext of its choosing.
 *  - aead_open() reads each byte of @ct and of @tag exactly once, into
 *    private memory, and authenticates and decrypts only that copy: a change
 *    between the MAC pass and the decryption pass is impossible.
 * The plaintext side (@pt), the AAD and the nonce must be private memory.
 *
 * A context is used by one thread at a time. It may seal and open.
 */
#ifndef CAEC_AEAD_H
#define CAEC_AEAD_H

#include <stddef.h>
#include <stdint.h>

#define AEAD_KEY_LEN 32u
#define AEAD_NONCE_LEN 12u
#define AEAD_TAG_LEN 16u

/* Bounce-buffer size: a multiple of 16 (MbedTLS GCM needs whole blocks on
 * every update but the last), small enough to stay in L1 with the source. */
#define AEAD_CHUNK 4096u

/* Longest message: GCM's limit (2^39 - 256 bits); ChaCha20-Poly1305's is
 * larger. Longest AAD: what one OpenSSL update takes. */
#define AEAD_MSG_MAX ((UINT64_C(1) << 36) - 32u)
#define AEAD_AAD_MAX (UINT32_C(1) << 30)

struct aead_ops;	/* one implementation (aead_impl.h) */
struct aead_ctx;	/* a keyed context */

/* The libraries an implementation binds. */
enum aead_lib {
	AEAD_LIB_NONE = 0,	/* no AEAD: a plaintext scheme */
	AEAD_LIB_OPENSSL,	/* OpenSSL EVP (CAEC_HAVE_OPENSSL) */
	AEAD_LIB_MBEDTLS,	/* MbedTLS 2.28 (CAEC_HAVE_MBEDTLS) */
	AEAD_LIB_COUNT
};

/* Ciphers, by id: the values an encrypted channel's header carries in its
 * transform field (channel_layout.h asserts they are the same). */
#define AEAD_AES256GCM 1u
#define AEAD_CHACHA20POLY1305 2u

/*
 * aead_lookup - the implementation of cipher @id in library @lib: the one
 * table (aead.c) that every lookup goes through.
 *
 * RETURN VALUE: 0; -ENOTSUP when that library is not compiled into this
 * build; -EINVAL for an unknown @lib or @id. The detail names the problem.
 */
int aead_lookup(enum aead_lib lib, uint32_t id, const struct aead_ops **ops);

/*
 * aead_cipher_id - the id of the cipher called @cipher ("aes-256-gcm",
 * "chacha20-poly1305"). RETURN VALUE: 0; -EINVAL unknown (detail recorded).
 */
int aead_cipher_id(const char *cipher, uint32_t *id);

/*
 * aead_find - aead_lookup() by implementation name, for tools and tests:
 * "LIB" is LIB's AES-256-GCM, "LIB-chacha20" its ChaCha20-Poly1305.
 * @name: one of the names above
 * @ops:  out: the implementation
 *
 * RETURN VALUE: 0; -ENOTSUP when the implementation is known but not compiled
 * into this build; -EINVAL for an unknown name. The detail names the problem.
 */
int aead_find(const char *name, const struct aead_ops **ops);

/* aead_ops_name, aead_ops_cipher - "openssl", "aes-256-gcm", ... */
const char *aead_ops_name(const struct aead_ops *ops);
const char *aead_ops_cipher(const struct aead_ops *ops);

/*
 * aead_create - key a context (the only key schedule it will run).
 * @key: AEAD_KEY_LEN bytes; not retained (the caller may wipe it at once)
 * @out: out: the context
 *
 * RETURN VALUE: 0; -ENOMEM; -ENOTSUP when the library at run time lacks the
 * cipher (e.g. an OpenSSL provider without ChaCha20); -EIO library failure.
 */
int aead_create(const struct aead_ops *ops, const uint8_t *key,
		struct aead_ctx **out);

/* aead_destroy - wipe the key schedule and the bounce buffer, free. NULL ok. */
void aead_destroy(struct aead_ctx *ctx);

/* aead_name - the implementation name of a context. */
const char *aead_name(const struct aead_ctx *ctx);

/*
 * aead_seal - encrypt and authenticate one message.
 * @nonce: AEAD_NONCE_LEN bytes, never used twice under this key
 * @aad:   authenticated, not encrypted; private; may be NULL if @aad_len is 0
 * @pt:    @len bytes of plaintext in private memory; NULL if @len is 0
 * @ct:    out: @len bytes of ciphertext; may be shared memory, or @pt itself
 * @tag:   out: AEAD_TAG_LEN bytes; may be shared memory
 *
 * @ct must not partially overlap @pt. A failure may leave partial ciphertext
 * under @nonce in @ct, so a failed nonce must be retired, never retried
 * (frame_seal() fails its direction for good).
 *
 * RETURN VALUE: 0; -EMSGSIZE when @len > AEAD_MSG_MAX or @aad_len >
 * AEAD_AAD_MAX; -EIO library failure.
 */
int aead_seal(struct aead_ctx *ctx, const uint8_t *nonce,
	      const void *aad, size_t aad_len,
	      const void *pt, size_t len, void *ct, void *tag);

/*
 * aead_open - authenticate and decrypt one message.
 * @ct:  @len bytes of ciphertext; may be shared memory (read exactly once)
 * @tag: AEAD_TAG_LEN bytes; may be shared memory (read exactly once)
 * @pt:  out: @len bytes of plaintext, private memory; may be @ct itself
 *       (then @ct must be private too), must not partially overlap it
 *
 * On any failure @pt is zeroed: unauthenticated plaintext never survives
 * the call.
 *
 * RETURN VALUE: 0; -EBADMSG when the tag does not match (wrong key, nonce,
 * AAD, ciphertext or tag); -EMSGSIZE as for aead_seal(); -EIO.
 */
int aead_open(struct aead_ctx *ctx, const uint8_t *nonce,
	      const void *aad, size_t aad_len,
	      const void *ct, size_t len, const void *tag, void *pt);

/*
 * aead_key_load_file - read a 32-byte pre-shared key from a file (aead_key.c).
 * @path: the file; a pipe or /dev/fd/N works too
 * @key:  out: AEAD_KEY_LEN bytes (untouched on failure)
 *
 * Accepted contents, nothing else:
 *   - exactly 32 raw bytes (no trailing newline), or
 *   - exactly 64 hex digits (either case), optionally followed by one "\n".
 * A key of 32 zero bytes is refused (an unfilled file, not a key).
 *
 * RETURN VALUE: 0; -ENOENT the file does not exist; -EACCES it is not
 * readable; -EINVAL wrong size, not hex, all zero, a directory, empty path.
 * Other open/read errors return their -errno. The detail names the file and
 * the problem (never the key bytes), e.g. "key file /k has 31 bytes, need 32
 * (raw) or 64 hex digits".
 */
int aead_key_load_file(const char *path, uint8_t *key);

#endif /* CAEC_AEAD_H */
