/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The claims of a CCA token against their profiles (token_priv.h): which
 * claims each profile makes mandatory, the shape of each, and their names
 * as veraison's evcli writes them (token_claim_name()).
 *
 * The rules are the profiles' (draft-ffm-rats-cca-token; the same checks,
 * in the same order, as veraison's ccatoken), tightened where a loose
 * reading would let a signer say two things: one nonce only, integer keys
 * only and none twice (claim_map.h), exactly four REMs, all measurements of
 * one length, known hash algorithms only. A claim no profile names is left
 * alone (standard verifiers ignore the firmware's -7000x the same way),
 * except the firmware's own claims, which CAEC relies on and so checks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cbor.h>
#include <openssl/evp.h>

#include "claim_map.h"
#include "cose.h"
#include "csm_abi.h"
#include "csm_apt.h"
#include "token_priv.h"

_Static_assert(TOKEN_MEMBERSHIP_MAX == APT_CAPACITY,
	       "the verifier's membership bound is the firmware's");
_Static_assert(CCA_REALM_ID == CSM_CLAIM_REALM_ID &&
	       CCA_REALM_MEMBERSHIP == CSM_CLAIM_MEMBERSHIP,
	       "the firmware's claim labels");

struct claim_name {
	int64_t key;
	const char *name;
};

static const struct claim_name platform_names[] = {
	{ CCA_PROFILE, "cca-platform-profile" },
	{ CCA_CHALLENGE, "cca-platform-challenge" },
	{ CCA_PLAT_IMPL_ID, "cca-platform-implementation-id" },
	{ CCA_PLAT_INSTANCE_ID, "cca-platform-instance-id" },
	{ CCA_PLAT_CONFIG, "cca-platform-config" },
	{ CCA_PLAT_LIFECYCLE, "cca-platform-lifecycle" },
	{ CCA_PLAT_SW_COMPONENTS, "cca-platform-sw-components" },
	{ CCA_PLAT_VERIFICATION, "cca-platform-service-indicator" },
	{ CCA_PLAT_HASH_ALGO, "cca-platform-hash-algo-id" },
	{ 0, NULL },
};

static const struct claim_name realm_names[] = {
	{ CCA_PROFILE, "cca-realm-profile" },
	{ CCA_CHALLENGE, "cca-realm-challenge" },
	{ CCA_REALM_PERSONALIZATION, "cca-realm-personalization-value" },
	{ CCA_REALM_RIM, "cca-realm-initial-measurement" },
	{ CCA_REALM_REM, "cca-realm-extensible-measurements" },
	{ CCA_REALM_HASH_ALGO, "cca-realm-hash-algo-id" },
	{ CCA_REALM_PUB_KEY, "cca-realm-public-key" },
	{ CCA_REALM_PUB_KEY_HASH_ALGO, "cca-realm-public-key-hash-algo-id" },
	{ CCA_REALM_ID, "caec-realm-id" },
	{ CCA_REALM_MEMBERSHIP, "caec-csm-membership" },
	{ 0, NULL },
};

static const struct claim_name swc_names[] = {
	{ CCA_SWC_TYPE, "measurement-type" },
	{ CCA_SWC_MEASUREMENT, "measurement-value" },
	{ CCA_SWC_VERSION, "version" },
	{ CCA_SWC_SIGNER_ID, "signer-id" },
	{ CCA_SWC_DESCRIPTION, "measurement-description" },
	{ 0, NULL },
};

const char *
token_claim_name(unsigned int map, int64_t key)
{
	const struct claim_name *t = map == TOKEN_MAP_PLATFORM ? platform_names :
				     map == TOKEN_MAP_REALM ? realm_names :
				     map == TOKEN_MAP_SW_COMPONENT ? swc_names :
				     NULL;

	for (; t && t->name; t++)
		if (t->key == key)
			return t->name;
	return NULL;
}

/* ---- messages -------------------------------------------------------------- */

/* What the messages of one claims map start with. */
struct ctx {
	const char *part;		/* "platform token", "realm token" */
	unsigned int map;		/* TOKEN_MAP_* */
	const char *profile;		/* for "missing": the profile */
	char *why;
	size_t wl;
};

static int __attribute__((format(printf, 3, 4)))
bad(const struct ctx *c, int64_t key, const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return token_fail(-EBADMSG, c->why, c->wl, "%s: claim %lld (%s) %s",
			  c->part, (long long)key,
			  token_claim_name(c->map, key), detail);
}

static int
missing(const struct ctx *c, int64_t key)
{
	if (!c->profile)
		return token_fail(-EBADMSG, c->why, c->wl,
				  "%s: claim %lld (%s) is missing; a realm token without a profile claim (early TF-RMM) has it too",
				  c->part, (long long)key,
				  token_claim_name(c->map, key));
	return token_fail(-EBADMSG, c->why, c->wl,
			  "%s: claim %lld (%s) is missing; profile %s makes it mandatory",
			  c->part, (long long)key,
			  token_claim_name(c->map, key), c->profile);
}

/* "32, 48 or 64" */
static void
lens_text(const size_t *lens, char *buf, size_t n)
{
	size_t i, k, off = 0;

	for (k = 0; lens[k]; k++)
		;
	buf[0] = '\0';
	for (i = 0; i < k && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%zu",
					!i ? "" : i + 1 == k ? " or " : ", ",
					lens[i]);
}

/*
 * The byte string at @key, of one of the lengths @lens (0-terminated; an
 * empty list: any length). RETURN VALUE: 0 and *@p, *@n; 1 when absent
 * and optional; -EBADMSG.
 */
static int
get_bstr(const struct ctx *c, const cbor_item_t *m, int64_t key,
	 const size_t *lens, bool mandatory, const uint8_t **p, size_t *n)
{
	cbor_item_t *v = cm_get(m, key);
	char l[32];
	size_t i;

	if (!v)
		return mandatory ? missing(c, key) : 1;
	*p = cm_bstr(v, n);
	if (!*p)
		return bad(c, key, "is %s, not a byte string", cm_type_name(v));
	if (!lens[0])
		return 0;
	for (i = 0; lens[i]; i++)
		if (*n == lens[i])
			return 0;
	lens_text(lens, l, sizeof(l));
	return bad(c, key, "has %zu bytes, not %s", *n, l);
}

/* The text string at @key, not empty. Same returns as get_bstr(). */
static int
get_tstr(const struct ctx *c, const cbor_item_t *m, int64_t key,
	 bool mandatory, const char **s, size_t *n)
{
	cbor_item_t *v = cm_get(m, key);

	if (!v)
		return mandatory ? missing(c, key) : 1;
	*s = cm_tstr(v, n);
	if (!*s)
		return bad(c, key, "is %s, not a text string", cm_type_name(v));
	if (!*n)
		return bad(c, key, "is an empty string");
	return 0;
}

/* One of the hash names @names (NULL-terminated): its index, or -EBADMSG. */
static int
get_hash(const struct ctx *c, const cbor_item_t *m, int64_t key,
	 const char *const *names)
{
	const char *s = NULL;
	char list[64] = "";
	size_t n = 0, i, off = 0;
	int rc = get_tstr(c, m, key, true, &s, &n);

	if (rc)
		return rc;
	for (i = 0; names[i]; i++) {
		if (n == strlen(names[i]) && !memcmp(s, names[i], n))
			return (int)i;
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					i ? ", " : "", names[i]);
	}
	return bad(c, key, "\"%.*s\" is not a hash algorithm this verifier accepts (%s)",
		   (int)(n > 40 ? 40 : n), s, list);
}

