/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The attested channel handshake (caec_channel_attest()) on csm: channels,
 * the test as the creator and a forked peer as the attacher. The hostile
 * peers speak the handshake by hand (its wire format and its challenge as
 * caec/csm.h and docs/csm.md specify them), so that they can lie.
 *
 *   accept     two honest realms prove themselves to each other, with a
 *              policy of accepted measurements and the RPV; data flows
 *              after, and the result names the peer's realm
 *   replay     a peer that replays its genuine token of another channel
 *              is refused: -EACCES, NOT_BOUND
 *   measure    a measurement the policy does not accept: -EACCES,
 *              MEASUREMENT on this side, PEER_REFUSED on the other; then
 *              every call on the channel is -EACCES (fail closed)
 *   realm id   a peer that presents the token of another realm (a bound
 *              one: it asked that realm for it) is refused: -EACCES,
 *              REALM_ID
 *   half-way   a peer that stops after HELLO: -ETIMEDOUT, TIMEOUT
 *   reflect    a peer that echoes this side's own messages: -EPROTO
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <caec/caec.h>

#include "lib/check.h"
#include "lib/csm_fixture.h"
#include "lib/csm_peer.h"
#include "lib/csm_service.h"

/* ---- the handshake by hand (caec/csm.h, docs/csm.md) ------------------------- */

#define ATT_MAGIC 0x3154544143454143ull	/* "CAECATT1" */
#define ATT_HELLO 1u
#define ATT_TOKEN 2u
#define ATT_VERDICT 3u
#define ATT_CHUNK 2048u

struct att_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t type;
	uint32_t len;
	uint32_t role;
};

struct hello {
	struct att_hdr h;
	uint8_t nonce[32];
};

static void
challenge_for(const struct caec_csm_sid *sid, uint8_t role,
	      const uint8_t nc[32], const uint8_t na[32], uint8_t out[64])
{
	static const char label[] = "CAEC attested channel v1";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n;

	EVP_DigestInit_ex(md, EVP_sha512(), NULL);
	EVP_DigestUpdate(md, label, sizeof(label));
	EVP_DigestUpdate(md, &role, 1);
	EVP_DigestUpdate(md, &sid->provider, 8);
	EVP_DigestUpdate(md, &sid->handle, 8);
	EVP_DigestUpdate(md, &sid->size, 8);
	EVP_DigestUpdate(md, nc, 32);
	EVP_DigestUpdate(md, na, 32);
	EVP_DigestFinal_ex(md, out, &n);
	EVP_MD_CTX_free(md);
}

static int
send_hdr(struct caec_channel *ch, uint32_t type, uint32_t len)
{
	struct att_hdr h = { ATT_MAGIC, 1, type, len, 1 };

	return caec_channel_send(ch, &h, sizeof(h), 0, 10000) < 0 ? -1 : 0;
}

static int
send_token(struct caec_channel *ch, const uint8_t *tok, size_t len)
{
	size_t off, n;

	if (send_hdr(ch, ATT_TOKEN, (uint32_t)len))
		return -1;
	for (off = 0; off < len; off += n) {
		n = len - off < ATT_CHUNK ? len - off : ATT_CHUNK;
		if (caec_channel_send(ch, tok + off, n, 0, 10000) < 0)
			return -1;
	}
	return 0;
}

/* Skip the creator's token: its header and its pieces. */
static int
skip_token(struct caec_channel *ch)
{
	uint8_t buf[ATT_CHUNK];
	struct att_hdr h;
	size_t off;
	ssize_t n;

	if (caec_channel_recv(ch, &h, sizeof(h), 0, 10000) != sizeof(h) ||
	    h.type != ATT_TOKEN)
		return -1;
	for (off = 0; off < h.len; off += (size_t)n) {
		n = caec_channel_recv(ch, buf, sizeof(buf), 0, 10000);
		if (n <= 0)
			return -1;
	}
	return 0;
}

