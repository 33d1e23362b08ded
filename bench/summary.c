/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The summary: the plaintext mode's advantage over every other mode, stated
 * the way the paper states its results ("25-209x fewer cycles"), each factor
 * with its 95% interval, printed after the table and stored in the JSON as
 * "summary"; then the controls of the method itself.
 *
 * The baseline is csm when the run has it, else nw (plaintext normal-world
 * shared memory, which the paper finds performs the same as csm), and the
 * output says which. For each metric row below and each other mode in the
 * run (the encrypted modes, nw when csm is the baseline, the peers), the
 * factor at each size is how many times better the baseline is:
 * other / baseline for a lower-is-better metric, baseline / other for a
 * higher-is-better one; > 1 means the baseline is better. It is the paired
 * ratio of the two modes' blocks (group.c, paired.c), with its interval
 * over the epochs;
 * the range is the smallest and largest factor over the sizes both modes
 * have values for.
 *
 * The controls: the A/A lane (--aa, a second channel of the first mode)
 * against its original must come out at 1 within a resolved interval at
 * every point, the measure of the method's own error; the positive control,
 * the baseline against nw-openssl in the mailbox p50 at the run's largest
 * size, must be resolved and exclude 1.
 *
 * JSON: "summary": {"baseline", "baseline_label", "csm_in_run", "note",
 * "comparisons": [{"baseline", "other", "pattern", "metric" (a results[]
 * field), "better" ("lower"/"higher"), "claim", "per_size": [{"size",
 * "factor", "ci_low", "ci_high", "resolved", "blocks", "epochs"}], "factor_min",
 * "factor_min_size", "factor_max", "factor_max_size", "paper_min",
 * "paper_max" (the paper's csm range for that library and metric, mailbox
 * rows only, else null), "text"}],
 * "ratios": [{"subject", "baseline", "pattern", "metric", "size", "ratio"
 * (subject / baseline of the metric, paired), "ci_low", "ci_high",
 * "resolved", "blocks" (paired rounds), "epochs", "role" ("comparison": the baseline mode of the
 * comparisons against another; "aa": the A/A lane against its original;
 * "positive_control")}],
 * "aa": {"subject", "baseline", "ratios", "resolved", "contain_1"} or
 * null, "positive_control": {"subject", "baseline", "pattern", "metric",
 * "size", "ratio", "ci_low", "ci_high", "resolved", "excludes_1"} or null,
 * "unresolved" (how many comparison and A/A ratios are not resolved) and
 * "budget_out": [{"pattern", "size"}] (the points that ran out)}.
 * Note the two meanings of "baseline": the comparisons' is the plaintext
 * mode, a ratio's is its denominator.
 */
#include <math.h>
#include <stdlib.h>

#include "bench.h"

#define SUM_LAT BENCH_M_LAT
#define SUM_TPUT BENCH_M_TPUT
#define SUM_CYC BENCH_M_CYC
#define SUM_NCLAIMS BENCH_NMETRICS

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
	enum bench_metric claim;
} metrics[] = {
	{ BENCH_MAILBOX, SUM_LAT },
	{ BENCH_MAILBOX, SUM_TPUT },
	{ BENCH_MAILBOX, SUM_CYC },
	{ BENCH_PINGPONG, SUM_LAT },
	{ BENCH_STREAM, SUM_TPUT },
	{ BENCH_STREAM, SUM_CYC },
	{ BENCH_STREAM_ZC, SUM_TPUT },
};

/*
 * bench_summary_metric - is @m of pattern @p a row of the summary? Those
 * are the ratios a group holds out for (group.c).
 */
bool
bench_summary_metric(enum bench_pattern p, enum bench_metric m)
{
	size_t i;

	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (metrics[i].pattern == p && metrics[i].claim == m)
			return true;
	return false;
}

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
	struct bench_ratio ci[BENCH_MAX_SIZES];	/* the factor's */
	struct bench_ratio ratio[BENCH_MAX_SIZES]; /* base / other, raw */
	unsigned int lo, hi;			/* indices of the extremes */
};

#define MAX_ROWS (sizeof(metrics) / sizeof(metrics[0]) * BENCH_MAX_MODES)

static const struct bench_mode *
mode_in_run(const struct bench_point *pts, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!pts[i].mode->aa_of && !strcmp(pts[i].mode->name, name))
			return pts[i].mode;
	return NULL;
}

static bool
usable(double v)
{
	return !isnan(v) && !isinf(v) && v > 0;
}

/*
 * Fill @r for @other against @base on @m from the other mode's paired ratio
 * to the baseline; RETURN VALUE: any size found.
 */
