/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Channel URI parsing. The scheme and query are generic; each backend parses
 * its own LOCATION.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <caec/caec.h>

#include "error.h"
#include "uri.h"

int
uri_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		shift = 20;
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int
query_u32(const char *key, const char *val, uint32_t *out)
{
	uint64_t v;

	if (uri_parse_size(val, &v) || v > UINT32_MAX)
		return caec_set_detail(-EINVAL,
			"URI query: %s=%s is not a size below 4G", key, val);
	*out = (uint32_t)v;
	return 0;
}

static int
parse_query(char *q, struct caec_uri *u)
{
	char *save = NULL, *kv, *val;
	int rc;

	for (kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		val = strchr(kv, '=');
		if (!val)
			return caec_set_detail(-EINVAL,
				"URI query: '%s' is not key=value", kv);
		*val++ = '\0';
		if (!strcmp(kv, "ring")) {
			rc = query_u32(kv, val, &u->ring);
			u->has_ring = true;
		} else if (!strcmp(kv, "max_msg")) {
			rc = query_u32(kv, val, &u->max_msg);
			u->has_max_msg = true;
		} else if (!strcmp(kv, "wake")) {
			u->has_wake = true;
			rc = 0;
			if (!strcmp(val, "none"))
				u->nowake = true;
			else if (strcmp(val, "futex"))
				rc = caec_set_detail(-EINVAL,
					"URI query: wake=%s (expected futex or none)",
					val);
		} else if (!strcmp(kv, "wait")) {
			u->has_wait = true;
			rc = 0;
			if (!strcmp(val, "adaptive"))
				u->wait_mode = CAEC_WAIT_ADAPTIVE;
			else if (!strcmp(val, "spin"))
				u->wait_mode = CAEC_WAIT_SPIN;
			else if (!strcmp(val, "backoff"))
				u->wait_mode = CAEC_WAIT_BACKOFF;
			else
				rc = caec_set_detail(-EINVAL,
					"URI query: wait=%s (expected adaptive, spin or backoff)",
					val);
		} else if (!strcmp(kv, "key")) {
			rc = 0;
			if (!*val || strlen(val) >= sizeof(u->key_file))
				rc = caec_set_detail(-EINVAL,
					"URI query: key= needs a file path");
			else
				strcpy(u->key_file, val);
		} else if (!strcmp(kv, "reclaim")) {
			rc = 0;
			if (!strcmp(val, "1"))
				u->reclaim = true;
			else if (strcmp(val, "0"))
				rc = caec_set_detail(-EINVAL,
					"URI query: reclaim=%s (expected 0 or 1)",
					val);
		} else if (!strcmp(kv, "cipher")) {
			rc = 0;
			if (strlen(val) >= sizeof(u->cipher))
				rc = caec_set_detail(-EINVAL,
					"URI query: cipher=%s is too long", val);
			else
				strcpy(u->cipher, val);
		} else {
			rc = caec_set_detail(-EINVAL,
				"URI query: unknown key '%s' (known: ring, max_msg, wake, wait, key, cipher, reclaim)",
				kv);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int
uri_parse(const char *text, struct caec_uri *u)
{
	char buf[URI_MAX];
	const char *colon;
	char *q;
	size_t n, i;
	int rc;

	memset(u, 0, sizeof(*u));
	if (!text)
		return caec_set_detail(-EINVAL, "URI is NULL");
	n = strlen(text);
	if (n >= sizeof(buf))
		return caec_set_detail(-EINVAL, "URI longer than %d bytes",
				       URI_MAX - 1);
	colon = strchr(text, ':');
	if (!colon || colon == text)
		return caec_set_detail(-EINVAL,
			"URI '%s' has no scheme (expected SCHEME:LOCATION, e.g. nw:shm/NAME)",
			text);
	if ((size_t)(colon - text) >= sizeof(u->scheme))
		return caec_set_detail(-EINVAL, "URI scheme too long in '%s'",
				       text);
	for (i = 0; text + i < colon; i++) {
		char c = text[i];

		if (!((c >= 'a' && c <= 'z') || c == '-'))
			return caec_set_detail(-EINVAL,
				"URI scheme of '%s' has an invalid character",
				text);
		u->scheme[i] = c;
	}
	strcpy(buf, colon + 1);
	q = strchr(buf, '?');
	if (q) {
		*q++ = '\0';
		rc = parse_query(q, u);
		if (rc)
			return rc;
	}
	strcpy(u->location, buf);
	return 0;
}
