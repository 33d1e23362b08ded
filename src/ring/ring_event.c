/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A pollable descriptor for the consumer side: an eventfd that a watcher
 * thread makes readable when the ring holds a message (or the producer
 * closed, or the ring is broken), so an application's event loop can wait on
 * a ring with poll/epoll. Both sides must share a kernel (futex wake-ups).
 *
 * The watcher runs a two-state loop:
 *   ARMED  sleep until tail != head or closed, with the same seq_cst
 *          handshake as ring_wait.c, announced in cons_wake.watching
 *          (its own field, so the application thread's "sleeping" flag keeps
 *          a single writer); then write the eventfd and go to FIRED.
 *   FIRED  sleep until the application reports the ring drained: a consumer
 *          call that finds the ring empty reads the eventfd back to zero and
 *          bumps @drained (ring_event_drained()); then go back to ARMED,
 *          which re-checks the ring, so a message published in between fires
 *          again. No readiness is lost.
 *
 * "head" is the consumer's private, validated head (@head below), never the
 * shared consumer counter: that counter is the consumer's own, but a
 * hostile peer can write it too, and a copy of tail written there would
 * make the watcher sleep through a message. The copy is updated when the
 * application reports the ring drained (the only moment the watcher goes
 * back to ARMED) and may lag behind the consumer's head in between; a
 * lagging head can only make the watcher fire early (head <= the real head
 * <= tail), never miss a message.
 *
 * The watcher only compares tail with that head for equality; it never
 * parses records, so a hostile tail makes it fire, and the application's
 * next call reports the problem (-EPROTO).
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ring_priv.h"

struct ring_event {
	pthread_t thread;
	int efd;
	uint32_t drained;	/* bumped by the application thread */
	uint32_t stop;
	/*
	 * The consumer's private head when it last found the ring empty (or
	 * at the watcher's start): written by the application thread before
	 * the release increment of @drained, read by the watcher after its
	 * acquire load of @drained.
	 */
	uint64_t head;
	/* The watcher's last announcement in cons_wake.watching, with
	 * CAEC_WAKE_ASLEEP clear (ring_wait.c); the watcher's own. */
	uint32_t word;
	struct caec_ring_shared *sh;
};

static void
futex_wait_(uint32_t *addr, uint32_t val, int private_)
{
	syscall(SYS_futex, addr, private_ ? FUTEX_WAIT_PRIVATE : FUTEX_WAIT,
		val, NULL, NULL, 0);
}

static void
futex_wake_(uint32_t *addr, int private_)
{
	syscall(SYS_futex, addr, private_ ? FUTEX_WAKE_PRIVATE : FUTEX_WAKE,
		INT_MAX, NULL, NULL, 0);
}

static bool
has_event(struct ring_event *ev)
{
	struct caec_ring_shared *sh = ev->sh;

	/*
	 * The seq_cst load of tail is (A2) of ring_wait.c and also pairs with
	 * the producer's store of tail; acquire of closed pairs with its
	 * release store. head is the private copy (see above), never the
	 * shared consumer counter.
	 */
	return sh_load_sc(&sh->prod.counter) !=
		       __atomic_load_n(&ev->head, __ATOMIC_RELAXED) ||
	       sh_load_acq(&sh->prod.closed);
}

static void *
watcher(void *arg)
{
	struct ring_event *ev = arg;
	struct caec_ring_shared *sh = ev->sh;
	uint32_t seq, seen = __atomic_load_n(&ev->drained, __ATOMIC_ACQUIRE);
	uint32_t d;

	while (!__atomic_load_n(&ev->stop, __ATOMIC_ACQUIRE)) {
		/* ARMED. Pairs with the release store of seq by the producer. */
		seq = sh_load_acq(&sh->prod_wake.seq);
		/* (A1); has_event() does (A2): pair with (B1), (B2). */
		ev->word += CAEC_WAKE_STEP;
		sh_store_sc(&sh->cons_wake.watching,
			    ev->word | CAEC_WAKE_ASLEEP);
		if (!has_event(ev)) {
			if (!__atomic_load_n(&ev->stop, __ATOMIC_ACQUIRE))
				futex_wait_(&sh->prod_wake.seq, seq, 0);
			sh_store(&sh->cons_wake.watching, ev->word);
			continue;
		}
		sh_store(&sh->cons_wake.watching, ev->word);
		eventfd_write(ev->efd, 1);

		/* FIRED: wait until the application drained the ring. */
		for (;;) {
			d = __atomic_load_n(&ev->drained, __ATOMIC_ACQUIRE);
			if (d != seen ||
			    __atomic_load_n(&ev->stop, __ATOMIC_ACQUIRE))
				break;
			futex_wait_(&ev->drained, d, 1);
		}
		seen = d;
	}
	return NULL;
}

int
caec_ring_event_fd(struct caec_ring *r)
{
	struct ring_event *ev;
	int rc;

	if (!r || r->role != CAEC_RING_CONSUMER)
		return -EINVAL;
	if (r->event)
		return r->event->efd;
	if (r->flags & CAEC_RING_F_NOWAKE)
		return caec_set_detail(-ENOTSUP,
			"event fd needs the futex wake-up protocol; this ring was formatted without it");
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->sh = r->sh;
	ev->head = r->head;	/* published to the thread by its creation */
	ev->word = sh_load(&r->sh->cons_wake.watching) & ~CAEC_WAKE_ASLEEP;
	ev->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ev->efd < 0) {
		rc = -errno;
		free(ev);
		return caec_set_detail(rc, "eventfd: %s", caec_strerror(rc));
	}
	rc = -pthread_create(&ev->thread, NULL, watcher, ev);
	if (rc) {
		close(ev->efd);
		free(ev);
		return caec_set_detail(rc, "cannot start the event watcher");
	}
	r->event = ev;
	return ev->efd;
}

/* The application found the ring empty: clear the fd and re-arm. */
void
ring_event_drained(struct caec_ring *r)
{
	struct ring_event *ev = r->event;
	eventfd_t v;

	eventfd_read(ev->efd, &v);
	__atomic_store_n(&ev->head, r->head, __ATOMIC_RELAXED);
	/* Pairs with the acquire load of drained in watcher(): the new head
	 * is visible to the watcher once it sees drained move. */
	__atomic_fetch_add(&ev->drained, 1, __ATOMIC_RELEASE);
	futex_wake_(&ev->drained, 1);
}

void
ring_event_stop(struct caec_ring *r)
{
	struct ring_event *ev = r->event;

	if (!ev)
		return;
	__atomic_store_n(&ev->stop, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&ev->drained, 1, __ATOMIC_RELEASE);
	futex_wake_(&ev->drained, 1);
	/*
	 * The watcher may sleep on the producer's seq word; waking every
	 * sleeper there is harmless (they re-check and sleep again).
	 */
	for (;;) {
		futex_wake_(&ev->sh->prod_wake.seq, 0);
		if (pthread_tryjoin_np(ev->thread, NULL) == 0)
			break;
		usleep(1000);
	}
	close(ev->efd);
	free(ev);
	r->event = NULL;
}

/*
 * A handle inherited through fork(): the watcher thread was not copied into
 * this process, so there is nothing to stop or join; close the descriptor
 * and free the state without touching the shared block.
 */
void
ring_event_forget(struct caec_ring *r)
{
	struct ring_event *ev = r->event;

	if (!ev)
		return;
	close(ev->efd);
	free(ev);
	r->event = NULL;
}
