/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Setting up a csm channel between the two bench processes the paper's way:
 * each realm proves itself to the other with an attestation token over a
 * fresh challenge, and the provider shares only with the realm id the
 * consumer's verified token names; the consumer attaches only a sharing id
 * whose provider half is the realm id the provider's verified token names.
 * Both are the same program, so each also checks that the peer's measured
 * executable is its own.
 *
 * A service without tokens (caec-rmmd built without libcbor, or the device
 * path) falls back to exchanging bare realm ids, and says so once.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <caec/caec.h>

#include "bench.h"

static void
io(bool wr, int fd, void *buf, size_t len)
{
	int rc = bench_io_all(wr, fd, buf, len);

	if (rc)
		bench_die("csm setup pipe: %s", rc == -EPIPE ?
			  "the other process closed its end" : strerror(-rc));
}

static void
random_challenge(uint8_t *c)
{
	if (getrandom(c, CAEC_CSM_CHALLENGE_LEN, 0) != CAEC_CSM_CHALLENGE_LEN)
		bench_die("getrandom failed: %s", strerror(errno));
}

/* Send our token over @challenge, or (no tokens) a 0 length + our id. */
static void
prove(int wr, const uint8_t *challenge)
{
	static uint8_t tok[CAEC_CSM_TOKEN_MAX];
	uint64_t id;
	uint32_t n;
	size_t len;
	int rc;

	rc = caec_csm_token(challenge, tok, sizeof(tok), &len);
	if (rc == -ENOTSUP) {
		fprintf(stderr, "caec-bench: note: the CSM service gives no attestation tokens; exchanging bare realm ids\n");
		rc = caec_csm_realm_id(&id);
		if (rc)
			bench_die_lib("caec_csm_realm_id", rc);
		n = 0;
		io(true, wr, &n, sizeof(n));
		io(true, wr, &id, sizeof(id));
		return;
	}
	if (rc)
		bench_die_lib("caec_csm_token", rc);
	n = (uint32_t)len;
	io(true, wr, &n, sizeof(n));
	io(true, wr, tok, len);
}

/* Read the peer's proof and return the realm id it establishes. */
static uint64_t
verify(int rd, const uint8_t *challenge, const char *who)
{
	static uint8_t tok[CAEC_CSM_TOKEN_MAX];
	struct caec_csm_token_info info = { .struct_size = sizeof(info) };
	struct caec_csm_info me = { .struct_size = sizeof(me) };
	uint64_t id;
	uint32_t n;
	int rc;

	io(false, rd, &n, sizeof(n));
	if (n == 0) {
		io(false, rd, &id, sizeof(id));
		return id;
	}
	if (n > sizeof(tok))
		bench_die("csm setup: the %s's token has %u bytes", who, n);
	io(false, rd, tok, n);
	rc = caec_csm_info(&me);
	if (rc)
		bench_die_lib("caec_csm_info", rc);
	rc = caec_csm_token_verify(tok, n, NULL, challenge, me.measurement,
				   &info);
	if (rc)
		bench_die("csm setup: the %s's attestation token was rejected: %s (%s)",
			  who, caec_strerror(rc), caec_error_detail());
	if (!info.has_realm_id)
		bench_die("csm setup: the %s's token carries no realm id", who);
	return info.realm_id;
}

void
bench_csm_consumer(int rd, int wr, char *sid_text)
{
	uint8_t theirs[CAEC_CSM_CHALLENGE_LEN], mine[CAEC_CSM_CHALLENGE_LEN];
	struct caec_csm_sid sid;
	uint64_t provider;
	int rc;

	io(false, rd, theirs, sizeof(theirs));
	prove(wr, theirs);
	random_challenge(mine);
	io(true, wr, mine, sizeof(mine));
	provider = verify(rd, mine, "provider");
	io(false, rd, sid_text, CAEC_CSM_SID_STRLEN);
	sid_text[CAEC_CSM_SID_STRLEN - 1] = '\0';
	rc = caec_csm_sid_parse(sid_text, &sid);
	if (rc)
		bench_die_lib("caec_csm_sid_parse", rc);
	if (sid.provider != provider)
		bench_die("csm setup: the sharing id names realm %016llx, the attested provider is %016llx",
			  (unsigned long long)sid.provider,
			  (unsigned long long)provider);
}

uint64_t
bench_csm_provider_verify(int rd, int wr, uint8_t *their_challenge)
{
	uint8_t mine[CAEC_CSM_CHALLENGE_LEN];
	uint64_t consumer;

	random_challenge(mine);
	io(true, wr, mine, sizeof(mine));
	consumer = verify(rd, mine, "consumer");
	io(false, rd, their_challenge, CAEC_CSM_CHALLENGE_LEN);
	return consumer;
}

void
bench_csm_provider_send(int wr, const uint8_t *their_challenge,
			const char *sid_text)
{
	char buf[CAEC_CSM_SID_STRLEN];

	prove(wr, their_challenge);
	memset(buf, 0, sizeof(buf));
	snprintf(buf, sizeof(buf), "%s", sid_text);
	io(true, wr, buf, sizeof(buf));
}
