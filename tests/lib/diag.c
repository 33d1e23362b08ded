/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CBOR diagnostic notation and JSON into libcbor items (diag.h): a
 * recursive-descent reader over the text, one function per production.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

struct rd {
	const char *s;		/* the text */
	size_t pos;
	char *err;
	size_t errlen;
	int depth;
};

static cbor_item_t *item(struct rd *r);

static cbor_item_t *
fail(struct rd *r, const char *what)
{
	if (r->err && r->errlen && !r->err[0])
		snprintf(r->err, r->errlen, "offset %zu: %s", r->pos, what);
	return NULL;
}

/* Skip white space and / comments /. */
static void
space(struct rd *r)
{
	for (;;) {
		while (isspace((unsigned char)r->s[r->pos]))
			r->pos++;
		if (r->s[r->pos] != '/')
			return;
		r->pos++;
		while (r->s[r->pos] && r->s[r->pos] != '/')
			r->pos++;
		if (r->s[r->pos])
			r->pos++;
	}
}

static bool
eat(struct rd *r, char c)
{
	space(r);
	if (r->s[r->pos] != c)
		return false;
	r->pos++;
	return true;
}

cbor_item_t *
diag_int(int64_t v)
{
	uint64_t u = v >= 0 ? (uint64_t)v : (uint64_t)(-1 - v);

	if (u <= UINT8_MAX)
		return v >= 0 ? cbor_build_uint8((uint8_t)u) :
				cbor_build_negint8((uint8_t)u);
	if (u <= UINT16_MAX)
		return v >= 0 ? cbor_build_uint16((uint16_t)u) :
				cbor_build_negint16((uint16_t)u);
	if (u <= UINT32_MAX)
		return v >= 0 ? cbor_build_uint32((uint32_t)u) :
				cbor_build_negint32((uint32_t)u);
	return v >= 0 ? cbor_build_uint64(u) : cbor_build_negint64(u);
}

static int
b64val(int c)
{
	const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(t, c) : NULL;

	return p ? (int)(p - t) : -1;
}

int
diag_base64(const char *s, size_t n, uint8_t *out, size_t *len)
{
	size_t i, o = 0;
	int v[4], k;

	if (n % 4)
		return -1;
	for (i = 0; i < n; i += 4) {
		for (k = 0; k < 4; k++) {
			v[k] = s[i + k] == '=' ? -2 : b64val(s[i + k]);
			if (v[k] == -1)
				return -1;
		}
		/* '=' only at the very end, and never in the first two. */
		if (v[0] < 0 || v[1] < 0 || (v[2] == -2 && v[3] != -2) ||
		    ((v[2] == -2 || v[3] == -2) && i + 4 != n))
			return -1;
		out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (v[2] >= 0)
			out[o++] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
		if (v[3] >= 0)
			out[o++] = (uint8_t)((v[2] & 3) << 6 | v[3]);
	}
	*len = o;
	return 0;
}

/* "text", with JSON's escapes. */
static cbor_item_t *
text(struct rd *r)
{
	size_t cap = 64, n = 0;
	char *buf = malloc(cap), *grown;
	cbor_item_t *it;
	unsigned int u;
	char c;

	if (!buf)
		return fail(r, "no memory");
	r->pos++;		/* the opening quote */
	while ((c = r->s[r->pos]) != '"') {
		if (!c) {
			free(buf);
			return fail(r, "unterminated string");
		}
		if (n + 4 >= cap) {
			grown = realloc(buf, cap *= 2);
			if (!grown) {
				free(buf);
				return fail(r, "no memory");
			}
			buf = grown;
		}
		r->pos++;
		if (c != '\\') {
			buf[n++] = c;
			continue;
		}
		c = r->s[r->pos++];
		switch (c) {
		case 'n': buf[n++] = '\n'; break;
		case 't': buf[n++] = '\t'; break;
		case 'r': buf[n++] = '\r'; break;
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case '"': case '\\': case '/': buf[n++] = c; break;
		case 'u':
			if (sscanf(r->s + r->pos, "%4x", &u) != 1) {
				free(buf);
				return fail(r, "bad \\u escape");
			}
			r->pos += 4;
			if (u < 0x80) {
				buf[n++] = (char)u;
			} else if (u < 0x800) {
				buf[n++] = (char)(0xc0 | u >> 6);
				buf[n++] = (char)(0x80 | (u & 63));
			} else {
				buf[n++] = (char)(0xe0 | u >> 12);
				buf[n++] = (char)(0x80 | ((u >> 6) & 63));
				buf[n++] = (char)(0x80 | (u & 63));
			}
			break;
		default:
			free(buf);
			return fail(r, "bad escape");
		}
	}
	r->pos++;
	it = cbor_build_stringn(buf, n);
	free(buf);
	return it ? it : fail(r, "no memory");
}