static bool
compare(const struct bench_point *pts, size_t n, struct sum_row *r)
{
	bool hb = claims[r->m->claim].higher_better;
	const struct bench_point *o;
	const struct bench_ratio *q;
	size_t i;

	r->n = r->lo = r->hi = 0;
	for (i = 0; i < n && r->n < BENCH_MAX_SIZES; i++) {
		o = &pts[i];
		if (o->mode != r->other || o->pattern != r->m->pattern ||
		    !bench_point_applies(o->mode, o->pattern) ||
		    !o->vs || o->vs->mode != r->base)
			continue;
		q = &o->vs_ci[r->m->claim];
		if (!usable(q->ratio))
			continue;
		/* q = other / base: the factor is q, or 1 / q when higher wins. */
		if (hb)
			bench_ratio_invert(q, &r->ci[r->n]);
		else
			r->ci[r->n] = *q;
		bench_ratio_invert(q, &r->ratio[r->n]);
		r->factor[r->n] = r->ci[r->n].ratio;
		if (r->n && r->factor[r->n] < r->factor[r->lo])
			r->lo = r->n;
		if (r->n && r->factor[r->n] > r->factor[r->hi])
			r->hi = r->n;
		r->size[r->n++] = o->size;
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
		if (o != base && !o->aa_of && j == no && no < BENCH_MAX_MODES)
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

/* The A/A point of @p's pattern and size, i.e. one whose vs is its original. */
static bool
is_aa(const struct bench_point *p)
{
	return p->mode->aa_of && p->vs && p->vs->mode == p->mode->aa_of;
}

static bool
contains_1(const struct bench_ratio *r)
{
	return r->lo <= 1 && r->hi >= 1;
}

/*
 * The positive control: the baseline against nw-openssl, mailbox p50, at
 * the largest size the run has both at. RETURN VALUE: the nw-openssl point
 * (its vs_ci against the baseline), or NULL.
 */
static const struct bench_point *
positive_point(const struct bench_point *pts, size_t n,
	       const struct bench_mode *base)
{
	const struct bench_point *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(pts[i].mode->name, "nw-openssl") &&
		    pts[i].pattern == BENCH_MAILBOX && pts[i].vs &&
		    pts[i].vs->mode == base &&
		    usable(pts[i].vs_ci[SUM_LAT].ratio) &&
		    (!best || pts[i].size > best->size))
			best = &pts[i];
	return best;
}

/* " 64:1.00 [0.98-1.02]", "?" after one that is not resolved. */
static size_t
fmt_ci(char *buf, size_t cap, uint32_t size, const struct bench_ratio *r)
{
	char sz[16], a[16], lo[16], hi[16];

	fmt_size(sz, sizeof(sz), size);
	fmt_factor(a, sizeof(a), r->ratio);
	fmt_factor(lo, sizeof(lo), r->lo);
	fmt_factor(hi, sizeof(hi), r->hi);
	return (size_t)snprintf(buf, cap, " %s:%s [%s-%s]%s", sz, a, lo, hi,
				r->resolved ? "" : "?");
}

/* Points whose budget ran out, once per group. */
static void
print_budget_out(FILE *f, const struct bench_point *pts, size_t n)
{
	unsigned int k = 0;
	char sz[16];
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!pts[i].budget_out)
			continue;
		for (j = 0; j < i; j++)
			if (pts[j].budget_out && pts[j].pattern == pts[i].pattern &&
			    pts[j].size == pts[i].size)
				break;
		if (j < i)
			continue;
		fmt_size(sz, sizeof(sz), pts[i].size);
		fprintf(f, "%s%s %s", k++ ? ", " : "\nRan out of budget (not every headline ratio resolved): ",
			bench_pattern_name(pts[i].pattern), sz);
	}
	if (k)
		fputc('\n', f);
}

