/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The summary: the plaintext mode's advantage over every other mode, stated
 * the way the paper states its results ("25-209x fewer cycles"), printed
 * after the table and stored in the JSON as "summary".
 *
 * The baseline is csm when the run has it, else nw (plaintext normal-world
 * shared memory, which the paper finds performs the same as csm), and the
 * output says which. For each metric row below and each other mode in the
 * run (the encrypted modes, nw when csm is the baseline, the peers), the
 * factor at each size is how many times better the baseline is:
 * other / baseline for a lower-is-better metric, baseline / other for a
 * higher-is-better one; > 1 means the baseline is better. The range is the
 * smallest and largest factor over the sizes both modes have values for.
 *
 * JSON: "summary": {"baseline", "baseline_label", "csm_in_run", "note",
 * "comparisons": [{"baseline", "other", "pattern", "metric" (a results[]
 * field), "better" ("lower"/"higher"), "claim", "per_size": [{"size",
 * "factor"}], "factor_min", "factor_min_size", "factor_max",
 * "factor_max_size", "paper_min", "paper_max" (the paper's csm range for
 * that library and metric, mailbox rows only, else null), "text"}]}.
 */
#include <math.h>
#include <stdlib.h>

#include "bench.h"

enum sum_claim {
	SUM_LAT,
	SUM_TPUT,
	SUM_CYC,
	SUM_NCLAIMS,
};

static const struct {
	const char *key;	/* the results[] field */
	const char *claim;	/* what a factor > 1 means */
	bool higher_better;
} claims[SUM_NCLAIMS] = {
	[SUM_LAT] = { "latency_ns_p50", "lower latency", false },
	[SUM_TPUT] = { "mbytes_per_s", "higher throughput", true },
	[SUM_CYC] = { "cycles_per_msg", "fewer cycles", false },
};

/* The rows of the summary. Adding a metric adds a row. */
static const struct sum_metric {
	enum bench_pattern pattern;
	enum sum_claim claim;
} metrics[] = {
	{ BENCH_MAILBOX, SUM_LAT },
	{ BENCH_MAILBOX, SUM_TPUT },
	{ BENCH_MAILBOX, SUM_CYC },
	{ BENCH_PINGPONG, SUM_LAT },
	{ BENCH_STREAM, SUM_TPUT },
	{ BENCH_STREAM, SUM_CYC },
};

/* The paper's ranges (Fig. 5, its mailbox), CAEC vs each library. */
static const struct paper_range {
	const char *mode;
	double lo[SUM_NCLAIMS], hi[SUM_NCLAIMS];
	const char *library;
} paper[] = {
	{ "nw-openssl", { [SUM_LAT] = 24, [SUM_TPUT] = 26, [SUM_CYC] = 25 },
	  { [SUM_LAT] = 212, [SUM_TPUT] = 204, [SUM_CYC] = 209 }, "OpenSSL" },
	{ "nw-mbedtls", { [SUM_LAT] = 4.4, [SUM_TPUT] = 4.8, [SUM_CYC] = 4.5 },
	  { [SUM_LAT] = 203, [SUM_TPUT] = 194, [SUM_CYC] = 200 }, "MbedTLS" },
};

/* One line of the summary: baseline vs @other on one metric. */
struct sum_row {
	const struct bench_mode *base;
	const struct bench_mode *other;
	const struct sum_metric *m;
	const struct paper_range *paper;	/* NULL: not the paper's */
	unsigned int n;
	uint32_t size[BENCH_MAX_SIZES];
	double factor[BENCH_MAX_SIZES];
	unsigned int lo, hi;			/* indices of the extremes */
};

#define MAX_ROWS (sizeof(metrics) / sizeof(metrics[0]) * BENCH_MAX_MODES)

static double
value_of(const struct bench_point *p, enum sum_claim c)
{
	switch (c) {
	case SUM_LAT:
		return p->subj.lat_p50_ns;
	case SUM_TPUT:
		return p->subj.mbytes_per_s;
	default:
		return p->subj.cycles_per_msg;
	}
}

/* The measured point of @m at @pat and @size, or NULL. */
static const struct bench_point *
point_of(const struct bench_point *pts, size_t n, const struct bench_mode *m,
	 enum bench_pattern pat, uint32_t size)
{
	size_t i;

	if (!bench_point_applies(m, pat))
		return NULL;
	for (i = 0; i < n; i++)
		if (pts[i].mode == m && pts[i].pattern == pat &&
		    pts[i].size == size)
			return &pts[i];
	return NULL;
}

