/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client's measurement: the hash of the executable its process runs
 * (/proc/PID/exe), the emulation's stand-in for a realm's initial
 * measurement (RIM): SHA-256, and SHA-512 too when the daemon has tokens
 * (a realm may choose either at REALM_PARAMS).
 *
 * Off the event loop. Opening and reading a client's executable can take
 * as long as the client wants (a 64 GiB sparse tail; a file on a FUSE mount
 * whose server never answers), so each new connection is measured by a
 * thread of its own, and the connection is not read until its measurement
 * is in (rmmd_measure_done()). At most MEASURE_MAX measurements run at once
 * and MEASURE_PER_UID of one uid; a connection past either waits for a slot
 * (so a uid whose measurements hang delays only its own connections). An
 * executable larger than --max-exe-mib is refused without reading it. A
 * measurement whose client went away is cancelled between two reads (a read
 * that never returns keeps its thread, and counts against both limits).
 *
 * Which process: the one that connected. The daemon takes a pidfd of the
 * peer at accept (SO_PEERPIDFD where the kernel has it, else pidfd_open()
 * of the SO_PEERCRED pid) and, after opening /proc/PID/exe, checks through
 * it that this process is still alive: a pid reused after its process died
 * is never measured in its place. Without SO_PEERPIDFD, a pid reused
 * between connect() and accept() remains possible (docs/csm.md).
 *
 * Which program: the one running when HELLO, REALM_PARAMS and TOKEN are
 * served (rmmd_measure_recheck(), on the loop: a statx() that asks the file
 * system for nothing, AT_STATX_DONT_SYNC). A client that exec'd another
 * executable file is refused. While a process runs a file the kernel
 * refuses to open it for writing (ETXTBSY), so the same device, inode and
 * change time mean the same bytes.
 *
 * The cache: many connections from one program cost one hash. It is keyed
 * by device, inode, size, modification AND change time: a user can set a
 * file's mtime back after rewriting it (utimensat), never its ctime, which
 * every write and every utimensat advances.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#if defined(CAEC_HAVE_TOKENS)
#include <openssl/err.h>
#include <openssl/evp.h>
#endif

#include "rmmd.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77			/* Linux 6.5 */
#endif

#define CACHE_SLOTS 16u
#define MEASURE_MAX 16u			/* measurements in flight */
#define MEASURE_PER_UID 4u		/* of them, one uid's */

/*
 * One measurement. The thread owns everything above @client until it
 * posts the job to the loop (the pipe's write/read orders the two); the
 * loop owns @client and @next, and frees the job once it read it back.
 */
struct rmmd_measure_job {
	pid_t pid;
	int pidfd;			/* the job's own */
	uint64_t max_bytes;
	atomic_int cancel;		/* set by the loop: the client is gone */
	int rc;
	struct rmmd_exe exe;
	uint8_t sha256[32];
	uint8_t sha512[64];
	uid_t uid;
	struct rmmd_client *client;	/* loop only: NULL once dropped */
	struct rmmd_measure_job *next;	/* loop only: jobs in flight */
};

