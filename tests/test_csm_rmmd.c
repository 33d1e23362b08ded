/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-rmmd as a server facing hostile clients. The test starts its own
 * daemon ($CAEC_RMMD_PATH, private socket) so that it can count the
 * daemon's descriptors, read its RSS and check that SIGTERM ends it with
 * status 0 (under ASan: also no leak at exit).
 *
 *   protocol   every malformed, oversized, truncated or out-of-order
 *              packet gets an error reply and changes nothing; descriptors
 *              sent to the daemon are closed; a region's memfd is sealed
 *              against growing and against new seals
 *   fuzz       many clients send random and truncated packets, never read
 *              replies, or vanish mid-request, while honest pairs keep
 *              streaming over csm: channels; afterwards the daemon has the
 *              same descriptors and (nearly) the same RSS as before
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caec/caec.h>

#include "lib/check.h"
#include "lib/clock.h"
#include "lib/csm_peer.h"
#include "lib/rand.h"
#include "lib/scale.h"
#include "lib/stream.h"
#include "../src/proto/rmmd_wire.h"
#include "csm_abi.h"

#define TIMEOUT_MS 30000
#define PEER_WAIT_MS 240000

static struct {
	char dir[64];
	char sock[96];
	pid_t pid;
} d;

static int
group_setup(void **state)
{
	const char *exe = getenv("CAEC_RMMD_PATH");
	struct pollfd pf;
	char fdarg[16], buf[8];
	int p[2];

	(void)state;
	if (!exe) {
		fprintf(stderr, "CAEC_RMMD_PATH is not set\n");
		return -1;
	}
	snprintf(d.dir, sizeof(d.dir), "/tmp/caec-test-rmmd-XXXXXX");
	if (!mkdtemp(d.dir) || pipe(p))
		return -1;
	snprintf(d.sock, sizeof(d.sock), "%s/sock", d.dir);
	snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
	d.pid = fork();
	if (d.pid == 0) {
		close(p[0]);
		execl(exe, exe, "--foreground", "--quiet", "--socket", d.sock,
		      "--ready-fd", fdarg, "--pool-mib", "32",
		      "--max-clients", "128", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	pf.fd = p[0];
	pf.events = POLLIN;
	if (poll(&pf, 1, 10000) != 1 || read(p[0], buf, sizeof(buf)) <= 0) {
		fprintf(stderr, "caec-rmmd did not start\n");
		return -1;
	}
	/* EOF: it closed its end too (the descriptor counts are exact). */
	while (poll(&pf, 1, 10000) == 1 && read(p[0], buf, sizeof(buf)) > 0)
		;
	close(p[0]);
	/* Library clients (the honest peers) use this daemon. */
	setenv("CAEC_RMMD_SOCKET", d.sock, 1);
	return 0;
}

static int
group_teardown(void **state)
{
	struct peer p = { .pid = d.pid, .rd = -1, .wr = -1 };
	int rc;

	(void)state;
	kill(d.pid, SIGTERM);
	rc = peer_wait(&p, 10000);
	rmdir(d.dir);
	if (rc) {
		fprintf(stderr, "caec-rmmd exited with status %d on SIGTERM\n",
			rc);
		return -1;
	}
	return 0;
}

/* ---- raw protocol ---------------------------------------------------------- */

static int
raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, d.sock);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
raw_send_fd(int fd, const void *pkt, size_t len, int pass_fd)
{
	return rmmd_send(fd, pkt, len, pass_fd, 0) == (ssize_t)len ? 0 : -1;
}

#define make_pkt rmmd_pack

struct raw_reply {
	struct rmmd_hdr h;
	struct rmmd_reply r;
	int fd;
};

/* The next reply (events are skipped). 0, or -1 (timeout, EOF, garbage). */
static int
raw_reply(int fd, struct raw_reply *out)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	uint8_t pkt[RMMD_MSG_MAX];
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	struct iovec iov = { pkt, sizeof(pkt) };
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		if (poll(&pf, 1, 5000) != 1)
			return -1;
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (n != (ssize_t)(sizeof(out->h) + sizeof(out->r)))
			return -1;
		memcpy(&out->h, pkt, sizeof(out->h));
		if (out->h.type == RMMD_EV_REVOKED)
			continue;
		memcpy(&out->r, pkt + sizeof(out->h), sizeof(out->r));
		out->fd = -1;
		cm = CMSG_FIRSTHDR(&msg);
		if (cm && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&out->fd, CMSG_DATA(cm), sizeof(int));
		return 0;
	}
}

