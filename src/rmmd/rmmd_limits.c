/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What keeps one client from starving the others: descriptors (the soft
 * RLIMIT_NOFILE raised to the hard one; a spare descriptor given up to
 * refuse a connection when they run out, so that the level-triggered
 * listener never spins), connections per uid, and each realm's quota of
 * regions and pool bytes. Defaults in main.c and docs/csm.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rmmd.h"

#define NOFILE_CAP (1ul << 20)

void
rmmd_raise_nofile(struct rmmd *d)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < NOFILE_CAP ? rl.rlim_max : NOFILE_CAP;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			rmmd_err("cannot raise RLIMIT_NOFILE: %s", strerror(errno));
	}
	d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * accept4() failed with EMFILE or ENFILE: take the connection with the
 * spare descriptor and close it at once (the client sees its connection
 * closed), so the listener is not readable for ever. RETURN VALUE: 0.
 */
int
rmmd_refuse_no_fds(struct rmmd *d)
{
	int fd;

	if (d->spare_fd >= 0) {
		close(d->spare_fd);
		d->spare_fd = -1;
	}
	fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!(d->nr_refused_fds++ % 1000))
		rmmd_err("out of descriptors (%u realms): refusing connections",
			 d->nr_clients);
	return 0;
}

bool
rmmd_uid_full(const struct rmmd *d, uid_t uid)
{
	const struct rmmd_client *c;
	unsigned int n = 0;

	for (c = d->clients; c; c = c->next)
		if (!c->dead && c->uid == uid)
			n++;
	return n >= d->cfg.max_clients_per_uid;
}

int
rmmd_quota_take(const struct rmmd *d, struct rmmd_client *c, uint64_t size)
{
	uint64_t cap = (uint64_t)d->cfg.realm_pool_mib << 20;

	if (c->nr_regions >= d->cfg.realm_max_regions ||
	    c->region_bytes + size > cap || c->region_bytes + size < size)
		return -EDQUOT;
	c->nr_regions++;
	c->region_bytes += size;
	return 0;
}

void
rmmd_quota_give(struct rmmd_client *c, uint64_t size)
{
	c->nr_regions--;
	c->region_bytes -= size;
}
