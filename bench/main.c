/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-bench: the sweep and the output files.
 *
 * A point is one mode, pattern and size; a group is the points of every mode
 * at one pattern and size, measured together in interleaved blocks with
 * the pattern's bare reference (group.c). The table prints each group as it
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
#include <stdlib.h>
#include <unistd.h>

#include <caec/caec.h>

#include "bench.h"
#include "share.h"

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
				pts[n].batch = batch_for(&cfg, cfg.sizes[k],
							 pts[n].ring);
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
		if (cfg.modes[i]->aa_of)
			continue;
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
		if (!k)
			continue;
		bench_group_measure(&cfg, grp, k, done, nrun);
		done += k;
		for (i = 0; !cfg.crypto_only && i < k; i++)
			bench_table_row(stdout, grp[i]);
		if (!cfg.crypto_only)
			bench_table_group_notes(stdout, grp, k);
	}
	if (!cfg.crypto_only)
		bench_table_skips(stdout, &cfg);
	bench_load_stop(&load);
	bench_crypto_table(stdout, pts, total, cfg.crypto_only);
	bench_table_footer(stdout, &cfg, &load);
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
