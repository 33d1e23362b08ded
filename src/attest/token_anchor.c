/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Trust anchors: the platform public keys a verifier trusts (token.h), from
 * a PEM file or a directory of them, each with the instance ids that can
 * select it for a token.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "claim_map.h"
#include "cose.h"
#include "token.h"

int
token_anchor_load(const char *path, EVP_PKEY **iak)
{
	FILE *f = fopen(path, "r");

	*iak = NULL;
	if (!f)
		return -ENOENT;
	*iak = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	return *iak ? 0 : -EBADMSG;
}

int
token_instance_id(EVP_PKEY *key, uint8_t id[TOKEN_INSTANCE_ID_LEN])
{
	uint8_t pt[COSE_P384_POINT];
	unsigned int n = 0;

	if (cose_p384_point(key, pt))
		return -EIO;
	id[0] = 0x01;		/* UEID type RAND */
	if (EVP_Digest(pt, sizeof(pt), id + 1, &n, EVP_sha256(), NULL) != 1 ||
	    n != TOKEN_INSTANCE_ID_LEN - 1) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

/* A file name "<66 hex digits>.pem|.pub": the instance id it names. */
static bool
name_to_id(const char *path, uint8_t id[TOKEN_INSTANCE_ID_LEN])
{
	const char *base = strrchr(path, '/');
	unsigned int v;
	size_t i;

	base = base ? base + 1 : path;
	if (strlen(base) != 2 * TOKEN_INSTANCE_ID_LEN + 4 ||
	    (strcmp(base + 2 * TOKEN_INSTANCE_ID_LEN, ".pem") &&
	     strcmp(base + 2 * TOKEN_INSTANCE_ID_LEN, ".pub")))
		return false;
	for (i = 0; i < TOKEN_INSTANCE_ID_LEN; i++) {
		if (!strchr("0123456789abcdefABCDEF", base[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", base[2 * i + 1]) ||
		    sscanf(base + 2 * i, "%2x", &v) != 1)
			return false;
		id[i] = (uint8_t)v;
	}
	return true;
}

int
token_anchors_add(struct token_anchors *set, EVP_PKEY *key, const char *path)
{
	struct token_anchor *a, *grown;

	grown = realloc(set->a, (set->n + 1) * sizeof(*set->a));
	if (!grown)
		return -ENOMEM;
	set->a = grown;
	a = &set->a[set->n];
	memset(a, 0, sizeof(*a));
	if (path) {
		a->path = strdup(path);
		if (!a->path)
			return -ENOMEM;
		a->named = name_to_id(path, a->name_id);
	}
	/* A key that is not P-384 keeps an all-zero id: it matches nothing
	 * and is tried like any other (and fails the ES384 check). */
	(void)token_instance_id(key, a->instance_id);
	if (EVP_PKEY_up_ref(key) != 1) {
		free(a->path);
		return -ENOMEM;
	}
	a->key = key;
	set->n++;
	return 0;
}

static int
load_one(struct token_anchors *set, const char *path, char *why, size_t wl)
{
	EVP_PKEY *k;
	int rc = token_anchor_load(path, &k);

	if (rc == -ENOENT)
		return token_fail(rc, why, wl, "trust anchor %s: no such file",
				  path);
	if (rc)
		return token_fail(rc, why, wl,
				  "trust anchor %s: not a PEM public key", path);
	rc = token_anchors_add(set, k, path);
	EVP_PKEY_free(k);
	return rc;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
keep(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 4 && (!strcmp(e->d_name + n - 4, ".pem") ||
			 !strcmp(e->d_name + n - 4, ".pub"));
}

int
token_anchors_load(struct token_anchors *set, const char *path, char *why,
		   size_t wl)
{
	struct dirent **names = NULL;
	char file[4096];
	struct stat st;
	int i, n, rc = 0;
	size_t before = set->n;

	if (stat(path, &st))
		return token_fail(-ENOENT, why, wl,
				  "trust anchor %s: no such file or directory",
				  path);
	if (!S_ISDIR(st.st_mode))
		return load_one(set, path, why, wl);
	n = scandir(path, &names, keep, by_name);
	if (n < 0)
		return token_fail(-ENOENT, why, wl,
				  "trust anchors %s: cannot read the directory",
				  path);
	for (i = 0; i < n; i++) {
		if (!rc) {
			if (snprintf(file, sizeof(file), "%s/%s", path,
				     names[i]->d_name) >= (int)sizeof(file))
				rc = token_fail(-ENAMETOOLONG, why, wl,
						"trust anchor %s/%s: name too long",
						path, names[i]->d_name);
			else if (!stat(file, &st) && S_ISREG(st.st_mode))
				rc = load_one(set, file, why, wl);
		}
		free(names[i]);
	}
	free(names);
	if (!rc && set->n == before)
		rc = token_fail(-ENOENT, why, wl,
				"trust anchors %s: no *.pem or *.pub file in it",
				path);
	return rc;
}

void
token_anchors_free(struct token_anchors *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		EVP_PKEY_free(set->a[i].key);
		free(set->a[i].path);
	}
	free(set->a);
	set->a = NULL;
	set->n = 0;
}