/* The A/A control and the positive control after the summary's rows. */
static void
print_controls(FILE *f, const struct bench_point *pts, size_t n,
	       const struct bench_mode *base)
{
	const struct bench_point *pc = positive_point(pts, n, base);
	unsigned int ok = 0, all = 0;
	char line[2048];
	size_t i, len;
	int k;

	for (i = 0; i < n; i++) {
		if (!is_aa(&pts[i]))
			continue;
		if (!all)
			fprintf(f, "\nA/A control, %s / %s (the same channel twice: the method's own error; must contain 1, resolved):\n",
				pts[i].mode->name, pts[i].vs->mode->name);
		all++;
		len = 0;
		line[0] = '\0';
		for (k = 0; k < BENCH_NMETRICS; k++) {
			const struct bench_ratio *r = &pts[i].vs_ci[k];

			if (!usable(r->ratio) ||
			    !bench_summary_metric(pts[i].pattern,
						  (enum bench_metric)k))
				continue;
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						"  %s", claims[k].key);
			len += fmt_ci(line + len, sizeof(line) - len,
				      pts[i].size, r);
			if (len >= sizeof(line) - 64)
				break;
		}
		{
			const struct bench_ratio *r =
				&pts[i].vs_ci[bench_main_metric_of(pts[i].pattern)];
			bool good = r->resolved && contains_1(r);

			ok += good;
			fprintf(f, "  %-8s%s%s\n", bench_pattern_name(pts[i].pattern),
				line, good ? "" : r->resolved ?
				"  <- EXCLUDES 1" : "  <- NOT RESOLVED");
		}
	}
	if (all)
		fprintf(f, "  %u of %u points hold (main metric)\n", ok, all);
	if (pc) {
		struct bench_ratio r;
		char sz[16];

		/* csm / nw-openssl: the inverse of the point's ratio to it. */
		bench_ratio_invert(&pc->vs_ci[SUM_LAT], &r);
		fmt_size(sz, sizeof(sz), pc->size);
		fprintf(f, "Positive control, %s / nw-openssl, mailbox p50 at %s: %.3f [%.3f-%.3f]: %s\n",
			base->name, sz, r.ratio, r.lo, r.hi,
			!r.resolved ? "NOT RESOLVED" :
			contains_1(&r) ? "DOES NOT EXCLUDE 1" : "excludes 1, as it must");
	}
	print_budget_out(f, pts, n);
}

/* bench_summary_print - the summary after the table. */
void
bench_summary_print(FILE *f, const struct bench_point *pts, size_t n)
{
	struct sum_row *rows = calloc(MAX_ROWS, sizeof(*rows));
	char text[160], line[2048];
	size_t nr, i, len;
	unsigned int k;

	if (!rows)
		bench_die("out of memory");
	nr = collect(pts, n, rows);
	if (!nr) {
		free(rows);
		print_budget_out(f, pts, n);
		return;
	}
	fprintf(f, "\nSummary: how many times better the plaintext baseline is, over the sizes (per size below,\n"
		"with the 95%% interval; ? = not resolved, wider than +-%.0f%%) (%s).\n",
		BENCH_RESOLVE_PCT, baseline_note(rows[0].base));
	for (i = 0; i < nr; i++) {
		const struct sum_row *r = &rows[i];

		row_text(r, text, sizeof(text));
		fprintf(f, "  %-9s %s", bench_pattern_name(r->m->pattern), text);
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
		for (k = 0; k < r->n && len < sizeof(line) - 64; k++)
			len += fmt_ci(line + len, sizeof(line) - len,
				      r->size[k], &r->ci[k]);
		fprintf(f, "  %-9s   size:x%s\n", "", line);
	}
	print_controls(f, pts, n, rows[0].base);
	fflush(f);
	free(rows);
}

/* One ratios[] entry. */
static void
json_ratio(FILE *f, bool *first, const char *subject, const char *baseline,
	   enum bench_pattern pattern, enum bench_metric m, uint32_t size,
	   const struct bench_ratio *r, const char *role)
{
	fputs(*first ? "\n    {" : ",\n    {", f);
	*first = false;
	bench_json_str(f, "subject", subject, true);
	bench_json_str(f, "baseline", baseline, true);
	bench_json_str(f, "pattern", bench_pattern_name(pattern), true);
	bench_json_str(f, "metric", claims[m].key, true);
	fprintf(f, "\"size\": %u, ", size);
	bench_json_num(f, "ratio", r->ratio, true);
	bench_json_num(f, "ci_low", r->lo, true);
	bench_json_num(f, "ci_high", r->hi, true);
	fprintf(f, "\"resolved\": %s, \"blocks\": %u, \"epochs\": %u, ",
		r->resolved ? "true" : "false", r->blocks, r->epochs);
	bench_json_str(f, "role", role, false);
	fputc('}', f);
}

