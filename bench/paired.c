/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ratios of two lanes paired by round, with a 95% interval over epochs.
 *
 * A group's rounds run one block of every lane each, close together in
 * time (group.c), so the two blocks of one round saw the same host: their
 * ratio cancels what the host did to both. Rounds come in epochs, each on
 * freshly set-up channels. Within an epoch the ratio is the median of its
 * per-round ratios, taken in log space (so that b over a is exactly the
 * inverse of a over b); a round whose values are not both positive and
 * finite does not count. The estimate is the mean of the epochs' log
 * medians, and its interval the Student t interval of that mean:
 * mean +- t(0.975, E - 1) s / sqrt(E) over E epochs.
 *
 * Why epochs and not a bootstrap over the blocks of one set of channels:
 * two channels of the same mode, alike in every respect but their pages,
 * differ by a few percent for as long as they exist (a 1 MiB ring is the
 * size of an L2 cache, and how its physical pages map onto the cache's sets
 * is luck), so the blocks of one pair of channels measure that pair; the
 * A/A control found such differences excluded by intervals over blocks.
 * New channels each epoch make that luck a random effect, which the spread
 * between the epochs' medians contains, with every other effect that
 * changes from epoch to epoch (placement, load) and the noise within them.
 *
 * A ratio is resolved when at least MIN_EPOCHS epochs give it and its
 * interval lies within a factor 1 + BENCH_RESOLVE_PCT / 100 of it on both
 * sides.
 */
#include <math.h>
#include <stdlib.h>

#include "bench.h"

#define MIN_EPOCHS 3u

/* splitmix64: the rounds' order; not for secrets. */
uint64_t
bench_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double
bench_metric_of(const struct bench_result *r, enum bench_metric m)
{
	switch (m) {
	case BENCH_M_LAT:
		return r->lat_p50_ns;
	case BENCH_M_TPUT:
		return r->mbytes_per_s;
	default:
		return r->cycles_per_msg;
	}
}

/* The metric a pattern is judged by: MB/s for the streams, else p50. */
enum bench_metric
bench_main_metric_of(enum bench_pattern p)
{
	return bench_pattern_is_stream(p) ? BENCH_M_TPUT : BENCH_M_LAT;
}

/* Student's t, 97.5th percentile, @df degrees of freedom (df >= 1). */
static double
t975(unsigned int df)
{
	static const double t[] = {
		12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
		2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
		2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
		2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
	};

	if (df <= sizeof(t) / sizeof(t[0]))
		return t[df - 1];
	/* Beyond 30: within 0.003 of the exact value. */
	return 1.96 + 2.4 / df;
}

static bool
usable(double v)
{
	return isfinite(v) && v > 0;
}

/*
 * bench_paired_ratio - the paired ratio @num / @den over @n rounds, round
 * i in epoch @epoch[i] (epochs numbered from 0, non-decreasing), into @r.
 * All fields NAN (blocks and epochs 0, not resolved) when no round counts;
 * the interval is NAN with one epoch.
 */
void
bench_paired_ratio(const double *num, const double *den,
		   const unsigned int *epoch, unsigned int n,
		   struct bench_ratio *r)
{
	double *x = malloc(((size_t)2 * n + 1) * sizeof(*x)), *med = x + n;
	double sum = 0, ss = 0, mean, sd, half;
	unsigned int i, j, k, e = 0;

	if (!x)
		bench_die("out of memory");
	r->ratio = r->lo = r->hi = NAN;
	r->blocks = r->epochs = 0;
	r->resolved = false;
	/* Each epoch's median: its rounds are contiguous. */
	for (i = 0; i < n; i = j) {
		for (j = i, k = 0; j < n && epoch[j] == epoch[i]; j++)
			if (usable(num[j]) && usable(den[j]))
				x[k++] = log(num[j] / den[j]);
		if (!k)
			continue;
		r->blocks += k;
		med[e++] = bench_median(x, k);
	}
	r->epochs = e;
	if (!e) {
		free(x);
		return;
	}
	for (i = 0; i < e; i++)
		sum += med[i];
	mean = sum / e;
	r->ratio = exp(mean);
	if (e < 2) {
		free(x);
		return;
	}
	for (i = 0; i < e; i++)
		ss += (med[i] - mean) * (med[i] - mean);
	sd = sqrt(ss / (e - 1));
	half = t975(e - 1) * sd / sqrt((double)e);
	r->lo = exp(mean - half);
	r->hi = exp(mean + half);
	r->resolved = e >= MIN_EPOCHS &&
		      half <= log(1 + BENCH_RESOLVE_PCT / 100);
	free(x);
}

/* bench_ratio_invert - @out = 1 / @in, the interval's ends swapped. */
void
bench_ratio_invert(const struct bench_ratio *in, struct bench_ratio *out)
{
	double lo = in->lo, hi = in->hi;

	out->ratio = 1 / in->ratio;
	out->lo = 1 / hi;
	out->hi = 1 / lo;
	out->blocks = in->blocks;
	out->epochs = in->epochs;
	out->resolved = in->resolved;
}
