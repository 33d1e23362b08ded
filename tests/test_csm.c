/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * csm: channels and regions end to end, through a private caec-rmmd (found
 * through $CAEC_RMMD_PATH) that runs the firmware extension's handlers.
 * Every forked peer is its own realm; realm ids and sharing ids travel over
 * pipes (tests/csm_peer.h).
 *
 *   identity      realm ids differ per process; the measurement is the
 *                 SHA-256 of the executable
 *   streams       10^6 stamped messages provider -> consumer (scaled by
 *                 CAEC_TEST_SCALE), and consumer -> provider; a provider
 *                 that closes leaves the consumer to drain and see -EPIPE
 *   fork          a forked child inherits no CSM access
 *   bad input     URIs, sharing ids, the firmware's refusals
 *
 * Access control and the hypervisor's view are in test_csm_access.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include <caec/caec.h>

#include "csm_fixture.h"
#include "stream.h"

/* ---- identity ------------------------------------------------------------ */

static int
peer_report_id(int rd, int wr, void *arg)
{
	uint64_t id;
	int rc = caec_csm_realm_id(&id);

	(void)rd;
	(void)arg;
	if (rc)
		return peer_fail(10, "realm id", rc);
	return pipe_put(wr, &id, sizeof(id)) ? 11 : 0;
}

static void
test_realm_identity(void **state)
{
	struct caec_csm_info info = { .struct_size = sizeof(info) };
	uint8_t want[32];
	uint64_t other;
	struct peer p;

	(void)state;
	assert_rc(caec_csm_info(&info), 0);
	assert_int_equal(info.transport, CAEC_CSM_EMULATED);
	assert_true(info.realm_id != 0);

	/* The measurement is the SHA-256 of this executable. */
	if (exe_measurement(want) == 0)
		assert_memory_equal(info.measurement, want, 32);

	/* Another process is another realm, with a fresh id. */
	assert_int_equal(peer_start(&p, peer_report_id, NULL), 0);
	assert_int_equal(pipe_get(p.rd, &other, sizeof(other)), 0);
	expect_peer(&p, 0);
	assert_true(other != 0);
	assert_true(other != info.realm_id);
}

/* ---- streams --------------------------------------------------------------- */

/* A consumer peer that runs one stream: @arg is struct peer_stream. */
struct peer_stream {
	struct stream s;
	int (*fn)(struct ep *e, struct stream *s);	/* send or recv */
	bool handshake;		/* ack the attach, start when told */
};

static int
peer_stream(int rd, int wr, void *arg)
{
	struct peer_stream *ps = arg;
	struct caec_channel *ch;
	struct ep e;
	char go;
	int rc = consume_channel(rd, wr, &ch, NULL);

	if (rc)
		return rc;
	if (ps->handshake &&
	    (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, 1)))
		return 20;
	e = ep_channel(ch);
	rc = ps->fn(&e, &ps->s);
	if (rc)
		fprintf(stderr, "consumer: %s\n", ps->s.why);
	caec_channel_close(ch);
	return rc ? 1 : 0;
}

static void
report(const char *query, uint64_t msgs, uint64_t bytes, uint64_t t0)
{
	double secs = (double)(now_ns() - t0) / 1e9;

	print_message("  csm:share/PEER%s: %" PRIu64 " messages, %.1f MB in %.2f s\n",
		      query, msgs, (double)bytes / 1e6, secs);
}

/*
 * One stream over a csm: channel: this process (the provider) runs @mine,
 * a consumer peer runs @theirs on the same configuration. With @handshake
 * the provider finishes and closes before the consumer starts.
 */
static void
provider_stream(const struct stream *cfg, const char *query,
		int (*mine)(struct ep *e, struct stream *s),
		int (*theirs)(struct ep *e, struct stream *s), bool handshake)
{
	struct peer_stream ps = { *cfg, theirs, handshake };
	struct caec_channel *ch;
	struct stream s = *cfg;
	uint64_t t0;
	struct peer p;
	struct ep e;
	int ack;

	assert_int_equal(peer_start(&p, peer_stream, &ps), 0);
	ch = provide_channel(&p, query);
	if (handshake)
		assert_int_equal(pipe_get(p.rd, &ack, sizeof(ack)), 0);
	t0 = now_ns();
	e = ep_channel(ch);
	mine(&e, &s);
	if (s.rc)
		fail_msg("%s", s.why);
	/* The consumer drains what is left, then sees -EPIPE. */
	caec_channel_close(ch);
	if (handshake)
		assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	expect_peer(&p, 0);
	report(query, s.count, s.bytes, t0);
}

static void
test_stream_provider_to_consumer(void **state)
{
	struct stream s;

	(void)state;
	stream_init(&s, 1, test_scaled(1000000, 1000), 0xc5a1, OP_ALL,
		    TIMEOUT_MS);
	provider_stream(&s, "?ring=256K", stream_send, stream_recv, false);
}

static void
test_stream_consumer_to_provider(void **state)
{
	struct stream s;

	(void)state;
	stream_init(&s, 2, test_scaled(100000, 1000), 0xc5a2, OP_ALL,
		    TIMEOUT_MS);
	provider_stream(&s, "", stream_recv, stream_send, false);
}