static const struct bench_mode *
mode_in_run(const struct bench_point *pts, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(pts[i].mode->name, name))
			return pts[i].mode;
	return NULL;
}

static bool
usable(double v)
{
	return !isnan(v) && !isinf(v) && v > 0;
}

/* Fill @r for @other against @base on @m; RETURN VALUE: any size found. */
static bool
compare(const struct bench_point *pts, size_t n, struct sum_row *r)
{
	bool hb = claims[r->m->claim].higher_better;
	const struct bench_point *b, *o;
	double vb, vo, f;
	size_t i;

	r->n = r->lo = r->hi = 0;
	for (i = 0; i < n && r->n < BENCH_MAX_SIZES; i++) {
		b = &pts[i];
		if (b->mode != r->base || b->pattern != r->m->pattern ||
		    !bench_point_applies(b->mode, b->pattern))
			continue;
		o = point_of(pts, n, r->other, b->pattern, b->size);
		if (!o)
			continue;
		vb = value_of(b, r->m->claim);
		vo = value_of(o, r->m->claim);
		if (!usable(vb) || !usable(vo))
			continue;
		f = hb ? vb / vo : vo / vb;
		if (r->n && f < r->factor[r->lo])
			r->lo = r->n;
		if (r->n && f > r->factor[r->hi])
			r->hi = r->n;
		r->size[r->n] = b->size;
		r->factor[r->n++] = f;
	}
	return r->n > 0;
}

/* Every row the run allows; RETURN VALUE: how many, 0 without a baseline. */
static size_t
collect(const struct bench_point *pts, size_t n, struct sum_row *rows)
{
	const struct bench_mode *base = mode_in_run(pts, n, "csm"), *o;
	const struct bench_mode *others[BENCH_MAX_MODES];
	size_t i, j, k, no = 0, nr = 0;

	if (!base)
		base = mode_in_run(pts, n, "nw");
	if (!base)
		return 0;
	for (i = 0; i < n; i++) {
		o = pts[i].mode;
		for (j = 0; j < no && others[j] != o; j++)
			;
		if (o != base && j == no && no < BENCH_MAX_MODES)
			others[no++] = o;
	}
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		for (j = 0; j < no; j++) {
			struct sum_row *r = &rows[nr];

			memset(r, 0, sizeof(*r));
			r->base = base;
			r->other = others[j];
			r->m = &metrics[i];
			for (k = 0; k < sizeof(paper) / sizeof(paper[0]); k++)
				if (metrics[i].pattern == BENCH_MAILBOX &&
				    !strcmp(paper[k].mode, others[j]->name))
					r->paper = &paper[k];
			if (compare(pts, n, r))
				nr++;
		}
	return nr;
}

/* 3 significant digits at most: 1.03, 12.4, 209. */
static void
fmt_factor(char *buf, size_t cap, double f)
{
	snprintf(buf, cap, f < 10 ? "%.2f" : f < 100 ? "%.1f" : "%.0f", f);
}

static void
fmt_size(char *buf, size_t cap, uint32_t s)
{
	if (s >= (1u << 20) && !(s & ((1u << 20) - 1)))
		snprintf(buf, cap, "%uM", s >> 20);
	else if (s >= 1024 && !(s & 1023))
		snprintf(buf, cap, "%uK", s >> 10);
	else
		snprintf(buf, cap, "%u", s);
}

static const char *
base_label(const struct bench_mode *base)
{
	return strcmp(base->name, "nw") ? base->name : "nw (plaintext)";
}

/* "nw (plaintext) vs nw-openssl: 3.1x–12.4x fewer cycles" */
static void
row_text(const struct sum_row *r, char *buf, size_t cap)
{
	char lo[16], hi[16];

	fmt_factor(lo, sizeof(lo), r->factor[r->lo]);
	fmt_factor(hi, sizeof(hi), r->factor[r->hi]);
	if (r->n == 1)
		snprintf(buf, cap, "%s vs %s: %sx %s", base_label(r->base),
			 r->other->name, lo, claims[r->m->claim].claim);
	else
		snprintf(buf, cap, "%s vs %s: %sx–%sx %s", base_label(r->base),
			 r->other->name, lo, hi, claims[r->m->claim].claim);
}

static const char *
baseline_note(const struct bench_mode *base)
{
	if (strcmp(base->name, "nw"))
		return "csm is the baseline; csm vs nw should stay near 1.0x (the paper finds them equal)";
	return "csm is not in this run: nw (plaintext shared memory, no protection) stands in as the plaintext baseline; the paper finds csm and nw equal";
}

