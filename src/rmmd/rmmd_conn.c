/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connections: accept (identify and measure the peer), receive and check
 * packets, dispatch through the command table, reply (with a descriptor
 * where the command gives one), send events, drop.
 *
 * Nothing a client sends can block the daemon or reach another client:
 * packets are read without blocking into a fixed buffer, checked for magic,
 * version, type and exact length before a handler sees them, descriptors a
 * client tries to pass are closed unread, and replies and events are sent
 * without blocking — a client whose socket buffer is full is dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rmmd.h"
#include "../proto/rmmd_wire.h"

#define BATCH 64u		/* packets per client per wake-up (fairness) */
#define MAX_BAD 1000u		/* malformed packets before a client is dropped */

typedef int (*rmmd_handler)(struct rmmd *d, struct rmmd_client *c,
			    const void *req, struct rmmd_cmd_out *out);

/* The command table: adding a command adds a row (NOTE: no reply). */
#define CMD(t, req, f) \
	[RMMD_T_##t] = { .name = #t, .len = sizeof(struct req), .fn = f }
#define NOTE(t, req, f) \
	[RMMD_T_##t] = { .name = #t, .len = sizeof(struct req), .fn = f, \
			 .no_reply = true }
static const struct cmd_row {
	const char *name;
	size_t len;		/* body bytes */
	rmmd_handler fn;
	bool no_reply;		/* a notification (ACK), not a request */
} cmds[RMMD_T_MAX + 1] = {
	CMD(HELLO, rmmd_req_hello, rmmd_cmd_hello),
	CMD(CREATE, rmmd_req_create, rmmd_cmd_create),
	CMD(SHARE, rmmd_req_share, rmmd_cmd_share),
	CMD(RESERVE, rmmd_req_sid, rmmd_cmd_reserve),
	CMD(ATTACH, rmmd_req_sid, rmmd_cmd_attach),
	CMD(DETACH, rmmd_req_sid, rmmd_cmd_detach),
	CMD(REVOKE, rmmd_req_sid, rmmd_cmd_revoke),
	CMD(DESTROY, rmmd_req_destroy, rmmd_cmd_destroy),
	CMD(TOKEN, rmmd_req_token, rmmd_cmd_token),
	NOTE(ACK, rmmd_req_ack, rmmd_cmd_ack),
	CMD(REALM_PARAMS, rmmd_req_realm_params, rmmd_cmd_realm_params),
	CMD(MEASURE_EXTEND, rmmd_req_extend, rmmd_cmd_extend),
};
#undef CMD
#undef NOTE

struct rmmd_client *
rmmd_client_by_id(struct rmmd *d, uint64_t realm_id)
{
	struct rmmd_client *c;

	for (c = d->clients; c; c = c->next)
		if (c->realm && !c->dead && c->realm_id == realm_id)
			return c;
	return NULL;
}

int
rmmd_accept(struct rmmd *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct rmmd_client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, rc;

	fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE))
		return rmmd_refuse_no_fds(d);
	if (fd < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (d->nr_clients >= d->cfg.max_clients) {
		rmmd_err("refusing a connection: %u realms already (--max-clients)",
			 d->nr_clients);
		close(fd);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return 0;
	}
	c->fd = fd;
	c->pidfd = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
		c->pid = cred.pid;
		c->uid = cred.uid;
	}
	if (c->pid <= 0 || rmmd_uid_full(d, c->uid)) {
		rmmd_err("refusing a connection of uid %u: %u realms of it already (--max-clients-per-uid)",
			 (unsigned int)c->uid, d->cfg.max_clients_per_uid);
		goto refuse;
	}
	rc = rmmd_peer_pidfd(fd, c->pid);
	if (rc >= 0) {
		c->pidfd = rc;
		rc = rmmd_measure_start(d, c);
	}
	if (rc) {
		rmmd_info("pid %d: cannot measure its executable (%s): refused",
			  (int)c->pid, rc == -EBUSY ?
			  "too many measurements in flight" : strerror(-rc));
		goto refuse;
	}
	/* Not read until measured; a hang-up is reported all the same. */
	ev.events = 0;
	ev.data.ptr = c;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		rmmd_measure_forget(c);
		goto refuse;
	}
	c->next = d->clients;
	d->clients = c;
	d->nr_clients++;
	rmmd_debug("pid %d (uid %d) connected", (int)c->pid, (int)c->uid);
	return 0;
