/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dead-peer detection through the kernel's file locks (channel_live.c).
 */
#ifndef CAEC_CHANNEL_LIVE_H
#define CAEC_CHANNEL_LIVE_H

#include <stdbool.h>
#include <sys/types.h>

struct caec_channel;

/* A channel's side of it: its lock's private description, or -1. */
struct chan_live {
	int fd;
	int slot;		/* in the atfork registry */
	pid_t pid;		/* the process that took the lock */
	int role;		/* 0 creator, 1 attacher */
};

/* Take this side's lock (after the rings are open) and tell the peer; the
 * rings' blocking calls test the peer from then on. Best effort: without a
 * lock there is no detection, and nothing fails. */
void chan_live_start(struct caec_channel *ch);

/* The rings' peer test (ring_set_peer_check()): 0, or -ECONNRESET. */
int chan_live_check(void *ctx);

/* Is the peer's death detectable now (same kernel, both locks)? */
bool chan_live_active(const struct caec_channel *ch);

/* Release this side's lock (after the rings' closed flags are out). */
void chan_live_stop(struct caec_channel *ch);

#endif /* CAEC_CHANNEL_LIVE_H */
