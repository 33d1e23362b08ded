/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forked CSM peers for the csm tests. Each forked process is its own realm
 * (its first CSM call connects to the service the test started); the test
 * and its peers exchange realm ids and sharing ids over two pipes, the way
 * realm owners would after verifying each other's attestation tokens.
 *
 * Nothing here uses cmocka: peers report through their exit status and
 * stderr.
 */
#ifndef CAEC_TEST_CSM_PEER_H
#define CAEC_TEST_CSM_PEER_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caec/caec.h>

#include "stream.h"
#include "../src/attest/sha256.h"	/* the csm tests link sha256.c */

/* The service of a test executable (started in the group setup). */
static struct caec_csm_service *csm_svc;

static inline int
csm_group_setup(void **state)
{
	int rc = caec_csm_service_start(&csm_svc);

	(void)state;
	if (rc)
		fprintf(stderr, "caec_csm_service_start: %s (%s)\n",
			caec_strerror(rc), caec_error_detail());
	return rc ? -1 : 0;
}

static inline int
csm_group_teardown(void **state)
{
	(void)state;
	caec_csm_service_stop(csm_svc);
	return 0;
}

/*
 * The measurement caec-rmmd gives this process: the SHA-256 of its
 * executable. RETURN VALUE: 0, or -1 when unknown (under qemu-user the
 * service sees the emulator).
 */
static inline int
exe_measurement(uint8_t out[32])
{
	uint8_t buf[65536];
	struct sha256 s;
	ssize_t n;
	int fd;

	if (getenv("CAEC_TEST_EMULATED"))
		return -1;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&s, buf, (size_t)n);
	close(fd);
	sha256_final(&s, out);
	return 0;
}

struct peer {
	pid_t pid;
	int rd;			/* from the peer */
	int wr;			/* to the peer */
};

/* Exact-size pipe I/O (a peer that died reads as failure). */
static inline int
pipe_put(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t w;

	while (n) {
		w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static inline int
pipe_get(int fd, void *p, size_t n)
{
	uint8_t *b = p;
	ssize_t r;

	while (n) {
		r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Fork a peer running @fn(rd, wr, arg); its return value is the exit
 * status. RETURN VALUE: 0, or -1 (pipe or fork failed).
 */
static inline int
peer_start(struct peer *p, int (*fn)(int rd, int wr, void *arg), void *arg)
{
	int down[2], up[2];

	p->pid = -1;
	p->rd = p->wr = -1;
	if (pipe(down) || pipe(up))
		return -1;
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		close(down[1]);
		close(up[0]);
		_exit(fn(down[0], up[1], arg));
	}
	close(down[0]);
	close(up[1]);
	p->rd = up[0];
	p->wr = down[1];
	return 0;
}

/*
 * Wait for the peer (SIGKILL after @timeout_ms). RETURN VALUE: its exit
 * status, 128 + signal when killed by one, -1 on timeout.
 */
static inline int
peer_wait(struct peer *p, unsigned int timeout_ms)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
	int status = 0, rc = -1;
	pid_t w;

	if (p->pid <= 0)
		return -1;
	for (;;) {
		w = waitpid(p->pid, &status, WNOHANG);
		if (w == p->pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) :
						 128 + WTERMSIG(status);
			break;
		}
		if (now_ns() > deadline) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
			break;
		}
		sleep_ms(2);
	}
	p->pid = -1;
	close(p->rd);
	close(p->wr);
	return rc;
}

/* In a peer: fail with a message. */
static inline int
peer_fail(int code, const char *what, int rc)
{
	fprintf(stderr, "peer %d: %s: %d (%s; %s)\n", (int)getpid(), what, rc,
		caec_strerror(rc), caec_error_detail());
	return code;
}

/* The text URI a consumer attaches with. */
static inline void
csm_attach_uri(char *buf, size_t len, const struct caec_csm_sid *sid)
{
	char t[CAEC_CSM_SID_STRLEN];

	caec_csm_sid_format(sid, t, sizeof(t));
	snprintf(buf, len, "csm:attach/%s", t);
}

#endif /* CAEC_TEST_CSM_PEER_H */
