/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Percentiles of per-message samples and medians of per-run metrics.
 */
#include <math.h>
#include <stdlib.h>

#include "bench.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * bench_percentile - nearest-rank percentile; sorts @v in place.
 * RETURN VALUE: the sample, or NAN when @n is 0.
 */
double
bench_percentile(uint64_t *v, size_t n, double pct)
{
	size_t rank;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_u64);
	rank = (size_t)ceil(pct / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1];
}

/*
 * bench_percentile_d - nearest-rank percentile of doubles; sorts @v in
 * place. RETURN VALUE: the value, or NAN when @n is 0.
 */
double
bench_percentile_d(double *v, size_t n, double pct)
{
	size_t rank;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = (size_t)ceil(pct / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/*
 * bench_median_grouped - the median of @n sorted tick samples @v, read as
 * counts of the counter's usual step @w (bench_ticks_step()) and
 * interpolated within it. A VM's counter may advance in steps of several
 * ns (10 ns: 10% of a 100 ns round trip), so the round trips of a block
 * take a few values and their plain median jumps a whole step on a small
 * shift: two lanes 3% apart could show the same median, and a ratio of
 * exactly 1.000 with an interval of no width. The grouped median takes the
 * median's step m as the class [m - 1/2, m + 1/2) and places the median in
 * it by the counts: (m - 1/2 + (n/2 - a) / b) w, where a samples lie in
 * lower steps and b in m. With a counter of single ticks it is the
 * ordinary median within a tick.
 */
static double
bench_median_grouped(const uint64_t *v, size_t n, uint64_t w)
{
	size_t k = (n - 1) / 2, a = k, b = 0, i;
	uint64_t m = (v[k] + w / 2) / w;

	while (a && (v[a - 1] + w / 2) / w == m)
		a--;
	for (i = a; i < n && (v[i] + w / 2) / w == m; i++)
		b++;
	return ((double)m - 0.5 + ((double)n / 2 - (double)a) / (double)b) *
	       (double)w;
}

/*
 * bench_rt_result - a round-trip block's figures from its @n per-round-trip
 * tick counts @lat (sorted in place) and its wall-clock start and end:
 * msgs_per_s, lat_p50_ns (the grouped median, above), lat_p99_ns.
 */
void
bench_rt_result(struct bench_result *res, uint64_t *lat, uint64_t n,
		uint64_t t0_ns, uint64_t t1_ns)
{
	res->msgs_per_s = (double)n * 1e9 / (double)(t1_ns - t0_ns);
	res->lat_p99_ns = bench_percentile(lat, n, 99) * 1e9 / bench_ticks_hz();
	res->lat_p50_ns = n ? bench_median_grouped(lat, n, bench_ticks_step()) *
				      1e9 / bench_ticks_hz() : NAN;
}

/*
 * bench_median - median of the values of @v that are not NAN.
 * RETURN VALUE: the median, or NAN when every value is NAN.
 */
double
bench_median(const double *v, size_t n)
{
	double small[64], *tmp = n > 64 ? malloc(n * sizeof(*tmp)) : small;
	double mid;
	size_t i, m = 0;

	if (!tmp)
		bench_die("out of memory");
	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			tmp[m++] = v[i];
	if (!m) {
		mid = NAN;
	} else {
		qsort(tmp, m, sizeof(tmp[0]), cmp_double);
		mid = m & 1 ? tmp[m / 2] : (tmp[m / 2 - 1] + tmp[m / 2]) / 2;
	}
	if (tmp != small)
		free(tmp);
	return mid;
}

/* bench_min - smallest value of @v that is not NAN; NAN when there is none. */
double
bench_min(const double *v, size_t n)
{
	double m = NAN;
	size_t i;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]) && (isnan(m) || v[i] < m))
			m = v[i];
	return m;
}

/* bench_max - largest value of @v that is not NAN; NAN when there is none. */
double
bench_max(const double *v, size_t n)
{
	double m = NAN;
	size_t i;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]) && (isnan(m) || v[i] > m))
			m = v[i];
	return m;
}

/*
 * bench_spread_pct - half the min..max range in percent of the median: the
 * table's "±%". NAN when a value is missing or the median is not positive.
 */
double
bench_spread_pct(double lo, double mid, double hi)
{
	if (isnan(lo) || isnan(mid) || isnan(hi) || mid <= 0)
		return NAN;
	return (hi - lo) / 2.0 / mid * 100.0;
}
