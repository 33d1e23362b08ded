/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client's measurement: SHA-256 of the executable its process runs
 * (/proc/PID/exe, PID from SO_PEERCRED), the emulation's stand-in for a
 * realm's initial measurement (RIM). Hashes are cached by file identity so
 * that many connections from one program cost one hash.
 *
 * The pid is read at connect time; a process that exits and whose pid is
 * reused before the daemon opens /proc/PID/exe would be measured wrongly.
 * That race is the emulation's, like its lack of isolation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rmmd.h"

#define CACHE_SLOTS 16u

struct measure_slot {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint8_t digest[32];
	bool used;
};

static struct measure_slot cache[CACHE_SLOTS];
static unsigned int cache_next;

static struct measure_slot *
cache_find(const struct stat *st)
{
	unsigned int i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		struct measure_slot *m = &cache[i];

		if (m->used && m->dev == st->st_dev && m->ino == st->st_ino &&
		    m->size == st->st_size &&
		    m->mtime.tv_sec == st->st_mtim.tv_sec &&
		    m->mtime.tv_nsec == st->st_mtim.tv_nsec)
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
rmmd_measure(pid_t pid, uint8_t digest[32])
{
	struct measure_slot *m;
	char path[64];
	struct stat st;
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	m = cache_find(&st);
	if (m) {
		memcpy(digest, m->digest, 32);
		close(fd);
		return 0;
	}
	rc = hash_fd(fd, digest);
	close(fd);
	if (rc)
		return rc;
	m = &cache[cache_next++ % CACHE_SLOTS];
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	m->size = st.st_size;
	m->mtime = st.st_mtim;
	memcpy(m->digest, digest, 32);
	m->used = true;
	return 0;
}