/* HELLO both ways: the creator's nonce in @nc, ours in @na. */
static int
hellos(struct caec_channel *ch, uint8_t nc[32], uint8_t na[32])
{
	struct hello m = { { ATT_MAGIC, 1, ATT_HELLO, 0, 1 }, { 0 } };
	struct hello in;

	if (getrandom(na, 32, 0) != 32)
		return -1;
	memcpy(m.nonce, na, 32);
	if (caec_channel_send(ch, &m, sizeof(m), 0, 10000) < 0 ||
	    caec_channel_recv(ch, &in, sizeof(in), 0, 10000) != sizeof(in) ||
	    in.h.type != ATT_HELLO || in.h.role != 0)
		return -1;
	memcpy(nc, in.nonce, 32);
	return 0;
}

/* The verdict the creator sent: its reason. */
static int
verdict(struct caec_channel *ch, uint32_t *reason)
{
	struct att_hdr h;

	if (caec_channel_recv(ch, &h, sizeof(h), 0, 10000) != sizeof(h) ||
	    h.type != ATT_VERDICT)
		return -1;
	*reason = h.len;
	return 0;
}

/* ---- peers --------------------------------------------------------------------- */

enum mode {
	HONEST,		/* caec_channel_attest(), default policy */
	REPLAY,		/* a genuine handshake on one channel, its token
			 * replayed on a second */
	OTHER_REALM,	/* a bound token, but another realm's */
	HALF_WAY,	/* HELLO, then nothing */
	REFLECT,	/* echo the creator's own HELLO */
};

static int
peer_honest(int rd, int wr, void *arg)
{
	struct caec_attest_result res = { .struct_size = sizeof(res) };
	struct caec_channel *ch;
	char buf[32];
	uint64_t me;
	int rc;

	(void)arg;
	rc = consume_channel(rd, wr, &ch, NULL);
	if (rc)
		return rc;
	rc = caec_channel_attest(ch, NULL, &res);
	if (pipe_put(wr, &rc, sizeof(rc)) ||
	    pipe_put(wr, &res.reason, sizeof(res.reason)))
		return 20;
	if (!rc) {
		/* The creator's realm, proved; then data. */
		if (caec_csm_realm_id(&me) || res.peer.realm_id == me ||
		    !res.peer.has_realm_id)
			return 21;
		if (caec_channel_recv(ch, buf, sizeof(buf), 0, 10000) != 6 ||
		    memcmp(buf, "hello", 6))
			return 22;
	} else if (caec_channel_send(ch, "x", 1, 0, 0) != -EACCES) {
		return 23;	/* failed closed */
	}
	caec_channel_close(ch);
	return 0;
}

/* A token of another realm for @challenge: a forked child is one. */
static int
other_realm_token(const uint8_t challenge[64], uint8_t *tok, size_t *len)
{
	int p[2];
	pid_t pid;
	uint32_t n = 0;
	size_t got;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		size_t l = 0;

		close(p[0]);
		/* A new process: a new realm at its first CSM call. */
		if (caec_csm_token(challenge, tok, CAEC_CSM_TOKEN_MAX, &l))
			_exit(1);
		n = (uint32_t)l;
		_exit(pipe_put(p[1], &n, sizeof(n)) || pipe_put(p[1], tok, l));
	}
	close(p[1]);
	if (pid < 0 || pipe_get(p[0], &n, sizeof(n)) || n > CAEC_CSM_TOKEN_MAX ||
	    pipe_get(p[0], tok, n)) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	got = n;
	*len = got;
	return 0;
}