/* "ratios", "aa", "positive_control", "unresolved", "budget_out". */
static void
json_controls(FILE *f, const struct bench_point *pts, size_t n,
	      const struct sum_row *rows, size_t nr,
	      const struct bench_mode *base)
{
	const struct bench_point *pc = base ? positive_point(pts, n, base) :
					      NULL;
	const struct bench_point *aa = NULL;
	unsigned int unresolved = 0, naa = 0, aa_res = 0, aa_one = 0, k;
	bool first = true;
	struct bench_ratio r;
	size_t i, j;
	int m;

	fputs("\"ratios\": [", f);
	for (i = 0; i < nr; i++)
		for (k = 0; k < rows[i].n; k++) {
			json_ratio(f, &first, rows[i].base->name,
				   rows[i].other->name, rows[i].m->pattern,
				   rows[i].m->claim, rows[i].size[k],
				   &rows[i].ratio[k], "comparison");
			unresolved += !rows[i].ratio[k].resolved;
		}
	for (i = 0; i < n; i++) {
		if (!is_aa(&pts[i]))
			continue;
		aa = &pts[i];
		for (m = 0; m < BENCH_NMETRICS; m++) {
			const struct bench_ratio *q = &pts[i].vs_ci[m];

			if (!usable(q->ratio) ||
			    !bench_summary_metric(pts[i].pattern,
						  (enum bench_metric)m))
				continue;
			json_ratio(f, &first, pts[i].mode->name,
				   pts[i].vs->mode->name, pts[i].pattern,
				   (enum bench_metric)m, pts[i].size, q, "aa");
			naa++;
			aa_res += q->resolved;
			aa_one += q->resolved && contains_1(q);
			unresolved += !q->resolved;
		}
	}
	if (pc) {
		bench_ratio_invert(&pc->vs_ci[SUM_LAT], &r);
		json_ratio(f, &first, base->name, "nw-openssl", BENCH_MAILBOX,
			   SUM_LAT, pc->size, &r, "positive_control");
	}
	fputs(first ? "], " : "\n  ], ", f);
	fputs("\"aa\": ", f);
	if (aa) {
		fputc('{', f);
		bench_json_str(f, "subject", aa->mode->name, true);
		bench_json_str(f, "baseline", aa->vs->mode->name, true);
		fprintf(f, "\"ratios\": %u, \"resolved\": %u, \"contain_1\": %u}, ",
			naa, aa_res, aa_one);
	} else {
		fputs("null, ", f);
	}
	fputs("\"positive_control\": ", f);
	if (pc) {
		fputc('{', f);
		bench_json_str(f, "subject", base->name, true);
		bench_json_str(f, "baseline", "nw-openssl", true);
		bench_json_str(f, "pattern", "mailbox", true);
		bench_json_str(f, "metric", claims[SUM_LAT].key, true);
		fprintf(f, "\"size\": %u, ", pc->size);
		bench_json_num(f, "ratio", r.ratio, true);
		bench_json_num(f, "ci_low", r.lo, true);
		bench_json_num(f, "ci_high", r.hi, true);
		fprintf(f, "\"resolved\": %s, \"excludes_1\": %s}, ",
			r.resolved ? "true" : "false",
			contains_1(&r) ? "false" : "true");
	} else {
		fputs("null, ", f);
	}
	fprintf(f, "\"unresolved\": %u, \"budget_out\": [", unresolved);
	first = true;
	for (i = 0; i < n; i++) {
		if (!pts[i].budget_out)
			continue;
		for (j = 0; j < i; j++)
			if (pts[j].budget_out && pts[j].pattern == pts[i].pattern &&
			    pts[j].size == pts[i].size)
				break;
		if (j < i)
			continue;
		fprintf(f, "%s{\"pattern\": \"%s\", \"size\": %u}",
			first ? "" : ", ", bench_pattern_name(pts[i].pattern),
			pts[i].size);
		first = false;
	}
	fputc(']', f);
}

/* bench_summary_json - the "summary" member (see the top of this file). */
void
bench_summary_json(FILE *f, const struct bench_point *pts, size_t n)
{
	struct sum_row *rows = calloc(MAX_ROWS, sizeof(*rows));
	const struct bench_mode *base;
	char text[160];
	size_t nr, i;
	unsigned int k;

	if (!rows)
		bench_die("out of memory");
	nr = collect(pts, n, rows);
	fputs("  \"summary\": {", f);
	if (!nr) {
		base = mode_in_run(pts, n, "csm");
		if (!base)
			base = mode_in_run(pts, n, "nw");
		fputs("\"baseline\": null, \"comparisons\": [], ", f);
		json_controls(f, pts, n, rows, 0, base);
		fputs("}\n", f);
		free(rows);
		return;
	}
	base = rows[0].base;
	bench_json_str(f, "baseline", base->name, true);
	bench_json_str(f, "baseline_label", base_label(base), true);
	fprintf(f, "\"csm_in_run\": %s, ",
		strcmp(base->name, "csm") ? "false" : "true");
	bench_json_str(f, "note", baseline_note(base), true);
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
			bench_json_num(f, "factor", r->factor[k], true);
			bench_json_num(f, "ci_low", r->ci[k].lo, true);
			bench_json_num(f, "ci_high", r->ci[k].hi, true);
			fprintf(f, "\"resolved\": %s, \"blocks\": %u, \"epochs\": %u}",
				r->ci[k].resolved ? "true" : "false",
				r->ci[k].blocks, r->ci[k].epochs);
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
	fputs("  ], ", f);
	json_controls(f, pts, n, rows, nr, base);
	fputs("}\n", f);
	free(rows);
}
