/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --plot FILE.png|FILE.svg: the paper's Fig. 5 from the measured points,
 * drawn by gnuplot. One figure per pattern in the run, three log-log panels
 * each (latency p50, throughput, sender cycles per message against the
 * message size), one line per mode, bars from the 5th to the 95th
 * percentile over the blocks; the A/A lane is not drawn (it would lie on
 * its original's line). The mailbox figure (the paper's method) goes to
 * FILE, the others to FILE-PATTERN.EXT next to it. The stream-zc figure compares:
 * each mode's zero-copy stream (dashed, open marks) beside its copy stream
 * (solid, filled marks, the same colour). Points of a mode that lacks the
 * pattern (bench_point_applies()) are not drawn.
 *
 * The script, with the points inline as gnuplot datablocks, is written to
 * gnuplot's standard input: no temporary files. A missing gnuplot is found
 * before the sweep starts (bench_plot_check()), so no run is wasted.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define PLOT_MAX_TICS 16	/* more sizes than this: gnuplot's own tics */
#define PLOT_MAX_SERIES (2 * BENCH_MAX_MODES)

enum plot_metric {
	PLOT_LAT,
	PLOT_TPUT,
	PLOT_CYC,
	PLOT_NMETRICS,
};

/* Each mode keeps its colour in every figure; others get gnuplot's. */
static const struct {
	const char *mode;
	const char *rgb;
} colours[] = {
	{ "csm", "#000000" },
	{ "nw", "#1f77b4" },
	{ "nw-openssl", "#d62728" },
	{ "nw-mbedtls", "#ff7f0e" },
	{ "peer-uds", "#2ca02c" },
	{ "peer-pipe", "#9467bd" },
	{ "peer-ckring", "#8c564b" },
};

/*
 * Each pattern's figure: its title, and whether it also draws the copy
 * stream of its modes to compare with (then every line is labelled with
 * the @label of its pattern).
 */
static const struct {
	const char *desc;
	const char *label;
	bool with_stream;
} figures[BENCH_NPATTERNS] = {
	[BENCH_STREAM] = { "stream (pipelined ring, batched publication)",
			   "copy", false },
	[BENCH_PINGPONG] = { "pingpong (echo of the same size)", NULL, false },
	[BENCH_MAILBOX] = { "mailbox (the paper's method: send, wait for an 8-byte ack)",
			    NULL, false },
	[BENCH_STREAM_ZC] = { "stream-zc, zero-copy (reserve/commit, peek/release; dashed), against stream, copy (send/recv; solid)",
			      "zero-copy", true },
};

/*
 * bench_plot_check - exit 1 with a clear message when gnuplot is not on
 * PATH; @path was already checked for its extension by the command line.
 */
void
bench_plot_check(const char *path)
{
	const char *env = getenv("PATH");
	char dir[4096], exe[4200];
	const char *p, *end;
	size_t len;

	for (p = env ? env : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len >= sizeof(dir))
			continue;
		memcpy(dir, p, len);
		dir[len] = '\0';
		snprintf(exe, sizeof(exe), "%s/gnuplot", len ? dir : ".");
		if (!access(exe, X_OK))
			return;
	}
	bench_die("--plot %s needs gnuplot, which is not installed (Debian: apt-get install gnuplot-nox)",
		  path);
}

static double
metric_of(const struct bench_result *r, enum plot_metric m)
{
	switch (m) {
	case PLOT_LAT:
		return r->lat_p50_ns;
	case PLOT_TPUT:
		return r->mbytes_per_s;
	default:
		return r->cycles_per_msg;
	}
}

static bool
usable(double v)
{
	return !isnan(v) && !isinf(v) && v > 0;
}

/* A value for a datablock: "?" (gnuplot's missing) unless usable. */
static void
gp_num(FILE *gp, double v)
{
	if (usable(v))
		fprintf(gp, " %.6g", v);
	else
		fputs(" ?", gp);
}

/* A double-quoted gnuplot string (backslash escapes are live there). */
static void
gp_str(FILE *gp, const char *s)
{
	fputc('"', gp);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", gp);
		if (*s == '"' || *s == '\\')
			fputc('\\', gp);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, gp);
	}
	fputc('"', gp);
}

/* A single-quoted one (no escapes; a quote is doubled): for file names. */
static void
gp_path(FILE *gp, const char *s)
{
	fputc('\'', gp);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', gp);
		fputc(*s, gp);
	}
	fputc('\'', gp);
}

static int
cmp_point_size(const void *a, const void *b)
{
	const struct bench_point *x = *(const struct bench_point *const *)a;
	const struct bench_point *y = *(const struct bench_point *const *)b;

	return x->size < y->size ? -1 : x->size > y->size;
}

