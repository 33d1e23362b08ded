/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * csm: channels and regions end to end, through a private caec-rmmd (found
 * through $CAEC_RMMD_PATH) that runs the firmware extension's handlers.
 * Every forked peer is its own realm; realm ids and sharing ids travel over
 * pipes (tests/lib/csm_peer.h).
 *
 *   identity      realm ids differ per process; the measurement is the
 *                 SHA-256 of the executable
 *   streams       10^6 stamped messages provider -> consumer (scaled by
 *                 CAEC_TEST_SCALE), and consumer -> provider; a provider
 *                 that closes leaves the consumer to drain and see -EPIPE
 *   fork          a forked child inherits no CSM access
 *   restart       the service stops and another starts: the process
 *                 connects again as a new realm; its old region keeps its
 *                 mapping, calls about it get -ENOLINK
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

#include <inttypes.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caec/caec.h>

#include "lib/check.h"
#include "lib/clock.h"
#include "lib/csm_fixture.h"
#include "lib/csm_service.h"
#include "lib/scale.h"
#include "lib/stream.h"

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

/*
 * A consumer for test_fork_channel_child_is_local: after the provider's
 * child closed its inherited handle, the stream goes on (no closed flag:
 * nothing pending), a reply goes back, and the provider's own close ends it.
 */
static int
peer_after_child(int rd, int wr, void *arg)
{
	struct caec_channel *ch;
	char out[64], go;
	int rc = consume_channel(rd, wr, &ch, NULL);

	(void)arg;
	if (rc)
		return rc;
	if (pipe_put(wr, &rc, sizeof(rc)) || pipe_get(rd, &go, 1))
		return 20;
	rc = (int)caec_channel_recv(ch, out, sizeof(out), 0, TIMEOUT_MS);
	if (rc != 16 || memcmp(out, "after the child.", 16))
		return peer_fail(21, "message after the child's close", rc);
	rc = (int)caec_channel_recv(ch, out, sizeof(out), 0, 0);
	if (rc != -EAGAIN)
		return peer_fail(22, "nothing else pending", rc);
	rc = caec_channel_send(ch, "reply", 5, 0, TIMEOUT_MS);
	if (rc)
		return peer_fail(23, "reply", rc);
	rc = (int)caec_channel_recv(ch, out, sizeof(out), 0, TIMEOUT_MS);
	if (rc != -EPIPE)
		return peer_fail(24, "the provider's close", rc);
	caec_channel_close(ch);
	return 0;
}

/*
 * A child that inherits a csm: channel is another realm: every call fails
 * with -EACCES (its region became zero pages at the fork), and its close
 * is its own: the parent's stream goes on.
 */
