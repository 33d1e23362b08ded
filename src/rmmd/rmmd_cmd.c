/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands. Each runs the firmware's RSI handler for the client's realm
 * (hm_rsi: the model's hypervisor answers the REC exits) and only then
 * touches the daemon's own state: the firmware decides, the daemon follows.
 * Arguments reach the firmware as the client sent them, so every failure
 * condition of ABI.md applies unchanged; the daemon adds only what a
 * hypervisor adds (where in the IPA space a range goes, its size limit).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rmmd.h"

/* The library's errno for each CSM_E_* detail (csm_abi.h). */
static const int detail_errno[] = {
	[CSM_E_NONE] = EIO,
	[CSM_E_BASE_ALIGN] = EINVAL,
	[CSM_E_SIZE] = EINVAL,
	[CSM_E_RANGE] = EINVAL,
	[CSM_E_PERM] = EINVAL,
	[CSM_E_SELF] = EINVAL,
	[CSM_E_NOT_PROVIDER] = EACCES,
	[CSM_E_NO_APT] = EIO,
	[CSM_E_OVERLAP] = EIO,
	[CSM_E_APT_FULL] = ENOSPC,
	[CSM_E_EXHAUSTED] = ENOSPC,
	[CSM_E_UNKNOWN_CSM] = ENOENT,
	[CSM_E_UNKNOWN_REALM] = ENOENT,
	[CSM_E_ALREADY_SHARED] = EEXIST,
	[CSM_E_UNKNOWN_SID] = EACCES,
	[CSM_E_ALREADY_RESERVED] = EBUSY,
	[CSM_E_SIZE_MISMATCH] = EINVAL,
	[CSM_E_BAD_STATE] = EACCES,
};

/*
 * Run RSI @fid for @c and fill the reply's status from the firmware's
 * answer. RETURN VALUE: 0 on RSI_SUCCESS, else the reply's status.
 */
static int
rsi(struct rmmd_client *c, unsigned long fid, unsigned long x1,
    unsigned long x2, unsigned long x3, unsigned long x4,
    unsigned long res[3], struct rmmd_cmd_out *out)
{
	unsigned long x0 = hm_rsi(c->realm, fid, x1, x2, x3, x4, res);

	out->rep.fw_status = x0;
	if (x0 == RSI_SUCCESS) {
		out->rep.status = 0;
		return 0;
	}
	if (x0 == RSI_ERROR_INPUT || x0 == RSI_ERROR_STATE) {
		out->rep.detail = (uint32_t)res[0];
		out->rep.status = res[0] < sizeof(detail_errno) /
					   sizeof(detail_errno[0]) ?
					  -detail_errno[res[0]] : -EIO;
	} else if (x0 == RSI_INCOMPLETE) {
		/* The host (this daemon) could not back or free the range. */
		out->rep.status = -ENOMEM;
	} else {
		out->rep.status = -EIO;
	}
	rmmd_debug("realm %016llx: RSI %#lx failed: X0 %lu, X1 %lu",
		   (unsigned long long)c->realm_id, fid, x0, res[0]);
	return out->rep.status;
}

/*
 * The hypervisor takes back every granule it backed in [base, base+size),
 * a range the realm gave up itself. RMM 1.0 leaves what it destroyed RIPAS
 * DESTROYED; the realm, which asked for this, takes the IPAs back as fresh
 * RAM (RSI_IPA_STATE_SET with RSI_CHANGE_DESTROYED), as a guest does before
 * it reuses memory, so that a region made there later is usable.
 */
static void
reclaim(struct rmmd_client *c, uint64_t base, uint64_t size)
{
	struct hm_exit ex = {
		.reason = RMI_EXIT_CSM_RECLAIM,
		.base = base,
		.top = base + size,
	};
	unsigned long out[3];
	unsigned int n;

	hm_host_answer(c->realm, &ex);
	for (n = 0; n < 64 && base < ex.top; n++) {
		out[0] = 0;
		if (hm_rsi(c->realm, RSI_IPA_STATE_SET, base, ex.top,
			   RIPAS_RAM, RSI_CHANGE_DESTROYED, out) != RSI_SUCCESS ||
		    out[0] <= base)
			break;
		base = out[0];
	}
}

static bool
size_ok(const struct rmmd *d, uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	return size && !(size % HM_GRANULE) && !(size % page) &&
	       size <= (uint64_t)d->cfg.max_region_mib << 20;
}

/*
 * The program @c runs is the one measured at connect (rmmd_measure.c); a
 * client that has exec'd another is refused and dropped: its measurement
 * would vouch for code that is not running.
 */
int
rmmd_exe_unchanged(struct rmmd_client *c)
{
	int rc = rmmd_measure_recheck(c);

	if (rc == -EACCES)
		rmmd_kill(c, "it runs another program than the one measured at connect (execve?)");
	else if (rc)
		rmmd_kill(c, "its executable cannot be measured again");
	return rc ? -EACCES : 0;
}

int
rmmd_cmd_hello(struct rmmd *d, struct rmmd_client *c, const void *req,
	       struct rmmd_cmd_out *out)
{
	const struct rmmd_req_hello *q = req;
	int rc;

	if (c->hello)
		return -EPROTO;
	if (q->version_min > RMMD_VERSION || q->version_max < RMMD_VERSION)
		return -EPROTO;
	if (q->reserved)
		return -EINVAL;
	rc = rmmd_exe_unchanged(c);
	if (rc)
		return rc;
	rc = rmmd_realm_open(d, c);
	if (rc) {
		rmmd_err("pid %d: no realm: %s", (int)c->pid, strerror(-rc));
		return -ENOMEM;
	}
	c->hello = true;
	out->rep.val[0] = c->realm_id;
	out->rep.val[1] = RMMD_VERSION;
	memcpy(out->rep.data, c->measurement, sizeof(out->rep.data));
	rmmd_info("pid %d is realm %016llx", (int)c->pid,
		  (unsigned long long)c->realm_id);
	return 0;
}

/*
 * A zero-filled memfd of @size bytes, owned by this daemon's uid, mode 0400
 * (no reopening for writing through /proc/PID/fd, unless the opener owns it:
 * a process of the daemon's own uid can fchmod it; docs/csm.md), sealed
 * against growing and against new seals; not against shrinking, which is
 * how the daemon takes its pages back (rmmd_move.c says why a RW holder that
 * shrinks it harms nobody beyond what its write access allows).
 */
int
rmmd_region_memfd(uint64_t size)
{
	int fd = memfd_create("caec-csm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int rc;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) || fchown(fd, geteuid(), getegid()) ||
	    fchmod(fd, 0400) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SEAL)) {
		rc = -errno;
		close(fd);
		return rc == -EFBIG || rc == -ENOSPC ? -ENOMEM : rc;
	}
	return fd;
}

