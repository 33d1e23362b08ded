/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CSM regions: create/share/revoke/destroy (provider), attach/detach
 * (consumer), the registry of mapped regions, and what a revocation does to
 * a mapping.
 *
 * A revoked mapping is never unmapped: a thread may be inside it. It is
 * replaced in place (MAP_FIXED / MREMAP_FIXED, atomic for the process) by
 * private anonymous memory holding
 *   - for a channel whose grant was revoked: 0xff bytes. Every ring index
 *     then fails validation, so a call already inside the ring returns an
 *     error; later calls see the channel's lost flag first (-EACCES);
 *   - for a channel whose provider destroyed the region or went away: a
 *     private snapshot with the provider's side marked closed, so that the
 *     consumer drains what was sent and then gets -EPIPE, as when an nw
 *     peer closes;
 *   - for a plain region: zero pages.
 * Sleepers in a futex wait on the old mapping are woken through a second,
 * temporary mapping of the same pages (shared futexes are keyed by page).
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <caec/csm_uapi.h>

#include "../channel_layout.h"
#include "../ring/ring_priv.h"
#include "csm_priv.h"

struct caec_csm_region {
	uint8_t *base;		/* NULL until mapped */
	size_t size;
	int fd;			/* what @base maps, -1 once orphaned */
	uint64_t mmap_off;
	unsigned int perm;
	bool provider;
	bool channel;		/* formatted as a channel (csm_channel.c) */
	bool orphan;		/* inherited through fork(): not ours */
	uint64_t csm_id;	/* provider */
	struct caec_csm_sid sid;	/* consumer */
	uint32_t gen;		/* the connection it was made through */
	int lost;		/* 0, or -EACCES once revoked (atomic) */
	int *lost_flag;		/* the channel's backend_region.lost */
	struct caec_csm_region *next;
};

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

static void
reg_add(struct caec_csm_region *r)
{
	pthread_mutex_lock(&reg_lock);
	r->next = regions;
	regions = r;
	pthread_mutex_unlock(&reg_lock);
}

static void
reg_remove(struct caec_csm_region *r)
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

static int
prot_of(const struct caec_csm_region *r)
{
	return r->perm == CAEC_CSM_RW ? PROT_READ | PROT_WRITE : PROT_READ;
}

/*
 * Ring @i's shared block in a channel region of @size bytes at @p, or NULL
 * if the (untrusted) channel header places it outside.
 */
static uint8_t *
chan_ring_at(uint8_t *p, size_t size, int i)
{
	uint64_t off;

	if (size < CAEC_CHAN_HDR_SIZE)
		return NULL;
	off = sh_load(&((struct caec_chan_hdr *)p)->ring_off[i]);
	if ((off & 63) || off > size || size - off < CAEC_RING_HDR_SIZE)
		return NULL;
	return p + off;
}

/* Wake futex sleepers of both rings through a second mapping. */
static void
wake_sleepers(const struct caec_csm_region *r)
{
	size_t w[2] = { offsetof(struct caec_ring_shared, prod_wake.seq),
			offsetof(struct caec_ring_shared, cons_wake.seq) };
	uint8_t *p, *rb;
	int i, j;

	if (r->fd < 0)
		return;
	p = mmap(NULL, r->size, PROT_READ, MAP_SHARED, r->fd,
		 (off_t)r->mmap_off);
	if (p == MAP_FAILED)
		return;
	for (i = 0; i < 2; i++) {
		rb = chan_ring_at(p, r->size, i);
		for (j = 0; rb && j < 2; j++)
			syscall(SYS_futex, rb + w[j], FUTEX_WAKE, INT_MAX, NULL,
				NULL, 0);
	}
	munmap(p, r->size);
}

/* The snapshot of a channel whose creator (the provider) is gone: mark
 * the creator's side of both rings closed (ring 0 it produces, ring 1 it
 * consumes: channel_layout.h). */
static void
creator_closed(uint8_t *p, size_t size)
{
	uint8_t *r0 = chan_ring_at(p, size, 0), *r1 = chan_ring_at(p, size, 1);

	if (r0)
		((struct caec_ring_shared *)r0)->prod.closed = 1;
	if (r1)
		((struct caec_ring_shared *)r1)->cons.closed = 1;
}

enum overlay { OVERLAY_ZERO, OVERLAY_POISON, OVERLAY_SNAPSHOT };

/* Replace @r's mapping in place (see the top of the file). */
static void
overlay(struct caec_csm_region *r, enum overlay how)
{
	uint8_t *tmp = MAP_FAILED;

	if (how != OVERLAY_ZERO)
		tmp = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp != MAP_FAILED) {
		if (how == OVERLAY_SNAPSHOT) {
			memcpy(tmp, r->base, r->size);
			creator_closed(tmp, r->size);
		} else {
			memset(tmp, 0xff, r->size);
		}
		if (mremap(tmp, r->size, r->size, MREMAP_MAYMOVE | MREMAP_FIXED,
			   r->base) == MAP_FAILED) {
			munmap(tmp, r->size);
			tmp = MAP_FAILED;
		}
	}
	if (tmp == MAP_FAILED)
		(void)mmap(r->base, r->size, prot_of(r),
			   MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->channel)
		wake_sleepers(r);
}