/* One line of a figure: a mode at a pattern. */
struct series {
	const struct bench_mode *mode;
	enum bench_pattern pattern;
	unsigned int mode_idx;		/* the mode's rank in the figure */
};

/* The figure's data: its lines in run order, each one's points by size. */
struct figure {
	enum bench_pattern pattern;
	struct series series[PLOT_MAX_SERIES];
	unsigned int nseries;
	const struct bench_point **pts;	/* [series * BENCH_MAX_SIZES + k] */
	unsigned int npts[PLOT_MAX_SERIES];
	uint32_t lo, hi;		/* size range */
};

/* RETURN VALUE: the line of mode @m at pattern @p, or -1. */
static int
series_find(const struct figure *fg, const struct bench_mode *m,
	    enum bench_pattern p)
{
	unsigned int i;

	for (i = 0; i < fg->nseries; i++)
		if (fg->series[i].mode == m && fg->series[i].pattern == p)
			return (int)i;
	return -1;
}

/* Does the run hold a drawable point of mode @m at pattern @p? */
static bool
run_has(const struct bench_point *pts, size_t n, const struct bench_mode *m,
	enum bench_pattern p)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (pts[k].mode == m && pts[k].pattern == p &&
		    bench_point_applies(m, p))
			return true;
	return false;
}

static void
series_add(struct figure *fg, const struct bench_mode *m,
	   enum bench_pattern p, unsigned int mode_idx)
{
	struct series *s = &fg->series[fg->nseries];

	s->mode = m;
	s->pattern = p;
	s->mode_idx = mode_idx;
	fg->npts[fg->nseries++] = 0;
}

/*
 * The lines of @fg->pattern's figure, and their points: every mode that
 * has the pattern, in run order, each after its copy stream when the
 * figure compares with it. RETURN VALUE: any line.
 */
static bool
figure_collect(struct figure *fg, const struct bench_point *pts, size_t n)
{
	bool with = figures[fg->pattern].with_stream;
	unsigned int j, nm = 0;
	size_t k;
	int i;

	fg->nseries = 0;
	fg->lo = UINT32_MAX;
	fg->hi = 0;
	fg->pts = calloc(PLOT_MAX_SERIES * BENCH_MAX_SIZES, sizeof(*fg->pts));
	if (!fg->pts)
		bench_die("out of memory");
	for (k = 0; k < n && nm < BENCH_MAX_MODES; k++) {
		if (pts[k].pattern != fg->pattern || pts[k].mode->aa_of ||
		    !bench_point_applies(pts[k].mode, pts[k].pattern) ||
		    series_find(fg, pts[k].mode, fg->pattern) >= 0)
			continue;
		if (with && run_has(pts, n, pts[k].mode, BENCH_STREAM))
			series_add(fg, pts[k].mode, BENCH_STREAM, nm);
		series_add(fg, pts[k].mode, fg->pattern, nm++);
	}
	for (k = 0; k < n; k++) {
		i = series_find(fg, pts[k].mode, pts[k].pattern);
		if (i < 0 || fg->npts[i] == BENCH_MAX_SIZES ||
		    !bench_point_applies(pts[k].mode, pts[k].pattern))
			continue;
		fg->pts[i * BENCH_MAX_SIZES + fg->npts[i]++] = &pts[k];
		if (pts[k].size < fg->lo)
			fg->lo = pts[k].size;
		if (pts[k].size > fg->hi)
			fg->hi = pts[k].size;
	}
	for (j = 0; j < fg->nseries; j++)
		qsort(fg->pts + j * BENCH_MAX_SIZES, fg->npts[j],
		      sizeof(*fg->pts), cmp_point_size);
	return fg->nseries > 0;
}

static const struct bench_point *
fig_point(const struct figure *fg, unsigned int s, unsigned int k)
{
	return fg->pts[s * BENCH_MAX_SIZES + k];
}

static bool
series_has(const struct figure *fg, unsigned int s, enum plot_metric m)
{
	unsigned int k;

	for (k = 0; k < fg->npts[s]; k++)
		if (usable(metric_of(&fig_point(fg, s, k)->subj, m)))
			return true;
	return false;
}

/*
 * How line @s is drawn: the mode's colour; in a comparing figure the
 * figure's own pattern dashed with open marks, the copy stream solid with
 * the filled marks of the same shape; in the others a mark per mode and
 * the peers dashed. Then its key title.
 */
