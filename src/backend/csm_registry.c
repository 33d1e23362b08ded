/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registry of this process's CSM regions, and what the loss of a region
 * (a revoked grant, a provider that destroyed it or went away, a fork) does
 * to its mapping.
 *
 * A lost mapping is never unmapped: a thread may be inside it. It is
 * replaced in place (region_replace(), atomic for the process) by
 * private anonymous memory holding
 *   - for a channel whose grant was revoked: 0xff bytes. Every ring index
 *     then fails validation, so a call already inside the ring returns an
 *     error; later calls see the channel's lost flag first (-EACCES);
 *   - for a channel whose provider destroyed the region or went away: a
 *     private snapshot in which the owner marked the provider's side closed
 *     (backend_owner.peer_gone), so that the consumer drains what was sent
 *     and then gets -EPIPE, as when an nw peer closes;
 *   - for a plain region: zero pages.
 * The owner then wakes the sleepers of the old mapping through a second,
 * temporary mapping of the same pages (backend_owner.wake).
 *
 * A region that moved (caec-rmmd copied it into a fresh memfd because
 * another realm's grant was revoked, and will truncate the old one) is
 * mapped from the new memfd at the same address (region_remap(), atomic for
 * the process: a thread inside it reads on, from the new pages), and the
 * sleepers of the old pages are woken the same way, so that they wait on
 * the new ones. Both happen before the service is told (the transport's
 * ACK): after that the old pages are gone and a futex on them can no longer
 * be woken. A thread that touches a mapping whose pages went anyway (the
 * library did not answer in time, or a RW peer truncated the memfd) takes
 * the SIGBUS guard's zero pages, and the region reads -EPROTO from then on.
 *
 * The registry knows nothing of what a region holds: the owner's hooks do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <caec/csm_uapi.h>

#include "csm_abi.h"
#include "csm_priv.h"
#include "region.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct caec_csm_region *regions;

void
csm_regions_lock(void)
{
	pthread_mutex_lock(&reg_lock);
}

void
csm_regions_unlock(void)
{
	pthread_mutex_unlock(&reg_lock);
}

void
csm_regions_reinit(void)
{
	pthread_mutex_init(&reg_lock, NULL);
}

void
csm_region_add(struct caec_csm_region *r)
{
	pthread_mutex_lock(&reg_lock);
	r->next = regions;
	regions = r;
	pthread_mutex_unlock(&reg_lock);
}

void
csm_region_remove(struct caec_csm_region *r)
{
	struct caec_csm_region **pp;

	pthread_mutex_lock(&reg_lock);
	for (pp = &regions; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	pthread_mutex_unlock(&reg_lock);
}

int
csm_region_prot(const struct caec_csm_region *r)
{
	return r->perm == CAEC_CSM_RW ? PROT_READ | PROT_WRITE : PROT_READ;
}

/* Let the owner wake the sleepers of @fd's pages through a second mapping
 * (a futex syscall on it: no access that could fault). */
static void
wake_sleepers(const struct caec_csm_region *r, int fd)
{
	uint8_t *p;

	if (fd < 0 || !r->bound || !r->owner.wake)
		return;
	p = mmap(NULL, r->size, PROT_READ, MAP_SHARED, fd, (off_t)r->mmap_off);
	if (p == MAP_FAILED)
		return;
	r->owner.wake(r->owner.ctx, p, r->size);
	munmap(p, r->size);
}

enum overlay { OVERLAY_ZERO, OVERLAY_POISON, OVERLAY_SNAPSHOT };

/* Replace @r's mapping in place (see the top of the file). */
static void
overlay(struct caec_csm_region *r, enum overlay how)
{
	uint8_t *img = NULL;

	if (how != OVERLAY_ZERO) {
		img = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (img == MAP_FAILED) {
			img = NULL;
		} else if (how == OVERLAY_SNAPSHOT) {
			memcpy(img, r->base, r->size);
			r->owner.peer_gone(r->owner.ctx, img, r->size);
		} else {
			memset(img, 0xff, r->size);
		}
	}
	(void)region_replace(r->base, r->size, csm_region_prot(r), img);
	wake_sleepers(r, r->fd);
}

/* Called with reg_lock held. */
static void
region_lose(struct caec_csm_region *r, uint32_t reason)
{
	bool drain = r->bound && r->owner.peer_gone &&
		     reason != CAEC_CSM_EV_REASON_REVOKE;

	if (r->lost)
		return;
	/* Pairs with the acquire loads in caec_csm_status() and
	 * backend_region_lost(). */
	__atomic_store_n(&r->lost, -EACCES, __ATOMIC_RELEASE);
	if (r->lost_flag && !drain)
		__atomic_store_n(r->lost_flag, -EACCES, __ATOMIC_RELEASE);
	if (r->base)
		overlay(r, drain ? OVERLAY_SNAPSHOT :
			r->bound ? OVERLAY_POISON : OVERLAY_ZERO);
}

void
csm_revoked(uint64_t provider, uint64_t handle, uint32_t reason)
{
	struct caec_csm_region *r;

	pthread_mutex_lock(&reg_lock);
	for (r = regions; r; r = r->next)
		if (!r->provider && r->sid.provider == provider &&
		    r->sid.handle == handle)
			region_lose(r, reason);
	pthread_mutex_unlock(&reg_lock);
}

/* Map @r from @fd (taken) instead; called with reg_lock held. */
static void
region_move(struct caec_csm_region *r, int fd)
{
	int old = r->fd;

	if (!r->base) {
		/* Attach in progress: csm_region_mapped() maps @fd. */
		if (r->moved_fd >= 0)
			close(r->moved_fd);
		r->moved_fd = fd;
		return;
	}
	if (r->lost) {
		close(fd);		/* nothing left to keep */
		return;
	}
	if (region_remap(r->base, r->size, csm_region_prot(r), fd)) {
		int zero = 0;

		close(fd);
		/* Zero pages now (region.h): as the SIGBUS guard leaves it.
		 * Pairs with the acquire load in caec_csm_status(). */
		__atomic_compare_exchange_n(&r->lost, &zero, -EPROTO, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
		wake_sleepers(r, old);
		return;
	}
	r->fd = fd;
	r->mmap_off = 0;
	wake_sleepers(r, old);
	close(old);
}

void
csm_moved(uint64_t provider, uint64_t handle, int fd)
{
	bool own = CSM_SID_SEQ(handle) == 0;
	struct caec_csm_region *r;

	pthread_mutex_lock(&reg_lock);
	for (r = regions; r; r = r->next) {
		if (r->orphan)
			continue;
		if (own ? r->provider && r->realm == provider &&
			  r->csm_id == CSM_SID_CSM_ID(handle) :
			  !r->provider && r->sid.provider == provider &&
			  r->sid.handle == handle)
			break;
	}
	if (r)
		region_move(r, fd);
	else
		close(fd);
	pthread_mutex_unlock(&reg_lock);
}

/* In a forked child (single-threaded, reg_lock fresh). */
void
csm_regions_orphan(void)
{
	struct caec_csm_region *r;

	for (r = regions; r; r = r->next) {
		r->orphan = true;
		r->lost = -EACCES;
		if (r->lost_flag)
			*r->lost_flag = -EACCES;
		if (r->base)
			(void)region_replace(r->base, r->size,
					     csm_region_prot(r), NULL);
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		if (r->moved_fd >= 0)
			close(r->moved_fd);
		r->moved_fd = -1;
	}
}

void
csm_region_mapped(struct caec_csm_region *r, uint8_t *base, int fd,
		  uint64_t mmap_off)
{
	pthread_mutex_lock(&reg_lock);
	r->base = base;
	r->fd = fd;
	r->mmap_off = mmap_off;
	if (r->moved_fd >= 0) {
		/* Nobody touched the mapping yet: no sleepers to wake. */
		if (region_remap(base, r->size, csm_region_prot(r),
				 r->moved_fd) == 0) {
			close(fd);
			r->fd = r->moved_fd;
			r->mmap_off = 0;
		} else {
			close(r->moved_fd);
		}
		r->moved_fd = -1;
	}
	if (r->lost)
		overlay(r, OVERLAY_ZERO);
	pthread_mutex_unlock(&reg_lock);
}

void
csm_region_bind(struct caec_csm_region *r, int *lost_flag,
		const struct backend_owner *owner)
{
	pthread_mutex_lock(&reg_lock);
	r->bound = true;
	r->owner = *owner;
	r->lost_flag = lost_flag;
	if (r->lost)
		__atomic_store_n(lost_flag, r->lost, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&reg_lock);
}
