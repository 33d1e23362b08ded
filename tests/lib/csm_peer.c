/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "csm_peer.h"

/* All @n bytes one way, retrying short and interrupted transfers. */
static int
pipe_xfer(int fd, uint8_t *b, size_t n, bool put)
{
	ssize_t k;

	while (n) {
		k = put ? write(fd, b, n) : read(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

int
pipe_put(int fd, const void *p, size_t n)
{
	return pipe_xfer(fd, (uint8_t *)p, n, true);
}

int
pipe_get(int fd, void *p, size_t n)
{
	return pipe_xfer(fd, p, n, false);
}

int
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

int
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

int
peer_fail(int code, const char *what, int rc)
{
	fprintf(stderr, "peer %d: %s: %d (%s; %s)\n", (int)getpid(), what, rc,
		caec_strerror(rc), caec_error_detail());
	return code;
}

void
csm_attach_uri(char *buf, size_t len, const struct caec_csm_sid *sid)
{
	char t[CAEC_CSM_SID_STRLEN];

	caec_csm_sid_format(sid, t, sizeof(t));
	snprintf(buf, len, "csm:attach/%s", t);
}
