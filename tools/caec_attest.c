/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-attest — verify a CCA attestation token: the ones real RMMs emit
 * (TF-RMM, in either collection and either profile) and the ones caec-rmmd
 * issues. The manual is usage_text below (--help).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest_print.h"
#include "../src/attest/token.h"

static const char usage_text[] =
"NAME\n"
"    caec-attest - verify a CCA attestation token\n"
"\n"
"SYNOPSIS\n"
"    caec-attest --anchor PATH [--anchor PATH]... --challenge HEX\n"
"                [--expect-rim HEX] [--expect-rpv HEX]\n"
"                [--expect-rem N=HEX]... [--json] TOKEN\n"
"    caec-attest --print [--json] TOKEN\n"
"\n"
"DESCRIPTION\n"
"    Checks TOKEN (a file, or - for standard input), a CCA attestation\n"
"    token: a tag 399 (EAT) or 907 (CMW) collection of a platform token\n"
"    and a realm token, both COSE_Sign1 signed ES384. It verifies the\n"
"    platform signature with a trust anchor, every claim the token's\n"
"    profiles make mandatory (platform: http://arm.com/CCA-SSD/1.0.0 or\n"
"    tag:arm.com,2023:cca_platform#1.0.0; realm: no profile claim, the\n"
"    RAK a raw P-384 point, or tag:arm.com,2023:realm#1.0.0, the RAK a\n"
"    COSE_Key), the realm signature with the RAK the token carries, the\n"
"    key binding between the two tokens, the challenge, and what the\n"
"    --expect options ask. Anything else fails closed, the reason naming\n"
"    the claim or the byte that is wrong.\n"
"\n"
"    It then prints the realm's measurements, its personalization value,\n"
"    the platform's lifecycle state and, for tokens of the CSM extension,\n"
"    the realm id and the CSM membership the firmware reports.\n"
"\n"
"OPTIONS\n"
"    -a, --anchor PATH\n"
"        A trust anchor: a platform's public key (PEM), or a directory of\n"
"        them (*.pem, *.pub). Repeatable. The anchors whose instance id\n"
"        (0x01 || SHA-256 of the key's point, or a file name of 66 hex\n"
"        digits) is the token's claim 256 are tried; when none is, every\n"
"        anchor is. caec-rmmd writes its anchor next to its socket\n"
"        (SOCKET.pub).\n"
"    -c, --challenge HEX\n"
"        The 64-byte challenge the realm token must carry (128 hex digits):\n"
"        the freshness the verifier asked for.\n"
"    -m, --expect-rim HEX, --measurement HEX\n"
"        The realm initial measurement (64 hex digits for SHA-256, 128 for\n"
"        SHA-512).\n"
"    -p, --expect-rpv HEX\n"
"        The realm personalization value (128 hex digits).\n"
"    -r, --expect-rem N=HEX\n"
"        Extensible measurement N (1..4, the index RSI_MEASUREMENT_EXTEND\n"
"        takes; the token's REM N-1). Repeatable.\n"
"    -j, --json\n"
"        Print every claim as JSON, under the names veraison's evcli uses\n"
"        (cca-platform-token, cca-realm-delegated-token,\n"
"        cca-realm-challenge, ...), byte strings in base64.\n"
"    -P, --print\n"
"        Show the token's claims WITHOUT verifying anything (no anchor or\n"
"        challenge needed). Nothing printed this way is trustworthy.\n"
"    -h, --help\n"
"        This text.\n"
"\n"
"EXIT STATUS\n"
"    0  the token is valid (with --print: it could be taken apart)\n"
"    1  the token is rejected, or cannot be read; the reason is on stderr\n"
"    2  usage error\n"
"\n"
"EXAMPLES\n"
"    caec-attest --anchor /run/caec-rmmd.sock.pub --challenge $CH token.cbor\n"
"    caec-attest --anchor anchors/ --challenge $CH --expect-rim $RIM --json t\n"
"    caec-attest --print --json token.cbor\n"
"\n"
"NOTES\n"
"    A token from caec-rmmd attests an EMULATED RMM: its platform keys live\n"
"    in an ordinary process, and its platform token says so (lifecycle\n"
"    0x5000, recoverable-cca-platform-rot-debug). A verifier's policy\n"
"    should accept only the lifecycle states it trusts (\"secured\").\n";

