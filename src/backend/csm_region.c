/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CSM regions: create/share/revoke/destroy (provider), attach/detach
 * (consumer) and the accessors. What a revocation does to a mapping is
 * csm_registry.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <caec/csm_uapi.h>

#include "csm_priv.h"
#include "region.h"

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

	if (!info || info->struct_size < offsetof(struct caec_csm_info,
						  isolation))
		return caec_set_detail(-EINVAL,
			"struct caec_csm_info: struct_size too small (set it to sizeof)");
	rc = csm_conn_get(&c);
	if (rc)
		return rc;
	info->transport = c->t->kind;
	info->realm_id = c->realm_id;
	memcpy(info->measurement, c->measurement, sizeof(info->measurement));
	if (info->struct_size >= sizeof(*info)) {
		info->isolation = c->isolation;
		info->service_uid = c->service_uid;
		info->service_pid = c->service_pid;
		info->reserved = 0;
	}
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

/*
 * Map the region and guard the mapping: caec-rmmd takes a region's pages
 * away by truncating its memfd (a revoked grant, a destroyed region; a RW
 * peer can too), and an access after that raises SIGBUS, which the guard
 * turns into zero pages and r->lost = -EPROTO (region.h).
 */
static int
map_region(struct caec_csm_region *r, const struct csm_result *res,
	   uint8_t **base)
{
	void *p = mmap(NULL, r->size, csm_region_prot(r), MAP_SHARED, res->fd,
		       (off_t)res->mmap_off);

	if (p == MAP_FAILED)
		return caec_set_detail(errno == EACCES ? -EACCES : -ENOMEM,
			"mmap of the %zu-byte region: %s", r->size,
			caec_strerror(-errno));
	r->guard = region_guard_add(p, r->size, csm_region_prot(r), &r->lost);
	if (r->guard < -1) {
		int rc = r->guard;

		munmap(p, r->size);
		r->guard = -1;
		return rc;
	}
	*base = p;
	return 0;
}

static struct caec_csm_region *
region_new(void)
{
	struct caec_csm_region *r = calloc(1, sizeof(*r));

	if (r) {
		r->fd = -1;
		r->moved_fd = -1;
		r->guard = -1;
	}
	return r;
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
	r = region_new();
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
	r->realm = res.realm;
	rc = map_region(r, &res, &r->base);
	if (rc) {
		close(r->fd);
		(void)csm_call_on(r->gen, CSM_OP_DESTROY, r->csm_id, 0, 0,
				  &res);
		free(r);
		return rc;
	}
	csm_region_add(r);
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
	csm_region_remove(r);
	region_guard_remove(r->guard);
	if (r->base)
		munmap(r->base, r->size);
	if (r->fd >= 0)
		close(r->fd);
	if (r->moved_fd >= 0)
		close(r->moved_fd);
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
	r = region_new();
	if (!r)
		return -ENOMEM;
	r->sid = *sid;
	r->size = (size_t)sid->size;
	rc = csm_call(CSM_OP_RESERVE, sid->provider, sid->handle, sid->size,
		      &res);
	if (rc) {
		free(r);
		return rc;
	}
	r->gen = res.gen;
	r->realm = res.realm;
	/* Registered before ATTACH: a revocation from now on is not lost. */
	csm_region_add(r);
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
		csm_region_remove(r);
		(void)csm_call_on(r->gen, CSM_OP_DETACH, sid->provider,
				  sid->handle, 0, &ignore);
		if (r->moved_fd >= 0)
			close(r->moved_fd);
		free(r);
		return caec_set_detail(rc, "%s", why);
	}
	csm_region_mapped(r, base, res.fd, res.mmap_off);
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
