/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ring/ring_layout.h"
#include "ring_pair.h"

static int
open_sides(struct ring_pair *rp)
{
	int rc;

	rc = caec_ring_open(rp->mem, rp->len, CAEC_RING_PRODUCER, rp->cfg.pw,
			    &rp->p);
	if (!rc)
		rc = caec_ring_open(rp->mem, rp->len, CAEC_RING_CONSUMER,
				    rp->cfg.cw, &rp->c);
	if (rc)
		ring_pair_close_sides(rp);
	return rc;
}

int
ring_pair_open(struct ring_pair *rp, const struct ring_pair_cfg *cfg)
{
	int rc;

	memset(rp, 0, sizeof(*rp));
	rp->cfg = *cfg;
	rp->len = caec_ring_footprint(cfg->size);
	/* aligned_alloc: exactly len bytes (a multiple of 64) */
	rp->mem = rp->len ? aligned_alloc(64, rp->len) : NULL;
	if (!rp->mem)
		return rp->len ? -ENOMEM : -EINVAL;
	memset(rp->mem, cfg->fill, rp->len);
	rc = caec_ring_format(rp->mem, rp->len, cfg->size, 0, cfg->flags);
	if (!rc)
		rc = open_sides(rp);
	if (rc) {
		free(rp->mem);
		rp->mem = NULL;
	}
	return rc;
}

void
ring_pair_close_sides(struct ring_pair *rp)
{
	caec_ring_close(rp->p);
	caec_ring_close(rp->c);
	rp->p = rp->c = NULL;
}

void
ring_pair_close(struct ring_pair *rp)
{
	ring_pair_close_sides(rp);
	free(rp->mem);
	rp->mem = NULL;
}

int
ring_pair_reset(struct ring_pair *rp, uint64_t counter)
{
	struct caec_ring_shared *sh = ring_pair_shared(rp);
	int rc;

	ring_pair_close_sides(rp);
	rc = caec_ring_format(rp->mem, rp->len, rp->cfg.size, 0,
			      rp->cfg.flags);
	if (rc)
		return rc;
	__atomic_store_n(&sh->prod.counter, counter, __ATOMIC_RELEASE);
	__atomic_store_n(&sh->cons.counter, counter, __ATOMIC_RELEASE);
	return open_sides(rp);
}

struct caec_ring_shared *
ring_pair_shared(const struct ring_pair *rp)
{
	return (struct caec_ring_shared *)rp->mem;
}

uint8_t *
ring_pair_data(const struct ring_pair *rp)
{
	return rp->mem + CAEC_RING_HDR_SIZE;
}

int
ring_pair_setup(void **state)
{
	const struct ring_pair_cfg *cfg = *state;
	struct ring_pair *rp;
	int rc;

	if (!cfg) {
		fprintf(stderr, "ring_pair_setup: no struct ring_pair_cfg\n");
		return -1;
	}
	rp = calloc(1, sizeof(*rp));
	if (!rp) {
		fprintf(stderr, "ring_pair_setup: out of memory\n");
		return -1;
	}
	rc = ring_pair_open(rp, cfg);
	if (rc) {
		fprintf(stderr, "ring_pair_setup: %u-byte ring: %s (%s)\n",
			cfg->size, caec_strerror(rc), caec_error_detail());
		free(rp);
		return -1;
	}
	*state = rp;
	return 0;
}

int
ring_pair_teardown(void **state)
{
	struct ring_pair *rp = *state;

	ring_pair_close(rp);
	free(rp);
	return 0;
}
