/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client's measurement: SHA-256 of the executable its process runs
 * (/proc/PID/exe), the emulation's stand-in for a realm's initial
 * measurement (RIM).
 *
 * Which process: the one that connected. At accept the daemon takes a
 * pidfd of the peer (SO_PEERPIDFD where the kernel has it, else
 * pidfd_open() of the SO_PEERCRED pid) and, after opening /proc/PID/exe,
 * checks through the pidfd that this process is still alive: a pid that
 * was reused after its process died is never measured in its place (the
 * pidfd refers to the dead process, and signalling it fails). Without
 * SO_PEERPIDFD a pid reused between connect() and accept() remains
 * possible: the emulation's residual race, documented in docs/csm.md.
 *
 * Which program: the one running when HELLO, REALM_PARAMS and TOKEN are
 * served (rmmd_measure_recheck()). A client that connected and then called
 * execve() has another executable; a different one is refused. While a
 * process runs a file the kernel refuses to open that file for writing
 * (ETXTBSY), so the identity (device, inode, change time) seen again means
 * the same bytes.
 *
 * The cache: many connections from one program cost one hash. It is keyed
 * by device, inode, size, modification AND change time: a user can set a
 * file's mtime back after rewriting it (utimensat), never its ctime, which
 * every write and every utimensat advances.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rmmd.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77			/* Linux 6.5 */
#endif

#define CACHE_SLOTS 16u

struct measure_slot {
	struct rmmd_exe id;
	off_t size;
	struct timespec mtime;
	uint8_t digest[32];
	bool used;
};

static struct measure_slot cache[CACHE_SLOTS];
static unsigned int cache_next;

static bool
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool
same_exe(const struct rmmd_exe *a, const struct rmmd_exe *b)
{
	return a->dev == b->dev && a->ino == b->ino &&
	       same_time(&a->ctime, &b->ctime);
}

static struct measure_slot *
cache_find(const struct rmmd_exe *id, const struct stat *st)
{
	unsigned int i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		struct measure_slot *m = &cache[i];

		if (m->used && same_exe(&m->id, id) &&
		    m->size == st->st_size && same_time(&m->mtime, &st->st_mtim))
			return m;
	}
	return NULL;
}

static int
hash_fd(int fd, uint8_t digest[32])
{
	uint8_t buf[65536];
	struct sha256 s;
	ssize_t n;

	sha256_init(&s);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		sha256_update(&s, buf, (size_t)n);
	}
	sha256_final(&s, digest);
	return 0;
}

int
rmmd_peer_pidfd(int sock, pid_t pid)
{
	socklen_t len = sizeof(int);
	int fd = -1;

	if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &fd, &len) == 0 &&
	    fd >= 0)
		return fd;
	if (pid <= 0)
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	return fd >= 0 ? fd : -errno;
}

/* Open the executable of @c's process: the descriptor, its identity. */
static int
open_exe(const struct rmmd_client *c, struct rmmd_exe *id, struct stat *st)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* After the open: the pid is still the process that connected. */
	if (syscall(SYS_pidfd_send_signal, c->pidfd, 0, NULL, 0) || fstat(fd, st)) {
		close(fd);
		return -ESRCH;
	}
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->ctime = st->st_ctim;
	return fd;
}

static int
measure_fd(int fd, const struct rmmd_exe *id, const struct stat *st,
	   uint8_t digest[32])
{
	struct measure_slot *m = cache_find(id, st);
	int rc;

	if (m) {
		memcpy(digest, m->digest, 32);
		return 0;
	}
	rc = hash_fd(fd, digest);
	if (rc)
		return rc;
	m = &cache[cache_next++ % CACHE_SLOTS];
	m->id = *id;
	m->size = st->st_size;
	m->mtime = st->st_mtim;
	memcpy(m->digest, digest, 32);
	m->used = true;
	return 0;
}

int
rmmd_measure(struct rmmd_client *c)
{
	struct stat st;
	int fd, rc;

	fd = open_exe(c, &c->exe, &st);
	if (fd < 0)
		return fd;
	rc = measure_fd(fd, &c->exe, &st, c->measurement);
	close(fd);
	return rc;
}

int
rmmd_measure_recheck(struct rmmd_client *c)
{
	uint8_t digest[32];
	struct rmmd_exe id = { 0 };
	struct stat st;
	int fd, rc;

	fd = open_exe(c, &id, &st);
	if (fd < 0)
		return fd;
	if (same_exe(&id, &c->exe)) {
		close(fd);
		return 0;
	}
	rc = measure_fd(fd, &id, &st, digest);
	close(fd);
	if (rc)
		return rc;
	if (memcmp(digest, c->measurement, sizeof(digest)))
		return -EACCES;
	c->exe = id;		/* another file, the same program */
	return 0;
}

int
rmmd_exe_open(const struct rmmd_client *c)
{
	struct rmmd_exe id = { 0 };
	struct stat st;
	int fd = open_exe(c, &id, &st);

	if (fd >= 0 && !same_exe(&id, &c->exe)) {
		close(fd);
		return -EACCES;
	}
	return fd;
}
