/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for speaking the rmmd protocol (rmmd_proto.h), shared by the
 * daemon, libcaec's client and the tests: building a packet, sending it
 * with an optional descriptor, and the default socket path.
 */
#ifndef CAEC_RMMD_WIRE_H
#define CAEC_RMMD_WIRE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rmmd_proto.h"

/* Header + @len bytes of @body into @pkt (RMMD_MSG_MAX bytes at least;
 * @len at most RMMD_MSG_MAX - 16). RETURN VALUE: the packet's length. */
static inline size_t
rmmd_pack(uint8_t *pkt, uint16_t type, uint32_t seq, const void *body,
	  size_t len)
{
	struct rmmd_hdr h = {
		.magic = RMMD_MAGIC,
		.version = RMMD_VERSION,
		.type = type,
		.len = (uint32_t)(sizeof(h) + len),
		.seq = seq,
	};

	memcpy(pkt, &h, sizeof(h));
	if (len)
		memcpy(pkt + sizeof(h), body, len);
	return sizeof(h) + len;
}

/* sendmsg() of one packet, with descriptor @pass_fd (SCM_RIGHTS) when it is
 * not negative. RETURN VALUE: as sendmsg(). */
static inline ssize_t
rmmd_send(int fd, const void *pkt, size_t len, int pass_fd, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)pkt, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (pass_fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	return sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
}

/* $CAEC_RMMD_SOCKET, else $XDG_RUNTIME_DIR/caec-rmmd.sock, else
 * /run/caec-rmmd.sock. */
static inline void
rmmd_default_socket(char *buf, size_t len)
{
	const char *env = getenv("CAEC_RMMD_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (xdg && *xdg)
		snprintf(buf, len, "%s/caec-rmmd.sock", xdg);
	else
		snprintf(buf, len, "/run/caec-rmmd.sock");
}

#endif /* CAEC_RMMD_WIRE_H */