/* Called with reg_lock held. */
static void
region_lose(struct caec_csm_region *r, uint32_t reason)
{
	bool drain = r->channel && reason != CAEC_CSM_EV_REASON_REVOKE;

	if (r->lost)
		return;
	/* Pairs with the acquire loads in caec_csm_status() and
	 * backend_region_lost(). */
	__atomic_store_n(&r->lost, -EACCES, __ATOMIC_RELEASE);
	if (r->lost_flag && !drain)
		__atomic_store_n(r->lost_flag, -EACCES, __ATOMIC_RELEASE);
	if (r->base)
		overlay(r, drain ? OVERLAY_SNAPSHOT :
			r->channel ? OVERLAY_POISON : OVERLAY_ZERO);
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
			(void)mmap(r->base, r->size, prot_of(r),
				   MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1,
				   0);
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
	}
}

void
csm_region_bind(struct caec_csm_region *r, int *lost_flag)
{
	pthread_mutex_lock(&reg_lock);
	r->channel = true;
	r->lost_flag = lost_flag;
	if (r->lost)
		__atomic_store_n(lost_flag, r->lost, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&reg_lock);
}

static size_t
granule(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return page > 4096 ? page : 4096;
}

int
caec_csm_info(struct caec_csm_info *info)
{
	struct csm_conn *c;
	int rc;

	if (!info || info->struct_size < sizeof(*info))
		return caec_set_detail(-EINVAL,
			"struct caec_csm_info: struct_size too small (set it to sizeof)");
	rc = csm_conn_get(&c);
	if (rc)
		return rc;
	info->transport = c->t->kind;
	info->realm_id = c->realm_id;
	memcpy(info->measurement, c->measurement, sizeof(info->measurement));
	csm_conn_put(c);
	return 0;
}

int
caec_csm_realm_id(uint64_t *id)
{
	struct caec_csm_info info = { .struct_size = sizeof(info) };
	int rc;

	if (!id)
		return -EINVAL;
	rc = caec_csm_info(&info);
	if (!rc)
		*id = info.realm_id;
	return rc;
}

static int
map_region(struct caec_csm_region *r, const struct csm_result *res,
	   uint8_t **base)
{
	void *p = mmap(NULL, r->size, prot_of(r), MAP_SHARED, res->fd,
		       (off_t)res->mmap_off);

	if (p == MAP_FAILED)
		return caec_set_detail(errno == EACCES ? -EACCES : -ENOMEM,
			"mmap of the %zu-byte region: %s", r->size,
			caec_strerror(-errno));
	*base = p;
	return 0;
}

int
caec_csm_create(size_t size, struct caec_csm_region **out)
{
	size_t g = granule(), sz = (size + g - 1) / g * g;
	struct caec_csm_region *r;
	struct csm_result res;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!size || sz < size)
		return caec_set_detail(-EINVAL, "region size %zu", size);
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	rc = csm_call(CSM_OP_CREATE, sz, 0, 0, &res);
	if (rc) {
		free(r);
		return rc;
	}
	r->size = sz;
	r->fd = res.fd;
	r->mmap_off = res.mmap_off;
	r->provider = true;
	r->perm = CAEC_CSM_RW;
	r->csm_id = res.val[0];
	r->gen = res.gen;
	rc = map_region(r, &res, &r->base);
	if (rc) {
		close(r->fd);
		(void)csm_call_on(r->gen, CSM_OP_DESTROY, r->csm_id, 0, 0,
				  &res);
		free(r);
		return rc;
	}
	reg_add(r);
	*out = r;
	return 0;
}

static int
provider_only(const struct caec_csm_region *r, const char *what)
{
	if (!r || !r->provider)
		return caec_set_detail(-EINVAL,
			"%s: not a region this process provides", what);
	if (r->orphan)
		return caec_set_detail(-EACCES,
			"%s: region inherited through fork() (another realm's)",
			what);
	return 0;
}

int
caec_csm_share(struct caec_csm_region *r, uint64_t consumer,
	       unsigned int perm, struct caec_csm_sid *sid)
{
	struct csm_result res;
	int rc = provider_only(r, "caec_csm_share");

	if (rc)
		return rc;
	if (!sid)
		return -EINVAL;
	rc = csm_call_on(r->gen, CSM_OP_SHARE, r->csm_id, consumer, perm,
			 &res);
	if (rc)
		return rc;
	sid->provider = res.val[0];
	sid->handle = res.val[1];
	sid->size = r->size;
	return 0;
}