/* bench_summary_print - the summary after the table. */
void
bench_summary_print(FILE *f, const struct bench_point *pts, size_t n)
{
	struct sum_row *rows = calloc(MAX_ROWS, sizeof(*rows));
	char text[160], fa[16], sz[16], line[1024];
	size_t nr, i, len;
	unsigned int k;

	if (!rows)
		bench_die("out of memory");
	nr = collect(pts, n, rows);
	if (!nr) {
		free(rows);
		return;
	}
	fprintf(f, "\nSummary: how many times better the plaintext baseline is, over the sizes (per size below)\n"
		"(%s).\n", baseline_note(rows[0].base));
	for (i = 0; i < nr; i++) {
		const struct sum_row *r = &rows[i];

		row_text(r, text, sizeof(text));
		fprintf(f, "  %-8s %s", bench_pattern_name(r->m->pattern), text);
		/* Pad to a column: each en dash is 3 bytes, 1 column. */
		len = strlen(text) - 2 * (strstr(text, "–") != NULL);
		fprintf(f, "%*s", len < 62 ? (int)(62 - len) : 1, "");
		if (r->paper)
			fprintf(f, " paper, csm vs %s: %gx–%gx",
				r->paper->library, r->paper->lo[r->m->claim],
				r->paper->hi[r->m->claim]);
		else if (!strcmp(r->other->name, "nw"))
			fputs(" expected ~1.0x", f);
		fputc('\n', f);
		line[0] = '\0';
		len = 0;
		for (k = 0; k < r->n && len < sizeof(line) - 32; k++) {
			fmt_size(sz, sizeof(sz), r->size[k]);
			fmt_factor(fa, sizeof(fa), r->factor[k]);
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						" %s:%s", sz, fa);
		}
		fprintf(f, "  %-8s   size:x%s\n", "", line);
	}
	fflush(f);
	free(rows);
}

/* bench_summary_json - the "summary" member (see the top of this file). */
void
bench_summary_json(FILE *f, const struct bench_point *pts, size_t n)
{
	struct sum_row *rows = calloc(MAX_ROWS, sizeof(*rows));
	char text[160];
	size_t nr, i;
	unsigned int k;

	if (!rows)
		bench_die("out of memory");
	nr = collect(pts, n, rows);
	fputs("  \"summary\": {", f);
	if (!nr) {
		fputs("\"baseline\": null, \"comparisons\": []}\n", f);
		free(rows);
		return;
	}
	bench_json_str(f, "baseline", rows[0].base->name, true);
	bench_json_str(f, "baseline_label", base_label(rows[0].base), true);
	fprintf(f, "\"csm_in_run\": %s, ",
		strcmp(rows[0].base->name, "csm") ? "false" : "true");
	bench_json_str(f, "note", baseline_note(rows[0].base), true);
	fputs("\"comparisons\": [\n", f);
	for (i = 0; i < nr; i++) {
		const struct sum_row *r = &rows[i];

		fputs("    {", f);
		bench_json_str(f, "baseline", r->base->name, true);
		bench_json_str(f, "other", r->other->name, true);
		bench_json_str(f, "pattern", bench_pattern_name(r->m->pattern),
			       true);
		bench_json_str(f, "metric", claims[r->m->claim].key, true);
		bench_json_str(f, "better", claims[r->m->claim].higher_better ?
					"higher" : "lower", true);
		bench_json_str(f, "claim", claims[r->m->claim].claim, true);
		fputs("\"per_size\": [", f);
		for (k = 0; k < r->n; k++) {
			fprintf(f, "%s{\"size\": %u, ", k ? ", " : "",
				r->size[k]);
			bench_json_num(f, "factor", r->factor[k], false);
			fputc('}', f);
		}
		fputs("], ", f);
		bench_json_num(f, "factor_min", r->factor[r->lo], true);
		fprintf(f, "\"factor_min_size\": %u, ", r->size[r->lo]);
		bench_json_num(f, "factor_max", r->factor[r->hi], true);
		fprintf(f, "\"factor_max_size\": %u, ", r->size[r->hi]);
		bench_json_num(f, "paper_min", r->paper ?
			       r->paper->lo[r->m->claim] : NAN, true);
		bench_json_num(f, "paper_max", r->paper ?
			       r->paper->hi[r->m->claim] : NAN, true);
		row_text(r, text, sizeof(text));
		bench_json_str(f, "text", text, false);
		fprintf(f, "}%s\n", i + 1 == nr ? "" : ",");
	}
	fputs("  ]}\n", f);
	free(rows);
}