refuse:
	if (c->pidfd >= 0)
		close(c->pidfd);
	close(fd);
	free(c);
	return 0;
}

void
rmmd_kill(struct rmmd_client *c, const char *why)
{
	if (!c->dead)
		rmmd_info("pid %d, realm %016llx: dropped: %s", (int)c->pid,
			  (unsigned long long)c->realm_id, why);
	c->dead = true;
}

static void
want_input(struct rmmd *d, struct rmmd_client *c, bool on)
{
	/* Without EPOLLIN a hang-up is still reported. */
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.ptr = c };

	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev))
		rmmd_kill(c, "epoll_ctl failed");
}

void
rmmd_measured(struct rmmd *d, struct rmmd_client *c)
{
	if (!c->dead)
		want_input(d, c, true);
}

/*
 * A request of @c's waits for other realms (@paused), or no longer does.
 * While paused the daemon goes on reading @c for its ACKs (its own library
 * acknowledges a MOVED of its region before it reads the reply) and holds
 * the first other packet, reading nothing more until the request is
 * answered; then the held packet runs.
 */
void
rmmd_pause(struct rmmd *d, struct rmmd_client *c, bool paused)
{
	c->paused = paused;
	if (paused || !c->have_held)
		return;
	c->have_held = false;
	rmmd_dispatch(d, c, c->held, c->held_len, c->held_fds);
	if (!c->dead)
		want_input(d, c, true);
}

/* Is @pkt (@n bytes) an ACK that rmmd_dispatch() would accept? */
static bool
is_ack(const uint8_t *pkt, ssize_t n)
{
	struct rmmd_hdr h;

	if (n != (ssize_t)(sizeof(h) + sizeof(struct rmmd_req_ack)))
		return false;
	memcpy(&h, pkt, sizeof(h));
	return h.magic == RMMD_MAGIC && h.version == RMMD_VERSION &&
	       h.type == RMMD_T_ACK && h.len == (uint32_t)n;
}

static void
drop(struct rmmd *d, struct rmmd_client *c)
{
	rmmd_measure_forget(c);
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	rmmd_retire_forget(d, c);
	rmmd_realm_close(d, c);
	/* Drops whatever it queued, descriptors included: off the loop. */
	rmmd_close_later(c->fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	d->nr_clients--;
	free(c);
}

/* Drop every client marked dead (after an epoll batch: no stale pointers). */
void
rmmd_reap(struct rmmd *d)
{
	struct rmmd_client **pp = &d->clients, *c;

	while ((c = *pp)) {
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		drop(d, c);
	}
}

void
rmmd_drop_all(struct rmmd *d)
{
	struct rmmd_client *c;

	for (c = d->clients; c; c = c->next)
		c->dead = true;
	rmmd_reap(d);
}

/* Send one packet (and @fd, if >= 0) without blocking. */
static int
send_packet(struct rmmd_client *c, uint16_t type, uint32_t seq,
	    const void *body, size_t len, int fd)
{
	uint8_t pkt[RMMD_REPLY_MAX];

	len = rmmd_pack(pkt, type, seq, body, len);
	if (rmmd_send(c->fd, pkt, len, fd, MSG_DONTWAIT) < 0) {
		rmmd_kill(c, errno == EAGAIN ? "not reading its replies" :
					       "send failed");
		return -EPIPE;
	}
	return 0;
}

int
rmmd_send_event(struct rmmd *d, struct rmmd_client *c, uint16_t type,
		const struct rmmd_event *ev, int fd)
{
	(void)d;
	if (c->dead)
		return -EPIPE;
	return send_packet(c, type, 0, ev, sizeof(*ev), fd);
}

/* A reply without extra bytes or a descriptor (a deferred one). */
void
rmmd_reply(struct rmmd_client *c, uint16_t rtype, uint32_t seq,
	   const struct rmmd_reply *rep)
{
	(void)send_packet(c, rtype, seq, rep, sizeof(*rep), -1);
}

/* Close every descriptor a client tried to pass us (off the loop). */
static void
close_passed_fds(struct msghdr *msg)
{
	struct cmsghdr *cm;
	size_t i, n;
	int fd;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			rmmd_close_later(fd);
		}
	}
}

