/* SPDX-License-Identifier: BSD-3-Clause */
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "rand.h"
#include "scribbler.h"

/* One scribble: a pass over the bytes, one flip, or one step. */
static void
scribble(struct scribbler *s)
{
	volatile uint8_t *b = s->cfg.buf;
	size_t i, len = s->cfg.len, n;
	const char *w;
	uint64_t r;

	switch (s->cfg.mode) {
	case SCRIBBLE_ZERO:
		for (i = 0; i < len; i++)
			b[i] = 0;
		break;
	case SCRIBBLE_FLIP:
		for (i = 0; i < len; i++)
			b[i] ^= 0x01;
		break;
	case SCRIBBLE_BITS:
		r = splitmix64(&s->rng);
		b[r % len] ^= (uint8_t)(1u << (r >> 61));
		if ((r & 0xff) == 0)
			usleep(10);
		break;
	case SCRIBBLE_WATCH:
		/* Byte by byte through volatile: what is there right now. */
		w = s->cfg.needle;
		n = strlen(w);
		for (i = 0; i + n <= len; i++) {
			size_t k = 0;

			while (k < n && b[i + k] == (uint8_t)w[k])
				k++;
			s->hits += k == n;
		}
		break;
	case SCRIBBLE_STEP:
		s->cfg.step(s);
		break;
	}
}

static void *
scribbler_main(void *arg)
{
	struct scribbler *s = arg;

	for (;;) {
		__atomic_store_n(&s->parked, 1, __ATOMIC_SEQ_CST);
		while (!__atomic_load_n(&s->run, __ATOMIC_SEQ_CST)) {
			if (__atomic_load_n(&s->quit, __ATOMIC_SEQ_CST))
				return NULL;
			sched_yield();
		}
		__atomic_store_n(&s->parked, 0, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&s->run, __ATOMIC_SEQ_CST)) {
			scribble(s);
			s->scribbles++;
		}
	}
}

int
scribbler_start(struct scribbler *s, const struct scribbler_cfg *cfg)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->rng = cfg->seed;
	/* Parked until the thread says otherwise: go waits for it to run. */
	s->parked = 1;
	rc = pthread_create(&s->th, NULL, scribbler_main, s);
	s->started = rc == 0;
	return rc;
}

void
scribbler_go(struct scribbler *s)
{
	if (!s->started)
		return;
	__atomic_store_n(&s->run, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&s->parked, __ATOMIC_SEQ_CST))
		sched_yield();
}

void
scribbler_pause(struct scribbler *s)
{
	if (!s->started)
		return;
	__atomic_store_n(&s->run, 0, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&s->parked, __ATOMIC_SEQ_CST))
		sched_yield();
}

int
scribbler_stop(struct scribbler *s)
{
	int rc;

	if (!s->started)
		return 0;
	scribbler_pause(s);
	__atomic_store_n(&s->quit, 1, __ATOMIC_SEQ_CST);
	rc = pthread_join(s->th, NULL);
	s->started = false;
	return rc;
}
