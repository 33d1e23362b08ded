/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "exe_copy.h"
#include "rmmd_daemon.h"
#include "uid.h"

int
rmmd_daemon_start(struct rmmd_daemon *d, const char *const *args)
{
	return rmmd_daemon_start_as(d, 0, args);
}

int
rmmd_daemon_start_as(struct rmmd_daemon *d, uid_t uid,
		     const char *const *args)
{
	const char *exe = getenv("CAEC_RMMD_PATH");
	const char *argv[40];
	struct pollfd pf;
	char fdarg[16], buf[8];
	unsigned int n = 0, i;
	int p[2];

	memset(d, 0, sizeof(*d));
	if (!exe) {
		fprintf(stderr, "CAEC_RMMD_PATH is not set\n");
		return -1;
	}
	snprintf(d->dir, sizeof(d->dir), "/tmp/caec-test-rmmd-XXXXXX");
	if (!mkdtemp(d->dir) || chmod(d->dir, 0755) || pipe(p)) {
		fprintf(stderr, "socket directory: %s\n", strerror(errno));
		return -1;
	}
	snprintf(d->sock, sizeof(d->sock), "%s/sock", d->dir);
	snprintf(d->anchor, sizeof(d->anchor), "%s.pub", d->sock);
	if (uid) {
		snprintf(d->exe, sizeof(d->exe), "%s/caec-rmmd", d->dir);
		if (exe_copy(exe, d->exe) || chown(d->dir, uid, uid)) {
			fprintf(stderr, "a caec-rmmd for uid %u: %s\n",
				(unsigned int)uid, strerror(errno));
			return -1;
		}
		exe = d->exe;
	}
	snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
	argv[n++] = exe;
	argv[n++] = "--foreground";
	argv[n++] = "--quiet";
	argv[n++] = "--socket";
	argv[n++] = d->sock;
	argv[n++] = "--ready-fd";
	argv[n++] = fdarg;
	argv[n++] = "--socket-mode";
	argv[n++] = "0666";
	for (i = 0; args && args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	fflush(NULL);
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0) {
		close(p[0]);
		/* Dies with the test, even one that failed half-way. */
		if (test_become(uid) || prctl(PR_SET_PDEATHSIG, SIGKILL) ||
		    getppid() == 1)
			_exit(126);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	pf.fd = p[0];
	pf.events = POLLIN;
	if (poll(&pf, 1, 10000) != 1 || read(p[0], buf, sizeof(buf)) <= 0) {
		fprintf(stderr, "caec-rmmd did not start\n");
		close(p[0]);
		rmmd_daemon_stop(d);
		return -1;
	}
	close(p[0]);
	setenv("CAEC_RMMD_SOCKET", d->sock, 1);
	return 0;
}

int
rmmd_daemon_stop(struct rmmd_daemon *d)
{
	uint64_t deadline = now_ns() + 10000000000ull;
	int status, rc = -1;
	pid_t w;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	for (;;) {
		w = waitpid(d->pid, &status, WNOHANG);
		if (w == d->pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) :
						 128 + WTERMSIG(status);
			break;
		}
		if (now_ns() > deadline) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, NULL, 0);
			break;
		}
		sleep_ms(5);
	}
	d->pid = 0;
	unlink(d->sock);
	unlink(d->anchor);
	if (d->exe[0])
		unlink(d->exe);
	rmdir(d->dir);
	return rc;
}
