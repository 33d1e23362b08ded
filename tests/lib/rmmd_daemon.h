/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A caec-rmmd of a test's own ($CAEC_RMMD_PATH), started with the options
 * the test chooses, on a socket realms of every uid can reach: a fresh 0755
 * directory under /tmp and --socket-mode 0666 (a test that wants the
 * defaults passes its own --socket-mode). Nothing here uses cmocka.
 */
#ifndef CAEC_TEST_RMMD_DAEMON_H
#define CAEC_TEST_RMMD_DAEMON_H

#include <sys/types.h>

struct rmmd_daemon {
	char dir[64];
	char sock[96];
	char anchor[104];	/* the socket path + ".pub" */
	char exe[96];		/* the copy a non-root daemon runs, or "" */
	pid_t pid;
};

/*
 * rmmd_daemon_start - start caec-rmmd --foreground --quiet --socket SOCK
 * --socket-mode 0666, then @args (NULL-terminated, may be NULL), wait until
 * it is ready and point $CAEC_RMMD_SOCKET at it.
 * RETURN VALUE: 0, or -1 after saying why on stderr.
 */
int rmmd_daemon_start(struct rmmd_daemon *d, const char *const *args);

/*
 * rmmd_daemon_start_as - the same, the daemon running as uid and gid @uid
 * (root only; 0: as this process). It runs a copy of the executable in its
 * directory, which it owns: the build tree may be closed to other users.
 */
int rmmd_daemon_start_as(struct rmmd_daemon *d, uid_t uid,
			 const char *const *args);

/*
 * rmmd_daemon_stop - SIGTERM, wait (SIGKILL after 10 s), remove the
 * directory. RETURN VALUE: its exit status (0: a clean shutdown), 128 +
 * signal, or -1.
 */
int rmmd_daemon_stop(struct rmmd_daemon *d);

#endif /* CAEC_TEST_RMMD_DAEMON_H */