/* The single nonce at @key (one of @lens). Same returns as get_bstr(). */
static int
get_nonce(const struct ctx *c, const cbor_item_t *m, int64_t key,
	  const size_t *lens, const uint8_t **p, size_t *n)
{
	cbor_item_t *v = cm_get(m, key);

	/* EAT allows an array of nonces; a CCA token carries exactly one. */
	if (v && cbor_isa_array(v))
		return bad(c, key, "carries %zu nonces, not one",
			   cbor_array_size(v));
	return get_bstr(c, m, key, lens, true, p, n);
}

/* ---- platform ------------------------------------------------------------- */

static const size_t hash_lens[] = { 32, 48, 64, 0 };

const char *
token_lifecycle_name(uint16_t v)
{
	static const char *const states[] = {
		"unknown", "assembly-and-test", "cca-platform-rot-provisioning",
		"secured", "non-cca-platform-rot-debug",
		"recoverable-cca-platform-rot-debug", "decommissioned",
	};

	/* Each state is one range 0xN000..0xN0ff. */
	if ((v & 0x0f00) || (v >> 12) >= sizeof(states) / sizeof(states[0]))
		return NULL;
	return states[v >> 12];
}

/* One software component: a map of known keys, measurement and signer id
 * mandatory. */
static int
sw_component(const struct ctx *c, const cbor_item_t *e, size_t i)
{
	static const int64_t text_keys[] = { CCA_SWC_TYPE, CCA_SWC_VERSION,
					     CCA_SWC_DESCRIPTION };
	struct ctx sc = *c;
	struct cbor_pair *kv;
	char what[64];
	const uint8_t *p;
	const char *s;
	size_t n, k;
	int64_t key;
	int rc;

	snprintf(what, sizeof(what), "%s: software component %zu", c->part, i);
	sc.part = what;
	sc.map = TOKEN_MAP_SW_COMPONENT;
	if (!cbor_isa_map(e))
		return token_fail(-EBADMSG, c->why, c->wl, "%s is %s, not a map",
				  what, cm_type_name(e));
	rc = cm_check_keys(e, what, c->why, c->wl);
	if (rc)
		return rc;
	kv = cbor_map_handle(e);
	for (k = 0; k < cbor_map_size(e); k++) {
		(void)cm_int(kv[k].key, &key);
		if (!token_claim_name(TOKEN_MAP_SW_COMPONENT, key))
			return token_fail(-EBADMSG, c->why, c->wl,
					  "%s: key %lld is not a software component field",
					  what, (long long)key);
	}
	rc = get_bstr(&sc, e, CCA_SWC_MEASUREMENT, hash_lens, true, &p, &n);
	if (!rc)
		rc = get_bstr(&sc, e, CCA_SWC_SIGNER_ID, hash_lens, true, &p,
			      &n);
	for (k = 0; !rc && k < sizeof(text_keys) / sizeof(text_keys[0]); k++)
		if (cm_get(e, text_keys[k]))
			rc = get_tstr(&sc, e, text_keys[k], false, &s, &n);
	return rc;
}