int
rmmd_cmd_create(struct rmmd *d, struct rmmd_client *c, const void *req,
		struct rmmd_cmd_out *out)
{
	const struct rmmd_req_create *q = req;
	unsigned long res[3] = { 0 };
	struct rmmd_region *r;
	uint64_t base;
	int rc, fd;

	if (!size_ok(d, q->size))
		return -EINVAL;
	rc = rmmd_quota_take(d, c, q->size);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r) {
		rmmd_quota_give(c, q->size);
		return -ENOMEM;
	}
	rc = rmmd_ipa_alloc(c, q->size, &base);
	if (rc) {
		rmmd_quota_give(c, q->size);
		free(r);
		return rc;
	}
	fd = rmmd_region_memfd(q->size);
	if (fd < 0) {
		rmmd_quota_give(c, q->size);
		rmmd_ipa_free(c, base);
		free(r);
		return fd;
	}
	rc = rsi(c, RSI_CSM_CREATE, base, q->size, 0, 0, res, out);
	if (rc) {
		rmmd_quota_give(c, q->size);
		reclaim(c, base, q->size);
		rmmd_ipa_free(c, base);
		close(fd);
		free(r);
		return rc;
	}
	r->csm_id = res[0];
	r->base = base;
	r->size = q->size;
	r->memfd = fd;
	r->next = c->regions;
	c->regions = r;
	out->rep.val[0] = r->csm_id;
	out->rep.val[1] = r->size;
	out->fd = fd;
	rmmd_debug("realm %016llx: region %llu of %llu bytes at IPA %#llx",
		   (unsigned long long)c->realm_id,
		   (unsigned long long)r->csm_id,
		   (unsigned long long)r->size, (unsigned long long)base);
	return 0;
}