/* h'...' or b64'...': the characters up to the closing quote. */
static cbor_item_t *
bytes(struct rd *r, bool hex)
{
	const char *start = r->s + r->pos;
	const char *end = strchr(start, '\'');
	size_t n = 0, i, len = end ? (size_t)(end - start) : 0;
	uint8_t *buf;
	char *clean;
	cbor_item_t *it;
	unsigned int v;

	if (!end)
		return fail(r, "unterminated byte string");
	clean = malloc(len + 1);
	buf = malloc(len + 1);
	if (!clean || !buf) {
		free(clean);
		free(buf);
		return fail(r, "no memory");
	}
	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)start[i]))
			clean[n++] = start[i];
	clean[n] = '\0';
	r->pos += len + 1;
	if (hex) {
		if (n % 2)
			goto bad;
		for (i = 0; i < n / 2; i++) {
			if (!isxdigit((unsigned char)clean[2 * i]) ||
			    !isxdigit((unsigned char)clean[2 * i + 1]) ||
			    sscanf(clean + 2 * i, "%2x", &v) != 1)
				goto bad;
			buf[i] = (uint8_t)v;
		}
		n /= 2;
	} else if (diag_base64(clean, n, buf, &n)) {
		goto bad;
	}
	it = cbor_build_bytestring(buf, n);
	free(clean);
	free(buf);
	return it ? it : fail(r, "no memory");
bad:
	free(clean);
	free(buf);
	return fail(r, "bad byte string");
}

/* << item, ... >>: the items' encodings, concatenated, as a byte string. */
static cbor_item_t *
embedded(struct rd *r)
{
	unsigned char *out = NULL, *enc, *grown;
	size_t len = 0, cap, n;
	cbor_item_t *it;

	r->pos += 2;
	space(r);
	while (!(r->s[r->pos] == '>' && r->s[r->pos + 1] == '>')) {
		if (len && !eat(r, ','))
			goto bad;
		it = item(r);
		if (!it)
			goto bad;
		enc = NULL;
		cap = 0;
		n = cbor_serialize_alloc(it, &enc, &cap);
		cbor_decref(&it);
		grown = n ? realloc(out, len + n) : NULL;
		if (!grown) {
			free(enc);
			goto bad;
		}
		out = grown;
		memcpy(out + len, enc, n);
		len += n;
		free(enc);
		space(r);
	}
	r->pos += 2;
	it = cbor_build_bytestring(out, len);
	free(out);
	return it ? it : fail(r, "no memory");
bad:
	free(out);
	return fail(r, "bad embedded CBOR");
}

static cbor_item_t *
array(struct rd *r)
{
	cbor_item_t *a = cbor_new_indefinite_array(), *it, *def;
	size_t i;

	r->pos++;
	if (!a)
		return fail(r, "no memory");
	while (!eat(r, ']')) {
		if (cbor_array_size(a) && !eat(r, ','))
			goto bad;
		it = item(r);
		if (!it || !cbor_array_push(a, cbor_move(it)))
			goto bad;
	}
	/* Definite length: what the encoder of a claim set writes. */
	def = cbor_new_definite_array(cbor_array_size(a));
	for (i = 0; def && i < cbor_array_size(a); i++)
		(void)cbor_array_push(def, cbor_array_handle(a)[i]);
	cbor_decref(&a);
	return def ? def : fail(r, "no memory");
bad:
	cbor_decref(&a);
	return fail(r, "bad array");
}