int
caec_csm_revoke(struct caec_csm_region *r, const struct caec_csm_sid *sid)
{
	struct csm_result res;
	int rc = provider_only(r, "caec_csm_revoke");

	if (rc)
		return rc;
	if (!sid)
		return -EINVAL;
	return csm_call_on(r->gen, CSM_OP_REVOKE, sid->provider, sid->handle,
			   0, &res);
}

static void
region_free(struct caec_csm_region *r)
{
	reg_remove(r);
	if (r->base)
		munmap(r->base, r->size);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

int
caec_csm_destroy(struct caec_csm_region *r)
{
	struct csm_result res;
	bool orphan;
	uint32_t gen;
	uint64_t id;

	if (!r)
		return 0;
	if (!r->provider)
		return caec_set_detail(-EINVAL,
			"caec_csm_destroy: a consumer detaches (caec_csm_detach)");
	orphan = r->orphan;
	id = r->csm_id;
	gen = r->gen;
	region_free(r);
	return orphan ? 0 : csm_call_on(gen, CSM_OP_DESTROY, id, 0, 0, &res);
}

int
caec_csm_attach(const struct caec_csm_sid *sid, struct caec_csm_region **out)
{
	struct caec_csm_region *r;
	struct csm_result res, ignore;
	uint8_t *base = NULL;
	char why[256];
	int rc;

	if (!out || !sid)
		return -EINVAL;
	*out = NULL;
	if (!sid->size || sid->size % granule() || sid->size > SIZE_MAX)
		return caec_set_detail(-EINVAL,
			"sharing id: size %llu is not a multiple of %zu",
			(unsigned long long)sid->size, granule());
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->sid = *sid;
	r->size = (size_t)sid->size;
	r->fd = -1;
	rc = csm_call(CSM_OP_RESERVE, sid->provider, sid->handle, sid->size,
		      &res);
	if (rc) {
		free(r);
		return rc;
	}
	r->gen = res.gen;
	/* Registered before ATTACH: a revocation from now on is not lost. */
	reg_add(r);
	rc = csm_call_on(r->gen, CSM_OP_ATTACH, sid->provider, sid->handle, 0,
			 &res);
	if (!rc && ((res.val[0] != CAEC_CSM_RO && res.val[0] != CAEC_CSM_RW) ||
		    res.val[1] != sid->size))
		rc = caec_set_detail(-EPROTO,
			"ATTACH answered permission %llu, size %llu",
			(unsigned long long)res.val[0],
			(unsigned long long)res.val[1]);
	r->perm = (unsigned int)res.val[0];
	if (!rc)
		rc = map_region(r, &res, &base);
	if (rc) {
		snprintf(why, sizeof(why), "%s", caec_error_detail());
		if (res.fd >= 0)
			close(res.fd);
		reg_remove(r);
		(void)csm_call_on(r->gen, CSM_OP_DETACH, sid->provider,
				  sid->handle, 0, &ignore);
		free(r);
		return caec_set_detail(rc, "%s", why);
	}
	pthread_mutex_lock(&reg_lock);
	r->base = base;
	r->fd = res.fd;
	r->mmap_off = res.mmap_off;
	if (r->lost)
		overlay(r, OVERLAY_ZERO);
	pthread_mutex_unlock(&reg_lock);
	*out = r;
	return 0;
}

int
caec_csm_detach(struct caec_csm_region *r)
{
	struct caec_csm_region copy;
	struct csm_result res;

	if (!r)
		return 0;
	if (r->provider)
		return caec_set_detail(-EINVAL,
			"caec_csm_detach: a provider destroys (caec_csm_destroy)");
	copy = *r;
	region_free(r);
	return copy.orphan ? 0 : csm_call_on(copy.gen, CSM_OP_DETACH,
					      copy.sid.provider,
					      copy.sid.handle, 0, &res);
}

void *
caec_csm_base(const struct caec_csm_region *r)
{
	return r && r->perm == CAEC_CSM_RW ? r->base : NULL;
}

const void *
caec_csm_data(const struct caec_csm_region *r)
{
	return r ? r->base : NULL;
}

size_t
caec_csm_size(const struct caec_csm_region *r)
{
	return r ? r->size : 0;
}

unsigned int
caec_csm_perm(const struct caec_csm_region *r)
{
	return r ? r->perm : 0;
}

int
caec_csm_region_sid(const struct caec_csm_region *r, struct caec_csm_sid *sid)
{
	if (!r || !sid || r->provider)
		return -EINVAL;
	*sid = r->sid;
	return 0;
}

int
caec_csm_status(const struct caec_csm_region *r)
{
	if (!r)
		return -EINVAL;
	/* Pairs with the release store in region_lose(). */
	return __atomic_load_n(&r->lost, __ATOMIC_ACQUIRE);
}