int
token_platform_check(const cbor_item_t *m, struct token_claims *out,
		     char *why, size_t wl)
{
	static const char *const plat_hashes[] = { "sha-256", "sha-384",
						   "sha-512", NULL };
	static const size_t impl_len[] = { TOKEN_IMPL_ID_LEN, 0 };
	static const size_t inst_len[] = { TOKEN_INSTANCE_ID_LEN, 0 };
	static const size_t any[] = { 0 };
	struct ctx c = { "platform token", TOKEN_MAP_PLATFORM,
			 CCA_PROFILE_PLATFORM, why, wl };
	const cbor_item_t *v, *sw;
	const uint8_t *p;
	const char *s;
	uint64_t u;
	size_t n, i;
	int rc;

	rc = cm_check_keys(m, "platform token claims", why, wl);
	if (rc)
		return rc;
	/* The profile first: it says what else is mandatory. */
	v = cm_get(m, CCA_PROFILE);
	if (!v)
		return missing(&c, CCA_PROFILE);
	if (cm_tstr_is(v, CCA_PROFILE_PLATFORM_LEGACY)) {
		out->platform_profile = TOKEN_PLATFORM_LEGACY;
		c.profile = CCA_PROFILE_PLATFORM_LEGACY;
	} else if (cm_tstr_is(v, CCA_PROFILE_PLATFORM)) {
		out->platform_profile = TOKEN_PLATFORM_2023;
	} else if ((s = cm_tstr(v, &n))) {
		return bad(&c, CCA_PROFILE,
			   "\"%.*s\" is not a CCA platform profile (" CCA_PROFILE_PLATFORM_LEGACY
			   " or " CCA_PROFILE_PLATFORM ")", (int)(n > 48 ? 48 : n), s);
	} else {
		return bad(&c, CCA_PROFILE, "is %s, not a text string",
			   cm_type_name(v));
	}
	/* The two profiles make the same claims mandatory. */
	v = cm_get(m, CCA_PLAT_LIFECYCLE);
	if (!v)
		return missing(&c, CCA_PLAT_LIFECYCLE);
	if (!cm_uint(v, &u) || u > UINT16_MAX)
		return bad(&c, CCA_PLAT_LIFECYCLE, "is not a 16-bit unsigned integer");
	if (!token_lifecycle_name((uint16_t)u))
		return bad(&c, CCA_PLAT_LIFECYCLE, "value %#llx is not a lifecycle state",
			   (unsigned long long)u);
	out->lifecycle = (uint16_t)u;
	rc = get_bstr(&c, m, CCA_PLAT_IMPL_ID, impl_len, true, &p, &n);
	if (rc)
		return rc;
	memcpy(out->impl_id, p, n);
	sw = cm_get(m, CCA_PLAT_SW_COMPONENTS);
	if (!sw)
		return missing(&c, CCA_PLAT_SW_COMPONENTS);
	if (!cbor_isa_array(sw))
		return bad(&c, CCA_PLAT_SW_COMPONENTS, "is %s, not an array",
			   cm_type_name(sw));
	if (!cbor_array_size(sw))
		return bad(&c, CCA_PLAT_SW_COMPONENTS,
			   "is empty; the profile wants at least one component");
	for (i = 0; i < cbor_array_size(sw); i++) {
		rc = sw_component(&c, cbor_array_handle(sw)[i], i);
		if (rc)
			return rc;
	}
	rc = get_nonce(&c, m, CCA_CHALLENGE, hash_lens, &p, &n);
	if (rc)
		return rc;
	rc = get_bstr(&c, m, CCA_PLAT_INSTANCE_ID, inst_len, true, &p, &n);
	if (rc)
		return rc;
	if (p[0] != 0x01)
		return bad(&c, CCA_PLAT_INSTANCE_ID,
			   "is of UEID type %#x, not RAND (0x01)", p[0]);
	memcpy(out->instance_id, p, n);
	rc = get_tstr(&c, m, CCA_PLAT_VERIFICATION, false, &s, &n);
	if (rc < 0)
		return rc;
	rc = get_bstr(&c, m, CCA_PLAT_CONFIG, any, true, &p, &n);
	if (rc)
		return rc;
	rc = get_hash(&c, m, CCA_PLAT_HASH_ALGO, plat_hashes);
	return rc < 0 ? rc : 0;
}