/* A provider that closes: the consumer drains, then sees -EPIPE. */
static void
test_provider_close_drains(void **state)
{
	struct stream s;

	(void)state;
	stream_init(&s, 3, 500, 0xc5a3, OP_COPY, TIMEOUT_MS);
	s.max_len = 64;
	/* Sent and gone before the consumer reads anything. */
	provider_stream(&s, "?ring=256K", stream_send, stream_recv, true);
}

/* ---- fork ------------------------------------------------------------------------ */

struct fork_arg {
	struct caec_csm_region *r;
	uint64_t parent_id;
};

static int
peer_forked(int rd, int wr, void *arg)
{
	struct fork_arg *a = arg;
	const uint8_t *p = caec_csm_data(a->r);
	struct caec_csm_sid sid;
	uint64_t id;
	int rc;

	(void)rd;
	(void)wr;
	if (caec_csm_status(a->r) != -EACCES)
		return peer_fail(10, "inherited region still live",
				 caec_csm_status(a->r));
	if (p[0] || p[4095])
		return peer_fail(11, "inherited region still readable", p[0]);
	rc = caec_csm_share(a->r, 1, CAEC_CSM_RW, &sid);
	if (rc != -EACCES)
		return peer_fail(12, "share of an inherited region", rc);
	rc = caec_csm_realm_id(&id);
	if (rc || id == a->parent_id)
		return peer_fail(13, "own realm id", rc);
	return caec_csm_destroy(a->r) ? 14 : 0;
}

static void
test_fork_inherits_nothing(void **state)
{
	struct fork_arg a;
	struct peer p;

	(void)state;
	assert_rc(caec_csm_realm_id(&a.parent_id), 0);
	assert_rc(caec_csm_create(8192, &a.r), 0);
	memset(caec_csm_base(a.r), 0x5a, 8192);
	assert_int_equal(peer_start(&p, peer_forked, &a), 0);
	expect_peer(&p, 0);
	/* The parent's region is untouched by the child's fate. */
	assert_int_equal(caec_csm_status(a.r), 0);
	assert_int_equal(((uint8_t *)caec_csm_base(a.r))[100], 0x5a);
	assert_rc(caec_csm_destroy(a.r), 0);
}

/* ---- bad input ---------------------------------------------------------------- */

static void
test_bad_arguments(void **state)
{
	struct caec_csm_region *r;
	struct caec_channel *ch;
	struct caec_csm_sid sid;
	char text[CAEC_CSM_SID_STRLEN];
	uint64_t me;

	(void)state;
	assert_rc(caec_csm_realm_id(&me), 0);
	assert_rc(caec_csm_create(0, &r), -EINVAL);
	assert_rc(caec_channel_create("csm:share/", NULL, &ch), -EINVAL);
	assert_rc(caec_channel_create("csm:share/xyz", NULL, &ch), -EINVAL);
	assert_rc(caec_channel_create("csm:share/11112222333344445", NULL,
				      &ch), -EINVAL);
	assert_rc(caec_channel_attach("csm:attach/1-2", NULL, &ch), -EINVAL);
	assert_rc(caec_channel_attach("csm:share/1", NULL, &ch), -EINVAL);
	/* Sharing with oneself, or with nobody: the firmware says no. */
	assert_rc(caec_csm_create(4096, &r), 0);
	detail_reset();
	assert_rc(caec_csm_share(r, me, CAEC_CSM_RW, &sid), -EINVAL);
	assert_detail("CSM_E_SELF");
	assert_rc(caec_csm_share(r, me ^ 1, CAEC_CSM_RW, &sid), -ENOENT);
	assert_detail("CSM_E_UNKNOWN_REALM");
	assert_rc(caec_csm_share(r, me ^ 1, 3, &sid), -EINVAL);
	assert_detail("CSM_E_PERM");
	assert_rc(caec_csm_detach(r), -EINVAL);
	assert_rc(caec_csm_destroy(r), 0);
	/* Sharing ids round-trip through text. */
	sid.provider = 0x0123456789abcdefull;
	sid.handle = 0x100000002ull;
	sid.size = 135168;
	assert_rc(caec_csm_sid_format(&sid, text, sizeof(text)), 0);
	assert_string_equal(text, "0123456789abcdef-0000000100000002-135168");
	memset(&sid, 0, sizeof(sid));
	assert_rc(caec_csm_sid_parse(text, &sid), 0);
	assert_true(sid.provider == 0x0123456789abcdefull &&
		    sid.handle == 0x100000002ull && sid.size == 135168);
	assert_rc(caec_csm_sid_format(&sid, text, 10), -ENOSPC);
	assert_rc(caec_csm_sid_parse("1-2-", &sid), -EINVAL);
	assert_rc(caec_csm_sid_parse("1-2-3x", &sid), -EINVAL);
	assert_rc(caec_csm_sid_parse("0-2-4096", &sid), -EINVAL);
	/* A size the region does not have: attach fails, nothing is held. */
	sid.provider = me ^ 1;
	sid.handle = 1ull << 32 | 1;
	sid.size = 4096;
	assert_rc(caec_csm_attach(&sid, &r), -ENOENT);
	assert_detail("CSM_E_UNKNOWN_REALM");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realm_identity),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_stream_provider_to_consumer),
		cmocka_unit_test(test_stream_consumer_to_provider),
		cmocka_unit_test(test_provider_close_drains),
		cmocka_unit_test(test_fork_inherits_nothing),
	};

	return cmocka_run_group_tests(tests, csm_group_setup,
				      csm_group_teardown);
}