static int
peer_hostile(int rd, int wr, void *arg)
{
	enum mode mode = *(enum mode *)arg;
	static uint8_t tok[CAEC_CSM_TOKEN_MAX];
	uint8_t nc[32], na[32], ch64[64];
	struct caec_channel *ch;
	struct caec_csm_sid sid;
	struct hello in;
	uint32_t reason = 0;
	size_t len;
	char go;
	int rc;

	rc = consume_channel(rd, wr, &ch, &sid);
	if (rc)
		return rc;
	switch (mode) {
	case REPLAY:
		/* Channel one: a correct handshake by hand. */
		if (hellos(ch, nc, na) || skip_token(ch))
			return 30;
		challenge_for(&sid, 1, nc, na, ch64);
		if (caec_csm_token(ch64, tok, sizeof(tok), &len) ||
		    send_token(ch, tok, len) || send_hdr(ch, ATT_VERDICT, 0) ||
		    verdict(ch, &reason) || reason != 0)
			return 31;
		/* Channel two: the same (genuine) token again. */
		rc = consume_channel(rd, wr, &ch, &sid);
		if (rc)
			return rc;
		if (hellos(ch, nc, na) || skip_token(ch) ||
		    send_token(ch, tok, len) || send_hdr(ch, ATT_VERDICT, 0) ||
		    verdict(ch, &reason))
			return 32;
		break;
	case OTHER_REALM:
		if (hellos(ch, nc, na) || skip_token(ch))
			return 40;
		challenge_for(&sid, 1, nc, na, ch64);
		if (other_realm_token(ch64, tok, &len) ||
		    send_token(ch, tok, len) || send_hdr(ch, ATT_VERDICT, 0) ||
		    verdict(ch, &reason))
			return 41;
		break;
	case HALF_WAY:
		if (hellos(ch, nc, na))
			return 50;
		break;
	case REFLECT:
		/* The creator's HELLO, sent back as it came. */
		if (caec_channel_recv(ch, &in, sizeof(in), 0, 10000) != sizeof(in) ||
		    caec_channel_send(ch, &in, sizeof(in), 0, 10000) < 0)
			return 60;
		break;
	default:
		return 2;
	}
	/* Tell the test the creator's verdict; stay until it is done. */
	if (pipe_put(wr, &reason, sizeof(reason)) || pipe_get(rd, &go, 1))
		return 3;
	caec_channel_close(ch);
	return 0;
}

/* ---- tests ------------------------------------------------------------------------ */

static int
group_setup(void **state)
{
	return csm_group_setup(state);
}

static void
test_attest_both_sides_accept(void **state)
{
	struct caec_attest_policy pol = { .struct_size = sizeof(pol) };
	struct caec_attest_result res = { .struct_size = sizeof(res) };
	struct caec_channel *ch;
	uint8_t meas[2][32], zero_rpv[64] = { 0 };
	uint32_t reason;
	struct peer p;
	int prc;

	(void)state;
	/* Both realms run this executable: one accepted measurement is
	 * that, another is anything else. */
	if (exe_measurement(meas[1]))
		skip();
	memset(meas[0], 0x5a, 32);
	pol.measurements = meas[0];
	pol.n_measurements = 2;
	pol.measurement_len = 32;
	pol.rpv = zero_rpv;
	pol.timeout_ms = 30000;
	assert_int_equal(peer_start(&p, peer_honest, NULL), 0);
	ch = provide_channel(&p, "");
	assert_rc(caec_channel_attest(ch, &pol, &res), 0);
	assert_int_equal(res.reason, CAEC_ATTEST_OK);
	assert_true(res.peer.has_realm_id);
	assert_int_equal(res.peer.measurement_len, 32);
	assert_memory_equal(res.peer.rim, meas[1], 32);
	assert_int_equal(res.peer.lifecycle, CAEC_CSM_LIFECYCLE_EMULATED);
	assert_int_equal(pipe_get(p.rd, &prc, sizeof(prc)), 0);
	assert_int_equal(pipe_get(p.rd, &reason, sizeof(reason)), 0);
	assert_int_equal(prc, 0);
	assert_int_equal(reason, CAEC_ATTEST_OK);
	assert_rc(caec_channel_send(ch, "hello", 6, 0, 10000), 0);
	expect_peer(&p, 0);
	caec_channel_close(ch);
}

