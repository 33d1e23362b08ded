/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Normal-world shared memory: POSIX shm objects, files (/dev/shm, hugetlbfs,
 * an ivshmem PCI BAR's sysfs resource file), anonymous memfds and inherited
 * descriptors. This memory is visible to the hypervisor.
 *
 * A peer may resize the object under the mapping. A memfd this backend makes
 * is sealed against that (F_SEAL_SHRINK | F_SEAL_GROW, then F_SEAL_SEAL)
 * before anyone else can hold it, and an inherited memfd (nw:fd/N) without
 * those seals is refused; shm objects and files cannot be sealed, so every
 * mapping is registered with the SIGBUS guard (region.h): a truncation then
 * costs the channel (-EPROTO), never the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <caec/caec.h>

#include "../channel_layout.h"
#include "../error.h"
#include "backend.h"
#include "region.h"

#define SYSFS_MAGIC_ 0x62656572
#define HUGETLBFS_MAGIC_ 0x958458f6

enum nw_kind { NW_SHM, NW_FILE, NW_MEMFD, NW_FD };

struct nw_loc {
	enum nw_kind kind;
	const char *arg;	/* shm name, path or fd number */
};

static int
nw_parse(const struct caec_uri *u, struct nw_loc *l)
{
	const char *s = u->location;

	if (!strncmp(s, "shm/", 4)) {
		l->kind = NW_SHM;
		l->arg = s + 4;
		if (!*l->arg || strchr(l->arg, '/') || strlen(l->arg) > NAME_MAX - 1)
			return caec_set_detail(-EINVAL,
				"nw:shm/NAME needs a non-empty name without '/' (got '%s')",
				l->arg);
		return 0;
	}
	if (!strncmp(s, "file/", 5)) {
		l->kind = NW_FILE;
		l->arg = s + 5;
		if (l->arg[0] != '/')
			return caec_set_detail(-EINVAL,
				"nw:file/PATH needs an absolute path (nw:file//dev/shm/x), got '%s'",
				l->arg);
		return 0;
	}
	if (!strcmp(s, "memfd")) {
		l->kind = NW_MEMFD;
		l->arg = NULL;
		return 0;
	}
	if (!strncmp(s, "fd/", 3)) {
		char *end;
		long v;

		l->kind = NW_FD;
		l->arg = s + 3;
		errno = 0;
		v = strtol(l->arg, &end, 10);
		if (!*l->arg || *end || errno || v < 0 || v > INT_MAX)
			return caec_set_detail(-EINVAL,
				"nw:fd/N needs a descriptor number (got '%s')",
				l->arg);
		return 0;
	}
	return caec_set_detail(-EINVAL,
		"nw location '%s' is not shm/NAME, file/PATH, memfd or fd/N", s);
}

/* Map a system errno onto the library's error contract, with a detail. */
static int
errno_detail(int err, const char *what, const char *name)
{
	const char *why = NULL;

	switch (err) {
	case EISDIR:
		why = "is a directory";
		err = EINVAL;
		break;
	case ENOTDIR:
		why = "a path component is not a directory";
		err = ENOENT;
		break;
	case ENAMETOOLONG:
		why = "name too long";
		err = EINVAL;
		break;
	case ELOOP:
		why = "too many symbolic links";
		err = EINVAL;
		break;
	case EPERM:
	case EROFS:
		err = EACCES;
		break;
	case ENODEV:
	case ENXIO:
		err = ENOENT;
		break;
	case EMFILE:
	case ENFILE:
	case ENOSPC:
	case EFBIG:
		why = "out of descriptors or space";
		err = ENOMEM;
		break;
	default:
		break;
	}
	return caec_set_detail(-err, "%s '%s': %s", what, name ? name : "",
			       why ? why : caec_strerror(-err));
}

static int
map_fd(int fd, size_t len, struct backend_region *out)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return caec_set_detail(-errno, "mmap of %zu bytes failed: %s",
				       len, caec_strerror(-errno));
	out->guard = region_guard_add(p, len, PROT_READ | PROT_WRITE,
				      &out->lost);
	if (out->guard < -1) {
		int rc = out->guard;

		munmap(p, len);
		out->guard = -1;
		return rc;
	}
	out->base = p;
	out->len = len;
	out->fd = fd;
	return 0;
}

