/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issuing CCA attestation tokens (token.h): the platform token once at
 * start, a realm token per request.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cbor.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cose.h"
#include "sha256.h"
#include "token.h"

/* What the platform token says of the emulator (docs/csm.md). */
static const char sw_name[] = "caec-rmmd";
static const char config[] = "caec-rmmd: an emulated CCA platform; "
			     "its keys live in an ordinary process";

/* Serialise @item (consumed) into a malloc()ed buffer. */
static int
to_bytes(cbor_item_t *item, uint8_t **out, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0;

	if (!item)
		return -ENOMEM;
	*len = cbor_serialize_alloc(item, &buf, &cap);
	cbor_decref(&item);
	if (!*len) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}

/* An integer in its shortest encoding (libcbor keeps the width it is
 * built with): deterministic CBOR. */
static cbor_item_t *
build_int(int64_t v)
{
	uint64_t u = v >= 0 ? (uint64_t)v : (uint64_t)(-1 - v);
	cbor_item_t *it;

	if (u <= UINT8_MAX)
		it = v >= 0 ? cbor_build_uint8((uint8_t)u) :
			      cbor_build_negint8((uint8_t)u);
	else if (u <= UINT16_MAX)
		it = v >= 0 ? cbor_build_uint16((uint16_t)u) :
			      cbor_build_negint16((uint16_t)u);
	else if (u <= UINT32_MAX)
		it = v >= 0 ? cbor_build_uint32((uint32_t)u) :
			      cbor_build_negint32((uint32_t)u);
	else
		it = v >= 0 ? cbor_build_uint64(u) : cbor_build_negint64(u);
	return it;
}

/* m[key] = value (consumed); false when out of memory. */
static bool
put(cbor_item_t *m, int64_t key, cbor_item_t *value)
{
	cbor_item_t *k = build_int(key);

	if (!k || !value) {
		if (k)
			cbor_decref(&k);
		if (value)
			cbor_decref(&value);
		return false;
	}
	return cbor_map_add(m, (struct cbor_pair){ cbor_move(k),
						   cbor_move(value) });
}

/* COSE_Sign1_Tagged of @payload signed ES384 with @key. */
static int
sign1(EVP_PKEY *key, const uint8_t *payload, size_t plen, uint8_t **out,
      size_t *olen)
{
	uint8_t sig[ES384_SIG_LEN], *prot = NULL, *tbs = NULL;
	size_t prot_len, tbs_len;
	cbor_item_t *hdr = cbor_new_definite_map(1), *a;
	int rc;

	if (!hdr || !put(hdr, 1, cbor_build_negint8(-1 - COSE_ALG_ES384))) {
		if (hdr)
			cbor_decref(&hdr);
		return -ENOMEM;
	}
	rc = to_bytes(hdr, &prot, &prot_len);
	if (!rc)
		rc = cose_sig_structure(prot, prot_len, payload, plen, &tbs,
					&tbs_len);
	if (!rc)
		rc = cose_es384_sign(key, tbs, tbs_len, sig);
	free(tbs);
	a = rc ? NULL : cbor_new_definite_array(4);
	if (a && cbor_array_push(a, cbor_move(cbor_build_bytestring(prot,
								     prot_len))) &&
	    cbor_array_push(a, cbor_move(cbor_new_definite_map(0))) &&
	    cbor_array_push(a, cbor_move(cbor_build_bytestring(payload, plen))) &&
	    cbor_array_push(a, cbor_move(cbor_build_bytestring(sig,
								sizeof(sig))))) {
		/* The tag takes @a over; to_bytes() frees both. */
		rc = to_bytes(cbor_build_tag(COSE_TAG_SIGN1, cbor_move(a)), out,
			      olen);
		a = NULL;
	} else if (!rc) {
		rc = -ENOMEM;
	}
	if (a)
		cbor_decref(&a);
	free(prot);
	return rc;
}

/*
 * Write @iak's public key (PEM) to @path, mode 0644, replaced atomically.
 * The daemon may run as root in a directory others can write (/run, /tmp):
 * the temporary file is created with O_EXCL | O_NOFOLLOW, never through a
 * symlink or into a file someone else prepared (a stale one is unlinked:
 * that removes a link, never its target), its mode set with fchmod() whatever
 * the umask, and rename() replaces whatever is at @path without following it.
 */
static int
write_anchor(EVP_PKEY *iak, const char *path)
{
	char tmp[4096];
	int fd, tries, ok;
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (tries = 0;; tries++) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST || tries)
			break;
		if (unlink(tmp) && errno != ENOENT)
			return -errno;
	}
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644)) {
		close(fd);
		unlink(tmp);
		return -EIO;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	ok = PEM_write_PUBKEY(f, iak) == 1;
	ok = fclose(f) == 0 && ok;
	ERR_clear_error();
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

static void
sha256_of(const void *p, size_t n, uint8_t out[32])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, p, n);
	sha256_final(&s, out);
}

