/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-bench: the sweep and the output files.
 *
 * A point is one mode, pattern and size; a group is the points of every mode
 * at one pattern and size. Within a group, each of --repeat rounds runs
 * every mode in turn, each as its reference then its subject; a point keeps
 * the median of every metric, its min and max across the repeats (the
 * spread), and the ratio of the medians. The table prints each group as it
 * completes. After it: the summary ratios (summary.c), then the files: JSON,
 * CSV and the plots (plot.c). The VMs this runs on move their vCPUs between
 * physical cores at will, so only interleaved measurements compare: a point
 * with its reference, and the modes with each other.
 *
 * "caec-bench COMMAND ..." runs a subcommand instead (commands[] below).
 *
 * Exit status: 0 success, 1 runtime failure (library error, data mismatch,
 * unavailable mode, peer failure), 2 command-line error.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include <caec/caec.h>

#include "bench.h"
#include "share.h"

#define ACK_REC 16u			/* an 8-byte ack's record */

/* The reference each pattern is compared with. Adding a pattern adds a row. */
static void (*const reference_of[BENCH_NPATTERNS])(const struct bench_run *,
						    struct bench_result *) = {
	[BENCH_STREAM] = bench_ref_stream,
	[BENCH_PINGPONG] = bench_ref_pingpong,
	[BENCH_MAILBOX] = bench_ref_pingpong,
	[BENCH_STREAM_ZC] = bench_ref_stream,
};

static uint32_t
pow2_ceil(uint64_t v)
{
	uint64_t p = CAEC_RING_MIN_SIZE;

	while (p < v && p < CAEC_RING_MAX_SIZE)
		p <<= 1;
	return (uint32_t)p;
}

/* --ring, else 1 MiB, or 4 records when that is larger. */
static uint32_t
ring_for(const struct bench_cfg *cfg, uint32_t size)
{
	uint64_t want = (uint64_t)BENCH_RING_FACTOR * (size + 8u);

	if (cfg->ring)
		return cfg->ring;
	return pow2_ceil(want > BENCH_RING_MIN ? want : BENCH_RING_MIN);
}

/*
 * Warm-up: enough messages for every ring page to have been touched on both
 * sides (page faults, TLB) before timing, i.e. one lap of the ring in each
 * direction (the mailbox's ack ring laps slowest), two for the stream.
 */
static uint64_t
warm_for(const struct bench_cfg *cfg, enum bench_pattern p, uint32_t size,
	 uint32_t ring)
{
	uint64_t rec = (size + 8u + 7u) & ~7ull;

	if (cfg->warmup >= 0)
		return (uint64_t)cfg->warmup;
	if (bench_pattern_is_stream(p))
		return 2 * ring / size > 1000 ? 2 * ring / size : 1000;
	if (p == BENCH_MAILBOX)
		rec = ACK_REC;
	return ring / rec + 16;
}

/*
 * A batch larger than a quarter of the ring makes the producer wait for the
 * consumer to drain it (the consumer publishes its head once per batch or
 * when empty): cap it, for the reference and the subject alike.
 */
static unsigned int
batch_for(const struct bench_cfg *cfg, uint32_t size, uint32_t ring)
{
	uint64_t cap = ring / ((size + 8u + 7u) & ~7ull) / 4;

	if (cap < 1)
		cap = 1;
	return cfg->batch < cap ? cfg->batch : (unsigned int)cap;
}

/* "[3/30] nw stream 256 B (2/5) ..." on a terminal's stderr. */
static void
progress(unsigned int i, unsigned int n, const struct bench_point *pt,
	 unsigned int k, unsigned int reps)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r\033[K[%u/%u] %s %s %u B (%u/%u) ...", i, n,
		pt->mode->name, bench_pattern_name(pt->pattern), pt->size, k,
		reps);
}

static void
progress_clear(void)
{
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
}

/* The median, min and max across @n repeats of every metric. */
static void
stats_of(const struct bench_result *r, unsigned int n,
	 struct bench_result *mid, struct bench_result *lo,
	 struct bench_result *hi)
{
	double v[BENCH_MAX_REPEAT] = { 0 };
	unsigned int i;

#define STATS(field)                                    \
	do {                                            \
		for (i = 0; i < n; i++)                 \
			v[i] = r[i].field;              \
		mid->field = bench_median(v, n);        \
		lo->field = bench_min(v, n);            \
		hi->field = bench_max(v, n);            \
	} while (0)
	STATS(msgs_per_s);
	STATS(mbytes_per_s);
	STATS(lat_p50_ns);
	STATS(lat_p99_ns);
	STATS(cpu_ns_per_msg);
	STATS(cycles_per_msg);
#undef STATS
	mid->cycles_source = lo->cycles_source = hi->cycles_source =
		r[0].cycles_source;
}

