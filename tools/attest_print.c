/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-attest's output (attest_print.h). It prints decoded claims, verified
 * or not (--print): every value is shown for what it is, nothing is
 * interpreted beyond names.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cbor.h>

#include "attest_print.h"
#include "csm_abi.h"
#include "../src/attest/cose.h"

#define MAP_MEMBERSHIP 100u		/* not a token map: an entry of -70002 */

static const char *const membership_names[] = {
	[CSM_CLAIM_K_ROLE] = "role",
	[CSM_CLAIM_K_CSM_ID] = "csm-id",
	[CSM_CLAIM_K_SIZE] = "size",
	[CSM_CLAIM_K_CONSUMERS] = "consumers",
	[CSM_CLAIM_K_PROVIDER] = "provider",
	[CSM_CLAIM_K_HANDLE] = "handle",
	[CSM_CLAIM_K_PERM] = "perm",
	[CSM_CLAIM_K_STATE] = "state",
};

static bool
int_of(const cbor_item_t *it, int64_t *v)
{
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

/* The name of @key in @map, or NULL. */
static const char *
name_of(unsigned int map, int64_t key)
{
	if (map == MAP_MEMBERSHIP)
		return key > 0 && key < (int64_t)(sizeof(membership_names) /
						  sizeof(membership_names[0])) ?
			       membership_names[key] : NULL;
	return token_claim_name(map, key);
}

/* The map the values inside claim @key of @map are keyed by. */
static unsigned int
inner_map(unsigned int map, int64_t key)
{
	if (map == TOKEN_MAP_PLATFORM && key == CCA_PLAT_SW_COMPONENTS)
		return TOKEN_MAP_SW_COMPONENT;
	if (map == TOKEN_MAP_REALM && key == CCA_REALM_MEMBERSHIP)
		return MAP_MEMBERSHIP;
	return map;
}

/* ---- JSON ------------------------------------------------------------------- */

static void
json_string(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
base64(FILE *f, const uint8_t *p, size_t n)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	uint32_t v;

	fputc('"', f);
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		fprintf(f, "%c%c%c%c", t[v >> 18], t[(v >> 12) & 63],
			t[(v >> 6) & 63], t[v & 63]);
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		fprintf(f, "%c%c==", t[v >> 18], t[(v >> 12) & 63]);
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		fprintf(f, "%c%c%c=", t[v >> 18], t[(v >> 12) & 63],
			t[(v >> 6) & 63]);
	}
	fputc('"', f);
}

static void json_value(FILE *f, const cbor_item_t *v, unsigned int map,
		       int indent);

static void
json_map(FILE *f, const cbor_item_t *m, unsigned int map, int indent)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	const char *name;
	size_t i, n = cbor_map_size(m);
	int64_t k;

	fprintf(f, "{");
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\n%*s", i ? "," : "", indent + 2, "");
		if (int_of(kv[i].key, &k) && (name = name_of(map, k)))
			fprintf(f, "\"%s\": ", name);
		else if (int_of(kv[i].key, &k))
			fprintf(f, "\"%" PRId64 "\": ", k);
		else
			fprintf(f, "\"?\": ");
		json_value(f, kv[i].value, int_of(kv[i].key, &k) ?
				   inner_map(map, k) : map, indent + 2);
	}
	if (n)
		fprintf(f, "\n%*s", indent, "");
	fputc('}', f);
}

static void
json_value(FILE *f, const cbor_item_t *v, unsigned int map, int indent)
{
	size_t i, n;
	int64_t k;

	switch (cbor_typeof(v)) {
	case CBOR_TYPE_UINT:
	case CBOR_TYPE_NEGINT:
		if (int_of(v, &k))
			fprintf(f, "%" PRId64, k);
		else
			fprintf(f, "%" PRIu64, (uint64_t)cbor_get_int(v));
		break;
	case CBOR_TYPE_BYTESTRING:
		base64(f, cbor_bytestring_handle(v), cbor_bytestring_length(v));
		break;
	case CBOR_TYPE_STRING:
		json_string(f, (const char *)cbor_string_handle(v),
			    cbor_string_length(v));
		break;
	case CBOR_TYPE_ARRAY:
		n = cbor_array_size(v);
		fprintf(f, "[");
		for (i = 0; i < n; i++) {
			fprintf(f, "%s\n%*s", i ? "," : "", indent + 2, "");
			json_value(f, cbor_array_handle(v)[i], map, indent + 2);
		}
		fprintf(f, "%s%*s]", n ? "\n" : "", n ? indent : 0, "");
		break;
	case CBOR_TYPE_MAP:
		json_map(f, v, map, indent);
		break;
	case CBOR_TYPE_TAG:
		fprintf(f, "null");	/* no claim of either profile is tagged */
		break;
	default:
		if (cbor_is_bool(v))
			fprintf(f, "%s", cbor_get_bool(v) ? "true" : "false");
		else
			fprintf(f, "null");
		break;
	}
}

void
attest_print_json(FILE *f, const struct token_view *v)
{
	fprintf(f, "{\n  \"cca-platform-token\": ");
	json_value(f, v->platform, TOKEN_MAP_PLATFORM, 2);
	fprintf(f, ",\n  \"cca-realm-delegated-token\": ");
	json_value(f, v->realm, TOKEN_MAP_REALM, 2);
	fprintf(f, "\n}\n");
}

/* ---- text ------------------------------------------------------------------- */

