/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Waiting and waking.
 *
 * Wake-up protocol (rings formatted without CAEC_RING_F_NOWAKE). Each side
 * owns a wake block: a sleep word "sleeping" it announces a sleep in, and a
 * futex word "seq" that the *peer* sleeps on. A sleep word's bit 0
 * (CAEC_WAKE_ASLEEP) is set while its sleeper may sleep; bits 31:1 count
 * the announcements (ring_layout.h). A sleeper:
 *
 *	s = load_acquire(peer.seq)
 *	w += STEP
 *	store_seq_cst(mine.sleeping, w | ASLEEP)  (A1)
 *	load_seq_cst(peer's counter)            (A2)
 *	re-check the ring; if still not ready: futex_wait(&peer.seq, s)
 *	store(mine.sleeping, w)
 *
 * A publisher:
 *
 *	store_seq_cst(my counter, new value)    (B1)
 *	a = load_seq_cst(peer.sleeping)         (B2)
 *	if (a & ASLEEP) and a != woken:
 *		woken = a
 *		store_release(mine.seq, ++seq); futex_wake
 *
 * The four seq_cst accesses are in one total order, so either (A2) sees the
 * new counter (and the re-check, which reads the counter again, sees at
 * least that value), or (B2) sees the announcement and seq changes after
 * it, which makes futex_wait return at once or wakes it. No wake-up is
 * lost, and FUTEX_WAKE is only issued when somebody may sleep. On aarch64
 * these are STLR / LDAR, plain loads and stores: no exclusives touch the
 * region.
 *
 * One wake per announcement is enough: the publisher that saw announcement
 * a (B2) stores seq after that load (release), and the sleeper loaded the
 * s it waits on before it stored a (acquire), so s is older than that seq
 * and its futex_wait of announcement a returns at once or was woken.
 * Skipping a wake for an announcement already woken (a == woken) therefore
 * loses nothing, and an honest sleeper's next sleep announces a new count.
 * A peer that keeps its word set (a stuck or hostile flag) costs one
 * FUTEX_WAKE, not one per publish; a peer that writes a new count before
 * every publish still gets one per publish, which only costs the
 * publisher the system calls that peer asks for. A count repeats after
 * 2^31 announcements: a sleeper that announced exactly a multiple of 2^31
 * times since the publisher last saw its word could miss a wake until its
 * timeout. Each side resumes its count from its own word at open, so a
 * reopened sleeper does not repeat one either.
 *
 * An event-fd watcher thread (ring_event.c) sleeps the same way with its
 * own word, "watching", so the side's two sleepers never share a field; the
 * publisher keeps a woken announcement per word. A hostile peer can at
 * worst cause spurious wake-ups or none (then the timeout ends the wait).
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ring_priv.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
ns_to_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

static struct caec_ring_wake *
wake_mine(struct caec_ring *r)
{
	return r->role == CAEC_RING_PRODUCER ? &r->sh->prod_wake :
					       &r->sh->cons_wake;
}

static struct caec_ring_wake *
wake_peer(struct caec_ring *r)
{
	return r->role == CAEC_RING_PRODUCER ? &r->sh->cons_wake :
					       &r->sh->prod_wake;
}

/*
 * Has the peer's counter moved since this side last looked? The inner step
 * of the spin loop in ring_block(): one relaxed load and a compare, with
 * ring_ready() (which loads the counter again with acquire, validates it and
 * reads what it guards) run only once it moved, and every 64 spins for the
 * closed flags and the clock. The value is only compared, never used, so a
 * hostile one at most ends a spin early. A waiting consumer has
 * tail_cache == head, a waiting producer head_cache == the head it last
 * loaded: ring_ready() returned -EAGAIN on exactly those values.
 *
 * Checking the counter alone, rather than all of ring_ready() on every spin,
 * shortens round trips and leaves streams unchanged. The consumer also pulls
 * the line of the record it waits for, so that the producer's publish finds
 * the counter miss and the record miss overlapping: without it the 64 B
 * round trip on distant cores was shorter still, but 128-512 B ones were
 * longer. Measurements: docs/perf-notes.md.
 */
static inline bool
ring_peer_moved(const struct caec_ring *r)
{
	if (r->role == CAEC_RING_PRODUCER)
		return sh_load(&r->sh->cons.counter) != r->head_cache;
	__builtin_prefetch(r->data + (r->head & r->mask));
	return sh_load(&r->sh->prod.counter) != r->tail_cache;
}

/*
 * -EAGAIN when the side must wait, else what the side's check returned: the
 * producer 0 (room for @rec bytes) or an error, the consumer
 * ring_cons_ready() (the next message's length and *@pos) or an error.
 */
static ssize_t
ring_ready(struct caec_ring *r, uint64_t rec, uint64_t *pos)
{
	if (r->role == CAEC_RING_PRODUCER)
		return ring_prod_room(r, rec);
	return ring_cons_ready(r, pos);
}

void
ring_notify_peer(struct caec_ring *r, bool always)
{
	struct caec_ring_wake *peer = wake_peer(r);
	struct caec_ring_wake *mine = wake_mine(r);

	uint32_t sl, wa;

	if (r->flags & CAEC_RING_F_NOWAKE)
		return;
	/* (B2): pairs with (A1) in sleep_futex() or the event watcher. */
	sl = sh_load_sc(&peer->sleeping);
	wa = sh_load_sc(&peer->watching);
	if (!always) {
		if (!((sl | wa) & CAEC_WAKE_ASLEEP))
			return;
		/* Each announcement is woken once (see above). */
		if ((!(sl & CAEC_WAKE_ASLEEP) || sl == r->woken_sleeping) &&
		    (!(wa & CAEC_WAKE_ASLEEP) || wa == r->woken_watching))
			return;
	}
	if (sl & CAEC_WAKE_ASLEEP)
		r->woken_sleeping = sl;
	if (wa & CAEC_WAKE_ASLEEP)
		r->woken_watching = wa;
	r->wakes++;
	r->wake_seq++;
	/* Pairs with the peer's acquire load of seq before it sleeps. */
	sh_store_rel(&mine->seq, r->wake_seq);
	syscall(SYS_futex, &mine->seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static ssize_t
sleep_futex(struct caec_ring *r, uint64_t rec, uint64_t *pos,
	    uint64_t deadline)
{
	struct caec_ring_wake *peer = wake_peer(r);
	struct caec_ring_wake *mine = wake_mine(r);
	struct timespec ts, *tsp = NULL;
	uint32_t seq;
	uint64_t now;
	ssize_t rc;

	/* Pairs with the release store of seq in ring_notify_peer(). */
	seq = sh_load_acq(&peer->seq);
	/* (A1), (A2): pair with (B1), (B2) on the peer side. */
	r->sleep_word += CAEC_WAKE_STEP;
	sh_store_sc(&mine->sleeping, r->sleep_word | CAEC_WAKE_ASLEEP);
	(void)sh_load_sc(r->role == CAEC_RING_PRODUCER ? &r->sh->cons.counter :
							  &r->sh->prod.counter);
	rc = ring_ready(r, rec, pos);
	if (rc == -EAGAIN) {
		if (deadline != UINT64_MAX) {
			now = now_ns();
			if (now >= deadline) {
				sh_store(&mine->sleeping, r->sleep_word);
				return -ETIMEDOUT;
			}
			ns_to_ts(deadline - now, &ts);
			tsp = &ts;
		}
		/* Returns on a wake, a changed seq, a signal or the timeout. */
		syscall(SYS_futex, &peer->seq, FUTEX_WAIT, seq, tsp, NULL, 0);
	}
	sh_store(&mine->sleeping, r->sleep_word);
	return rc;
}

static void
sleep_backoff(uint64_t ns, uint64_t deadline)
{
	struct timespec ts;
	uint64_t now = now_ns();

	if (deadline != UINT64_MAX && deadline - now < ns)
		ns = deadline > now ? deadline - now : 0;
	ns_to_ts(ns, &ts);
	nanosleep(&ts, NULL);
}

/*
 * Wait until ring_ready() stops saying -EAGAIN and return what it said then
 * (the consumer: the next message's length, its position in *@pos): spin for
 * spin_ns (the whole timeout in SPIN mode), then sleep on the futex
 * (ADAPTIVE) or with exponential back-off (BACKOFF); -ETIMEDOUT at the
 * deadline. Callers have just seen -EAGAIN, and that check already published
 * any batch. @pos may be NULL for the producer.
 */
void
ring_set_peer_check(struct caec_ring *r, int (*fn)(void *), void *ctx)
{
	r->peer_check = fn;
	r->peer_ctx = ctx;
}

#define PEER_CHECK_NS ((uint64_t)RING_PEER_CHECK_MS * 1000000u)

/*
 * Time for the peer's life test (ring_set_peer_check())? 0 while it may be
 * alive (the next test then due in *@next), else what the test said.
 */
static int
peer_test(struct caec_ring *r, uint64_t now, uint64_t *next)
{
	int rc;

	if (!r->peer_check || now < *next)
		return 0;
	*next = now + PEER_CHECK_NS;
	rc = r->peer_check(r->peer_ctx);
	return rc < 0 ? rc : 0;
}

ssize_t
ring_block(struct caec_ring *r, uint64_t rec, uint64_t *pos, int timeout_ms)
{
	uint64_t start, deadline, spin_end, t, backoff, next_test, slice;
	unsigned int i;
	ssize_t rc;

	if (timeout_ms == 0)
		return ring_ready(r, rec, pos);
	start = now_ns();
	deadline = timeout_ms < 0 ? UINT64_MAX :
				    start + (uint64_t)timeout_ms * 1000000u;
	spin_end = r->wait_mode == CAEC_WAIT_SPIN ? deadline :
						    start + r->spin_ns;
	next_test = start + PEER_CHECK_NS;
	for (i = 1;; i++) {
		ring_cpu_relax();
		if ((i & 63) && !ring_peer_moved(r))
			continue;
		rc = ring_ready(r, rec, pos);
		if (rc != -EAGAIN)
			return rc;
		if ((i & 63) == 0) {
			t = now_ns();
			if (t >= deadline)
				return -ETIMEDOUT;
			rc = peer_test(r, t, &next_test);
			if (rc)
				return rc;
			if (t >= spin_end)
				break;
		}
	}
	backoff = r->backoff_min_ns;
	for (;;) {
		/* With a life test, no sleep outlasts the next test. */
		slice = deadline;
		if (r->peer_check && next_test < slice)
			slice = next_test;
		if (r->wait_mode == CAEC_WAIT_ADAPTIVE) {
			rc = sleep_futex(r, rec, pos, slice);
			if (rc == -ETIMEDOUT && slice != deadline)
				rc = -EAGAIN;	/* the slice, not the call */
		} else {
			sleep_backoff(backoff, slice);
			backoff = backoff * 2 > r->backoff_max_ns ?
					  r->backoff_max_ns : backoff * 2;
			rc = ring_ready(r, rec, pos);
		}
		if (rc != -EAGAIN)
			return rc;
		t = now_ns();
		if (t >= deadline)
			return -ETIMEDOUT;
		rc = peer_test(r, t, &next_test);
		if (rc)
			return rc;
	}
}