static cbor_item_t *
map(struct rd *r)
{
	struct { cbor_item_t *k, *v; } *kv = NULL, *grown;
	size_t n = 0, i;
	cbor_item_t *m = NULL, *k, *v;

	r->pos++;
	while (!eat(r, '}')) {
		if (n && !eat(r, ','))
			goto bad;
		k = item(r);
		if (!k)
			goto bad;
		if (!eat(r, ':') || !(v = item(r))) {
			cbor_decref(&k);
			goto bad;
		}
		grown = realloc(kv, (n + 1) * sizeof(*kv));
		if (!grown) {
			cbor_decref(&k);
			cbor_decref(&v);
			goto bad;
		}
		kv = grown;
		kv[n].k = k;
		kv[n++].v = v;
	}
	m = cbor_new_definite_map(n);
	for (i = 0; m && i < n; i++)
		(void)cbor_map_add(m, (struct cbor_pair){ kv[i].k, kv[i].v });
	for (i = 0; i < n; i++) {
		cbor_decref(&kv[i].k);
		cbor_decref(&kv[i].v);
	}
	free(kv);
	return m ? m : fail(r, "no memory");
bad:
	for (i = 0; i < n; i++) {
		cbor_decref(&kv[i].k);
		cbor_decref(&kv[i].v);
	}
	free(kv);
	return fail(r, "bad map");
}

/* An integer, or a tag N(item). */
static cbor_item_t *
number(struct rd *r)
{
	const char *p = r->s + r->pos;
	cbor_item_t *inner, *t;
	char *end;
	long long v;

	errno = 0;
	v = strtoll(p, &end, 10);
	if (end == p || errno)
		return fail(r, "bad number");
	if (*end == '.' || *end == 'e' || *end == 'E')
		return fail(r, "floats are not accepted");
	r->pos += (size_t)(end - p);
	if (r->s[r->pos] != '(')
		return diag_int(v);
	r->pos++;
	if (v < 0 || !(inner = item(r)))
		return fail(r, "bad tag");
	if (!eat(r, ')')) {
		cbor_decref(&inner);
		return fail(r, "bad tag");
	}
	t = cbor_build_tag((uint64_t)v, inner);
	cbor_decref(&inner);
	return t ? t : fail(r, "no memory");
}

static cbor_item_t *
item(struct rd *r)
{
	const char *p;
	cbor_item_t *it = NULL;

	space(r);
	p = r->s + r->pos;
	if (++r->depth > 32)
		return fail(r, "nested too deep");
	if (*p == '{')
		it = map(r);
	else if (*p == '[')
		it = array(r);
	else if (*p == '"')
		it = text(r);
	else if (!strncmp(p, "h'", 2) && (r->pos += 2))
		it = bytes(r, true);
	else if (!strncmp(p, "b64'", 4) && (r->pos += 4))
		it = bytes(r, false);
	else if (!strncmp(p, "<<", 2))
		it = embedded(r);
	else if (!strncmp(p, "true", 4) && (r->pos += 4))
		it = cbor_build_bool(true);
	else if (!strncmp(p, "false", 5) && (r->pos += 5))
		it = cbor_build_bool(false);
	else if (!strncmp(p, "null", 4) && (r->pos += 4))
		it = cbor_new_null();
	else if (*p == '-' || isdigit((unsigned char)*p))
		it = number(r);
	else
		it = fail(r, "unexpected character");
	r->depth--;
	return it;
}

cbor_item_t *
diag_parse(const char *s, char *err, size_t errlen)
{
	struct rd r = { .s = s, .err = err, .errlen = errlen };
	cbor_item_t *it;

	if (err && errlen)
		err[0] = '\0';
	it = item(&r);
	space(&r);
	if (it && r.s[r.pos]) {
		cbor_decref(&it);
		return fail(&r, "trailing text");
	}
	return it;
}

cbor_item_t *
diag_parse_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	cbor_item_t *it;
	char *buf;
	long n;

	if (!f) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	it = diag_parse(buf, err, errlen);
	free(buf);
	return it;
}