/* ---- realm -------------------------------------------------------------------- */

/* The CSM membership claim (firmware-patches/ABI.md §5): its shape, and
 * the firmware's bound on its entries. */
static int
membership(const struct ctx *c, const cbor_item_t *a)
{
	static const int64_t provider_keys[] = { CSM_CLAIM_K_ROLE,
		CSM_CLAIM_K_CSM_ID, CSM_CLAIM_K_SIZE, CSM_CLAIM_K_CONSUMERS };
	static const int64_t consumer_keys[] = { CSM_CLAIM_K_ROLE,
		CSM_CLAIM_K_SIZE, CSM_CLAIM_K_PROVIDER, CSM_CLAIM_K_HANDLE,
		CSM_CLAIM_K_PERM, CSM_CLAIM_K_STATE };
	const cbor_item_t *e, *g, *cons;
	const int64_t *keys;
	size_t i, j, k, nkeys;
	uint64_t role, u;

	if (!cbor_isa_array(a))
		return bad(c, CCA_REALM_MEMBERSHIP, "is %s, not an array",
			   cm_type_name(a));
	if (cbor_array_size(a) > TOKEN_MEMBERSHIP_MAX)
		return bad(c, CCA_REALM_MEMBERSHIP,
			   "has %zu entries; an APT holds %u at most",
			   cbor_array_size(a), TOKEN_MEMBERSHIP_MAX);
	for (i = 0; i < cbor_array_size(a); i++) {
		e = cbor_array_handle(a)[i];
		if (!cbor_isa_map(e) || cm_check_keys(e, "", NULL, 0) ||
		    !cm_uint(cm_get(e, CSM_CLAIM_K_ROLE), &role) ||
		    role > CSM_CLAIM_ROLE_CONSUMER)
			return bad(c, CCA_REALM_MEMBERSHIP,
				   "entry %zu is not a map with a role", i);
		keys = role == CSM_CLAIM_ROLE_PROVIDER ? provider_keys :
							 consumer_keys;
		nkeys = role == CSM_CLAIM_ROLE_PROVIDER ? 4 : 6;
		if (cbor_map_size(e) != nkeys)
			return bad(c, CCA_REALM_MEMBERSHIP,
				   "entry %zu has %zu fields, not %zu", i,
				   cbor_map_size(e), nkeys);
		for (k = 0; k < nkeys; k++) {
			g = cm_get(e, keys[k]);
			if (keys[k] == CSM_CLAIM_K_CONSUMERS)
				continue;
			if (!g || !cm_uint(g, &u))
				return bad(c, CCA_REALM_MEMBERSHIP,
					   "entry %zu: field %lld is missing or not an unsigned integer",
					   i, (long long)keys[k]);
		}
		if (role != CSM_CLAIM_ROLE_PROVIDER)
			continue;
		cons = cm_get(e, CSM_CLAIM_K_CONSUMERS);
		if (!cons || !cbor_isa_array(cons) ||
		    cbor_array_size(cons) > TOKEN_MEMBERSHIP_MAX)
			return bad(c, CCA_REALM_MEMBERSHIP,
				   "entry %zu: the consumers are not an array of at most %u",
				   i, TOKEN_MEMBERSHIP_MAX);
		for (j = 0; j < cbor_array_size(cons); j++) {
			g = cbor_array_handle(cons)[j];
			if (!cbor_isa_array(g) || cbor_array_size(g) != 4)
				return bad(c, CCA_REALM_MEMBERSHIP,
					   "entry %zu: consumer %zu is not [id, handle, perm, state]",
					   i, j);
			for (k = 0; k < 4; k++)
				if (!cm_uint(cbor_array_handle(g)[k], &u))
					return bad(c, CCA_REALM_MEMBERSHIP,
						   "entry %zu: consumer %zu: a field that is not an unsigned integer",
						   i, j);
		}
	}
	return 0;
}

