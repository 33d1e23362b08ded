/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The platform key (IAK) of the token target and its seeds: a fixed P-384
 * key, so that the committed seed tokens verify in every build. A test key
 * only: it signs nothing outside the fuzz corpus.
 */
#include <openssl/bio.h>
#include <openssl/pem.h>

#include "fuzz_iak.h"

static const char iak_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDA508Ra337wI2ppNpSB\n"
	"weJ1NYcrvz5HbmtuIg80MZ4MdrJxwy/zwRXseaGsdKuqPTihZANiAARS9nP9D2zl\n"
	"RYbAPzqKwQ4uZ6Gm/rcM1BiAIGcjyHRgX19WKxoR62WT6HM9R2oV/fl3lhmIJbXj\n"
	"IG5H7mTil7nj7IoO9+HN7Vie6t+0PlHGLC8nPVZXLZYxXWnLJkfRqKs=\n"
	"-----END PRIVATE KEY-----\n"
	;

EVP_PKEY *
fuzz_iak(void)
{
	EVP_PKEY *k = NULL;
	BIO *b;

	b = BIO_new_mem_buf(iak_pem, -1);
	if (!b)
		return NULL;
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	return k;
}
