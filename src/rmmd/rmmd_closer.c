/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Closing what a client handed us, off the event loop. The last close of a
 * file runs its file system's flush and release in the closing thread: a
 * descriptor a client passes (SCM_RIGHTS, which the protocol refuses) can
 * be a file whose close blocks for as long as its server wants (FUSE), or
 * a TCP socket lingering on unsent data; so can closing a client's socket,
 * which drops the descriptors queued in it. Such closes are handed to one
 * thread of their own (rmmd_close_later()), so a slow one delays only the
 * others of its kind, never a request. While it is stuck, the descriptors
 * waiting for it stay open: RLIMIT_NOFILE and the per-uid connection limit
 * bound them, and the listener refuses connections when they run out
 * (rmmd_limits.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "rmmd.h"

static int closer_pipe[2] = { -1, -1 };

static void *
closer_thread(void *arg)
{
	int fd;

	(void)arg;
	for (;;) {
		ssize_t n = read(closer_pipe[0], &fd, sizeof(fd));

		if (n == (ssize_t)sizeof(fd))
			close(fd);
		else if (n == 0 || (n < 0 && errno != EINTR))
			return NULL;
	}
}

int
rmmd_closer_start(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (pipe2(closer_pipe, O_CLOEXEC))
		return -errno;
	/* The loop never blocks handing a descriptor over. */
	if (fcntl(closer_pipe[1], F_SETFL, O_NONBLOCK))
		return -errno;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64u << 10);
	rc = pthread_create(&t, &attr, closer_thread, NULL);
	pthread_attr_destroy(&attr);
	return -rc;
}

void
rmmd_close_later(int fd)
{
	if (fd < 0)
		return;
	/* Without the thread, or with its queue full (it has been stuck for
	 * thousands of closes): close here. */
	if (closer_pipe[1] < 0 ||
	    write(closer_pipe[1], &fd, sizeof(fd)) != (ssize_t)sizeof(fd))
		close(fd);
}
