/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: caec-rmmd's request decoder and dispatcher, rmmd_dispatch()
 * (src/rmmd/rmmd_conn.c), and through it every command handler and the
 * firmware model behind them, as a hostile client's packets reach them.
 *
 * One client per input, on one end of a socketpair (the daemon's replies
 * and their descriptors are read from the other end and dropped), against
 * one daemon state (a 16 MiB pool) that lives across inputs: what an input
 * leaves is freed when its client is dropped, as on a disconnect.
 *
 * INPUT
 *   0     bit 0: the client already said HELLO (its realm exists);
 *         bit 1: every packet claims to carry descriptors
 *   1..   chunks: u8 ctl, u8 n, then n bytes:
 *         ctl bit 0 clear: the n bytes are the packet, as received
 *         ctl bit 0 set:   a well-formed header of type (ctl >> 1) & 15
 *                          (bit 5 set: | RMMD_REPLY) and sequence number
 *                          ctl, then the n bytes as the body
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rmmd/rmmd.h"
#include "proto/rmmd_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rmmd d;

static int
daemon_init(void)
{
	struct hm_params hp = { .size = sizeof(hp) };

	/* The daemon's defaults (main.c), a smaller pool. */
	d.lfd = d.epfd = d.sigfd = d.spare_fd = -1;
	d.measure_pipe[0] = d.measure_pipe[1] = -1;
	d.cfg.ready_fd = -1;
	d.cfg.pool_mib = 16;
	d.cfg.max_region_mib = 8;
	d.cfg.max_clients = 256;
	d.cfg.max_clients_per_uid = 32;
	d.cfg.realm_max_regions = 64;
	d.cfg.realm_pool_mib = 12;
	d.cfg.max_exe_mib = 1024;
	d.cfg.ack_timeout_ms = 1000;
	rmmd_log_init(0);
	hp.nr_granules = d.cfg.pool_mib << 20 >> 12;
	if (hm_create(&hp, &d.hm))
		return -1;
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0 || rmmd_closer_start())
		return -1;
	return 0;
}

/* Read and drop every reply waiting on @fd, closing the descriptors. */
static void
drain(int fd)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} u;
	uint8_t pkt[RMMD_MSG_MAX + 64];
	struct cmsghdr *cm;
	struct msghdr msg;
	struct iovec iov;
	size_t i, nfd;
	int fds[8];

	for (;;) {
		iov.iov_base = pkt;
		iov.iov_len = sizeof(pkt);
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		if (recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
			return;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (nfd > 8)
				nfd = 8;
			memcpy(fds, CMSG_DATA(cm), nfd * sizeof(int));
			for (i = 0; i < nfd; i++)
				close(fds[i]);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[RMMD_MSG_MAX + 1] __attribute__((aligned(16)));
	static int ready;
	struct rmmd_client *c;
	bool had_fds;
	int sv[2];
	size_t n;
	uint8_t ctl;

	if (!ready)
		ready = daemon_init() ? -1 : 1;
	if (ready < 0 || size < 1)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv)) {
		free(c);
		return 0;
	}
	c->fd = sv[0];
	c->pid = getpid();
	c->uid = getuid();
	c->pidfd = -1;
	c->next = d.clients;
	d.clients = c;
	d.nr_clients++;
	if ((data[0] & 1) && !rmmd_realm_open(&d, c))
		c->hello = true;
	had_fds = data[0] & 2;
	data++;
	size--;
	while (size >= 2 && !c->dead && !c->paused) {
		ctl = data[0];
		n = data[1];
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		if (ctl & 1) {
			if (n > RMMD_MSG_MAX - sizeof(struct rmmd_hdr))
				n = RMMD_MSG_MAX - sizeof(struct rmmd_hdr);
			rmmd_dispatch(&d, c, pkt,
				      (ssize_t)rmmd_pack(pkt,
					(uint16_t)(((ctl >> 1) & 15) |
						   ((ctl & 32) ? RMMD_REPLY : 0)),
					ctl, data, n),
				      had_fds);
		} else {
			memcpy(pkt, data, n);
			rmmd_dispatch(&d, c, pkt, (ssize_t)n, had_fds);
		}
		data += n;
		size -= n;
		drain(sv[1]);
	}
	c->dead = true;
	rmmd_reap(&d);
	drain(sv[1]);
	close(sv[1]);
	return 0;
}
