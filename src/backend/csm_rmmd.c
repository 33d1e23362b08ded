/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport: caec-rmmd, the CSM service for Linux hosts (an emulation of
 * the RMM; protocol in src/proto/rmmd_proto.h). One SOCK_SEQPACKET
 * connection per process; one request in flight at a time; a reader thread
 * receives every packet, hands replies to the waiting caller and
 * revocation events to csm_revoked().
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../error.h"
#include "../proto/rmmd_wire.h"
#include "csm_priv.h"

#define CALL_TIMEOUT_S 30

struct rmmd_conn {
	int fd;
	pthread_mutex_t call_lock;	/* one request in flight */
	pthread_mutex_t lock;		/* the fields below */
	pthread_cond_t cond;
	bool have;			/* a reply is waiting in @rep */
	bool dead;			/* the service closed the connection */
	bool exited;			/* the reader touches nothing any more */
	uint16_t rtype;
	uint32_t rseq;
	uint8_t rbody[sizeof(struct rmmd_reply) + RMMD_TOKEN_MAX];
	size_t rlen;			/* bytes in @rbody */
	int rfd;			/* descriptor that came with the reply */
	uint32_t seq;
};

/* Send one request packet. */
static int
send_req(int fd, uint16_t type, uint32_t seq, const void *body, size_t len)
{
	uint8_t pkt[RMMD_MSG_MAX];
	ssize_t n;

	len = rmmd_pack(pkt, type, seq, body, len);
	do
		n = rmmd_send(fd, pkt, len, -1, 0);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -EPIPE;
}

/*
 * Receive one packet into @pkt (RMMD_REPLY_MAX + 1 bytes) and at most one
 * descriptor (others are closed). RETURN VALUE: its length, 0 at EOF, or
 * -errno.
 */
static ssize_t
recv_packet(int fd, uint8_t *pkt, int *rfd)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { pkt, RMMD_REPLY_MAX + 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	size_t i, nfd;
	ssize_t n;
	int f;

	*rfd = -1;
	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(f));
			if (*rfd < 0)
				*rfd = f;
			else
				close(f);
		}
	}
	if (msg.msg_flags & MSG_TRUNC)
		return -EPROTO;
	return n;
}

/* A packet's header, if it is well formed and its body @min..@max long. */
static bool
packet_ok(const uint8_t *pkt, ssize_t n, size_t min, size_t max,
	  struct rmmd_hdr *h)
{
	if (n < (ssize_t)sizeof(*h))
		return false;
	memcpy(h, pkt, sizeof(*h));
	return h->magic == RMMD_MAGIC && h->version == RMMD_VERSION &&
	       h->len == (uint32_t)n && (size_t)n >= sizeof(*h) + min &&
	       (size_t)n <= sizeof(*h) + max;
}

/*
 * An event: the registry replaces or moves the mapping (and wakes its
 * sleepers), then the service hears that it may take the old pages away.
 * RETURN VALUE: @fd was taken.
 */
static bool
event(struct rmmd_conn *s, uint16_t type, const struct rmmd_event *ev, int fd)
{
	struct rmmd_req_ack ack = { ev->ack };
	bool taken = false;

	if (type == RMMD_EV_REVOKED) {
		csm_revoked(ev->provider, ev->handle, ev->reason);
	} else if (fd >= 0) {
		csm_moved(ev->provider, ev->handle, fd);
		taken = true;
	}
	if (ev->ack)
		(void)send_req(s->fd, RMMD_T_ACK, 0, &ack, sizeof(ack));
	return taken;
}