int
rmmd_cmd_share(struct rmmd *d, struct rmmd_client *c, const void *req,
	       struct rmmd_cmd_out *out)
{
	const struct rmmd_req_share *q = req;
	unsigned long res[3] = { 0 };
	struct rmmd_grant *g;
	int rc;

	(void)d;
	if (q->reserved)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	rc = rsi(c, RSI_CSM_SHARE, q->csm_id, q->consumer, q->perm, 0, res,
		 out);
	if (rc) {
		free(g);
		return rc;
	}
	g->handle = res[1];
	g->consumer = q->consumer;
	g->next = c->grants;
	c->grants = g;
	out->rep.val[0] = res[0];
	out->rep.val[1] = res[1];
	return 0;
}

static struct rmmd_consumed *
consumed_find(struct rmmd_client *c, uint64_t provider, uint64_t handle,
	      struct rmmd_consumed ***link)
{
	struct rmmd_consumed **pp;

	for (pp = &c->consumed; *pp; pp = &(*pp)->next) {
		if ((*pp)->provider == provider && (*pp)->handle == handle) {
			if (link)
				*link = pp;
			return *pp;
		}
	}
	return NULL;
}

int
rmmd_cmd_reserve(struct rmmd *d, struct rmmd_client *c, const void *req,
		 struct rmmd_cmd_out *out)
{
	const struct rmmd_req_sid *q = req;
	unsigned long res[3] = { 0 };
	struct rmmd_consumed *k;
	uint64_t base;
	int rc;

	if (!size_ok(d, q->size))
		return -EINVAL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	rc = rmmd_ipa_alloc(c, q->size, &base);
	if (rc) {
		free(k);
		return rc;
	}
	rc = rsi(c, RSI_CSM_RESERVE, q->provider, q->handle, base, q->size,
		 res, out);
	if (rc) {
		rmmd_ipa_free(c, base);
		free(k);
		return rc;
	}
	k->provider = q->provider;
	k->handle = q->handle;
	k->base = base;
	k->size = q->size;
	k->next = c->consumed;
	c->consumed = k;
	return 0;
}

static struct rmmd_region *
region_of(struct rmmd *d, uint64_t provider, uint64_t handle,
	  struct rmmd_client **pc)
{
	struct rmmd_client *p = rmmd_client_by_id(d, provider);
	struct rmmd_region *r;

	for (r = p ? p->regions : NULL; r; r = r->next) {
		if (r->csm_id == CSM_SID_CSM_ID(handle)) {
			*pc = p;
			return r;
		}
	}
	return NULL;
}

/*
 * After ATTACH: every granule of the provider's region must be mapped at
 * the same offset of the consumer's range, to the same PA, with one
 * permission. RETURN VALUE: that permission, or 0 if the model disagrees.
 */
static unsigned int
rtt_perm(struct rmmd *d, struct rmmd_client *p, const struct rmmd_region *r,
	    struct rmmd_client *c, const struct rmmd_consumed *k)
{
	unsigned long prd = hm_realm_rd(p->realm), crd = hm_realm_rd(c->realm);
	struct hm_rtte pe, ce;
	unsigned int perm = 0;
	uint64_t off;

	for (off = 0; off < r->size; off += HM_GRANULE) {
		if (hm_rtt_entry(d->hm, prd, r->base + off, &pe) ||
		    hm_rtt_entry(d->hm, crd, k->base + off, &ce))
			return 0;
		if (pe.state != RMI_ASSIGNED || ce.state != RMI_ASSIGNED ||
		    pe.pa != ce.pa || (perm && ce.perm != perm))
			return 0;
		perm = ce.perm;
	}
	return perm;
}