#define NW_SEALS (F_SEAL_SHRINK | F_SEAL_GROW)

/* Is @fd a memfd (its link in /proc names "memfd:...")? */
static bool
is_memfd(int fd)
{
	char path[64], link[16];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link));
	return n >= 7 && !memcmp(link, "/memfd:", 7);
}

/*
 * An inherited memfd must be sealed so that no holder can resize it under
 * the mapping (what nw:memfd hands out is). Other objects get the guard.
 */
static int
check_seals(int fd, const char *what)
{
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals < 0 || !is_memfd(fd))
		return 0;
	if ((seals & NW_SEALS) != NW_SEALS || !(seals & F_SEAL_SEAL))
		return caec_set_detail(-EPROTO,
			"descriptor %s is a memfd without F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL (seals 0x%x): its holders could resize it under the mapping",
			what, seals);
	return 0;
}

/* Round @len up to the mapping granule of the filesystem behind @fd. */
static size_t
round_len(int fd, size_t len)
{
	struct statfs sfs;
	size_t g = (size_t)sysconf(_SC_PAGESIZE);

	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == HUGETLBFS_MAGIC_ &&
	    sfs.f_bsize > 0)
		g = (size_t)sfs.f_bsize;
	return (len + g - 1) / g * g;
}

const char *backend_nw_test_bar;

/* Existing objects that cannot be created or resized: an ivshmem BAR. */
static bool
fixed_size_object(int fd, const struct stat *st, const char *path)
{
	struct statfs sfs;

	if (!S_ISREG(st->st_mode))
		return true;
	if (backend_nw_test_bar && !strcmp(path, backend_nw_test_bar))
		return true;
	return fstatfs(fd, &sfs) == 0 && sfs.f_type == SYSFS_MAGIC_;
}

/*
 * reclaim=1: the shm object @name exists. Remove it if no process holds a
 * liveness lock on it (channel_layout.h: every live libcaec user of the
 * channel does), so that the create can make it again; a lock held, or an
 * object whose file takes no locks, keeps it (-EBUSY). A process that
 * opened the object without libcaec's locks is not seen.
 */
static int
nw_reclaim(const char *name)
{
	struct flock fl;
	int fd, role;

	fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return errno_detail(errno, "cannot open shm object to reclaim",
				    name);
	for (role = 0; role < 2; role++) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = (off_t)CAEC_CHAN_LIVE_LOCK + role;
		fl.l_len = 1;
		if (fcntl(fd, F_OFD_GETLK, &fl) || fl.l_type != F_UNLCK) {
			close(fd);
			return caec_set_detail(-EBUSY,
				"shm object '%s' is in use by a live process (reclaim=1 takes over only a name whose users are gone)",
				name);
		}
	}
	close(fd);
	if (shm_unlink(name) && errno != ENOENT)
		return errno_detail(errno, "cannot remove stale shm object",
				    name);
	return 0;
}

static int
nw_create(const struct caec_uri *u, size_t len, uint32_t mode,
	  struct backend_region *out)
{
	struct nw_loc l;
	struct stat st;
	int fd, rc;

