/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dead-peer detection for peers on one kernel: each side of a channel holds
 * an open file description (OFD) lock on its own byte of the region's file
 * for as long as its channel is open; the kernel drops it when the holder's
 * last descriptor of that description closes, which a process's death does.
 * A waiting side asks the kernel (F_OFD_GETLK) whether the peer's lock is
 * still held, from its blocking calls only (ring_set_peer_check()): when
 * the peer said it holds one on this kernel and it is gone, the call returns
 * -ECONNRESET.
 *
 * The locks are taken on a private description of the region's file (a
 * reopen of /proc/self/fd/N), never on the descriptor itself: a descriptor
 * passed to the peer (nw:fd/N) or dup()ed shares the description, and locks
 * of one description do not conflict. A fork()ed child would inherit the
 * description and keep the parent's lock alive after its death: an atfork
 * handler closes every such descriptor in the child (the parent's stay), and
 * they are close-on-exec.
 *
 * Which kernel: each side writes its kernel's id (a hash of the boot id,
 * never 0) into its word of the channel header (live[role]), after its lock
 * is held, and clears it at a clean close before it lets the lock go: a
 * word still set with the lock gone is a death, not a close. A peer whose word names another kernel (another VM, over an
 * ivshmem BAR) or none (it could not lock, or has not attached yet) is not
 * tested: its death is seen through the timeout only. The words are shared
 * memory: a host that rewrites them can hide a death (the timeout remains)
 * or make a peer of another kernel look dead (-ECONNRESET, no worse than
 * the scribbling it can do to the rings), never make a live peer on this
 * kernel look dead, since the lock itself is the kernel's.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "channel_live.h"
#include "channel_priv.h"
#include "error.h"
#include "ring/ring_api.h"
#include "shm_access.h"

#define LIVE_LOCK_BASE ((off_t)CAEC_CHAN_LIVE_LOCK)

#define LIVE_SLOTS 1024

/* Every lock descriptor this process holds, for the atfork child. */
static int live_fds[LIVE_SLOTS];
static pthread_once_t live_once = PTHREAD_ONCE_INIT;
static uint32_t kernel_id;

static void
live_forked(void)
{
	int i, fd;

	/* The only thread in the child: nothing races these slots. */
	for (i = 0; i < LIVE_SLOTS; i++) {
		fd = __atomic_exchange_n(&live_fds[i], -1, __ATOMIC_RELAXED);
		if (fd >= 0)
			close(fd);
	}
}

static void
live_init(void)
{
	char id[64] = { 0 };
	uint32_t h = 2166136261u;
	ssize_t n = -1;
	int fd, i;

	for (i = 0; i < LIVE_SLOTS; i++)
		live_fds[i] = -1;
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, id, sizeof(id) - 1);
		close(fd);
	}
	if (n <= 0)
		return;		/* kernel_id 0: no detection */
	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)id[i]) * 16777619u;
	kernel_id = h | 1u;
	(void)pthread_atfork(NULL, NULL, live_forked);
}

static int
slot_take(int fd)
{
	int i, none;

	for (i = 0; i < LIVE_SLOTS; i++) {
		none = -1;
		if (__atomic_compare_exchange_n(&live_fds[i], &none, fd, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return i;
	}
	return -1;
}

static void
lock_at(struct flock *fl, short type, int role)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = LIVE_LOCK_BASE + role;
	fl->l_len = 1;
}

void
chan_live_start(struct caec_channel *ch)
{
	struct chan_live *l = &ch->live;
	struct caec_chan_hdr *h = ch->reg.base;
	int role = ch->creator ? 0 : 1;
	struct flock fl;
	char path[64];
	int fd;

	l->fd = -1;
	l->slot = -1;
	pthread_once(&live_once, live_init);
	if (!kernel_id || ch->reg.fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ch->reg.fd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	lock_at(&fl, F_WRLCK, role);
	if (fcntl(fd, F_OFD_SETLK, &fl)) {
		close(fd);	/* a file system without locks, or a second
				 * live holder of this role: no detection */
		return;
	}
	l->slot = slot_take(fd);
	if (l->slot < 0) {
		close(fd);
		return;
	}
	l->fd = fd;
	l->pid = getpid();
	l->role = role;
	/* After the lock: a peer that reads our id finds the lock held. */
	sh_store_rel(&h->live[role], kernel_id);
	ring_set_peer_check(ch->tx, chan_live_check, ch);
	ring_set_peer_check(ch->rx, chan_live_check, ch);
}

int
chan_live_check(void *ctx)
{
	struct caec_channel *ch = ctx;
	struct chan_live *l = &ch->live;
	struct caec_chan_hdr *h = ch->reg.base;
	struct flock fl;
	uint32_t peer;

	if (l->fd < 0 || l->pid != getpid())
		return 0;
	/* Pairs with the peer's release store after it locked. */
	peer = sh_load_acq(&h->live[l->role ^ 1]);
	if (peer != kernel_id)
		return 0;	/* not attached, or on another kernel */
	lock_at(&fl, F_WRLCK, l->role ^ 1);
	if (fcntl(l->fd, F_OFD_GETLK, &fl))
		return 0;
	if (fl.l_type != F_UNLCK)
		return 0;
	return caec_set_detail(-ECONNRESET,
		"the peer is gone: its process ended without closing the channel (its lock on the region is released)");
}

bool
chan_live_active(const struct caec_channel *ch)
{
	const struct caec_chan_hdr *h = ch->reg.base;

	return ch->live.fd >= 0 && ch->live.pid == getpid() &&
	       sh_load_acq(&h->live[ch->live.role ^ 1]) == kernel_id;
}

void
chan_live_stop(struct caec_channel *ch)
{
	struct chan_live *l = &ch->live;

	if (l->fd < 0)
		return;
	/* In a forked child the atfork handler closed it already, and the
	 * word is the parent's. */
	if (l->pid == getpid() && l->slot >= 0 &&
	    __atomic_compare_exchange_n(&live_fds[l->slot], &l->fd, -1, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		/* A clean end: the word goes before the lock, so a peer that
		 * finds the lock gone and the word still set knows this side
		 * died without closing. */
		sh_store_rel(&((struct caec_chan_hdr *)ch->reg.base)->live[l->role],
			     0);
		close(l->fd);
	}
	l->fd = -1;
	l->slot = -1;
}