/* SHA-256 of this daemon's executable: its software component. */
static void
self_measure(uint8_t out[32])
{
	uint8_t buf[65536];
	struct sha256 s;
	ssize_t n;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	sha256_init(&s);
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&s, buf, (size_t)n);
	if (fd >= 0)
		close(fd);
	sha256_final(&s, out);
}

/*
 * The platform token, in profile CCA_PROFILE_PLATFORM with every claim it
 * makes mandatory. The lifecycle is CCA_LIFECYCLE_EMULATED
 * ("recoverable-cca-platform-rot-debug"): the platform's secrets, the IAK
 * among them, are open to whoever can debug this process, and a verifier's
 * policy must not take it for a secured production platform.
 */
static int
platform_token(struct token_signer *t)
{
	static const uint8_t no_signer[32];	/* an unsigned build */
	uint8_t binding[48], inst[TOKEN_INSTANCE_ID_LEN], impl[32], meas[32];
	uint8_t *claims = NULL;
	cbor_item_t *m = cbor_new_definite_map(8), *sw, *comp;
	unsigned int blen = 0;
	size_t len;
	int rc;

	/* The key binding: challenge = SHA-384 of the RAK claim's bytes. */
	if (EVP_Digest(t->rak_cose, t->rak_cose_len, binding, &blen,
		       EVP_sha384(), NULL) != 1 || blen != sizeof(binding) ||
	    token_instance_id(t->iak, inst)) {
		if (m)
			cbor_decref(&m);
		return -EIO;
	}
	sha256_of("caec-rmmd: an emulation of the CCA RMM", 38, impl);
	self_measure(meas);
	comp = cbor_new_definite_map(5);
	sw = cbor_new_definite_array(1);
	if (!m || !comp || !sw ||
	    !put(comp, CCA_SWC_TYPE, cbor_build_string(sw_name)) ||
	    !put(comp, CCA_SWC_MEASUREMENT,
		 cbor_build_bytestring(meas, sizeof(meas))) ||
	    !put(comp, CCA_SWC_VERSION, cbor_build_string(CAEC_VERSION)) ||
	    !put(comp, CCA_SWC_SIGNER_ID,
		 cbor_build_bytestring(no_signer, sizeof(no_signer))) ||
	    !put(comp, CCA_SWC_DESCRIPTION, cbor_build_string("sha-256")) ||
	    !cbor_array_push(sw, comp) ||
	    !put(m, CCA_PROFILE, cbor_build_string(CCA_PROFILE_PLATFORM)) ||
	    !put(m, CCA_CHALLENGE, cbor_build_bytestring(binding,
							 sizeof(binding))) ||
	    !put(m, CCA_PLAT_IMPL_ID, cbor_build_bytestring(impl,
							    sizeof(impl))) ||
	    !put(m, CCA_PLAT_INSTANCE_ID, cbor_build_bytestring(inst,
								sizeof(inst))) ||
	    !put(m, CCA_PLAT_CONFIG,
		 cbor_build_bytestring((const uint8_t *)config,
				       sizeof(config) - 1)) ||
	    !put(m, CCA_PLAT_LIFECYCLE, build_int(CCA_LIFECYCLE_EMULATED)) ||
	    !put(m, CCA_PLAT_SW_COMPONENTS, cbor_incref(sw)) ||
	    !put(m, CCA_PLAT_HASH_ALGO, cbor_build_string("sha-256"))) {
		rc = -ENOMEM;
		if (m)
			cbor_decref(&m);
	} else {
		rc = to_bytes(m, &claims, &len);
		if (!rc)
			rc = sign1(t->iak, claims, len, &t->platform,
				   &t->platform_len);
	}
	if (comp)
		cbor_decref(&comp);
	if (sw)
		cbor_decref(&sw);
	free(claims);
	return rc;
}

int
token_signer_init(struct token_signer *t, const char *anchor)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->iak = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	t->rak = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	ERR_clear_error();
	if (!t->iak || !t->rak) {
		token_signer_free(t);
		return -EIO;
	}
	rc = cose_key_encode(t->rak, &t->rak_cose, &t->rak_cose_len);
	if (!rc)
		rc = platform_token(t);
	if (!rc)
		rc = write_anchor(t->iak, anchor);
	if (rc)
		token_signer_free(t);
	return rc;
}

void
token_signer_free(struct token_signer *t)
{
	EVP_PKEY_free(t->iak);
	EVP_PKEY_free(t->rak);
	free(t->platform);
	free(t->rak_cose);
	memset(t, 0, sizeof(*t));
}