struct measure_slot {
	struct rmmd_exe id;
	off_t size;
	struct timespec mtime;
	uint8_t sha256[32];
	uint8_t sha512[64];
	bool used;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct measure_slot cache[CACHE_SLOTS];
static unsigned int cache_next;

/* In flight (loop only); static so that jobs whose thread never returns
 * stay reachable. */
static struct rmmd_measure_job *inflight;
static unsigned int nr_inflight;

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

/* Under cache_lock. */
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

#if defined(CAEC_HAVE_TOKENS)
struct hashes {
	struct sha256 s256;
	EVP_MD_CTX *s512;
};

static int
hashes_init(struct hashes *h)
{
	sha256_init(&h->s256);
	h->s512 = EVP_MD_CTX_new();
	if (!h->s512 || EVP_DigestInit_ex(h->s512, EVP_sha512(), NULL) != 1) {
		EVP_MD_CTX_free(h->s512);
		ERR_clear_error();
		return -ENOMEM;
	}
	return 0;
}

static int
hashes_update(struct hashes *h, const void *p, size_t n)
{
	sha256_update(&h->s256, p, n);
	return EVP_DigestUpdate(h->s512, p, n) == 1 ? 0 : -EIO;
}

static int
hashes_final(struct hashes *h, uint8_t d256[32], uint8_t d512[64], int rc)
{
	unsigned int n = 0;

	sha256_final(&h->s256, d256);
	if (!rc && (EVP_DigestFinal_ex(h->s512, d512, &n) != 1 || n != 64))
		rc = -EIO;
	EVP_MD_CTX_free(h->s512);
	ERR_clear_error();
	return rc;
}
#else
struct hashes {
	struct sha256 s256;
};

static int
hashes_init(struct hashes *h)
{
	sha256_init(&h->s256);
	return 0;
}

static int
hashes_update(struct hashes *h, const void *p, size_t n)
{
	sha256_update(&h->s256, p, n);
	return 0;
}

static int
hashes_final(struct hashes *h, uint8_t d256[32], uint8_t d512[64], int rc)
{
	sha256_final(&h->s256, d256);
	memset(d512, 0, 64);
	return rc;
}
#endif

static int
hash_fd(struct rmmd_measure_job *j, int fd)
{
	uint8_t buf[65536];		/* the thread has a 256 KiB stack */
	struct hashes h;
	ssize_t n;
	int rc;

	rc = hashes_init(&h);
	if (rc)
		return rc;
	for (;;) {
		if (atomic_load_explicit(&j->cancel, memory_order_relaxed)) {
			rc = -ECANCELED;
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		rc = hashes_update(&h, buf, (size_t)n);
		if (rc)
			break;
	}
	return hashes_final(&h, j->sha256, j->sha512, rc);
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

static bool
alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

static int
measure(struct rmmd_measure_job *j)
{
	struct measure_slot *m;
	char path[64];
	struct stat st;
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)j->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* After the open: the pid is still the process that connected. */
	if (!alive(j->pidfd) || fstat(fd, &st)) {
		close(fd);
		return -ESRCH;
	}
	j->exe.dev = st.st_dev;
	j->exe.ino = st.st_ino;
	j->exe.ctime = st.st_ctim;
	if ((uint64_t)st.st_size > j->max_bytes) {
		close(fd);
		return -EFBIG;
	}
	pthread_mutex_lock(&cache_lock);
	m = cache_find(&j->exe, &st);
	if (m) {
		memcpy(j->sha256, m->sha256, sizeof(j->sha256));
		memcpy(j->sha512, m->sha512, sizeof(j->sha512));
	}
	pthread_mutex_unlock(&cache_lock);
	if (m) {
		close(fd);
		return 0;
	}
	rc = hash_fd(j, fd);
	close(fd);
	if (rc)
		return rc;
	pthread_mutex_lock(&cache_lock);
	m = &cache[cache_next++ % CACHE_SLOTS];
	m->id = j->exe;
	m->size = st.st_size;
	m->mtime = st.st_mtim;
	memcpy(m->sha256, j->sha256, sizeof(m->sha256));
	memcpy(m->sha512, j->sha512, sizeof(m->sha512));
	m->used = true;
	pthread_mutex_unlock(&cache_lock);
	return 0;
}

static int post_fd = -1;

static void *
measure_thread(void *arg)
{
	struct rmmd_measure_job *j = arg;

	j->rc = measure(j);
	/* Hands the job back: the loop reads the pointer (pipe writes of a
	 * pointer's size are atomic) and only then looks at the results. */
	while (write(post_fd, &j, sizeof(j)) < 0 && errno == EINTR)
		;
	return NULL;
}

int
rmmd_measure_init(struct rmmd *d)
{
	if (pipe2(d->measure_pipe, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	post_fd = d->measure_pipe[1];
	return 0;
}

int
rmmd_measure_start(struct rmmd *d, struct rmmd_client *c)
{
	struct rmmd_measure_job *j;
	unsigned int mine = 0;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	for (j = inflight; j; j = j->next)
		mine += j->uid == c->uid;
	if (nr_inflight >= MEASURE_MAX || mine >= MEASURE_PER_UID) {
		c->measure_queued = true;	/* started by finish() */
		return 0;
	}
	c->measure_queued = false;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->pid = c->pid;
	j->uid = c->uid;
	j->max_bytes = (uint64_t)d->cfg.max_exe_mib << 20;
	j->pidfd = fcntl(c->pidfd, F_DUPFD_CLOEXEC, 0);
	if (j->pidfd < 0) {
		free(j);
		return -EMFILE;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256u << 10);
	rc = pthread_create(&t, &attr, measure_thread, j);
	pthread_attr_destroy(&attr);
	if (rc) {
		close(j->pidfd);
		free(j);
		return -rc;
	}
	j->client = c;
	j->next = inflight;
	inflight = j;
	nr_inflight++;
	c->job = j;
	return 0;
}

void
rmmd_measure_forget(struct rmmd_client *c)
{
	c->measure_queued = false;
	if (!c->job)
		return;
	atomic_store_explicit(&c->job->cancel, 1, memory_order_relaxed);
	c->job->client = NULL;
	c->job = NULL;
}

static void
finish(struct rmmd *d, struct rmmd_measure_job *j)
{
	struct rmmd_measure_job **pp;
	struct rmmd_client *c = j->client;

	for (pp = &inflight; *pp && *pp != j; pp = &(*pp)->next)
		;
	if (*pp) {
		*pp = j->next;
		nr_inflight--;
	}
	if (c) {
		c->job = NULL;
		if (j->rc) {
			rmmd_info("pid %d: cannot measure its executable (%s): refused",
				  (int)c->pid, j->rc == -EFBIG ?
				  "larger than --max-exe-mib" : strerror(-j->rc));
			rmmd_kill(c, "not measured");
		} else {
			c->exe = j->exe;
			memcpy(c->measurement, j->sha256, sizeof(c->measurement));
			memcpy(c->rim512, j->sha512, sizeof(c->rim512));
			rmmd_measured(d, c);
		}
	}
	close(j->pidfd);
	free(j);
	/* A slot is free: the connections waiting for one, as far as their
	 * uids' limits allow. */
	for (c = d->clients; c && nr_inflight < MEASURE_MAX; c = c->next)
		if (c->measure_queued && !c->dead && rmmd_measure_start(d, c))
			rmmd_kill(c, "cannot be measured");
}

void
rmmd_measure_done(struct rmmd *d)
{
	struct rmmd_measure_job *j;

	while (read(d->measure_pipe[0], &j, sizeof(j)) == (ssize_t)sizeof(j))
		finish(d, j);
}

int
rmmd_measure_recheck(struct rmmd_client *c)
{
	char path[64];
	struct statx sx;
	struct rmmd_exe id;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)c->pid);
	if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC,
		  STATX_INO | STATX_CTIME, &sx) || !alive(c->pidfd))
		return -ESRCH;
	id.dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	id.ino = sx.stx_ino;
	id.ctime.tv_sec = sx.stx_ctime.tv_sec;
	id.ctime.tv_nsec = sx.stx_ctime.tv_nsec;
	return same_exe(&id, &c->exe) ? 0 : -EACCES;
}