unsigned int
rmmd_mapped_perm(struct rmmd *d, struct rmmd_client *p,
		 const struct rmmd_region *r, struct rmmd_client *c,
		 uint64_t handle)
{
	struct rmmd_consumed *k = consumed_find(c, p->realm_id, handle, NULL);

	return k && k->attached && !k->revoked ? rtt_perm(d, p, r, c, k) : 0;
}

/* The grant @handle of provider @p (NULL if it has none). */
static struct rmmd_grant *
grant_of(struct rmmd_client *p, uint64_t handle)
{
	struct rmmd_grant *g;

	for (g = p ? p->grants : NULL; g; g = g->next)
		if (g->handle == handle)
			return g;
	return NULL;
}

/* The descriptor a consumer gets: the memfd itself, or a read-only open
 * file of it (a PROT_WRITE MAP_SHARED mapping of that fails: EACCES). */
int
rmmd_consumer_fd(int memfd, unsigned int perm, bool *close_it)
{
	char path[64];
	int fd;

	*close_it = false;
	if (perm == CSM_PERM_RW)
		return memfd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*close_it = true;
	return fd;
}

int
rmmd_cmd_attach(struct rmmd *d, struct rmmd_client *c, const void *req,
		struct rmmd_cmd_out *out)
{
	const struct rmmd_req_sid *q = req;
	unsigned long res[3] = { 0 };
	struct rmmd_consumed *k;
	struct rmmd_client *p = NULL;
	struct rmmd_region *r;
	struct rmmd_grant *g;
	unsigned int perm;
	int rc, fd;

	if (q->size)
		return -EINVAL;
	rc = rsi(c, RSI_CSM_ATTACH, q->provider, q->handle, 0, 0, res, out);
	if (rc)
		return rc;
	k = consumed_find(c, q->provider, q->handle, NULL);
	r = region_of(d, q->provider, q->handle, &p);
	perm = k && r ? rtt_perm(d, p, r, c, k) : 0;
	fd = perm ? rmmd_consumer_fd(r->memfd, perm, &out->close_fd) : -EIO;
	if (fd < 0) {
		/* Never hand out memory the firmware did not map: undo. */
		rmmd_err("realm %016llx: attach of %016llx/%016llx: the model's RTTs disagree with the daemon (%d); detaching",
			 (unsigned long long)c->realm_id,
			 (unsigned long long)q->provider,
			 (unsigned long long)q->handle, fd);
		(void)hm_rsi(c->realm, RSI_CSM_DETACH_AND_FREE, q->provider,
			     q->handle, 0, 0, NULL);
		if (k) {
			struct rmmd_consumed **link = NULL;

			consumed_find(c, q->provider, q->handle, &link);
			*link = k->next;
			rmmd_ipa_free(c, k->base);
			free(k);
		}
		return -EIO;
	}
	k->attached = true;
	/* From now on this realm may keep the memfd: a revoke takes it back. */
	g = grant_of(p, q->handle);
	if (g)
		g->holds = true;
	out->rep.val[0] = perm;
	out->rep.val[1] = r->size;
	out->fd = fd;
	return 0;
}

int
rmmd_cmd_detach(struct rmmd *d, struct rmmd_client *c, const void *req,
		struct rmmd_cmd_out *out)
{
	const struct rmmd_req_sid *q = req;
	struct rmmd_consumed *k, **link = NULL;
	unsigned long res[3] = { 0 };
	int rc;

	(void)d;
	if (q->size)
		return -EINVAL;
	rc = rsi(c, RSI_CSM_DETACH_AND_FREE, q->provider, q->handle, 0, 0, res,
		 out);
	if (rc)
		return rc;
	k = consumed_find(c, q->provider, q->handle, &link);
	if (k) {
		*link = k->next;
		rmmd_ipa_free(c, k->base);
		free(k);
	}
	return 0;
}