/* The RAK: a COSE_Key under the realm profile, else a raw point. */
static int
realm_key(const struct ctx *c, const cbor_item_t *m, bool profile,
	  struct token_rak *rak)
{
	static const size_t any[] = { 0 };
	const char *what = NULL;
	const uint8_t *p;
	size_t n;
	int rc;

	rc = get_bstr(c, m, CCA_REALM_PUB_KEY, any, true, &p, &n);
	if (rc)
		return rc;
	if (profile) {
		rc = cose_key_decode(p, n, &rak->key, &what);
		if (rc == -EBADMSG)
			return bad(c, CCA_REALM_PUB_KEY,
				   "is not a P-384 COSE_Key, as profile " CCA_PROFILE_REALM
				   " wants: %s", what);
	} else {
		if (n != COSE_P384_POINT || p[0] != 0x04)
			return bad(c, CCA_REALM_PUB_KEY,
				   "has %zu bytes; with no profile claim it is a raw P-384 point (97 bytes, 0x04 first)",
				   n);
		rc = cose_p384_from_point(p, &rak->key);
		if (rc == -EBADMSG)
			return bad(c, CCA_REALM_PUB_KEY,
				   "is not a point on the P-384 curve");
	}
	if (rc)
		return rc;
	rak->claim = p;
	rak->claim_len = n;
	return 0;
}