/* The repeats of one point, kept until its group is done. */
struct point_reps {
	struct bench_run run;
	struct bench_result subj[BENCH_MAX_REPEAT], ref[BENCH_MAX_REPEAT];
	double seal[BENCH_MAX_REPEAT], open[BENCH_MAX_REPEAT];
	bool crypto;
};

static void
point_setup(const struct bench_cfg *cfg, struct bench_point *pt,
	    struct point_reps *pr)
{
	struct bench_run *run = &pr->run;

	memset(pr, 0, sizeof(*pr));
	/*
	 * The crypto-only references depend on the mode and size only: the
	 * copy stream carries them, the zero-copy one would repeat them.
	 */
	pr->crypto = pt->pattern == BENCH_STREAM &&
		     bench_mode_encrypted(pt->mode);
	run->cfg = cfg;
	run->pattern = pt->pattern;
	run->size = pt->size;
	run->ring = pt->ring;
	run->count = pt->count;
	run->warm = warm_for(cfg, pt->pattern, pt->size, pt->ring);
	run->stamp_every = (uint32_t)(run->count / 1000);
	if (run->stamp_every < 1)
		run->stamp_every = 1;
	if (run->stamp_every > BENCH_STAMP_MAX_EVERY)
		run->stamp_every = BENCH_STAMP_MAX_EVERY;
	run->batch = batch_for(cfg, pt->size, pt->ring);
	pt->batch = run->batch;
}

/* Repeat @k of one point: its reference, then its subject. */
static void
point_rep(const struct bench_cfg *cfg, struct bench_point *pt,
	  struct point_reps *pr, unsigned int k)
{
	struct bench_run *run = &pr->run;

	if (pr->crypto)
		bench_crypto_ref(pt->mode, pt->size, &pr->seal[k],
				 &pr->open[k]);
	if (cfg->crypto_only)
		return;
	run->mode = NULL;
	reference_of[pt->pattern](run, &pr->ref[k]);
	run->mode = pt->mode;
	if (bench_mode_is_alt(pt->mode))
		bench_alt_run(run, &pr->subj[k]);
	else
		bench_subject_run(run, &pr->subj[k]);
}

/* Medians, spreads and ratios of a point whose repeats are done. */
static void
point_finish(const struct bench_cfg *cfg, struct bench_point *pt,
	     const struct point_reps *pr, double busy_pct)
{
	pt->busy_pct = busy_pct;
	pt->repeats = cfg->repeat;
	stats_of(pr->subj, cfg->repeat, &pt->subj, &pt->subj_min,
		 &pt->subj_max);
	stats_of(pr->ref, cfg->repeat, &pt->ref, &pt->ref_min, &pt->ref_max);
	if (bench_pattern_is_stream(pt->pattern)) {
		pt->ref_ratio = pt->subj.mbytes_per_s / pt->ref.mbytes_per_s;
		pt->spread_pct = bench_spread_pct(pt->subj_min.mbytes_per_s,
						  pt->subj.mbytes_per_s,
						  pt->subj_max.mbytes_per_s);
	} else {
		pt->ref_ratio = pt->subj.lat_p50_ns / pt->ref.lat_p50_ns;
		pt->spread_pct = bench_spread_pct(pt->subj_min.lat_p50_ns,
						  pt->subj.lat_p50_ns,
						  pt->subj_max.lat_p50_ns);
	}
	pt->seal_mbps = pt->open_mbps = pt->crypto_ratio = NAN;
	if (pr->crypto) {
		pt->seal_mbps = bench_median(pr->seal, cfg->repeat);
		pt->open_mbps = bench_median(pr->open, cfg->repeat);
		pt->crypto_ratio = pt->subj.mbytes_per_s /
				   fmin(pt->seal_mbps, pt->open_mbps);
	}
}

/*
 * One group: the points of every mode at one pattern and size (@grp,
 * @n of them). Each repeat runs every mode in turn, each as its reference
 * then its subject, so that the modes are compared side by side as much as
 * each is compared with its reference: the machine's state (which physical
 * cores the two vCPUs are on) changes on a scale of seconds to minutes, and
 * a csm-vs-nw ratio of two runs taken minutes apart would measure that.
 */
static void
measure_group(const struct bench_cfg *cfg, struct bench_point **grp,
	      unsigned int n, unsigned int done, unsigned int total)
{
	static struct point_reps pr[BENCH_MAX_MODES];
	struct bench_load load;
	unsigned int i, k;

	for (i = 0; i < n; i++)
		point_setup(cfg, grp[i], &pr[i]);
	bench_load_start(&load);
	for (k = 0; k < cfg->repeat; k++)
		for (i = 0; i < n; i++) {
			progress(done + i + 1, total, grp[i], k + 1,
				 cfg->repeat);
			point_rep(cfg, grp[i], &pr[i], k);
		}
	bench_load_stop(&load);
	for (i = 0; i < n; i++)
		point_finish(cfg, grp[i], &pr[i],
			     load.valid ? load.other_pct + load.steal_pct :
					  NAN);
	progress_clear();
}