static void
test_attest_replayed_token_refused(void **state)
{
	struct caec_attest_result res = { .struct_size = sizeof(res) };
	struct caec_channel *one, *two;
	enum mode mode = REPLAY;
	uint32_t reason;
	struct peer p;

	(void)state;
	assert_int_equal(peer_start(&p, peer_hostile, &mode), 0);
	one = provide_channel(&p, "");
	assert_rc(caec_channel_attest(one, NULL, &res), 0);
	two = provide_channel(&p, "");
	detail_reset();
	assert_rc(caec_channel_attest(two, NULL, &res), -EACCES);
	assert_int_equal(res.reason, CAEC_ATTEST_NOT_BOUND);
	assert_detail("not made for this channel");
	assert_int_equal(pipe_get(p.rd, &reason, sizeof(reason)), 0);
	assert_int_equal(reason, CAEC_ATTEST_NOT_BOUND);
	assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	expect_peer(&p, 0);
	caec_channel_close(one);
	caec_channel_close(two);
}

static void
test_attest_wrong_measurement_refused(void **state)
{
	struct caec_attest_policy pol = { .struct_size = sizeof(pol) };
	struct caec_attest_result res = { .struct_size = sizeof(res) };
	struct caec_channel *ch;
	uint8_t meas[32], buf[8];
	uint32_t reason;
	struct peer p;
	int prc;

	(void)state;
	memset(meas, 0x5a, sizeof(meas));
	pol.measurements = meas;
	pol.n_measurements = 1;
	pol.measurement_len = sizeof(meas);
	assert_int_equal(peer_start(&p, peer_honest, NULL), 0);
	ch = provide_channel(&p, "");
	detail_reset();
	assert_rc(caec_channel_attest(ch, &pol, &res), -EACCES);
	assert_int_equal(res.reason, CAEC_ATTEST_MEASUREMENT);
	assert_detail("measurement");
	/* The peer learns it was refused. */
	assert_int_equal(pipe_get(p.rd, &prc, sizeof(prc)), 0);
	assert_int_equal(pipe_get(p.rd, &reason, sizeof(reason)), 0);
	assert_int_equal(prc, -EACCES);
	assert_int_equal(reason, CAEC_ATTEST_PEER_REFUSED);
	/* Fail closed: no data on this channel. */
	assert_int_equal(caec_channel_send(ch, "x", 1, 0, 0), -EACCES);
	assert_int_equal(caec_channel_recv(ch, buf, sizeof(buf), 0, 0), -EACCES);
	expect_peer(&p, 0);
	caec_channel_close(ch);
}

/*
 * A policy that asks for a secured platform refuses the emulator's tokens
 * (lifecycle 0x5000: its keys live in a process), whatever else is right.
 */
static void
test_attest_emulated_platform_refused(void **state)
{
	struct caec_attest_policy pol = { .struct_size = sizeof(pol) };
	struct caec_attest_result res = { .struct_size = sizeof(res) };
	struct caec_channel *ch;
	uint32_t reason;
	struct peer p;
	int prc;

	(void)state;
	pol.flags = CAEC_ATTEST_SECURED;
	assert_int_equal(peer_start(&p, peer_honest, NULL), 0);
	ch = provide_channel(&p, "");
	detail_reset();
	assert_rc(caec_channel_attest(ch, &pol, &res), -EACCES);
	assert_int_equal(res.reason, CAEC_ATTEST_PLATFORM);
	assert_detail("lifecycle");
	assert_int_equal(pipe_get(p.rd, &prc, sizeof(prc)), 0);
	assert_int_equal(pipe_get(p.rd, &reason, sizeof(reason)), 0);
	assert_int_equal(prc, -EACCES);
	assert_int_equal(reason, CAEC_ATTEST_PEER_REFUSED);
	assert_int_equal(caec_channel_send(ch, "x", 1, 0, 0), -EACCES);
	expect_peer(&p, 0);
	caec_channel_close(ch);
}