/* Send one request; return the reply's status (the fd in *@rfd or
 * closed). */
static int
req(int fd, uint16_t type, const void *body, size_t len, struct raw_reply *rr)
{
	uint8_t pkt[RMMD_MSG_MAX];
	struct raw_reply tmp;

	if (!rr)
		rr = &tmp;
	assert_int_equal(raw_send_fd(fd, pkt, make_pkt(pkt, type, 77, body, len),
				     -1), 0);
	assert_int_equal(raw_reply(fd, rr), 0);
	assert_int_equal(rr->h.type, type | RMMD_REPLY);
	assert_int_equal(rr->h.seq, 77);
	if (rr == &tmp && tmp.fd >= 0)
		close(tmp.fd);
	return rr->r.status;
}

static int
hello(int fd, uint64_t *id)
{
	struct rmmd_req_hello h = { RMMD_VERSION, RMMD_VERSION, 0 };
	struct raw_reply rr;
	int rc = req(fd, RMMD_T_HELLO, &h, sizeof(h), &rr);

	if (id)
		*id = rr.r.val[0];
	return rc;
}

static int
count_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	while (dir && (de = readdir(dir)))
		n += de->d_name[0] != '.';
	if (dir)
		closedir(dir);
	return n;
}

static long
rss_kib(pid_t pid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* The daemon's descriptors once the clients that just left are reaped. */
static int
settled_fds(int want)
{
	int i, n = count_fds(d.pid);

	for (i = 0; i < 500 && n != want; i++) {
		sleep_ms(10);
		n = count_fds(d.pid);
	}
	return n;
}

/* ---- protocol errors -------------------------------------------------------- */

static void
expect_malformed(int fd, const void *pkt, size_t len, int pass_fd)
{
	struct raw_reply rr;

	assert_int_equal(raw_send_fd(fd, pkt, len, pass_fd), 0);
	assert_int_equal(raw_reply(fd, &rr), 0);
	assert_int_equal(rr.r.status, -EPROTO);
	assert_int_equal(rr.fd, -1);
}

static void
test_protocol_errors(void **state)
{
	struct rmmd_req_hello h = { RMMD_VERSION, RMMD_VERSION, 0 };
	struct rmmd_req_create cr = { 65536 };
	struct rmmd_req_sid sid = { 0 };
	struct rmmd_req_destroy de = { 12345 };
	uint8_t pkt[RMMD_MSG_MAX + 64];
	struct raw_reply rr;
	int fd, base_fds, p[2], seals;
	struct stat st;
	uint64_t id;
	size_t n;

	(void)state;
	base_fds = count_fds(d.pid);
	fd = raw_connect();
	assert_true(fd >= 0);
	/* Out of order: nothing before HELLO. */
	assert_int_equal(req(fd, RMMD_T_CREATE, &cr, sizeof(cr), NULL), -EPROTO);
	/* Malformed packets: error replies, the connection stays usable. */
	n = make_pkt(pkt, RMMD_T_HELLO, 1, &h, sizeof(h));
	pkt[0] ^= 1;				/* magic */
	expect_malformed(fd, pkt, n, -1);
	pkt[0] ^= 1;
	pkt[4] = RMMD_VERSION + 1;		/* version */
	expect_malformed(fd, pkt, n, -1);
	pkt[4] = RMMD_VERSION;
	pkt[8]++;				/* len field */
	expect_malformed(fd, pkt, n, -1);
	pkt[8]--;
	expect_malformed(fd, pkt, 8, -1);	/* truncated header */
	expect_malformed(fd, pkt, n - 1, -1);	/* truncated body */
	memset(pkt + n, 0, sizeof(pkt) - n);	/* oversized */
	expect_malformed(fd, pkt, sizeof(pkt), -1);
	n = make_pkt(pkt, 99, 1, &h, sizeof(h));	/* unknown type */
	expect_malformed(fd, pkt, n, -1);
	n = make_pkt(pkt, RMMD_T_CREATE, 1, &sid, sizeof(sid)); /* wrong size */
	expect_malformed(fd, pkt, n, -1);
	/* A descriptor sent to the daemon is closed, never kept. */
	assert_int_equal(pipe(p), 0);
	n = make_pkt(pkt, RMMD_T_HELLO, 1, &h, sizeof(h));
	expect_malformed(fd, pkt, n, p[0]);
	close(p[0]);
	close(p[1]);
	/* Versions it does not speak; reserved bits. */
	h.version_min = RMMD_VERSION + 1;
	h.version_max = RMMD_VERSION + 9;
	assert_int_equal(req(fd, RMMD_T_HELLO, &h, sizeof(h), NULL), -EPROTO);
	h.version_min = h.version_max = RMMD_VERSION;
	h.reserved = 1;
	assert_int_equal(req(fd, RMMD_T_HELLO, &h, sizeof(h), NULL), -EINVAL);
	h.reserved = 0;
	assert_int_equal(hello(fd, &id), 0);
	assert_true(id != 0);
	assert_int_equal(req(fd, RMMD_T_HELLO, &h, sizeof(h), NULL), -EPROTO);

	/* Sizes the hypervisor refuses before the firmware sees them. */
	cr.size = 0;
	assert_int_equal(req(fd, RMMD_T_CREATE, &cr, sizeof(cr), NULL), -EINVAL);
	cr.size = 4095;
	assert_int_equal(req(fd, RMMD_T_CREATE, &cr, sizeof(cr), NULL), -EINVAL);
	cr.size = 1ull << 62;
	assert_int_equal(req(fd, RMMD_T_CREATE, &cr, sizeof(cr), NULL), -EINVAL);
	/* A region: a memfd of exactly its size, sealed against growing and
	 * against new seals (nobody can keep the daemon from truncating it;
	 * rmmd_move.c), not against shrinking. */
	cr.size = 65536;
	assert_int_equal(req(fd, RMMD_T_CREATE, &cr, sizeof(cr), &rr), 0);
	assert_true(rr.fd >= 0);
	assert_int_equal(fstat(rr.fd, &st), 0);
	assert_int_equal(st.st_size, 65536);
	seals = fcntl(rr.fd, F_GET_SEALS);
	assert_int_equal(seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
			 F_SEAL_GROW | F_SEAL_SEAL);
	assert_int_not_equal(ftruncate(rr.fd, 131072), 0);
	assert_int_not_equal(fcntl(rr.fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	close(rr.fd);

	/* Out of order with the firmware's rules: the RMM refuses. */
	sid.provider = id ^ 1;
	sid.handle = 1ull << 32 | 1;
	assert_int_equal(req(fd, RMMD_T_ATTACH, &sid, sizeof(sid), &rr), -EACCES);
	assert_int_equal(rr.r.detail, CSM_E_UNKNOWN_SID);
	assert_int_equal(req(fd, RMMD_T_DETACH, &sid, sizeof(sid), &rr), -EACCES);
	assert_int_equal(req(fd, RMMD_T_REVOKE, &sid, sizeof(sid), &rr), -EACCES);
	assert_int_equal(rr.r.detail, CSM_E_NOT_PROVIDER);
	sid.size = 4096;		/* size is for RESERVE only */
	assert_int_equal(req(fd, RMMD_T_ATTACH, &sid, sizeof(sid), NULL), -EINVAL);
	assert_int_equal(req(fd, RMMD_T_DESTROY, &de, sizeof(de), &rr), -ENOENT);
	assert_int_equal(rr.r.detail, CSM_E_UNKNOWN_CSM);
	close(fd);
	/* The realm and its region are gone with the connection. */
	assert_int_equal(settled_fds(base_fds), base_fds);
}

/* ---- fuzz ------------------------------------------------------------------- */

/* One hostile client: @rounds connections, each a burst of junk. */
static int
peer_fuzz(int rd, int wr, void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	struct rmmd_req_hello h = { RMMD_VERSION, RMMD_VERSION, 0 };
	uint8_t pkt[512];
	unsigned int round, i, n;
	int fd, pfd[2];
	uint64_t r;
	size_t len;

	(void)rd;
	(void)wr;
	for (round = 0; round < 40; round++) {
		fd = raw_connect();
		if (fd < 0)
			return 10;
		r = splitmix64(&rng);
		/* Half the connections say HELLO first, then go wrong. */
		if (r & 1) {
			len = make_pkt(pkt, RMMD_T_HELLO, 0, &h, sizeof(h));
			(void)raw_send_fd(fd, pkt, len, -1);
		}
		n = 1 + (unsigned int)(r >> 8) % 60;
		for (i = 0; i < n; i++) {
			r = splitmix64(&rng);
			switch (r % 6) {
			case 0:		/* random bytes, random length */
				len = (size_t)(r >> 8) % sizeof(pkt);
				stamp_bytes(pkt, len, r, 1);
				break;
			case 1:		/* valid header, random body */
				len = make_pkt(pkt, (uint16_t)((r >> 8) % 12),
					       (uint32_t)r, NULL, 0);
				len += (size_t)(r >> 16) % 48;
				stamp_bytes(pkt + 16, len - 16, r, 2);
				((struct rmmd_hdr *)pkt)->len = (uint32_t)len;
				break;
			case 2:		/* a request cut short */
				len = make_pkt(pkt, RMMD_T_SHARE, 1, pkt + 100,
					       sizeof(struct rmmd_req_share));
				len = (size_t)(r >> 8) % len;
				break;
			case 3: {	/* plausible requests, random fields */
				uint16_t t = (uint16_t)(2 + (r >> 8) % 7);
				uint64_t body[3] = { splitmix64(&rng) % 8,
						     splitmix64(&rng),
						     ((r >> 20) % 64) << 12 };

				len = make_pkt(pkt, t, 1, body,
					       t == RMMD_T_CREATE ||
					       t == RMMD_T_DESTROY ? 8 : 24);
				break;
			}
			case 4:		/* oversized */
				len = sizeof(pkt);
				stamp_bytes(pkt, len, r, 3);
				break;
			default:	/* a descriptor the daemon must close */
				len = make_pkt(pkt, RMMD_T_HELLO, 0, &h,
					       sizeof(h));
				if (pipe(pfd) == 0) {
					(void)raw_send_fd(fd, pkt, len, pfd[0]);
					close(pfd[0]);
					close(pfd[1]);
				}
				len = 0;
				break;
			}
			if (len)
				(void)raw_send_fd(fd, pkt, len, -1);
		}
		/* Read a few replies, or none at all, then vanish. */
		if (r & 2) {
			struct raw_reply rr;

			for (i = 0; i < 3 && raw_reply(fd, &rr) == 0; i++)
				if (rr.fd >= 0)
					close(rr.fd);
		}
		close(fd);
	}
	return 0;
}

/* An honest pair: the provider side. */
struct honest {
	unsigned int rounds;
	uint32_t id;
};

static int
peer_honest_consumer(int rd, int wr, void *arg)
{
	struct honest *h = arg;
	struct caec_channel *ch;
	struct caec_csm_sid sid;
	struct stream s;
	char uri[128];
	unsigned int i;
	struct ep e;
	uint64_t id;
	int rc;

	rc = caec_csm_realm_id(&id);
	if (rc || pipe_put(wr, &id, sizeof(id)))
		return peer_fail(10, "realm id", rc);
	for (i = 0; i < h->rounds; i++) {
		if (pipe_get(rd, &sid, sizeof(sid)))
			return 11;
		csm_attach_uri(uri, sizeof(uri), &sid);
		rc = caec_channel_attach(uri, NULL, &ch);
		if (rc)
			return peer_fail(12, uri, rc);
		stream_init(&s, h->id, 300, h->id + i, OP_ALL, TIMEOUT_MS);
		s.end_epipe = false;	/* the provider waits for our ack */
		e = ep_channel(ch);
		rc = stream_recv(&e, &s);
		caec_channel_close(ch);
		if (rc) {
			fprintf(stderr, "honest consumer: %s\n", s.why);
			return 13;
		}
		if (pipe_put(wr, &rc, sizeof(rc)))
			return 14;
	}
	return 0;
}

static int
peer_honest_provider(int rd, int wr, void *arg)
{
	struct honest *h = arg;
	struct caec_channel *ch;
	struct caec_csm_sid sid;
	struct stream s;
	struct peer c;
	char uri[64];
	unsigned int i;
	struct ep e;
	uint64_t id;
	int rc, ack;

	(void)rd;
	(void)wr;
	if (peer_start(&c, peer_honest_consumer, h) ||
	    pipe_get(c.rd, &id, sizeof(id)))
		return 20;
	snprintf(uri, sizeof(uri), "csm:share/%016llx?ring=16K",
		 (unsigned long long)id);
	for (i = 0; i < h->rounds; i++) {
		rc = caec_channel_create(uri, NULL, &ch);
		if (rc)
			return peer_fail(21, uri, rc);
		caec_channel_csm_sid(ch, &sid);
		if (pipe_put(c.wr, &sid, sizeof(sid)))
			return 22;
		stream_init(&s, h->id, 300, h->id + i, OP_ALL, TIMEOUT_MS);
		e = ep_channel(ch);
		rc = stream_send(&e, &s);
		if (rc) {
			fprintf(stderr, "honest provider: %s\n", s.why);
			return 23;
		}
		/* Closing destroys the region: wait until it was drained. */
		if (pipe_get(c.rd, &ack, sizeof(ack)))
			return 24;
		caec_channel_close(ch);
	}
	return peer_wait(&c, PEER_WAIT_MS) ? 25 : 0;
}

#define NR_FUZZ 12
#define NR_HONEST 4

static void
run_workload(unsigned int rounds, unsigned int seed)
{
	struct peer fz[NR_FUZZ], hp[NR_HONEST];
	struct honest h[NR_HONEST];
	int i, rc;

	for (i = 0; i < NR_HONEST; i++) {
		h[i].rounds = rounds;
		h[i].id = 100 + (uint32_t)i;
		assert_int_equal(peer_start(&hp[i], peer_honest_provider, &h[i]),
				 0);
	}
	for (i = 0; i < NR_FUZZ; i++)
		assert_int_equal(peer_start(&fz[i], peer_fuzz,
					    (void *)(uintptr_t)(seed + i)), 0);
	for (i = 0; i < NR_FUZZ; i++) {
		rc = peer_wait(&fz[i], PEER_WAIT_MS);
		if (rc)
			fail_msg("fuzz client %d: status %d", i, rc);
	}
	for (i = 0; i < NR_HONEST; i++) {
		rc = peer_wait(&hp[i], PEER_WAIT_MS);
		if (rc)
			fail_msg("honest pair %d: status %d (see stderr)", i, rc);
	}
	assert_int_equal(kill(d.pid, 0), 0);
}

/*
 * A private daemon's limits from the environment (caec_csm_service_start()):
 * a value that is not a number is refused before anything starts, one that
 * caec-rmmd refuses makes it exit (-EIO), and accepted ones bind: a region
 * above $CAEC_RMMD_MAX_REGION_MIB is refused, one within it is created. In a
 * child, which starts its own daemon (no $CAEC_RMMD_SOCKET).
 */
static int
limits_child(void)
{
	struct caec_csm_service *svc;
	struct caec_csm_region *r;

	unsetenv("CAEC_RMMD_SOCKET");
	setenv("CAEC_RMMD_POOL_MIB", "12x", 1);
	if (caec_csm_service_start(&svc) != -EINVAL ||
	    !strstr(caec_error_detail(), "CAEC_RMMD_POOL_MIB"))
		return 1;
	setenv("CAEC_RMMD_POOL_MIB", "1", 1);	/* caec-rmmd wants >= 4 */
	if (caec_csm_service_start(&svc) != -EIO)
		return 2;
	setenv("CAEC_RMMD_POOL_MIB", "16", 1);
	setenv("CAEC_RMMD_MAX_REGION_MIB", "2", 1);
	if (caec_csm_service_start(&svc))
		return 3;
	if (caec_csm_create(4u << 20, &r) >= 0)
		return 4;
	if (caec_csm_create(2u << 20, &r) || caec_csm_destroy(r))
		return 5;
	caec_csm_service_stop(svc);
	return 0;
}

static void
test_service_limits_from_env(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(limits_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status))
		fail_msg("limits child failed at step %d", WEXITSTATUS(status));
}

static void
test_fuzz_many_clients(void **state)
{
	bool rss = !getenv("CAEC_TEST_SANITIZED") && !getenv("CAEC_TEST_EMULATED");
	long rss0, rss1;
	int fds0, fds1;

	(void)state;
	/* Idle: only its own descriptors (stdio, socket, epoll, signalfd). */
	fds0 = count_fds(d.pid);
	/* Warm up: the model's granule pool and the allocator reach their
	 * working size. */
	run_workload(3, 1);
	assert_int_equal(settled_fds(fds0), fds0);
	rss0 = rss_kib(d.pid);
	run_workload((unsigned int)test_scaled(20, 5), 1000);
	fds1 = settled_fds(fds0);
	rss1 = rss_kib(d.pid);
	print_message("  caec-rmmd: %d -> %d descriptors, RSS %ld -> %ld KiB\n",
		      fds0, fds1, rss0, rss1);
	assert_int_equal(fds1, fds0);
	/* Sanitizers keep freed memory in quarantine (LSan checks at exit);
	 * qemu-user's RSS includes its translation cache. */
	if (rss)
		assert_true(rss1 - rss0 < 4096);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol_errors),
		cmocka_unit_test(test_service_limits_from_env),
		cmocka_unit_test(test_fuzz_many_clients),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