/* Subcommands, named by argv[1]: adding one adds a row. */
static const struct {
	const char *name;
	int (*main)(int argc, char **argv);	/* gets argv + 1 */
} commands[] = {
	{ "share", bench_share_main },		/* share.c: paper Table 4 */
	{ "calls", bench_calls_main },		/* calls.c: one core's cost */
};

int
main(int argc, char **argv)
{
	struct bench_machine mach;
	struct bench_cfg cfg;
	struct bench_point *pts, *grp[BENCH_MAX_MODES];
	struct bench_load load;
	unsigned int i, j, k, g, n = 0, total, stride, nrun = 0, done = 0;
	FILE *json, *csv;
	int rc;

	for (i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]);
	     i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	bench_cli_parse(argc, argv, &cfg);

	total = cfg.nmodes * cfg.npatterns * cfg.nsizes;
	pts = calloc(total, sizeof(*pts));
	if (!pts)
		bench_die("out of memory");
	for (i = 0; i < cfg.nmodes; i++)
		for (j = 0; j < cfg.npatterns; j++)
			for (k = 0; k < cfg.nsizes; k++, n++) {
				pts[n].mode = cfg.modes[i];
				pts[n].pattern = cfg.patterns[j];
				pts[n].size = cfg.sizes[k];
				pts[n].ring = ring_for(&cfg, cfg.sizes[k]);
				pts[n].count = cfg.count ? cfg.count :
					bench_default_count(cfg.patterns[j],
							    cfg.sizes[k]);
				nrun += bench_point_applies(pts[n].mode,
							    pts[n].pattern);
			}
	json = bench_open_out("--json", cfg.json_path);
	csv = bench_open_out("--csv", cfg.csv_path);

	/* Every requested mode must exist before a long sweep starts. */
	if (cfg.plot_path)
		bench_plot_check(cfg.plot_path);
	for (i = 0; i < cfg.nmodes; i++) {
		if (bench_mode_is_alt(cfg.modes[i])) {
			if (bench_alt_missing(cfg.modes[i]))
				bench_die("mode %s is not available in this build: %s",
					  cfg.modes[i]->name,
					  bench_alt_missing(cfg.modes[i]));
			continue;
		}
		rc = bench_mode_probe(cfg.modes[i]);
		if (rc == -ENOTSUP)
			bench_die("mode %s is not available in this build: %s (%s)",
				  cfg.modes[i]->name, caec_strerror(rc),
				  caec_error_detail());
		if (rc)
			bench_die_lib("caec_channel_create", rc);
	}

	rc = bench_pin(cfg.cores[0], cfg.cores[1]);
	if (rc) {
		fprintf(stderr, "caec-bench: warning: cannot pin the sender to core %d (%s); continuing unpinned\n",
			cfg.cores[0], strerror(rc));
		bench_pinned = false;
	}
	bench_clock_init();
	bench_peer_init();
	bench_machine_probe(&mach, &cfg);

	bench_table_header(stdout, &cfg, &mach);
	bench_load_start(&load);
	/*
	 * Groups: one pattern and size, every mode that has the pattern (pts
	 * is mode-major; the points of the others stay unmeasured and every
	 * output skips them, see bench_point_applies()).
	 */
	stride = cfg.npatterns * cfg.nsizes;
	for (g = 0; g < stride; g++) {
		for (i = 0, k = 0; i < cfg.nmodes; i++)
			if (bench_point_applies(pts[i * stride + g].mode,
						pts[i * stride + g].pattern))
				grp[k++] = &pts[i * stride + g];
		measure_group(&cfg, grp, k, done, nrun);
		done += k;
		for (i = 0; !cfg.crypto_only && i < k; i++)
			bench_table_row(stdout, grp[i]);
	}
	if (!cfg.crypto_only)
		bench_table_skips(stdout, &cfg);
	bench_load_stop(&load);
	bench_crypto_table(stdout, pts, total, cfg.crypto_only);
	bench_table_footer(stdout, &load);
	for (i = 0; i < cfg.nskipped; i++)
		printf("%s skipped: %s\n", cfg.skipped[i]->name,
		       bench_alt_missing(cfg.skipped[i]));
	if (!cfg.crypto_only)
		bench_summary_print(stdout, pts, total);
	mach.pinned = bench_pinned;

	if (json)
		bench_close_out(json, cfg.json_path,
			  bench_write_json(json, &cfg, &mach, &load, pts,
					   total));
	if (csv)
		bench_close_out(csv, cfg.csv_path, bench_write_csv(csv, pts, total));
	rc = 0;
	if (cfg.plot_path)
		rc = bench_plot(cfg.plot_path, &cfg, &mach, pts, total);
	free(pts);
	return rc ? 1 : 0;
}
