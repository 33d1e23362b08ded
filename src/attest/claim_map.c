/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed reads of decoded CBOR for the token verifier (claim_map.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim_map.h"

int
token_fail(int rc, char *why, size_t wl, const char *fmt, ...)
{
	va_list ap;

	if (why && wl) {
		va_start(ap, fmt);
		vsnprintf(why, wl, fmt, ap);
		va_end(ap);
	}
	return rc;
}

bool
cm_int(const cbor_item_t *it, int64_t *v)
{
	if (!it)
		return false;
	if (cbor_isa_uint(it) && cbor_get_int(it) <= INT64_MAX) {
		*v = (int64_t)cbor_get_int(it);
		return true;
	}
	if (cbor_isa_negint(it) && cbor_get_int(it) <= INT64_MAX) {
		*v = -1 - (int64_t)cbor_get_int(it);
		return true;
	}
	return false;
}

bool
cm_uint(const cbor_item_t *it, uint64_t *v)
{
	if (!it || !cbor_isa_uint(it))
		return false;
	*v = cbor_get_int(it);
	return true;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
cm_check_keys(const cbor_item_t *m, const char *what, char *why, size_t wl)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	size_t i, n = cbor_map_size(m);
	int64_t *keys;

	if (!cbor_map_is_definite(m))
		return token_fail(-EBADMSG, why, wl,
				  "%s: a map of indefinite length", what);
	/* Sorted, so that a repeat is a neighbour: n log n, whatever n is. */
	keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!cm_int(kv[i].key, &keys[i])) {
			free(keys);
			return token_fail(-EBADMSG, why, wl,
					  "%s: a key that is %s, not an integer",
					  what, cm_type_name(kv[i].key));
		}
	}
	qsort(keys, n, sizeof(*keys), cmp_i64);
	for (i = 1; i < n; i++) {
		if (keys[i] == keys[i - 1]) {
			int64_t k = keys[i];

			free(keys);
			return token_fail(-EBADMSG, why, wl,
					  "%s: key %lld appears twice", what,
					  (long long)k);
		}
	}
	free(keys);
	return 0;
}

cbor_item_t *
cm_get(const cbor_item_t *m, int64_t key)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	size_t i, n = cbor_map_size(m);
	int64_t k;

	for (i = 0; i < n; i++)
		if (cm_int(kv[i].key, &k) && k == key)
			return kv[i].value;
	return NULL;
}

const uint8_t *
cm_bstr(const cbor_item_t *it, size_t *len)
{
	if (!it || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
		return NULL;
	*len = cbor_bytestring_length(it);
	return cbor_bytestring_handle(it);
}

const char *
cm_tstr(const cbor_item_t *it, size_t *len)
{
	if (!it || !cbor_isa_string(it) || !cbor_string_is_definite(it))
		return NULL;
	*len = cbor_string_length(it);
	return (const char *)cbor_string_handle(it);
}

bool
cm_tstr_is(const cbor_item_t *it, const char *s)
{
	size_t n;
	const char *t = cm_tstr(it, &n);

	return t && n == strlen(s) && !memcmp(t, s, n);
}

const char *
cm_type_name(const cbor_item_t *it)
{
	switch (cbor_typeof(it)) {
	case CBOR_TYPE_UINT:
		return "an unsigned integer";
	case CBOR_TYPE_NEGINT:
		return "a negative integer";
	case CBOR_TYPE_BYTESTRING:
		return "a byte string";
	case CBOR_TYPE_STRING:
		return "a text string";
	case CBOR_TYPE_ARRAY:
		return "an array";
	case CBOR_TYPE_MAP:
		return "a map";
	case CBOR_TYPE_TAG:
		return "a tagged item";
	default:
		return "a simple value or float";
	}
}