/*
 * Check a packet, run its command and reply: a malformed packet gets
 * -EPROTO (too many of them and the client is dropped).
 */
void
rmmd_dispatch(struct rmmd *d, struct rmmd_client *c, const uint8_t *pkt,
	      ssize_t n, bool had_fds)
{
	uint8_t body[sizeof(struct rmmd_reply) + RMMD_TOKEN_MAX];
	struct rmmd_cmd_out out;
	const struct cmd_row *row = NULL;
	struct rmmd_hdr h = { 0 };
	uint16_t rtype = RMMD_T_ERROR | RMMD_REPLY;
	int rc;

	memset(&out, 0, sizeof(out));
	out.rep.fw_status = ~0ull;
	out.fd = -1;
	if ((size_t)n >= sizeof(h))
		memcpy(&h, pkt, sizeof(h));
	if ((size_t)n < sizeof(h) || h.magic != RMMD_MAGIC ||
	    h.version != RMMD_VERSION || h.len != (uint32_t)n) {
		rc = -EPROTO;
	} else if (h.type > RMMD_T_MAX || !cmds[h.type].fn) {
		rc = -EPROTO;
	} else {
		row = &cmds[h.type];
		rtype = (uint16_t)(h.type | RMMD_REPLY);
		if ((size_t)n != sizeof(h) + row->len || had_fds)
			rc = -EPROTO;
		else if (!c->hello && h.type != RMMD_T_HELLO)
			rc = -EPROTO;	/* out of order: HELLO first */
		else
			rc = row->fn(d, c, pkt + sizeof(h), &out);
		/* Past HELLO and REALM_PARAMS the realm runs: its parameters
		 * are fixed from here on. */
		if (c->hello && h.type != RMMD_T_HELLO &&
		    h.type != RMMD_T_REALM_PARAMS)
			c->started = true;
	}
	if (rc == -EPROTO && ++c->nr_bad >= MAX_BAD) {
		rmmd_kill(c, "too many malformed packets");
		return;
	}
	out.rep.status = rc;
	rmmd_debug("pid %d: %s -> %d", (int)c->pid, row ? row->name : "?", rc);
	if (out.defer) {
		/* Answered once the old memory is gone (rmmd_move.c). */
		rmmd_retire_start(d, out.defer, c, rtype, h.seq, &out.rep);
		return;
	}
	if (row && row->no_reply && rc != -EPROTO)
		return;
	memcpy(body, &out.rep, sizeof(out.rep));
	if (!rc && out.extra_len <= RMMD_TOKEN_MAX && out.extra_len)
		memcpy(body + sizeof(out.rep), out.extra, out.extra_len);
	else
		out.extra_len = 0;
	(void)send_packet(c, rtype, h.seq, body, sizeof(out.rep) + out.extra_len,
			  rc ? -1 : out.fd);
	if (out.close_fd)
		close(out.fd);
	free(out.extra);
}

void
rmmd_readable(struct rmmd *d, struct rmmd_client *c)
{
	/* Room for every descriptor one packet can carry (SCM_MAX_FD): the
	 * kernel would close the ones that do not fit in this thread. */
	union {
		char buf[CMSG_SPACE(253 * sizeof(int))];
		struct cmsghdr align;
	} u;
	uint8_t pkt[RMMD_MSG_MAX + 1];
	struct iovec iov;
	struct msghdr msg;
	unsigned int i;
	bool had_fds;
	ssize_t n;

	for (i = 0; i < BATCH && !c->dead && !c->have_held; i++) {
		iov.iov_base = pkt;
		iov.iov_len = sizeof(pkt);
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			rmmd_kill(c, n == 0 ? "disconnected" : "receive failed");
			return;
		}
		close_passed_fds(&msg);
		/* MSG_TRUNC: longer than any message of the protocol. */
		if (msg.msg_flags & MSG_TRUNC)
			n = 0;
		had_fds = msg.msg_controllen != 0 ||
			  (msg.msg_flags & MSG_CTRUNC);
		if (c->paused && !is_ack(pkt, n)) {
			memcpy(c->held, pkt, (size_t)n);
			c->held_len = n;
			c->held_fds = had_fds;
			c->have_held = true;
			want_input(d, c, false);
			return;
		}
		rmmd_dispatch(d, c, pkt, n, had_fds);
	}
}