static void
gp_style(FILE *gp, const struct figure *fg, const struct series *s)
{
	bool with = figures[fg->pattern].with_stream;
	bool own = s->pattern == fg->pattern;
	char title[64];
	size_t c;

	fprintf(gp, " pt %u ps 1.1",
		with ? 5 + 2 * s->mode_idx - own : 5 + s->mode_idx);
	if (with ? own : bench_mode_is_alt(s->mode))
		fputs(" dt 2", gp);
	for (c = 0; c < sizeof(colours) / sizeof(colours[0]); c++)
		if (!strcmp(colours[c].mode, s->mode->name))
			fprintf(gp, " lc rgb \"%s\"", colours[c].rgb);
	if (with)
		snprintf(title, sizeof(title), "%s %s", s->mode->name,
			 figures[s->pattern].label);
	else
		snprintf(title, sizeof(title), "%s", s->mode->name);
	fputs(" title ", gp);
	gp_str(gp, title);
}

static void
gp_data(FILE *gp, const struct figure *fg)
{
	const struct bench_point *p;
	unsigned int i, k, m;

	for (i = 0; i < fg->nseries; i++) {
		fprintf(gp, "$d%u << EOD\n", i);
		for (k = 0; k < fg->npts[i]; k++) {
			p = fig_point(fg, i, k);
			fprintf(gp, "%u", p->size);
			for (m = 0; m < PLOT_NMETRICS; m++) {
				gp_num(gp, metric_of(&p->subj, m));
				gp_num(gp, metric_of(&p->subj_min, m));
				gp_num(gp, metric_of(&p->subj_max, m));
			}
			fputc('\n', gp);
		}
		fputs("EOD\n", gp);
	}
}

static void
gp_xtics(FILE *gp, const struct figure *fg)
{
	uint32_t s;
	unsigned int k = 0;

	fprintf(gp, "set xrange [%g:%g]\n", fg->lo / 1.4, fg->hi * 1.4);
	for (s = 1; s && s <= fg->hi; s <<= 1)
		if (s >= fg->lo)
			k++;
	if (k > PLOT_MAX_TICS) {
		fputs("set format x \"%.0s%cB\"\n", gp);
		return;
	}
	fputs("set xtics (", gp);
	for (k = 0, s = 1; s && s <= fg->hi; s <<= 1) {
		if (s < fg->lo)
			continue;
		if (s >= (1u << 20))
			fprintf(gp, "%s\"%uM\" %u", k++ ? ", " : "", s >> 20, s);
		else if (s >= 1024)
			fprintf(gp, "%s\"%uK\" %u", k++ ? ", " : "", s >> 10, s);
		else
			fprintf(gp, "%s\"%u\" %u", k++ ? ", " : "", s, s);
	}
	fputs(")\n", gp);
}

static const char *
cycles_label(void)
{
	switch (bench_cycles_source()) {
	case BENCH_CYC_PERF:
		return "sender cycles per message (perf counter)";
	case BENCH_CYC_ESTIMATE:
		return "sender cycles per message (estimate: CPU time x tick rate)";
	default:
		return "sender cycles per message";
	}
}

static void
gp_panel(FILE *gp, const struct figure *fg, enum plot_metric m)
{
	static const char *const ylabel[PLOT_NMETRICS] = {
		[PLOT_LAT] = "latency p50 (ns)",
		[PLOT_TPUT] = "throughput (MB/s, 10^6 bytes/s)",
		[PLOT_CYC] = NULL,
	};
	const char *title[PLOT_NMETRICS] = {
		[PLOT_LAT] = bench_pattern_is_stream(fg->pattern) ?
				"Latency, send to receive (p50)" :
				"Latency, round trip (p50)",
		[PLOT_TPUT] = "Throughput",
		[PLOT_CYC] = "Sender CPU cycles per message",
	};
	unsigned int i, k = 0;

	fputs("set title ", gp);
	gp_str(gp, title[m]);
	fputs("\nset ylabel ", gp);
	gp_str(gp, ylabel[m] ? ylabel[m] : cycles_label());
	fputs("\nunset label\nset yrange [*:*]\n", gp);
	/* Engineering prefixes read well for ns and cycles, not below 1. */
	fputs(m == PLOT_TPUT ? "set format y \"%g\"\n" :
			       "set format y \"%.0s%c\"\n", gp);
	for (i = 0; i < fg->nseries; i++)
		if (series_has(fg, i, m))
			k++;
	if (!k) {
		fputs("set yrange [1:10]\n"
		      "set label \"not measured on this machine\" at graph 0.5,0.5 center\n"
		      "plot NaN notitle\n", gp);
		return;
	}
	fputs("plot ", gp);
	for (i = 0, k = 0; i < fg->nseries; i++) {
		if (!series_has(fg, i, m))
			continue;
		fprintf(gp, "%s$d%u using 1:%u:%u:%u with yerrorlines lw 2",
			k++ ? ", \\\n     " : "", i, 2 + 3 * m, 3 + 3 * m,
			4 + 3 * m);
		gp_style(gp, fg, &fg->series[i]);
	}
	fputc('\n', gp);
}

