/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A ring pair: one ring and both of its sides open in this process. The
 * shared memory is exactly caec_ring_footprint(size) bytes of 64-byte
 * aligned heap, so that under ASan any access past the ring is caught; it
 * is filled with one byte before the format, so that a test can tell the
 * bytes the ring wrote from those it left alone.
 *
 * Nothing here uses cmocka: the calls return 0 or the failing call's
 * negative errno (caec_error_detail() says more), and ring_pair_setup() and
 * ring_pair_teardown() have the shape of cmocka fixtures (a nonzero return
 * fails the test).
 */
#ifndef CAEC_TEST_RING_PAIR_H
#define CAEC_TEST_RING_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include <caec/caec.h>

struct caec_ring_shared;

struct ring_pair_cfg {
	uint32_t size;		/* data area bytes (caec_ring_format()) */
	uint32_t flags;		/* CAEC_RING_F_* */
	uint8_t fill;		/* over the whole memory, before the format */
	/* The sides' wait parameters (NULL: the defaults). */
	const struct caec_wait_params *pw;	/* producer */
	const struct caec_wait_params *cw;	/* consumer */
};

struct ring_pair {
	uint8_t *mem;		/* exactly len bytes */
	size_t len;
	struct caec_ring *p;	/* the producer side, NULL once closed */
	struct caec_ring *c;	/* the consumer side, NULL once closed */
	struct ring_pair_cfg cfg;
};

/*
 * Allocate and fill the memory, format the ring as @cfg says and open the
 * producer, then the consumer. On failure nothing is left allocated or
 * open. RETURN VALUE: 0, -ENOMEM, or what format or open returned.
 */
int ring_pair_open(struct ring_pair *rp, const struct ring_pair_cfg *cfg);

/* Close both sides (either may be closed already); the memory stays. */
void ring_pair_close_sides(struct ring_pair *rp);

/* Close both sides and free the memory. */
void ring_pair_close(struct ring_pair *rp);

/*
 * Start over at byte counter @counter: close both sides, format the ring
 * again (same size and flags; the data area keeps its bytes), set both
 * counters to @counter (a multiple of 8) and open both sides again.
 * RETURN VALUE: 0, or what format or open returned.
 */
int ring_pair_reset(struct ring_pair *rp, uint64_t counter);

/* The shared header (src/ring/ring_layout.h), and the data area after it. */
struct caec_ring_shared *ring_pair_shared(const struct ring_pair *rp);
uint8_t *ring_pair_data(const struct ring_pair *rp);

/*
 * cmocka fixtures for cmocka_unit_test_prestate_setup_teardown(), whose
 * initial state is the struct ring_pair_cfg: ring_pair_setup() replaces
 * *state with a ring pair opened as it says, ring_pair_teardown() closes
 * and frees it. RETURN VALUE: 0, or -1 after saying on stderr what failed.
 */
int ring_pair_setup(void **state);
int ring_pair_teardown(void **state);

#endif /* CAEC_TEST_RING_PAIR_H */