static void *
reader(void *arg)
{
	struct rmmd_conn *s = arg;
	uint8_t pkt[RMMD_REPLY_MAX + 1];
	struct rmmd_event ev;
	struct rmmd_hdr h;
	ssize_t n;
	int fd;

	for (;;) {
		n = recv_packet(s->fd, pkt, &fd);
		if (n <= 0 && n != -EPROTO)
			break;
		if (packet_ok(pkt, n, sizeof(ev), sizeof(ev), &h) &&
		    (h.type == RMMD_EV_REVOKED || h.type == RMMD_EV_MOVED)) {
			memcpy(&ev, pkt + sizeof(h), sizeof(ev));
			if (event(s, h.type, &ev, fd))
				fd = -1;
		} else if (packet_ok(pkt, n, sizeof(struct rmmd_reply),
				     sizeof(s->rbody), &h) &&
			   (h.type & RMMD_REPLY)) {
			pthread_mutex_lock(&s->lock);
			if (s->have && s->rfd >= 0)
				close(s->rfd);
			s->rlen = (size_t)n - sizeof(h);
			memcpy(s->rbody, pkt + sizeof(h), s->rlen);
			s->rtype = h.type;
			s->rseq = h.seq;
			s->rfd = fd;
			s->have = true;
			pthread_cond_broadcast(&s->cond);
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		if (fd >= 0)
			close(fd);
	}
	/* The reader's last touch of @s: rmmd_close() may free it now. */
	pthread_mutex_lock(&s->lock);
	s->dead = true;
	s->exited = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static const struct {
	uint16_t type;
	size_t len;
} op_msg[CSM_OP_COUNT] = {
	[CSM_OP_CREATE] = { RMMD_T_CREATE, sizeof(struct rmmd_req_create) },
	[CSM_OP_SHARE] = { RMMD_T_SHARE, sizeof(struct rmmd_req_share) },
	[CSM_OP_RESERVE] = { RMMD_T_RESERVE, sizeof(struct rmmd_req_sid) },
	[CSM_OP_ATTACH] = { RMMD_T_ATTACH, sizeof(struct rmmd_req_sid) },
	[CSM_OP_DETACH] = { RMMD_T_DETACH, sizeof(struct rmmd_req_sid) },
	[CSM_OP_REVOKE] = { RMMD_T_REVOKE, sizeof(struct rmmd_req_sid) },
	[CSM_OP_DESTROY] = { RMMD_T_DESTROY, sizeof(struct rmmd_req_destroy) },
};

/* A reply: the fixed part, what follows it (TOKEN), its descriptor. */
struct reply {
	uint16_t type;
	struct rmmd_reply rep;
	uint8_t *extra;			/* caller's buffer, or NULL */
	size_t extra_cap, extra_len;
	int fd;
};

/* Wait for the reply to @seq; stale replies (a timed-out call's) are
 * dropped. Called with s->lock held. */
static int
wait_reply(struct rmmd_conn *s, uint32_t seq, struct reply *r)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += CALL_TIMEOUT_S;
	for (;;) {
		while (!s->have && !s->dead) {
			if (pthread_cond_timedwait(&s->cond, &s->lock, &dl) ==
			    ETIMEDOUT)
				return -ETIMEDOUT;
		}
		if (!s->have)
			return -EPIPE;
		s->have = false;
		if (s->rseq == seq)
			break;
		if (s->rfd >= 0)
			close(s->rfd);
	}
	memcpy(&r->rep, s->rbody, sizeof(r->rep));
	r->type = s->rtype;
	r->fd = s->rfd;
	r->extra_len = s->rlen - sizeof(r->rep);
	if (r->extra_len > r->extra_cap)
		return -EPROTO;
	if (r->extra_len)
		memcpy(r->extra, s->rbody + sizeof(r->rep), r->extra_len);
	return 0;
}

/* One request, its reply. */
static int
roundtrip(struct rmmd_conn *s, uint16_t type, const void *body, size_t len,
	  struct reply *r)
{
	uint32_t seq;
	int rc;

	r->fd = -1;
	pthread_mutex_lock(&s->call_lock);
	pthread_mutex_lock(&s->lock);
	seq = ++s->seq;
	rc = s->dead ? -EPIPE : 0;
	pthread_mutex_unlock(&s->lock);
	if (!rc)
		rc = send_req(s->fd, type, seq, body, len);
	if (!rc) {
		pthread_mutex_lock(&s->lock);
		rc = wait_reply(s, seq, r);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_unlock(&s->call_lock);
	if (!rc && (r->type != (type | RMMD_REPLY) || r->rep.status > 0))
		rc = caec_set_detail(-EPROTO,
			"caec-rmmd: reply of type %#x, status %d to a request of type %#x",
			r->type, r->rep.status, type);
	if (rc && r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	return rc;
}

static int
rmmd_call(struct csm_conn *c, enum csm_op op, const uint64_t arg[3],
	  struct csm_result *res)
{
	struct rmmd_conn *s = c->priv;
	union {
		struct rmmd_req_create create;
		struct rmmd_req_share share;
		struct rmmd_req_sid sid;
		struct rmmd_req_destroy destroy;
	} q;
	struct reply r = { 0 };
	bool fd_expected = op == CSM_OP_CREATE || op == CSM_OP_ATTACH;
	int rc;

	memset(&q, 0, sizeof(q));
	switch (op) {
	case CSM_OP_CREATE:
		q.create.size = arg[0];
		break;
	case CSM_OP_SHARE:
		q.share.csm_id = arg[0];
		q.share.consumer = arg[1];
		q.share.perm = (uint32_t)arg[2];
		break;
	case CSM_OP_DESTROY:
		q.destroy.csm_id = arg[0];
		break;
	default:
		q.sid.provider = arg[0];
		q.sid.handle = arg[1];
		q.sid.size = op == CSM_OP_RESERVE ? arg[2] : 0;
		break;
	}
	rc = roundtrip(s, op_msg[op].type, &q, op_msg[op].len, &r);
	if (rc)
		return rc;
	if (!r.rep.status && (r.fd >= 0) != fd_expected) {
		if (r.fd >= 0)
			close(r.fd);
		return caec_set_detail(-EPROTO,
			"caec-rmmd: reply to a request of type %#x %s a descriptor",
			op_msg[op].type, fd_expected ? "without" : "with");
	}
	res->val[0] = r.rep.val[0];
	res->val[1] = r.rep.val[1];
	res->detail = r.rep.detail;
	res->fd = r.fd;
	res->mmap_off = 0;
	return r.rep.status;
}

static int
rmmd_token(struct csm_conn *c, const uint8_t challenge[64], uint8_t *buf,
	   size_t cap, size_t *len)
{
	struct rmmd_req_token q;
	struct reply r = { .extra = buf, .extra_cap = cap };
	int rc;

	memcpy(q.challenge, challenge, sizeof(q.challenge));
	rc = roundtrip(c->priv, RMMD_T_TOKEN, &q, sizeof(q), &r);
	if (r.fd >= 0)
		close(r.fd);
	if (rc == -EPROTO && r.type == (RMMD_T_TOKEN | RMMD_REPLY))
		return caec_set_detail(-ENOSPC,
			"the token does not fit in %zu bytes", cap);
	if (rc)
		return rc;
	if (r.rep.status)
		return caec_set_detail(r.rep.status,
			"caec-rmmd: no token: %s", caec_strerror(r.rep.status));
	if (r.rep.val[0] != r.extra_len)
		return caec_set_detail(-EPROTO,
			"caec-rmmd: token length %llu, %zu bytes sent",
			(unsigned long long)r.rep.val[0], r.extra_len);
	*len = r.extra_len;
	return 0;
}

static int
rmmd_extend(struct csm_conn *c, unsigned int index, const void *data,
	    size_t len)
{
	struct rmmd_req_extend q = { .index = index, .size = (uint32_t)len };
	struct reply r = { 0 };
	int rc;

	if (len)
		memcpy(q.value, data, len);
	rc = roundtrip(c->priv, RMMD_T_MEASURE_EXTEND, &q, sizeof(q), &r);
	if (r.fd >= 0)
		close(r.fd);
	if (rc)
		return rc;
	if (r.rep.status)
		return caec_set_detail(r.rep.status,
			"caec-rmmd: no measurement extended: %s",
			caec_strerror(r.rep.status));
	return 0;
}

/*
 * The realm's parameters (csm_realm_params_get()), when any were chosen:
 * the first request after HELLO, before the realm does anything.
 */
static int
realm_params(struct csm_conn *c)
{
	struct rmmd_req_realm_params q = { 0 };
	struct reply r = { 0 };
	bool given;
	int rc;

	rc = csm_realm_params_get(&q.hash_algo, q.rpv, &given);
	if (rc || !given)
		return rc;
	rc = roundtrip(c->priv, RMMD_T_REALM_PARAMS, &q, sizeof(q), &r);
	if (r.fd >= 0)
		close(r.fd);
	if (!rc && r.rep.status)
		rc = caec_set_detail(r.rep.status,
			"caec-rmmd refused the realm's parameters (hash %s): %s",
			q.hash_algo == CAEC_CSM_HASH_SHA512 ? "sha-512" : "sha-256",
			caec_strerror(r.rep.status));
	return rc;
}

static void
rmmd_forget(struct csm_conn *c)
{
	struct rmmd_conn *s = c->priv;

	close(s->fd);
	free(s);
	c->priv = NULL;
}

/*
 * Until the service closed the connection: as the reader saw it, or as the
 * socket says now (the reader may not have run since the service exited).
 */
static bool
rmmd_alive(struct csm_conn *c)
{
	struct rmmd_conn *s = c->priv;
	struct pollfd pf = { .fd = s->fd, .events = POLLRDHUP };
	bool dead;

	pthread_mutex_lock(&s->lock);
	dead = s->dead;
	pthread_mutex_unlock(&s->lock);
	return !dead && !(poll(&pf, 1, 0) == 1 &&
			  (pf.revents & (POLLHUP | POLLRDHUP | POLLERR)));
}

/* No call uses the connection any more: end the reader, free. */
static void
rmmd_close(struct csm_conn *c)
{
	struct rmmd_conn *s = c->priv;

	/* The reader's recvmsg() returns 0 if the service is still there. */
	shutdown(s->fd, SHUT_RDWR);
	pthread_mutex_lock(&s->lock);
	while (!s->exited)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	if (s->have && s->rfd >= 0)
		close(s->rfd);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->call_lock);
	rmmd_forget(c);
}

static const struct csm_transport rmmd_transport = {
	.name = "caec-rmmd, an emulation of the RMM",
	.kind = CAEC_CSM_EMULATED,
	.call = rmmd_call,
	.token = rmmd_token,
	.extend = rmmd_extend,
	.forget = rmmd_forget,
	.alive = rmmd_alive,
	.close = rmmd_close,
};

/* HELLO, before the reader thread runs: synchronous, 10 s at most. */
static int
hello(struct rmmd_conn *s, struct csm_conn *c)
{
	struct rmmd_req_hello q = { RMMD_VERSION, RMMD_VERSION, 0 };
	struct timeval tv = { 10, 0 };
	uint8_t pkt[RMMD_REPLY_MAX + 1];
	struct rmmd_reply rep;
	struct rmmd_hdr h;
	ssize_t n;
	int fd;

	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    send_req(s->fd, RMMD_T_HELLO, 0, &q, sizeof(q)))
		return caec_set_detail(-EPIPE, "caec-rmmd: cannot send HELLO");
	n = recv_packet(s->fd, pkt, &fd);
	if (fd >= 0)
		close(fd);
	if (n <= 0 && n != -EPROTO)
		return caec_set_detail(n == -EAGAIN ? -ETIMEDOUT : -EPIPE,
			"caec-rmmd did not answer HELLO (refused, full, or not caec-rmmd)");
	if (!packet_ok(pkt, n, sizeof(rep), sizeof(rep), &h) ||
	    h.type != (RMMD_T_HELLO | RMMD_REPLY))
		return caec_set_detail(-EPROTO,
			"caec-rmmd: malformed reply to HELLO (another protocol version?)");
	memcpy(&rep, pkt + sizeof(h), sizeof(rep));
	if (rep.status)
		return caec_set_detail(rep.status < 0 ? rep.status : -EPROTO,
			"caec-rmmd refused HELLO: %s", caec_strerror(rep.status));
	tv.tv_sec = 0;
	(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	c->realm_id = rep.val[0];
	memcpy(c->measurement, rep.data, sizeof(c->measurement));
	return 0;
}

/*
 * Who answers at @path: the kernel's word (SO_PEERCRED, taken at the
 * service's listen()). $CAEC_RMMD_UID, when set, is the uid required.
 */
static int
service_creds(int fd, const char *path, struct csm_conn *c)
{
	const char *want = getenv("CAEC_RMMD_UID");
	struct ucred cred;
	socklen_t len = sizeof(cred);
	unsigned long v;
	char *end;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return caec_set_detail(-EPROTO, "SO_PEERCRED of %s: %s", path,
				       caec_strerror(-errno));
	c->service_uid = (uint32_t)cred.uid;
	c->service_pid = (int32_t)cred.pid;
	c->isolation = cred.uid == geteuid() ? CAEC_CSM_ISOLATION_NONE :
					       CAEC_CSM_ISOLATION_UID;
	if (!want || !*want)
		return 0;
	errno = 0;
	v = strtoul(want, &end, 10);
	if (*end || errno || v > UINT32_MAX)
		return caec_set_detail(-EINVAL,
			"$CAEC_RMMD_UID='%s' is not a uid", want);
	if (v != cred.uid)
		return caec_set_detail(-EACCES,
			"the service at %s runs as uid %u (pid %d), not as $CAEC_RMMD_UID=%lu: refused",
			path, (unsigned int)cred.uid, (int)cred.pid, v);
	return 0;
}

int
csm_rmmd_connect(const char *path, struct csm_conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct rmmd_conn *s;
	pthread_t t;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return caec_set_detail(-EINVAL, "socket path too long: %s",
				       path);
	strcpy(sa.sun_path, path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->rfd = -1;
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		free(s);
		return caec_set_detail(-ENOMEM, "socket: %s",
				       caec_strerror(-errno));
	}
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = errno == ENOENT || errno == ECONNREFUSED ? -ENOENT :
			caec_set_detail(errno == EACCES ? -EACCES : -ENOENT,
					"connect to %s: %s", path,
					caec_strerror(-errno));
		goto fail;
	}
	rc = service_creds(s->fd, path, c);
	if (!rc)
		rc = hello(s, c);
	if (rc)
		goto fail;
	pthread_mutex_init(&s->call_lock, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	c->t = &rmmd_transport;
	c->priv = s;
	rc = csm_thread_start(&t, reader, s);
	if (rc) {
		c->priv = NULL;
		goto fail;
	}
	rc = realm_params(c);
	if (rc)
		rmmd_close(c);
	return rc;
fail:
	close(s->fd);
	free(s);
	return rc;
}
