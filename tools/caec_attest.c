/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-attest — verify a CCA attestation token (as caec-rmmd issues them)
 * against a trust anchor, check the challenge and optionally the expected
 * measurement, print the realm id and the CSM claims. Exit status: 0 valid,
 * 1 rejected (the reason on stderr), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "csm_abi.h"
#include "../src/attest/cose.h"
#include "../src/attest/token.h"

static const char usage_text[] =
"usage: caec-attest --anchor PEM --challenge HEX [--measurement HEX] TOKEN\n"
"\n"
"Verify a CCA attestation token (TOKEN: a file, or - for stdin): the\n"
"platform signature against the trust anchor (the platform's public key,\n"
"PEM; caec-rmmd writes it next to its socket, SOCKET.pub), the realm\n"
"signature with the RAK the token carries, the key binding between them,\n"
"the challenge (128 hex digits) and, when given, the expected measurement\n"
"(the RIM, 64 hex digits). Prints the realm id and the CSM claims.\n"
"Tokens from caec-rmmd attest an EMULATED RMM, not hardware.\n"
"Exit status: 0 valid, 1 rejected, 2 usage error.\n";

static int
hex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	unsigned int v;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t *buf = malloc(TOKEN_MAX + 1);
	size_t n = 0;

	if (!f || !buf) {
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, TOKEN_MAX + 1, f);
	if (f != stdin)
		fclose(f);
	if (n > TOKEN_MAX) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	*len = n;
	return buf;
}

/* Map @m's value at small integer key @k as a uint, or ~0. */
static uint64_t
get_u(const cbor_item_t *m, uint64_t k)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	size_t i;

	for (i = 0; i < cbor_map_size(m); i++)
		if (cbor_isa_uint(kv[i].key) && cbor_get_int(kv[i].key) == k &&
		    cbor_isa_uint(kv[i].value))
			return cbor_get_int(kv[i].value);
	return ~0ull;
}

static const cbor_item_t *
get_item(const cbor_item_t *m, uint64_t k)
{
	struct cbor_pair *kv = cbor_map_handle(m);
	size_t i;

	for (i = 0; i < cbor_map_size(m); i++)
		if (cbor_isa_uint(kv[i].key) && cbor_get_int(kv[i].key) == k)
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

/* The csm-membership claim (firmware-patches/ABI.md §5), one line each. */
static void
print_membership(const uint8_t *buf, size_t len)
{
	cbor_item_t *a = cose_cbor_load(buf, len);
	const cbor_item_t *cons, *e, *g;
	size_t i, j;

	if (!a || !cbor_isa_array(a)) {
		printf("csm membership: (malformed)\n");
		goto out;
	}
	printf("csm membership: %zu entr%s\n", cbor_array_size(a),
	       cbor_array_size(a) == 1 ? "y" : "ies");
	for (i = 0; i < cbor_array_size(a); i++) {
		e = cbor_array_handle(a)[i];
		if (!cbor_isa_map(e))
			continue;
		if (get_u(e, CSM_CLAIM_K_ROLE) == CSM_CLAIM_ROLE_PROVIDER) {
			printf("  provider of region %" PRIu64 " (%" PRIu64 " bytes)\n",
			       get_u(e, CSM_CLAIM_K_CSM_ID),
			       get_u(e, CSM_CLAIM_K_SIZE));
			cons = get_item(e, CSM_CLAIM_K_CONSUMERS);
			for (j = 0; cons && cbor_isa_array(cons) &&
				    j < cbor_array_size(cons); j++) {
				g = cbor_array_handle(cons)[j];
				if (!cbor_isa_array(g) || cbor_array_size(g) != 4)
					continue;
				printf("    consumer %016" PRIx64 " handle %016" PRIx64 " %s %s\n",
				       cbor_get_int(cbor_array_handle(g)[0]),
				       cbor_get_int(cbor_array_handle(g)[1]),
				       perm_name(cbor_get_int(cbor_array_handle(g)[2])),
				       state_name(cbor_get_int(cbor_array_handle(g)[3])));
			}
		} else {
			printf("  consumer of %016" PRIx64 "/%016" PRIx64 " (%" PRIu64 " bytes) %s %s\n",
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

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "anchor", required_argument, NULL, 'a' },
		{ "challenge", required_argument, NULL, 'c' },
		{ "measurement", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t challenge[TOKEN_CHALLENGE_LEN], rim[TOKEN_RIM_LEN], *tok;
	const char *anchor = NULL, *ch = NULL, *meas = NULL;
	struct token_claims tc;
	char why[200];
	EVP_PKEY *iak;
	size_t len, i;
	int o, rc;

	while ((o = getopt_long(argc, argv, "a:c:m:h", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			anchor = optarg;
			break;
		case 'c':
			ch = optarg;
			break;
		case 'm':
			meas = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (!anchor || !ch || optind != argc - 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (hex(ch, challenge, sizeof(challenge)) ||
	    (meas && hex(meas, rim, sizeof(rim)))) {
		fprintf(stderr, "caec-attest: --challenge needs 128 hex digits, --measurement 64\n");
		return 2;
	}
	tok = slurp(argv[optind], &len);
	if (!tok) {
		fprintf(stderr, "caec-attest: %s: %s\n", argv[optind],
			strerror(errno));
		return 1;
	}
	rc = token_anchor_load(anchor, &iak);
	if (rc) {
		fprintf(stderr, "caec-attest: trust anchor %s: %s\n", anchor,
			rc == -ENOENT ? "no such file" : "not a PEM public key");
		free(tok);
		return 1;
	}
	rc = token_verify(tok, len, iak, challenge, meas ? rim : NULL, &tc,
			  why, sizeof(why));
	EVP_PKEY_free(iak);
	free(tok);
	if (rc) {
		fprintf(stderr, "caec-attest: token rejected: %s\n", why);
		return 1;
	}
	printf("token: valid (signatures, key binding, challenge%s)\n",
	       meas ? ", measurement" : "");
	if (tc.has_realm_id)
		printf("realm id: %016" PRIx64 "\n", tc.realm_id);
	else
		printf("realm id: (no claim)\n");
	printf("measurement: ");
	for (i = 0; i < sizeof(tc.rim); i++)
		printf("%02x", tc.rim[i]);
	printf("\n");
	if (tc.membership)
		print_membership(tc.membership, tc.membership_len);
	token_claims_free(&tc);
	return 0;
}