	rc = nw_parse(u, &l);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	out->guard = -1;
	switch (l.kind) {
	case NW_SHM:
		fd = shm_open(l.arg, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			      mode);
		if (fd < 0 && errno == EEXIST && u->reclaim) {
			rc = nw_reclaim(l.arg);
			if (rc)
				return rc;
			fd = shm_open(l.arg,
				      O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
				      mode);
		}
		if (fd < 0 && errno == EINVAL)
			return errno_detail(EINVAL, "shm name", l.arg);
		if (fd < 0)
			return errno_detail(errno, "cannot create shm object",
					    l.arg);
		out->unlink_shm = true;
		break;
	case NW_FILE:
		fd = open(l.arg, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd < 0 && errno == EEXIST) {
			fd = open(l.arg, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				return errno_detail(errno, "cannot open file",
						    l.arg);
			if (fstat(fd, &st) ||
			    !fixed_size_object(fd, &st, l.arg)) {
				close(fd);
				return errno_detail(EEXIST,
					"file exists (remove it or attach to it)",
					l.arg);
			}
			if ((size_t)st.st_size < len) {
				close(fd);
				return caec_set_detail(-ENOSPC,
					"'%s' has %lld bytes, the channel needs %zu",
					l.arg, (long long)st.st_size, len);
			}
			/* Not fresh: the last session's bytes are there. */
			return map_fd(fd, len, out);
		}
		if (fd < 0)
			return errno_detail(errno, "cannot create file", l.arg);
		break;
	case NW_MEMFD:
		/*
		 * Close-on-exec like every descriptor the library opens: a
		 * program the process runs gets the region only when the
		 * caller hands it over on purpose (a dup(), or a dup2() in
		 * posix_spawn's file actions), then attaches with nw:fd/N.
		 */
		fd = memfd_create("caec-nw", MFD_ALLOW_SEALING | MFD_CLOEXEC);
		if (fd < 0)
			return errno_detail(errno, "memfd_create", "caec-nw");
		break;
	default:
		return caec_set_detail(-EINVAL,
			"nw:fd/N can only be attached, not created");
	}
	if (l.kind != NW_MEMFD) {
		out->unlink_path = strdup(l.arg);
		if (!out->unlink_path) {
			rc = -ENOMEM;
			goto fail;
		}
	}
	len = round_len(fd, len);
	if (ftruncate(fd, (off_t)len)) {
		rc = errno_detail(errno, "cannot size region", l.arg);
		goto fail;
	}
	if (l.kind == NW_MEMFD &&
	    fcntl(fd, F_ADD_SEALS, NW_SEALS | F_SEAL_SEAL)) {
		rc = errno_detail(errno, "cannot seal memfd", "caec-nw");
		goto fail;
	}
	rc = map_fd(fd, len, out);
	if (rc)
		goto fail;
	/* Made here with O_EXCL or memfd_create, sized from 0: all zero. */
	out->fresh = true;
	return 0;
fail:
	close(fd);
	if (out->unlink_path) {
		if (out->unlink_shm)
			shm_unlink(out->unlink_path);
		else
			unlink(out->unlink_path);
	}
	free(out->unlink_path);
	out->unlink_path = NULL;
	return rc;
}

static int
nw_attach(const struct caec_uri *u, struct backend_region *out)
{
	struct nw_loc l;
	struct stat st;
	int fd, rc;

	rc = nw_parse(u, &l);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	out->guard = -1;
	switch (l.kind) {
	case NW_SHM:
		fd = shm_open(l.arg, O_RDWR | O_CLOEXEC, 0);
		if (fd < 0)
			return errno_detail(errno, "cannot open shm object",
					    l.arg);
		break;
	case NW_FILE:
		fd = open(l.arg, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return errno_detail(errno, "cannot open file", l.arg);
		break;
	case NW_FD:
		fd = fcntl(atoi(l.arg), F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return errno_detail(errno, "descriptor", l.arg);
		break;
	default:
		return caec_set_detail(-EINVAL,
			"nw:memfd can only be created; attach with nw:fd/N");
	}
	if (fstat(fd, &st)) {
		rc = errno_detail(errno, "fstat", l.arg);
		goto fail;
	}
	if (l.kind == NW_FD) {
		rc = check_seals(fd, l.arg);
		if (rc)
			goto fail;
	}
	if (st.st_size <= 0) {
		rc = caec_set_detail(-EPROTO,
			"region '%s' is empty (not initialised by a creator yet?)",
			l.arg ? l.arg : "memfd");
		goto fail;
	}
	rc = map_fd(fd, (size_t)st.st_size, out);
	if (rc)
		goto fail;
	return 0;
fail:
	close(fd);
	return rc;
}

static void
nw_release(struct backend_region *reg, bool creator)
{
	region_guard_remove(reg->guard);
	if (reg->base)
		munmap(reg->base, reg->len);
	if (reg->fd >= 0)
		close(reg->fd);
	if (creator && reg->unlink_path) {
		if (reg->unlink_shm)
			shm_unlink(reg->unlink_path);
		else
			unlink(reg->unlink_path);
	}
	free(reg->unlink_path);
	memset(reg, 0, sizeof(*reg));
	reg->fd = -1;
	reg->guard = -1;
}

const struct backend_ops backend_nw_ops = {
	.scheme = "nw",
	.create = nw_create,
	.attach = nw_attach,
	.release = nw_release,
};