int
token_realm_check(const cbor_item_t *m, struct token_claims *out,
		  struct token_rak *rak, char *why, size_t wl)
{
	static const char *const realm_hashes[] = { "sha-256", "sha-512", NULL };
	static const char *const rak_hashes[] = { "sha-256", "sha-384",
						  "sha-512", NULL };
	static const size_t ch_len[] = { TOKEN_CHALLENGE_LEN, 0 };
	static const size_t rpv_len[] = { TOKEN_RPV_LEN, 0 };
	static const size_t meas_lens[] = { 32, 64, 0 };
	struct ctx c = { "realm token", TOKEN_MAP_REALM,
			 CCA_PROFILE_REALM, why, wl };
	const cbor_item_t *v, *rem, *id, *mem;
	unsigned char *buf = NULL;
	const uint8_t *p;
	size_t n, i, cap = 0;
	int rc;

	memset(rak, 0, sizeof(*rak));
	rc = cm_check_keys(m, "realm token claims", why, wl);
	if (rc)
		return rc;
	v = cm_get(m, CCA_PROFILE);
	if (v && !cm_tstr_is(v, CCA_PROFILE_REALM))
		return bad(&c, CCA_PROFILE, "is not " CCA_PROFILE_REALM);
	out->realm_profile = v != NULL;
	if (!v)
		c.profile = NULL;
	rc = get_nonce(&c, m, CCA_CHALLENGE, ch_len, &p, &n);
	if (rc)
		return rc;
	memcpy(out->challenge, p, n);
	rc = get_bstr(&c, m, CCA_REALM_PERSONALIZATION, rpv_len, true, &p, &n);
	if (rc)
		return rc;
	memcpy(out->rpv, p, n);
	rc = get_bstr(&c, m, CCA_REALM_RIM, meas_lens, true, &p, &n);
	if (rc)
		return rc;
	memcpy(out->rim, p, n);
	out->meas_len = n;
	rem = cm_get(m, CCA_REALM_REM);
	if (!rem)
		return missing(&c, CCA_REALM_REM);
	if (!cbor_isa_array(rem) || cbor_array_size(rem) != TOKEN_NR_REM)
		return bad(&c, CCA_REALM_REM, "is not an array of %u measurements",
			   TOKEN_NR_REM);
	for (i = 0; i < TOKEN_NR_REM; i++) {
		p = cm_bstr(cbor_array_handle(rem)[i], &n);
		if (!p || n != out->meas_len)
			return bad(&c, CCA_REALM_REM,
				   "entry %zu is not a byte string of the RIM's %zu bytes",
				   i, out->meas_len);
		memcpy(out->rem[i], p, n);
	}
	rc = get_hash(&c, m, CCA_REALM_HASH_ALGO, realm_hashes);
	if (rc < 0)
		return rc;
	out->hash_algo = rc ? TOKEN_HASH_SHA512 : TOKEN_HASH_SHA256;
	rc = realm_key(&c, m, out->realm_profile, rak);
	if (rc)
		return rc;
	rc = get_hash(&c, m, CCA_REALM_PUB_KEY_HASH_ALGO, rak_hashes);
	if (rc < 0) {
		EVP_PKEY_free(rak->key);
		rak->key = NULL;
		return rc;
	}
	rak->bind = rc == 0 ? EVP_sha256() : rc == 1 ? EVP_sha384() :
			      EVP_sha512();
	rak->bind_name = rak_hashes[rc];
	/* The firmware's claims: optional, but never malformed. */
	id = cm_get(m, CCA_REALM_ID);
	mem = cm_get(m, CCA_REALM_MEMBERSHIP);
	rc = 0;
	if (id && (!cm_uint(id, &out->realm_id) || !out->realm_id))
		rc = bad(&c, CCA_REALM_ID, "is not a non-zero unsigned integer");
	out->has_realm_id = id != NULL;
	if (!rc && mem)
		rc = membership(&c, mem);
	if (!rc && mem) {
		out->membership_len = cbor_serialize_alloc(mem, &buf, &cap);
		out->membership = buf;
		if (!out->membership_len)
			rc = -ENOMEM;
	}
	if (rc) {
		EVP_PKEY_free(rak->key);
		rak->key = NULL;
	}
	return rc;
}
