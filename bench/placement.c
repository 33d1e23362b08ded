/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Placements: where the host had the two vCPUs when a block ran.
 *
 * Every block starts with a probe, a few bare cache-line round trips
 * (group.c), whose median is the block's level. The levels of all the
 * blocks of a group, sorted, fall into placements separated by gaps: a
 * step up of more than GAP_PCT percent (and more than two of the tick
 * counter's usual steps) between neighbours starts a new placement. The host keeps
 * a placement for tens of milliseconds or more, so a round's blocks share
 * one nearly always; a probe that a preemption disturbed lands alone, far
 * above the rest. The placement with the most blocks is the dominant one
 * (index 0); the others follow by size. The group's figures are taken
 * over the blocks of the dominant placement, and a pair of blocks counts
 * for a ratio only when both are in it (group.c).
 */
#include <math.h>
#include <stdlib.h>

#include "bench.h"

#define GAP_PCT 15.0
#define SPLIT_PCT 10.0		/* a second placement this large: split */

struct cluster {
	double lo, hi;
	unsigned int blocks;
	int rank;
};

static bool
usable_level(double v)
{
	return isfinite(v) && v > 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_cluster_size(const void *a, const void *b)
{
	const struct cluster *x = *(const struct cluster *const *)a;
	const struct cluster *y = *(const struct cluster *const *)b;

	if (x->blocks != y->blocks)
		return x->blocks > y->blocks ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * bench_placement_find - the placements of the blocks @lanes[i][0..rounds)
 * of @nlanes lanes into @pl; sets every block's place (its placement's
 * index, -1 for a block without a level or beyond BENCH_MAX_PLACES).
 */
void
bench_placement_find(struct bench_block *const *lanes, unsigned int nlanes,
		     unsigned int rounds, struct bench_placement *pl)
{
	size_t n = 0, nc = 0, i, total = (size_t)nlanes * rounds;
	double *v = malloc((total + 1) * sizeof(*v));
	struct cluster *c = malloc((total + 1) * sizeof(*c));
	struct cluster **by = malloc((total + 1) * sizeof(*by));
	double gap_abs = 2.0 * (double)bench_ticks_step() * 1e9 /
			 bench_ticks_hz();
	unsigned int l, r, k, lo, hi, mid;
	struct bench_block *b;
	double lv;

	if (!v || !c || !by)
		bench_die("out of memory");
	memset(pl, 0, sizeof(*pl));
	for (l = 0; l < nlanes; l++)
		for (r = 0; r < rounds; r++)
			if (usable_level(lanes[l][r].level_ns))
				v[n++] = lanes[l][r].level_ns;
	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i++) {
		if (!nc || (v[i] > c[nc - 1].hi * (1 + GAP_PCT / 100) &&
			    v[i] - c[nc - 1].hi > gap_abs)) {
			c[nc].lo = v[i];
			c[nc].blocks = 0;
			nc++;
		}
		c[nc - 1].hi = v[i];
		c[nc - 1].blocks++;
	}
	for (i = 0; i < nc; i++)
		by[i] = &c[i];
	qsort(by, nc, sizeof(*by), cmp_cluster_size);
	for (i = 0; i < nc; i++)
		by[i]->rank = i < BENCH_MAX_PLACES ? (int)i : -1;
	pl->total = (unsigned int)n;
	for (i = 0; i < nc && i < BENCH_MAX_PLACES; i++) {
		pl->lo_ns[i] = by[i]->lo;
		pl->hi_ns[i] = by[i]->hi;
		pl->blocks[i] = by[i]->blocks;
		pl->mid_ns[i] = NAN;
		pl->n++;
	}
	/* Each placement's median level: the middle of its sorted run. */
	for (i = 0, k = 0; i < nc; k += c[i].blocks, i++)
		if (c[i].rank >= 0)
			pl->mid_ns[c[i].rank] = v[k + (c[i].blocks - 1) / 2];
	pl->split = pl->n > 1 &&
		    pl->blocks[1] * 100.0 >= SPLIT_PCT * pl->total;
	/* Each block's placement: the cluster whose range holds its level. */
	for (l = 0; l < nlanes; l++)
		for (r = 0; r < rounds; r++) {
			b = &lanes[l][r];
			b->place = -1;
			lv = b->level_ns;
			if (!usable_level(lv) || !nc)
				continue;
			lo = 0;
			hi = (unsigned int)nc - 1;
			while (lo < hi) {
				mid = (lo + hi + 1) / 2;
				if (c[mid].lo <= lv)
					lo = mid;
				else
					hi = mid - 1;
			}
			b->place = c[lo].rank;
		}
	free(by);
	free(c);
	free(v);
}