static void
test_attest_wrong_realm_id_refused(void **state)
{
	struct caec_attest_result res = { .struct_size = sizeof(res) };
	struct caec_channel *ch;
	enum mode mode = OTHER_REALM;
	uint32_t reason;
	struct peer p;

	(void)state;
	assert_int_equal(peer_start(&p, peer_hostile, &mode), 0);
	ch = provide_channel(&p, "");
	detail_reset();
	assert_rc(caec_channel_attest(ch, NULL, &res), -EACCES);
	assert_int_equal(res.reason, CAEC_ATTEST_REALM_ID);
	assert_detail("the grant names");
	assert_int_equal(pipe_get(p.rd, &reason, sizeof(reason)), 0);
	assert_int_equal(reason, CAEC_ATTEST_REALM_ID);
	assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	expect_peer(&p, 0);
	caec_channel_close(ch);
}

static void
test_attest_peer_stops_half_way(void **state)
{
	struct caec_attest_policy pol = { .struct_size = sizeof(pol) };
	struct caec_attest_result res = { .struct_size = sizeof(res) };
	struct caec_channel *ch;
	enum mode mode = HALF_WAY;
	uint32_t reason;
	struct peer p;

	(void)state;
	pol.timeout_ms = 300;
	assert_int_equal(peer_start(&p, peer_hostile, &mode), 0);
	ch = provide_channel(&p, "");
	detail_reset();
	/* HELLOs pass; the peer never sends its token. */
	assert_rc(caec_channel_attest(ch, &pol, &res), -ETIMEDOUT);
	assert_int_equal(res.reason, CAEC_ATTEST_TIMEOUT);
	assert_detail("stopped half-way");
	assert_int_equal(caec_channel_send(ch, "x", 1, 0, 0), -EACCES);
	assert_int_equal(pipe_get(p.rd, &reason, sizeof(reason)), 0);
	assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	expect_peer(&p, 0);
	caec_channel_close(ch);
}

static void
test_attest_reflected_messages_refused(void **state)
{
	struct caec_attest_result res = { .struct_size = sizeof(res) };
	struct caec_channel *ch;
	enum mode mode = REFLECT;
	uint32_t reason;
	struct peer p;

	(void)state;
	assert_int_equal(peer_start(&p, peer_hostile, &mode), 0);
	ch = provide_channel(&p, "");
	detail_reset();
	assert_rc(caec_channel_attest(ch, NULL, &res), -EPROTO);
	assert_int_equal(res.reason, CAEC_ATTEST_PROTOCOL);
	assert_detail("reflected");
	assert_int_equal(pipe_get(p.rd, &reason, sizeof(reason)), 0);
	assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	expect_peer(&p, 0);
	caec_channel_close(ch);
}

/* Not a csm: channel, or a bad policy: refused before anything is sent. */
static void
test_attest_bad_arguments(void **state)
{
	struct caec_attest_policy pol = { .struct_size = sizeof(pol) };
	struct caec_channel *ch;

	(void)state;
	assert_rc(caec_channel_create("nw:memfd", NULL, &ch), 0);
	assert_rc(caec_channel_attest(ch, NULL, NULL), -ENOTSUP);
	pol.n_measurements = 1;		/* but no measurements */
	assert_rc(caec_channel_attest(ch, &pol, NULL), -EINVAL);
	caec_channel_close(ch);
	assert_rc(caec_channel_attest(NULL, NULL, NULL), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attest_bad_arguments),
		cmocka_unit_test(test_attest_both_sides_accept),
		cmocka_unit_test(test_attest_replayed_token_refused),
		cmocka_unit_test(test_attest_wrong_measurement_refused),
		cmocka_unit_test(test_attest_wrong_realm_id_refused),
		cmocka_unit_test(test_attest_emulated_platform_refused),
		cmocka_unit_test(test_attest_peer_stops_half_way),
		cmocka_unit_test(test_attest_reflected_messages_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, csm_group_teardown);
}