static int
usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "caec-attest: %s\n", msg);
	fputs("usage: caec-attest --anchor PATH --challenge HEX [--expect-rim HEX]\n"
	      "                   [--expect-rpv HEX] [--expect-rem N=HEX] [--json] TOKEN\n"
	      "       caec-attest --print [--json] TOKEN\n"
	      "       caec-attest --help\n", stderr);
	return 2;
}

/* @s as bytes: one of the lengths @a or @b (0: none). 0, or -1. */
static int
hex(const char *s, uint8_t *out, size_t a, size_t b, size_t *len)
{
	size_t i, n = strlen(s) / 2;
	unsigned int v;

	if (strlen(s) % 2 || (n != a && n != b) || !n)
		return -1;
	for (i = 0; i < n; i++) {
		if (!strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	if (len)
		*len = n;
	return 0;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t *buf = malloc(TOKEN_MAX + 1);
	size_t n;

	if (!f || !buf) {
		if (f && f != stdin)
			fclose(f);
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

static void
print_hex(const char *label, const uint8_t *p, size_t n)
{
	size_t i;

	printf("%s", label);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void
print_claims(const struct token_claims *c, const struct token_anchors *a)
{
	const char *state = token_lifecycle_name(c->lifecycle);
	char label[32];
	unsigned int i;

	if (a->a[c->anchor].path)
		printf("trust anchor: %s\n", a->a[c->anchor].path);
	printf("platform: profile %s, lifecycle %#06x (%s)\n",
	       c->platform_profile == TOKEN_PLATFORM_LEGACY ?
		       CCA_PROFILE_PLATFORM_LEGACY : CCA_PROFILE_PLATFORM,
	       c->lifecycle, state);
	if ((c->lifecycle & 0xff00) != 0x3000)
		printf("  NOT a secured platform: %s\n",
		       c->lifecycle == CCA_LIFECYCLE_EMULATED ?
		       "caec-rmmd's emulated platform says so of itself" :
		       "a policy for production should refuse it");
	print_hex("instance id: ", c->instance_id, sizeof(c->instance_id));
	printf("realm: %s, hash %s\n",
	       c->realm_profile ? "profile " CCA_PROFILE_REALM :
				  "no profile claim (early TF-RMM)",
	       c->hash_algo == TOKEN_HASH_SHA512 ? "sha-512" : "sha-256");
	if (c->has_realm_id)
		printf("realm id: %016" PRIx64 "\n", c->realm_id);
	else
		printf("realm id: (no claim)\n");
	print_hex("measurement: ", c->rim, c->meas_len);
	for (i = 0; i < TOKEN_NR_REM; i++) {
		snprintf(label, sizeof(label), "rem %u: ", i + 1);
		print_hex(label, c->rem[i], c->meas_len);
	}
	print_hex("personalization value: ", c->rpv, sizeof(c->rpv));
	if (c->membership)
		attest_print_membership(stdout, c->membership,
					c->membership_len);
}

struct opts {
	struct token_anchors anchors;
	struct token_expect x;
	uint8_t challenge[TOKEN_CHALLENGE_LEN];
	uint8_t rim[TOKEN_HASH_MAX];
	uint8_t rpv[TOKEN_RPV_LEN];
	uint8_t rem[TOKEN_NR_REM][TOKEN_HASH_MAX];
	bool json, print, have_challenge;
	const char *token;
};

/* Parse the command line: 0, 1 (an anchor could not be loaded), 2 usage. */
static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "anchor", required_argument, NULL, 'a' },
		{ "challenge", required_argument, NULL, 'c' },
		{ "expect-rim", required_argument, NULL, 'm' },
		{ "measurement", required_argument, NULL, 'm' },
		{ "expect-rpv", required_argument, NULL, 'p' },
		{ "expect-rem", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "print", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char why[512], *eq;
	unsigned long n;
	int c, rc;

	while ((c = getopt_long(argc, argv, "a:c:m:p:r:jPh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			rc = token_anchors_load(&o->anchors, optarg, why,
						sizeof(why));
			if (rc) {
				fprintf(stderr, "caec-attest: %s\n", why);
				return 1;
			}
			break;
		case 'c':
			if (hex(optarg, o->challenge, TOKEN_CHALLENGE_LEN, 0,
				NULL))
				return usage("--challenge needs 128 hex digits");
			o->have_challenge = true;
			break;
		case 'm':
			if (hex(optarg, o->rim, 32, 64, &o->x.rim_len))
				return usage("--expect-rim needs 64 or 128 hex digits");
			o->x.rim = o->rim;
			break;
		case 'p':
			if (hex(optarg, o->rpv, TOKEN_RPV_LEN, 0, NULL))
				return usage("--expect-rpv needs 128 hex digits");
			o->x.rpv = o->rpv;
			break;
		case 'r':
			n = strtoul(optarg, &eq, 10);
			if (eq == optarg || *eq != '=' || n < 1 ||
			    n > TOKEN_NR_REM ||
			    hex(eq + 1, o->rem[n - 1], 32, 64,
				&o->x.rem_len[n - 1]))
				return usage("--expect-rem needs N=HEX, N 1..4, HEX 64 or 128 hex digits");
			o->x.rem[n - 1] = o->rem[n - 1];
			break;
		case 'j':
			o->json = true;
			break;
		case 'P':
			o->print = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			return usage(NULL);
		}
	}
	if (optind != argc - 1)
		return usage("one TOKEN expected");
	o->token = argv[optind];
	if (o->print)
		return 0;
	if (!o->anchors.n || !o->have_challenge)
		return usage("verifying needs --anchor and --challenge (or --print to verify nothing)");
	o->x.challenge = o->challenge;
	return 0;
}

static int
show_unverified(const uint8_t *tok, size_t len, bool json)
{
	struct token_view v;
	char why[512];
	int rc = token_open(tok, len, &v, why, sizeof(why));

	if (rc) {
		fprintf(stderr, "caec-attest: cannot take the token apart: %s\n",
			why);
		return 1;
	}
	if (json) {
		attest_print_json(stdout, &v);
	} else {
		printf("token: NOT VERIFIED (--print)\n");
		attest_print_text(stdout, &v);
	}
	token_view_free(&v);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct token_claims tc;
	struct token_view v;
	char why[512];
	uint8_t *tok;
	size_t len;
	unsigned int i;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = parse(argc, argv, &o);
	if (rc) {
		token_anchors_free(&o.anchors);
		return rc;
	}
	tok = slurp(o.token, &len);
	if (!tok) {
		fprintf(stderr, "caec-attest: %s: %s\n", o.token,
			errno == EFBIG ? "larger than the 8192 bytes a verifier accepts" :
					 strerror(errno));
		token_anchors_free(&o.anchors);
		return 1;
	}
	if (o.print) {
		rc = show_unverified(tok, len, o.json);
		free(tok);
		token_anchors_free(&o.anchors);
		return rc;
	}
	rc = token_verify_with(tok, len, &o.anchors, &o.x, &tc, why,
			       sizeof(why));
	if (rc) {
		fprintf(stderr, "caec-attest: token rejected: %s\n", why);
		free(tok);
		token_anchors_free(&o.anchors);
		return 1;
	}
	if (o.json) {
		/* Verified: the same bytes, taken apart for display. */
		if (!token_open(tok, len, &v, why, sizeof(why))) {
			attest_print_json(stdout, &v);
			token_view_free(&v);
		}
	} else {
		printf("token: valid (signatures, key binding, claims, challenge%s%s",
		       o.x.rim ? ", RIM" : "", o.x.rpv ? ", RPV" : "");
		for (i = 0; i < TOKEN_NR_REM; i++)
			if (o.x.rem[i])
				printf(", REM %u", i + 1);
		printf(")\n");
		print_claims(&tc, &o.anchors);
	}
	token_claims_free(&tc);
	free(tok);
	token_anchors_free(&o.anchors);
	return 0;
}
