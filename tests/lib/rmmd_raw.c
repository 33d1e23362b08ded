/* SPDX-License-Identifier: BSD-3-Clause */
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../src/proto/rmmd_wire.h"
#include "rmmd_raw.h"

int
raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

int
raw_next(int fd, struct raw_reply *out, int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	uint8_t pkt[RMMD_MSG_MAX];
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	struct iovec iov = { pkt, sizeof(pkt) };
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;
	int rfd;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		if (poll(&pf, 1, timeout_ms) != 1)
			return -1;
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (n < (ssize_t)sizeof(out->h))
			return -1;
		rfd = -1;
		cm = CMSG_FIRSTHDR(&msg);
		if (cm && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&rfd, CMSG_DATA(cm), sizeof(int));
		memcpy(&out->h, pkt, sizeof(out->h));
		if (!(out->h.type & RMMD_REPLY)) {
			if (rfd >= 0)
				close(rfd);
			continue;
		}
		if (n < (ssize_t)(sizeof(out->h) + sizeof(out->r))) {
			if (rfd >= 0)
				close(rfd);
			return -1;
		}
		memcpy(&out->r, pkt + sizeof(out->h), sizeof(out->r));
		out->fd = rfd;
		return 0;
	}
}

int
raw_call(int fd, uint16_t type, const void *body, size_t len,
	 struct raw_reply *out)
{
	uint8_t pkt[RMMD_MSG_MAX];
	struct raw_reply tmp;

	if (!out)
		out = &tmp;
	len = rmmd_pack(pkt, type, 7, body, len);
	if (rmmd_send(fd, pkt, len, -1, 0) != (ssize_t)len ||
	    raw_next(fd, out, 5000))
		return INT32_MIN;
	if (out == &tmp && tmp.fd >= 0)
		close(tmp.fd);
	return out->r.status;
}

int
raw_hello(int fd, uint64_t *id)
{
	struct rmmd_req_hello h = { RMMD_VERSION, RMMD_VERSION, 0 };
	struct raw_reply rr;
	int rc = raw_call(fd, RMMD_T_HELLO, &h, sizeof(h), &rr);

	if (id)
		*id = rc ? 0 : rr.r.val[0];
	return rc;
}