/* Drop the daemon's record of grant @handle and notify its consumer (who
 * is waited for in @rt, if any). */
static void
grant_gone(struct rmmd *d, struct rmmd_client *c, struct rmmd_grant **link,
	   uint32_t reason, struct rmmd_retire *rt)
{
	struct rmmd_grant *g = *link;

	*link = g->next;
	rmmd_notify_revoked(d, c->realm_id, g->handle, g->consumer, reason, rt);
	free(g);
}

static struct rmmd_region *
region_by_id(struct rmmd_client *c, uint64_t csm_id)
{
	struct rmmd_region *r;

	for (r = c->regions; r; r = r->next)
		if (r->csm_id == csm_id)
			return r;
	return NULL;
}

/*
 * REVOKE: the firmware removes the grant; if its consumer was ever given
 * the region's memfd, that memfd is retired (rmmd_move.c) and the reply
 * waits until its pages are gone.
 */
int
rmmd_cmd_revoke(struct rmmd *d, struct rmmd_client *c, const void *req,
		struct rmmd_cmd_out *out)
{
	const struct rmmd_req_sid *q = req;
	unsigned long res[3] = { 0 };
	struct rmmd_retire *rt = NULL;
	struct rmmd_region *r;
	struct rmmd_grant **pp;
	int rc;

	if (q->size)
		return -EINVAL;
	rc = rsi(c, RSI_CSM_REVOKE, q->provider, q->handle, 0, 0, res, out);
	if (rc)
		return rc;
	for (pp = &c->grants; *pp; pp = &(*pp)->next)
		if ((*pp)->handle == q->handle)
			break;
	if (!*pp)
		return 0;
	r = region_by_id(c, CSM_SID_CSM_ID(q->handle));
	if (r && r->memfd >= 0 && (*pp)->holds)
		rc = rmmd_move(d, c, r, q->handle, &rt);
	grant_gone(d, c, pp, RMMD_REASON_REVOKE, rt);
	out->defer = rt;
	return rc;
}

/*
 * DESTROY: the firmware revokes every grant; the consumers are told, and
 * the memfd is retired (truncated once they ACKed: no copy, nobody keeps
 * it). The provider unmapped it before asking.
 */
int
rmmd_cmd_destroy(struct rmmd *d, struct rmmd_client *c, const void *req,
		 struct rmmd_cmd_out *out)
{
	const struct rmmd_req_destroy *q = req;
	struct rmmd_region **rp, *r;
	struct rmmd_retire *rt = NULL;
	unsigned long res[3] = { 0 };
	struct rmmd_grant **pp;
	int rc;

	rc = rsi(c, RSI_CSM_DESTROY, q->csm_id, 0, 0, 0, res, out);
	if (rc)
		return rc;
	for (rp = &c->regions; *rp; rp = &(*rp)->next)
		if ((*rp)->csm_id == q->csm_id)
			break;
	r = *rp;
	if (r)
		rt = rmmd_retire_new(d, r->memfd);
	for (pp = &c->grants; *pp;) {
		if (CSM_SID_CSM_ID((*pp)->handle) == q->csm_id)
			grant_gone(d, c, pp, RMMD_REASON_DESTROY, rt);
		else
			pp = &(*pp)->next;
	}
	if (r) {
		*rp = r->next;
		rmmd_quota_give(c, r->size);
		/* The range is ordinary private memory again: take it back. */
		reclaim(c, r->base, r->size);
		rmmd_ipa_free(c, r->base);
		if (!rt && r->memfd >= 0) {
			/* No memory to wait with: the pages go at once. */
			if (ftruncate(r->memfd, 0))
				rmmd_err("cannot truncate a region: %s",
					 strerror(errno));
			close(r->memfd);
		}
		free(r);
	}
	out->defer = rt;
	return 0;
}

int
rmmd_cmd_ack(struct rmmd *d, struct rmmd_client *c, const void *req,
	     struct rmmd_cmd_out *out)
{
	const struct rmmd_req_ack *q = req;

	(void)out;
	rmmd_retire_ack(d, c, q->ack);
	return 0;
}