static void
gp_script(FILE *gp, const char *out, bool svg, const struct figure *fg,
	  const struct bench_cfg *cfg, const struct bench_machine *mach)
{
	char title[512], reps[64];
	unsigned int m;

	if (cfg->repeat > 1)
		snprintf(reps, sizeof(reps),
			 "median of %u runs, bars from min to max",
			 cfg->repeat);
	else
		snprintf(reps, sizeof(reps), "one run per point");

	if (svg)
		fputs("set terminal svg size 1800,640 dynamic noenhanced font \"sans,13\" background \"white\"\n",
		      gp);
	else
		fputs("if (strstrt(GPVAL_TERMINALS, \" pngcairo \") > 0) {\n"
		      "  set terminal pngcairo size 1800,640 noenhanced font \"sans,11\"\n"
		      "} else {\n"
		      "  set terminal png size 1800,640 noenhanced\n"
		      "}\n", gp);
	fputs("set output ", gp);
	gp_path(gp, out);
	fputs("\nset datafile missing \"?\"\n", gp);
	gp_data(gp, fg);
	snprintf(title, sizeof(title),
		 "caec-bench, %s\n%s, %ld CPUs, cores %d,%d%s; %s",
		 figures[fg->pattern].desc, mach->cpu_model, mach->nproc,
		 mach->cores[0], mach->cores[1],
		 mach->pinned ? "" : " (NOT pinned)", reps);
	fputs("set multiplot layout 1,3 title ", gp);
	gp_str(gp, title);
	fputs(" font \",13\"\n"
	      "set logscale x 2\nset logscale y 10\n"
	      "set grid xtics ytics lw 1 dt 1 lc rgb \"#e4e4e4\"\n"
	      "set key below horizontal box\n"
	      "set xlabel \"message size (bytes)\" offset 0,0.3\n"
	      "set bars small\n", gp);
	/* Room under the x label for the key: about three lines a row. */
	fprintf(gp, "set bmargin %u\n", 5 + (fg->nseries + 2) / 3);
	gp_xtics(gp, fg);
	for (m = 0; m < PLOT_NMETRICS; m++)
		gp_panel(gp, fg, m);
	fputs("unset multiplot\nset output\n", gp);
}

/* RETURN VALUE: 0, or -1 (after a message) when gnuplot failed. */
static int
draw(const char *out, bool svg, const struct figure *fg,
     const struct bench_cfg *cfg, const struct bench_machine *mach)
{
	FILE *gp;
	int st;

	fflush(NULL);
	gp = popen("gnuplot", "w");
	if (!gp) {
		fprintf(stderr, "caec-bench: --plot: cannot start gnuplot: %s\n",
			strerror(errno));
		return -1;
	}
	gp_script(gp, out, svg, fg, cfg, mach);
	st = pclose(gp);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "caec-bench: --plot: gnuplot failed drawing %s (%s %d)\n",
			out, st != -1 && WIFEXITED(st) ? "exit status" : "status",
			st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : st);
		return -1;
	}
	printf("plot: %s\n", out);
	return 0;
}

/*
 * bench_plot - one figure per pattern of the run: mailbox into @path, any
 * other pattern P into @path with "-P" before the extension.
 * RETURN VALUE: 0, or -1 when a figure could not be drawn.
 */
int
bench_plot(const char *path, const struct bench_cfg *cfg,
	   const struct bench_machine *mach, const struct bench_point *pts,
	   size_t n)
{
	size_t len = strlen(path);
	bool svg = !strcmp(path + len - 4, ".svg"), any = false, mbox = false;
	struct figure fg;
	char *out;
	int p, rc = 0;

	if (cfg->crypto_only) {
		fprintf(stderr, "caec-bench: --plot: nothing to draw with --crypto-only\n");
		return 0;
	}
	out = malloc(len + 32);
	if (!out)
		bench_die("out of memory");
	/* A writer that gnuplot left early fails with EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	for (p = 0; p < BENCH_NPATTERNS; p++) {
		memset(&fg, 0, sizeof(fg));
		fg.pattern = (enum bench_pattern)p;
		if (!figure_collect(&fg, pts, n)) {
			free(fg.pts);
			continue;
		}
		mbox |= p == BENCH_MAILBOX;
		if (p == BENCH_MAILBOX)
			snprintf(out, len + 32, "%s", path);
		else
			snprintf(out, len + 32, "%.*s-%s%s", (int)(len - 4),
				 path, bench_pattern_name(fg.pattern),
				 path + len - 4);
		if (draw(out, svg, &fg, cfg, mach))
			rc = -1;
		any = true;
		free(fg.pts);
	}
	if (!any)
		fprintf(stderr, "caec-bench: --plot: no points to draw\n");
	else if (!mbox)
		fprintf(stderr, "caec-bench: --plot: no mailbox points, so no %s (the other patterns have their own files)\n",
			path);
	free(out);
	return rc;
}