static void
hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static void
text_value(FILE *f, const cbor_item_t *v, unsigned int map, int indent)
{
	struct cbor_pair *kv;
	const char *name;
	size_t i, n;
	int64_t k;

	switch (cbor_typeof(v)) {
	case CBOR_TYPE_BYTESTRING:
		hex(f, cbor_bytestring_handle(v), cbor_bytestring_length(v));
		fputc('\n', f);
		break;
	case CBOR_TYPE_ARRAY:
		n = cbor_array_size(v);
		fprintf(f, "%zu entr%s\n", n, n == 1 ? "y" : "ies");
		for (i = 0; i < n; i++) {
			fprintf(f, "%*s[%zu] ", indent + 2, "", i);
			text_value(f, cbor_array_handle(v)[i], map, indent + 2);
		}
		break;
	case CBOR_TYPE_MAP:
		kv = cbor_map_handle(v);
		n = cbor_map_size(v);
		fputc('\n', f);
		for (i = 0; i < n; i++) {
			if (!int_of(kv[i].key, &k)) {
				fprintf(f, "%*s(a key that is not an integer)\n",
					indent + 2, "");
				continue;
			}
			name = name_of(map, k);
			fprintf(f, "%*s%s (%" PRId64 "): ", indent + 2, "",
				name ? name : "?", k);
			text_value(f, kv[i].value, inner_map(map, k),
				   indent + 2);
		}
		break;
	default:
		json_value(f, v, map, indent);
		fputc('\n', f);
		break;
	}
}

void
attest_print_text(FILE *f, const struct token_view *v)
{
	fprintf(f, "collection: tag %u (%s)\n", v->tag,
		v->tag == CCA_TOKEN_TAG ? "EAT collection" : "CMW collection");
	fprintf(f, "platform token claims:");
	text_value(f, v->platform, TOKEN_MAP_PLATFORM, 0);
	fprintf(f, "realm token claims:");
	text_value(f, v->realm, TOKEN_MAP_REALM, 0);
}

/* ---- the membership claim, in words ------------------------------------------- */

static uint64_t
get_u(const cbor_item_t *m, int64_t key)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	size_t i;
	int64_t k;

	for (i = 0; i < cbor_map_size(m); i++)
		if (int_of(kv[i].key, &k) && k == key &&
		    cbor_isa_uint(kv[i].value))
			return cbor_get_int(kv[i].value);
	return ~0ull;
}

static const cbor_item_t *
get_item(const cbor_item_t *m, int64_t key)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	size_t i;
	int64_t k;

	for (i = 0; i < cbor_map_size(m); i++)
		if (int_of(kv[i].key, &k) && k == key)
			return kv[i].value;
	return NULL;
}

static const char *
perm_name(uint64_t p)
{
	return p == CSM_PERM_RO ? "RO" : p == CSM_PERM_RW ? "RW" : "?";
}

static const char *
state_name(uint64_t s)
{
	static const char *const n[] = { "?", "SHARED", "RESERVED",
					  "ATTACHED", "REVOKED" };

	return s < 5 ? n[s] : "?";
}

void
attest_print_membership(FILE *f, const uint8_t *buf, size_t len)
{
	cbor_item_t *a = cose_cbor_load(buf, len);
	const cbor_item_t *cons, *e, *g;
	size_t i, j;

	/* The verifier checked the shape (token_claims.c): each entry is a
	 * map of unsigned fields, each consumer [id, handle, perm, state]. */
	if (!a || !cbor_isa_array(a)) {
		fprintf(f, "csm membership: (malformed)\n");
		goto out;
	}
	fprintf(f, "csm membership: %zu entr%s\n", cbor_array_size(a),
		cbor_array_size(a) == 1 ? "y" : "ies");
	for (i = 0; i < cbor_array_size(a); i++) {
		e = cbor_array_handle(a)[i];
		if (!cbor_isa_map(e))
			continue;
		if (get_u(e, CSM_CLAIM_K_ROLE) == CSM_CLAIM_ROLE_PROVIDER) {
			fprintf(f, "  provider of region %" PRIu64 " (%" PRIu64 " bytes)\n",
				get_u(e, CSM_CLAIM_K_CSM_ID),
				get_u(e, CSM_CLAIM_K_SIZE));
			cons = get_item(e, CSM_CLAIM_K_CONSUMERS);
			for (j = 0; cons && cbor_isa_array(cons) &&
				    j < cbor_array_size(cons); j++) {
				g = cbor_array_handle(cons)[j];
				if (!cbor_isa_array(g) || cbor_array_size(g) != 4)
					continue;
				fprintf(f, "    consumer %016" PRIx64 " handle %016" PRIx64 " %s %s\n",
					(uint64_t)cbor_get_int(cbor_array_handle(g)[0]),
					(uint64_t)cbor_get_int(cbor_array_handle(g)[1]),
					perm_name(cbor_get_int(cbor_array_handle(g)[2])),
					state_name(cbor_get_int(cbor_array_handle(g)[3])));
			}
		} else {
			fprintf(f, "  consumer of %016" PRIx64 "/%016" PRIx64 " (%" PRIu64 " bytes) %s %s\n",
				get_u(e, CSM_CLAIM_K_PROVIDER),
				get_u(e, CSM_CLAIM_K_HANDLE),
				get_u(e, CSM_CLAIM_K_SIZE),
				perm_name(get_u(e, CSM_CLAIM_K_PERM)),
				state_name(get_u(e, CSM_CLAIM_K_STATE)));
		}
	}
out:
	if (a)
		cbor_decref(&a);
}
