/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Revocation that holds: what replaces the RMM's stage-2 unmap here.
 *
 * A region's bytes live in a memfd. A realm that was given it can keep a
 * dup() of the descriptor, reopen it through /proc/self/fd or keep a mapping
 * the library does not know of; none of that can be taken back, but the
 * file's pages can: ftruncate(0) removes them from every mapping and every
 * descriptor of the file at once (a later access faults with SIGBUS, a read
 * returns nothing). So a memfd that a revoked realm was given is retired:
 *
 *   revoke   the region is copied into a fresh memfd (rmmd_move()), which
 *            the provider and every attached consumer that keeps access get
 *            in a MOVED event; the revoked consumer gets REVOKED;
 *   destroy, a provider gone
 *            the consumers get REVOKED (no copy: nobody keeps the region);
 *
 * then the old memfd waits here (struct rmmd_retire) until each realm told
 * has ACKed (its library moved or replaced its mapping and woke the threads
 * sleeping on the old pages' futex words, which only the old pages can do),
 * or until --ack-timeout-ms passed (a realm that does not answer gets no say:
 * its accesses fault), is truncated to zero bytes and closed, and only then
 * is the provider's REVOKE or DESTROY answered. Until that answer the daemon
 * reads nothing more from the provider, and serves everyone else.
 *
 * Writes made while this runs: a write to the old memfd after the copy is
 * not in the new one (the copy is taken once, before the MOVED events go
 * out); every write after a party's library switched lands in the new one.
 *
 * Nobody can resize a memfd to get in the way: it is sealed against growing
 * and against new seals (F_SEAL_SEAL, so nobody can add F_SEAL_SHRINK and
 * keep the daemon from truncating). It is not sealed against shrinking: a RW
 * holder can truncate it itself, which takes the memory from every party at
 * once — what writing zeros over it, which its write access allows, does to
 * them too (their libraries take the fault through the SIGBUS guard); a copy
 * of a truncated memfd is simply shorter (the rest reads as zeros). A RO
 * holder's descriptor cannot truncate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rmmd.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct rmmd_retire *
rmmd_retire_new(struct rmmd *d, int memfd)
{
	struct rmmd_retire *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return NULL;
	rt->ack = ++d->next_ack;
	rt->memfd = memfd;
	rt->deadline = UINT64_MAX;	/* not started */
	rt->next = d->retiring;
	d->retiring = rt;
	return rt;
}

void
rmmd_retire_wait(struct rmmd_retire *rt, uint64_t realm_id)
{
	uint64_t *w;
	unsigned int cap;

	if (rt->nr_waiting == rt->cap_waiting) {
		cap = rt->cap_waiting ? rt->cap_waiting * 2 : 4;
		w = realloc(rt->waiting, cap * sizeof(*w));
		if (!w)
			return;		/* not waited for: its accesses fault */
		rt->waiting = w;
		rt->cap_waiting = cap;
	}
	rt->waiting[rt->nr_waiting++] = realm_id;
}

/* The memory goes, then the request that asked for it is answered. */
static void
finish(struct rmmd *d, struct rmmd_retire *rt)
{
	struct rmmd_retire **pp;

	for (pp = &d->retiring; *pp; pp = &(*pp)->next) {
		if (*pp == rt) {
			*pp = rt->next;
			break;
		}
	}
	if (rt->memfd >= 0) {
		if (ftruncate(rt->memfd, 0))
			rmmd_err("cannot truncate a retired region: %s",
				 strerror(errno));
		close(rt->memfd);
	}
	if (rt->client && !rt->client->dead) {
		rmmd_reply(rt->client, rt->rtype, rt->seq, &rt->rep);
		rmmd_pause(d, rt->client, false);
	}
	free(rt->waiting);
	free(rt);
}

static bool
done(const struct rmmd_retire *rt)
{
	return rt->deadline != UINT64_MAX && !rt->nr_waiting;
}

void
rmmd_retire_start(struct rmmd *d, struct rmmd_retire *rt,
		  struct rmmd_client *c, uint16_t rtype, uint32_t seq,
		  const struct rmmd_reply *rep)
{
	rt->client = c;
	rt->rtype = rtype;
	rt->seq = seq;
	if (rep)
		rt->rep = *rep;
	rt->deadline = now_ns() + (uint64_t)d->cfg.ack_timeout_ms * 1000000u;
	if (done(rt)) {
		finish(d, rt);
		return;
	}
	if (c)
		rmmd_pause(d, c, true);
}

/* Take @realm_id off @rt's list. RETURN VALUE: it was on it. */
static bool
unwait(struct rmmd_retire *rt, uint64_t realm_id)
{
	unsigned int i;

	for (i = 0; i < rt->nr_waiting; i++) {
		if (rt->waiting[i] == realm_id) {
			rt->waiting[i] = rt->waiting[--rt->nr_waiting];
			return true;
		}
	}
	return false;
}

void
rmmd_retire_ack(struct rmmd *d, struct rmmd_client *c, uint64_t ack)
{
	struct rmmd_retire *rt;

	for (rt = d->retiring; rt; rt = rt->next) {
		if (rt->ack != ack)
			continue;
		/* A late or repeated ACK changes nothing. */
		if (unwait(rt, c->realm_id) && done(rt))
			finish(d, rt);
		return;
	}
}

/* Finish, one at a time, every retire that @pred says is due. */
static void
finish_due(struct rmmd *d, bool (*pred)(const struct rmmd_retire *, uint64_t),
	   uint64_t now)
{
	struct rmmd_retire *rt;

	for (;;) {
		for (rt = d->retiring; rt && !pred(rt, now); rt = rt->next)
			;
		if (!rt)
			return;
		finish(d, rt);
	}
}

static bool
is_done(const struct rmmd_retire *rt, uint64_t now)
{
	(void)now;
	return done(rt);
}

/* Client @c is being dropped: nobody waits for it, nobody answers it. */
void
rmmd_retire_forget(struct rmmd *d, struct rmmd_client *c)
{
	struct rmmd_retire *rt;

	for (rt = d->retiring; rt; rt = rt->next) {
		if (c->realm)
			while (unwait(rt, c->realm_id))
				;
		if (rt->client == c)
			rt->client = NULL;
	}
	finish_due(d, is_done, 0);
}

static bool
expired(const struct rmmd_retire *rt, uint64_t now)
{
	return rt->deadline != UINT64_MAX && rt->deadline <= now;
}

void
rmmd_retire_expire(struct rmmd *d)
{
	struct rmmd_retire *rt;
	uint64_t now = now_ns();

	for (rt = d->retiring; rt; rt = rt->next)
		if (expired(rt, now) && rt->nr_waiting)
			rmmd_info("%u realm(s) did not acknowledge within %u ms: the old memory goes now (realm %016llx first)",
				  rt->nr_waiting, d->cfg.ack_timeout_ms,
				  (unsigned long long)rt->waiting[0]);
	finish_due(d, expired, now);
}

int
rmmd_retire_timeout_ms(const struct rmmd *d)
{
	const struct rmmd_retire *rt;
	uint64_t first = UINT64_MAX, now;

	for (rt = d->retiring; rt; rt = rt->next)
		if (rt->deadline < first)
			first = rt->deadline;
	if (first == UINT64_MAX)
		return -1;
	now = now_ns();
	if (first <= now)
		return 0;
	/* Rounded up: waking before the deadline would only wait again. */
	return (int)((first - now + 999999u) / 1000000u);
}

/* Shutting down: every retire in progress completes now. */
void
rmmd_retire_all(struct rmmd *d)
{
	while (d->retiring)
		finish(d, d->retiring);
}

/*
 * Copy [@off, @off + @len) of @from into @to at the same offsets.
 * RETURN VALUE: 0, or -errno.
 */
static int
copy_range(int from, int to, off_t off, off_t len)
{
	static uint8_t buf[1 << 16];
	off_t in = off, out = off;
	bool splice = true;
	ssize_t n, w;

	while (len > 0) {
		n = -1;
		if (splice) {
			n = copy_file_range(from, &in, to, &out, (size_t)len, 0);
			if (n < 0 && errno != EINTR) {
				if (errno != EXDEV && errno != EINVAL &&
				    errno != ENOSYS && errno != EOPNOTSUPP)
					return -errno;
				splice = false;
			}
		}
		if (!splice) {
			n = pread(from, buf, len < (off_t)sizeof(buf) ?
					     (size_t)len : sizeof(buf), in);
			if (n > 0) {
				w = pwrite(to, buf, (size_t)n, out);
				if (w != n)
					return w < 0 ? -errno : -EIO;
				in += n;
				out += n;
			}
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;	/* truncated by a RW holder: done */
		len -= n;
	}
	return 0;
}

/* The data of @from (holes stay holes) into @to, up to @size bytes. */
static int
copy_data(int from, int to, uint64_t size)
{
	off_t pos = 0, data, hole, end = (off_t)size;
	int rc;

	while (pos < end) {
		data = lseek(from, pos, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			return 0;		/* only holes from here */
		if (data < 0)
			return copy_range(from, to, pos, end - pos);
		if (data >= end)
			return 0;
		hole = lseek(from, data, SEEK_HOLE);
		if (hole < 0 || hole > end)
			hole = end;
		rc = copy_range(from, to, data, hole - data);
		if (rc)
			return rc;
		pos = hole;
	}
	return 0;
}

/*
 * rmmd_move - provider @p's region @r moves to a fresh memfd, because the
 * grant with handle @revoked was revoked and its consumer was given the
 * current one. The provider and every attached consumer but that one get
 * MOVED and are waited for; the old memfd is in *@out, for the caller to
 * add the revoked consumer (rmmd_notify_revoked()) and start.
 *
 * RETURN VALUE: 0; -ENOMEM when there is no memory for the copy: the
 * revocation holds all the same, but the region is lost for every party
 * (its memfd is retired without a successor; its accesses fault).
 */
int
rmmd_move(struct rmmd *d, struct rmmd_client *p, struct rmmd_region *r,
	  uint64_t revoked, struct rmmd_retire **out)
{
	struct rmmd_event ev = { .reason = RMMD_REASON_MOVED };
	struct rmmd_retire *rt;
	struct rmmd_client *c;
	struct rmmd_grant *g;
	unsigned int perm;
	bool close_it;
	int fd, rc;

	fd = rmmd_region_memfd(r->size);
	rc = fd < 0 ? fd : copy_data(r->memfd, fd, r->size);
	*out = rt = rmmd_retire_new(d, r->memfd);
	if (rc || !rt) {
		rmmd_err("realm %016llx: region %llu cannot be copied (%s): it is lost for every realm",
			 (unsigned long long)p->realm_id,
			 (unsigned long long)r->csm_id,
			 strerror(rc ? -rc : ENOMEM));
		if (fd >= 0)
			close(fd);
		if (!rt && ftruncate(r->memfd, 0))
			rmmd_err("cannot truncate a retired region: %s",
				 strerror(errno));
		if (!rt)
			close(r->memfd);
		r->memfd = -1;
		return -ENOMEM;
	}
	r->memfd = fd;
	ev.ack = rt->ack;
	ev.provider = p->realm_id;
	ev.handle = r->csm_id << 32;
	if (!rmmd_send_event(d, p, RMMD_EV_MOVED, &ev, fd))
		rmmd_retire_wait(rt, p->realm_id);
	for (g = p->grants; g; g = g->next) {
		if (CSM_SID_CSM_ID(g->handle) != r->csm_id ||
		    g->handle == revoked)
			continue;
		g->holds = false;
		c = rmmd_client_by_id(d, g->consumer);
		perm = c ? rmmd_mapped_perm(d, p, r, c, g->handle) : 0;
		if (!perm)
			continue;
		fd = rmmd_consumer_fd(r->memfd, perm, &close_it);
		if (fd < 0)
			continue;	/* its accesses will fault */
		ev.handle = g->handle;
		if (!rmmd_send_event(d, c, RMMD_EV_MOVED, &ev, fd)) {
			rmmd_retire_wait(rt, c->realm_id);
			g->holds = true;
		}
		if (close_it)
			close(fd);
	}
	rmmd_debug("realm %016llx: region %llu moved to a fresh memfd",
		   (unsigned long long)p->realm_id,
		   (unsigned long long)r->csm_id);
	*out = rt;
	return 0;
}