size_t
token_hash_len(unsigned int hash_algo)
{
	return hash_algo == TOKEN_HASH_SHA256 ? 32 :
	       hash_algo == TOKEN_HASH_SHA512 ? 64 : 0;
}

#define REALM_STD_CLAIMS 8u

/*
 * The realm claims, in profile CCA_PROFILE_REALM (the RAK as a COSE_Key),
 * then the firmware's members spliced in.
 */
static int
realm_claims(const struct token_signer *t,
	     const uint8_t challenge[TOKEN_CHALLENGE_LEN],
	     const struct token_realm *r, const uint8_t *fw, size_t fw_len,
	     unsigned int fw_count, uint8_t **out, size_t *len)
{
	size_t hlen = token_hash_len(r->hash_algo);
	cbor_item_t *m = cbor_new_definite_map(REALM_STD_CLAIMS), *rem;
	uint8_t *std = NULL, *all;
	size_t std_len;
	int rc, i;

	if (!hlen) {
		if (m)
			cbor_decref(&m);
		return -EINVAL;
	}
	rem = cbor_new_definite_array(TOKEN_NR_REM);
	for (i = 0; rem && i < TOKEN_NR_REM; i++)
		if (!cbor_array_push(rem, cbor_move(cbor_build_bytestring(r->rem[i],
									   hlen))))
			break;
	if (!m || !rem || i < TOKEN_NR_REM ||
	    !put(m, CCA_PROFILE, cbor_build_string(CCA_PROFILE_REALM)) ||
	    !put(m, CCA_CHALLENGE, cbor_build_bytestring(challenge,
							 TOKEN_CHALLENGE_LEN)) ||
	    !put(m, CCA_REALM_PERSONALIZATION,
		 cbor_build_bytestring(r->rpv, TOKEN_RPV_LEN)) ||
	    !put(m, CCA_REALM_RIM, cbor_build_bytestring(r->rim, hlen)) ||
	    !put(m, CCA_REALM_REM, cbor_incref(rem)) ||
	    !put(m, CCA_REALM_HASH_ALGO,
		 cbor_build_string(hlen == 32 ? "sha-256" : "sha-512")) ||
	    !put(m, CCA_REALM_PUB_KEY, cbor_build_bytestring(t->rak_cose,
							     t->rak_cose_len)) ||
	    !put(m, CCA_REALM_PUB_KEY_HASH_ALGO, cbor_build_string("sha-384"))) {
		if (m)
			cbor_decref(&m);
		if (rem)
			cbor_decref(&rem);
		return -ENOMEM;
	}
	cbor_decref(&rem);
	rc = to_bytes(m, &std, &std_len);
	if (rc)
		return rc;
	/* Splice the firmware's members in: a one-byte map header (< 24). */
	if (std[0] != 0xa0 + REALM_STD_CLAIMS ||
	    REALM_STD_CLAIMS + fw_count > 23) {
		free(std);
		return -EIO;
	}
	all = malloc(std_len + fw_len);
	if (!all) {
		free(std);
		return -ENOMEM;
	}
	memcpy(all, std, std_len);
	memcpy(all + std_len, fw, fw_len);
	all[0] = (uint8_t)(0xa0 + REALM_STD_CLAIMS + fw_count);
	free(std);
	*out = all;
	*len = std_len + fw_len;
	return 0;
}

int
token_build(const struct token_signer *t,
	    const uint8_t challenge[TOKEN_CHALLENGE_LEN],
	    const struct token_realm *r, const uint8_t *fw, size_t fw_len,
	    unsigned int fw_count, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t *claims = NULL, *realm = NULL, *tok = NULL;
	size_t claims_len, realm_len, tok_len = 0;
	cbor_item_t *m = NULL;
	int rc;

	rc = realm_claims(t, challenge, r, fw, fw_len, fw_count, &claims,
			  &claims_len);
	if (!rc)
		rc = sign1(t->rak, claims, claims_len, &realm, &realm_len);
	if (!rc) {
		m = cbor_new_definite_map(2);
		if (!m || !put(m, CCA_PLATFORM_TOKEN,
			       cbor_build_bytestring(t->platform,
						     t->platform_len)) ||
		    !put(m, CCA_REALM_TOKEN,
			 cbor_build_bytestring(realm, realm_len)))
			rc = -ENOMEM;
	}
	if (!rc) {
		rc = to_bytes(cbor_build_tag(CCA_TOKEN_TAG, cbor_move(m)), &tok,
			      &tok_len);
		m = NULL;
	}
	if (m)
		cbor_decref(&m);
	if (!rc && (tok_len > cap || tok_len > TOKEN_MAX))
		rc = -ENOSPC;
	if (!rc) {
		memcpy(out, tok, tok_len);
		*len = tok_len;
	}
	free(tok);
	free(realm);
	free(claims);
	return rc;
}