static void
test_fork_channel_child_is_local(void **state)
{
	struct caec_channel *ch;
	char out[64];
	struct peer p;
	int ack, st, bad;
	pid_t pid;

	(void)state;
	assert_int_equal(peer_start(&p, peer_after_child, NULL), 0);
	ch = provide_channel(&p, "");
	assert_int_equal(pipe_get(p.rd, &ack, sizeof(ack)), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bad = 0;
		if (caec_channel_send(ch, "from the child!!", 16, 0, 0) !=
		    -EACCES)
			bad |= 1;
		if (caec_channel_recv(ch, out, sizeof(out), 0, 0) != -EACCES)
			bad |= 2;
		caec_channel_close(ch);
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_rc(caec_channel_send(ch, "after the child.", 16, 0, TIMEOUT_MS),
		  0);
	assert_int_equal(pipe_put(p.wr, "g", 1), 0);
	assert_rc(caec_channel_recv(ch, out, sizeof(out), 0, TIMEOUT_MS), 5);
	assert_memory_equal(out, "reply", 5);
	caec_channel_close(ch);
	expect_peer(&p, 0);
}

/* ---- service restart -------------------------------------------------------- */

/* A consumer of the restarted service: attach the sid it is sent, check the
 * provider's bytes, say so. */
static int
peer_attach_check(int rd, int wr, void *arg)
{
	struct caec_csm_region *r;
	struct caec_csm_sid sid;
	const uint8_t *p;
	uint64_t id;
	int rc;

	(void)arg;
	rc = caec_csm_realm_id(&id);
	if (rc)
		return peer_fail(30, "realm id", rc);
	if (pipe_put(wr, &id, sizeof(id)) || pipe_get(rd, &sid, sizeof(sid)))
		return peer_fail(31, "pipe", -EPIPE);
	rc = caec_csm_attach(&sid, &r);
	if (rc)
		return peer_fail(32, "attach", rc);
	p = caec_csm_data(r);
	if (p[0] != 0x77 || p[4095] != 0x77)
		return peer_fail(33, "region bytes", p[0]);
	return caec_csm_detach(r) ? 34 : 0;
}

/*
 * In a child with a private service of its own: the service stops and
 * another one starts. The next call connects again (a new realm id); the
 * old region keeps its mapping, and calls about it fail with -ENOLINK
 * instead of reaching a service that never knew it (whose region ids start
 * over); regions made on the new connection work, shared with a consumer.
 */
static int
peer_restart(int rd, int wr, void *arg)
{
	struct caec_csm_service *svc;
	struct caec_csm_region *old, *r;
	struct caec_csm_sid sid;
	uint64_t a, b, id;
	struct peer c;
	uint8_t *p;
	int rc;

	(void)rd;
	(void)wr;
	(void)arg;
	/* Nothing listens here, so service_start starts a daemon. */
	setenv("CAEC_RMMD_SOCKET", "/nonexistent/caec-rmmd.sock", 1);
	if (caec_csm_service_start(&svc) || caec_csm_realm_id(&a))
		return peer_fail(1, "first service", -1);
	if (caec_csm_create(8192, &old))
		return peer_fail(2, "create", -1);
	p = caec_csm_base(old);
	memset(p, 0x5a, 8192);
	caec_csm_service_stop(svc);	/* back to the path nothing serves */

	rc = caec_csm_realm_id(&id);
	if (rc != -ENOTSUP || !strstr(caec_error_detail(), "no CSM service"))
		return peer_fail(3, "realm id with no service", rc);
	/* The old region's connection is gone, whatever answers now. */
	rc = caec_csm_share(old, a ^ 1, CAEC_CSM_RW, &sid);
	if (rc != -ENOLINK)
		return peer_fail(15, "share with no service", rc);
	if (caec_csm_service_start(&svc))
		return peer_fail(4, "second service", -1);
	rc = caec_csm_realm_id(&b);
	if (rc || b == a)
		return peer_fail(5, "new realm id", rc);
	rc = caec_csm_share(old, b ^ 1, CAEC_CSM_RW, &sid);
	if (rc != -ENOLINK || !strstr(caec_error_detail(), "went away"))
		return peer_fail(6, "share of the old region", rc);
	sid.provider = a;
	sid.handle = 1ull << 32 | 1;
	sid.size = 8192;
	rc = caec_csm_revoke(old, &sid);
	if (rc != -ENOLINK)
		return peer_fail(7, "revoke on the old region", rc);
	/* The mapping is untouched: still shared memory of this process. */
	if (p[0] != 0x5a || p[8191] != 0x5a || caec_csm_status(old))
		return peer_fail(8, "old mapping", p[0]);
	p[1] = 1;

	/* The new connection serves new regions, for other realms too. */
	if (caec_csm_create(4096, &r))
		return peer_fail(9, "create on the new service", -1);
	memset(caec_csm_base(r), 0x77, 4096);
	if (peer_start(&c, peer_attach_check, NULL) ||
	    pipe_get(c.rd, &id, sizeof(id)))
		return peer_fail(10, "consumer", -1);
	rc = caec_csm_share(r, id, CAEC_CSM_RO, &sid);
	if (rc || pipe_put(c.wr, &sid, sizeof(sid)))
		return peer_fail(11, "share on the new service", rc);
	rc = peer_wait(&c, PEER_WAIT_MS);
	if (rc)
		return peer_fail(12, "consumer's status", rc);
	/* Destroying the old region frees it here; the service cannot. */
	rc = caec_csm_destroy(old);
	if (rc != -ENOLINK)
		return peer_fail(13, "destroy of the old region", rc);
	rc = caec_csm_destroy(r);
	if (rc)
		return peer_fail(14, "destroy on the new service", rc);
	caec_csm_service_stop(svc);
	return 0;
}

static void
test_service_restart(void **state)
{
	struct peer p;

	(void)state;
	assert_int_equal(peer_start(&p, peer_restart, NULL), 0);
	expect_peer(&p, 0);
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
		cmocka_unit_test(test_fork_channel_child_is_local),
		cmocka_unit_test(test_service_restart),
	};

	return cmocka_run_group_tests(tests, csm_group_setup,
				      csm_group_teardown);
}
