/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output: the table on stdout, the JSON document (schema 1) and the CSV.
 *
 * JSON field names are a public contract: later versions add fields and
 * never rename these.
 *
 * Added since the first version, still schema 1:
 * - results[]: "kind" ("caec" or "peer": the peers of alt_ipc.c are rows
 *   with their own mode, "peer-uds", "peer-pipe", "peer-ckring"); the
 *   extremes across the --repeat runs of every metric, whose median is the
 *   plain field: "msgs_per_s_min"/"_max", "mbytes_per_s_min"/"_max",
 *   "latency_ns_p50_min"/"_max", "latency_ns_p99_min"/"_max",
 *   "cpu_ns_per_msg_min"/"_max", "cycles_per_msg_min"/"_max"; and
 *   "spread_pct" = (max - min) / 2 / median of "spread_metric" (stream:
 *   "mbytes_per_s", else "latency_ns_p50"), the table's ±%.
 * - reference[]: the same _min/_max beside "mbytes_per_s" (stream) and
 *   "rtt_ns" (pingpong); "paired_with" on the stream rows too ("stream"
 *   or "stream-zc": both patterns are paired with the memcpy stream).
 * - the pattern "stream-zc" (zero-copy stream): results[] rows like the
 *   stream's; none for the peers, which have no zero-copy API
 *   (bench_point_applies(): such points are in no output).
 * - "peers": {"enabled", "measured": [modes], "skipped": [{"mode",
 *   "reason"}]}.
 * - "summary": the plaintext advantage factors (summary.c).
 * - the blocks (group.c): "config" adds "budget_s", "block_us", "aa",
 *   "quick", "seed", "resolve_pct"; results[] rows add "rounds" (= repeats:
 *   the blocks of the mode), "epochs" (the sets of channels they ran on,
 *   paired.c), "blocks_used" (those in the dominant
 *   placement), "block_messages", "elapsed_s" (the group's rounds),
 *   "budget_out" (the budget ran out before the headline ratios were
 *   resolved), "ref_ratio_ci_low"/"_high", "ref_ratio_resolved",
 *   "placement_ns" (the dominant placement's median bare round trip),
 *   "placement_split", "placements" [{"rtt_ns_min", "rtt_ns_max",
 *   "rtt_ns", "blocks"}] (dominant first) and "aa_of" (the A/A lane's
 *   original, else null); "kind" is "aa" for the A/A lane. Since then
 *   "messages" counts the timed messages of all blocks, "repeats" the
 *   rounds, "ref_ratio" is the paired ratio (paired.c), and each metric's
 *   "_min"/"_max" are its 5th and 95th percentile over the blocks used.
 * The CSV appends the same _min/_max columns, spread_pct and kind, then
 * ref_ratio_ci_low, ref_ratio_ci_high, rounds, blocks_used,
 * placement_split.
 */
#include <caec/caec.h>
#include <math.h>

#include "bench.h"

static const char *const pattern_names[BENCH_NPATTERNS] = {
	[BENCH_STREAM] = "stream",
	[BENCH_PINGPONG] = "pingpong",
	[BENCH_MAILBOX] = "mailbox",
	[BENCH_STREAM_ZC] = "stream-zc",
};

static const char *const cycles_names[] = {
	[BENCH_CYC_NONE] = "none",
	[BENCH_CYC_ESTIMATE] = "estimate",
	[BENCH_CYC_PERF] = "perf",
};

const char *
bench_pattern_name(enum bench_pattern p)
{
	return p < BENCH_NPATTERNS ? pattern_names[p] : "?";
}

/* RETURN VALUE: the pattern called @name, or -1. */
int
bench_pattern_find(const char *name)
{
	int p;

	for (p = 0; p < BENCH_NPATTERNS; p++)
		if (!strcmp(pattern_names[p], name))
			return p;
	return -1;
}

static bool
is_stream(const struct bench_point *p)
{
	return bench_pattern_is_stream(p->pattern);
}

/* "caec", "peer" or "aa": the results[] rows' kind. */
const char *
bench_mode_kind(const struct bench_mode *m)
{
	return m->aa_of ? "aa" : bench_mode_is_alt(m) ? "peer" : "caec";
}

/* The metric a point is judged by, whose spread the table shows. */
const char *
bench_main_metric(const struct bench_point *p)
{
	return is_stream(p) ? "mbytes_per_s" : "latency_ns_p50";
}

/* --- table --- */

void
bench_table_header(FILE *f, const struct bench_cfg *cfg,
		   const struct bench_machine *m)
{
	fprintf(f, "caec-bench %d, libcaec %s: %s, %ld CPUs, %s %s, cores %d,%d%s\n",
		BENCH_SCHEMA, caec_version(), m->cpu_model, m->nproc, m->arch,
		m->kernel, m->cores[0], m->cores[1],
		m->pinned ? "" : " (NOT pinned)");
	fprintf(f, "ticks %s %.1f MHz (step %.1f ns), clocksource %s, cycles %s, wait spin, wake %s, stream batch %u\n",
		bench_ticks_name(), bench_ticks_hz() / 1e6,
		(double)bench_ticks_step() * 1e9 / bench_ticks_hz(),
		m->clocksource,
		cycles_names[bench_cycles_source()],
		cfg->wake_futex ? "futex" : "none", cfg->batch);
	fprintf(f, "blocks of %u us, one per lane a round in random order (seed %llu), rounds in epochs of fresh channels;\n"
		"at least %u rounds and 4 epochs, then up to %.0f s a point until resolved (95%% interval within +-%.0f%%)\n\n",
		cfg->block_us, (unsigned long long)cfg->seed, cfg->repeat,
		cfg->budget_s, BENCH_RESOLVE_PCT);
	/* "±" is two bytes and one column: pad it one byte wider. */
	fprintf(f, "%-11s %-9s %6s %9s %11s %9s %9s %9s %7s %8s %8s %6s  %-20s %6s %-13s\n",
		"mode", "pattern", "size", "messages", "msgs/s", "MB/s",
		"p50 ns", "p99 ns", "±%", "cpu ns", "cycles", "rounds",
		"reference", "ratio", "95% CI");
	fflush(f);
}

/* One point's line; nothing for a point that does not apply. */
void
bench_table_row(FILE *f, const struct bench_point *p)
{
	char ref[32];

	if (!bench_point_applies(p->mode, p->pattern))
		return;
	if (is_stream(p))
		snprintf(ref, sizeof(ref), "%.1f MB/s memcpy",
			 p->ref.mbytes_per_s);
	else
		snprintf(ref, sizeof(ref), "%.0f ns bare RTT",
			 p->ref.lat_p50_ns);
	char spread[16];

	if (isnan(p->spread_pct))
		snprintf(spread, sizeof(spread), "-");
	else
		snprintf(spread, sizeof(spread), "%.1f", p->spread_pct);
	char ci[32];

	snprintf(ci, sizeof(ci), "%.2f–%.2f%s", p->ref_ci.lo, p->ref_ci.hi,
		 p->ref_ci.resolved ? "" : " ?");
	/* The en dash is 3 bytes, 1 column. */
	fprintf(f, "%-11s %-9s %6u %9llu %11.0f %9.1f %9.0f %9.0f %6s %9.1f %8.1f %6u  %-20s %6.2f %-15s%s%s\n",
		p->mode->name, bench_pattern_name(p->pattern), p->size,
		(unsigned long long)p->messages, p->subj.msgs_per_s,
		p->subj.mbytes_per_s, p->subj.lat_p50_ns, p->subj.lat_p99_ns,
		spread, p->subj.cpu_ns_per_msg, p->subj.cycles_per_msg,
		p->repeats, ref, p->ref_ratio, ci,
		p->busy_pct > BENCH_NOISY_PCT ? " !" : "",
		p->budget_out ? " budget" : "");
	fflush(f);
}

/*
 * After a group's rows: its placements when the blocks split between
 * several, the A/A lane's ratio, and a note when the budget ran out.
 */
void
bench_table_group_notes(FILE *f, struct bench_point *const *grp,
			unsigned int n)
{
	const struct bench_point *p = n ? grp[0] : NULL;
	unsigned int i;

	if (!p)
		return;
	if (p->place.split) {
		fprintf(f, "    placements: ");
		for (i = 0; i < p->place.n; i++)
			fprintf(f, "%s%.0f-%.0f ns bare RTT (%u blocks)",
				i ? ", " : "", p->place.lo_ns[i],
				p->place.hi_ns[i], p->place.blocks[i]);
		fprintf(f, " of %u: compared within the first\n",
			p->place.total);
	}
	for (i = 0; i < n; i++) {
		const struct bench_ratio *r =
			&grp[i]->vs_ci[bench_main_metric_of(p->pattern)];

		if (!grp[i]->mode->aa_of || !grp[i]->vs)
			continue;
		fprintf(f, "    A/A %s / %s: %.3f [%.3f-%.3f] over %u rounds in %u epochs%s\n",
			grp[i]->mode->name, grp[i]->vs->mode->name, r->ratio,
			r->lo, r->hi, r->blocks, r->epochs,
			!r->resolved ? ": NOT RESOLVED" :
			r->lo <= 1 && r->hi >= 1 ? "" : ": EXCLUDES 1");
	}
	if (p->budget_out)
		fprintf(f, "    the %.0f s budget ran out before every headline ratio was resolved\n",
			p->elapsed_s);
	fflush(f);
}

/*
 * One line per pattern of the run that some of its modes lack (the peers
 * and stream-zc), naming them: their points are in no output.
 */
void
bench_table_skips(FILE *f, const struct bench_cfg *cfg)
{
	unsigned int i, j, k;

	for (j = 0; j < cfg->npatterns; j++) {
		enum bench_pattern p = cfg->patterns[j];

		for (i = 0, k = 0; i < cfg->nmodes; i++) {
			if (bench_point_applies(cfg->modes[i], p))
				continue;
			fprintf(f, "%s%s", k++ ? ", " : "\n", cfg->modes[i]->name);
		}
		if (k)
			fprintf(f, ": %s not measured (%s)\n",
				bench_pattern_name(p), bench_alt_lacks(p));
	}
	fflush(f);
}

/* The crypto-only references next to the encrypted streams they bound. */
void
bench_crypto_table(FILE *f, const struct bench_point *pts, size_t n,
		   bool only)
{
	bool header = false;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct bench_point *p = &pts[i];

		if (!bench_point_applies(p->mode, p->pattern) ||
		    isnan(p->seal_mbps))
			continue;
		if (!header) {
			fprintf(f, "\ncrypto-only references (one core, no ring: seal-only and open-only of the same library%s)\n",
				only ? "" : "; ratio = stream MB/s / the slower of the two");
			fprintf(f, "%-10s %6s %12s %12s", "mode", "size",
				"seal MB/s", "open MB/s");
			if (!only)
				fprintf(f, " %12s %6s", "stream MB/s", "ratio");
			fputc('\n', f);
			header = true;
		}
		fprintf(f, "%-10s %6u %12.1f %12.1f", p->mode->name, p->size,
			p->seal_mbps, p->open_mbps);
		if (!only)
			fprintf(f, " %12.1f %6.2f", p->subj.mbytes_per_s,
				p->crypto_ratio);
		fputc('\n', f);
	}
	fflush(f);
}

void
bench_table_footer(FILE *f, const struct bench_cfg *cfg,
		   const struct bench_load *l)
{
	fprintf(f, "\nlatency: stream, stream-zc = send-to-receive of stamped messages; pingpong, mailbox = round trip seen by the sender.\n"
		"stream-zc = stream with the zero-copy calls: the sender stamps each message in the reserved slot, the receiver checks it in place.\n"
		"cpu ns = CPU time of both processes per message; cycles = the sender's, per message.\n"
		"ratio: stream, stream-zc = MB/s / memcpy-stream MB/s (higher is better); pingpong, mailbox = p50 / bare cache-line RTT (lower is better);\n"
		"  paired by round; 95%% CI = the t interval over the epochs' medians, ? = wider than +-%.0f%% (not resolved).\n"
		"Every value is the median over the blocks (%u us each, one per lane a round) in the dominant placement.\n"
		"±%% = half the 5th..95th percentile range over the blocks, in %% of the median, of MB/s (streams) or p50 (pingpong, mailbox).\n"
		"budget = the point's %.0f s ran out before its headline ratios were resolved.\n"
		"! = other processes or the hypervisor took more than %.0f%% of the CPUs during that point.\n",
		BENCH_RESOLVE_PCT, cfg->block_us, cfg->budget_s,
		BENCH_NOISY_PCT);
	if (l->valid)
		fprintf(f, "During the sweep other processes used %.1f%% and the hypervisor stole %.1f%% of the CPUs%s\n",
			l->other_pct, l->steal_pct,
			l->other_pct + l->steal_pct > BENCH_NOISY_PCT ?
				": THE NUMBERS ARE DISTURBED, rerun on a quiet machine." :
				".");
	fflush(f);
}

/* --- JSON --- */

#define jnum bench_json_num
#define jstr bench_json_str

/* "KEY_min": lo, "KEY_max": hi, */
static void
jrange(FILE *f, const char *key, double lo, double hi)
{
	char k[64];

	snprintf(k, sizeof(k), "%s_min", key);
	jnum(f, k, lo, true);
	snprintf(k, sizeof(k), "%s_max", key);
	jnum(f, k, hi, true);
}

void
bench_json_num(FILE *f, const char *key, double v, bool comma)
{
	if (isnan(v) || isinf(v))
		fprintf(f, "\"%s\": null", key);
	else
		fprintf(f, "\"%s\": %.3f", key, v);
	if (comma)
		fputs(", ", f);
}

void
bench_json_str(FILE *f, const char *key, const char *s, bool comma)
{
	fprintf(f, "\"%s\": \"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputs(comma ? "\", " : "\"", f);
}

/* "  \"machine\": {...},\n": also the share subcommand's (share.c). */
void
bench_json_machine(FILE *f, const struct bench_machine *m)
{
	fputs("  \"machine\": {", f);
	jstr(f, "cpu_model", m->cpu_model, true);
	fprintf(f, "\"nproc\": %ld, ", m->nproc);
	jstr(f, "kernel", m->kernel, true);
	jstr(f, "arch", m->arch, true);
	fprintf(f, "\"cores\": [%d, %d], \"pinned\": %s, ", m->cores[0],
		m->cores[1], m->pinned ? "true" : "false");
	jstr(f, "clocksource", m->clocksource, true);
	jstr(f, "ticks", bench_ticks_name(), true);
	jnum(f, "ticks_hz", bench_ticks_hz(), true);
	jnum(f, "ticks_resolution_ns", bench_ticks_resolution_ns(), true);
	jnum(f, "ticks_step_ns",
	     (double)bench_ticks_step() * 1e9 / bench_ticks_hz(), true);
	jstr(f, "cycles_source", cycles_names[bench_cycles_source()], true);
	jstr(f, "caec_version", caec_version(), true);
	jstr(f, "started", m->started, false);
	fputs("},\n", f);
}

static void
json_config(FILE *f, const struct bench_cfg *cfg)
{
	unsigned int i;

	fputs("  \"config\": {\"modes\": [", f);
	for (i = 0; i < cfg->nmodes; i++)
		if (!cfg->modes[i]->aa_of)
			fprintf(f, "%s\"%s\"", i ? ", " : "",
				cfg->modes[i]->name);
	fputs("], \"patterns\": [", f);
	for (i = 0; i < cfg->npatterns; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "",
			bench_pattern_name(cfg->patterns[i]));
	fputs("], \"sizes\": [", f);
	for (i = 0; i < cfg->nsizes; i++)
		fprintf(f, "%s%u", i ? ", " : "", cfg->sizes[i]);
	fprintf(f, "], \"repeat\": %u, \"batch\": %u, \"wait\": \"spin\", \"wake\": \"%s\", ",
		cfg->repeat, cfg->batch, cfg->wake_futex ? "futex" : "none");
	jnum(f, "budget_s", cfg->budget_s, true);
	fprintf(f, "\"block_us\": %u, \"quick\": %s, \"seed\": %llu, ",
		cfg->block_us, cfg->quick ? "true" : "false",
		(unsigned long long)cfg->seed);
	jnum(f, "resolve_pct", BENCH_RESOLVE_PCT, true);
	fputs("\"aa\": ", f);
	for (i = 0; i < cfg->nmodes && !cfg->modes[i]->aa_of; i++)
		;
	if (i < cfg->nmodes)
		fprintf(f, "\"%s\"", cfg->modes[i]->name);
	else
		fputs("null", f);
	fputs("},\n", f);
}

/* Before each element of a JSON array: the comma after the previous one. */
static void
jnext(FILE *f, bool *first)
{
	fputs(*first ? "    " : ",\n    ", f);
	*first = false;
}

/* The block fields of a results[] row (see the top of this file). */
static void
json_blocks(FILE *f, const struct bench_point *p)
{
	unsigned int i;

	fprintf(f, "\"rounds\": %u, \"epochs\": %u, \"blocks_used\": %u, \"block_messages\": %llu, ",
		p->repeats, p->epochs, p->used,
		(unsigned long long)p->block_msgs);
	jnum(f, "elapsed_s", p->elapsed_s, true);
	fprintf(f, "\"budget_out\": %s, ", p->budget_out ? "true" : "false");
	jnum(f, "placement_ns", p->place.n ? p->place.mid_ns[0] : NAN, true);
	fprintf(f, "\"placement_split\": %s, \"placements\": [",
		p->place.split ? "true" : "false");
	for (i = 0; i < p->place.n; i++) {
		fputs(i ? ", {" : "{", f);
		jnum(f, "rtt_ns_min", p->place.lo_ns[i], true);
		jnum(f, "rtt_ns_max", p->place.hi_ns[i], true);
		jnum(f, "rtt_ns", p->place.mid_ns[i], true);
		fprintf(f, "\"blocks\": %u}", p->place.blocks[i]);
	}
	fputs("], \"aa_of\": ", f);
	if (p->mode->aa_of)
		fprintf(f, "\"%s\"", p->mode->aa_of->name);
	else
		fputs("null", f);
}

static void
json_result(FILE *f, const struct bench_point *p)
{
	const struct bench_result *r = &p->subj;

	fputc('{', f);
	jstr(f, "mode", p->mode->name, true);
	jstr(f, "pattern", bench_pattern_name(p->pattern), true);
	fprintf(f, "\"size\": %u, \"messages\": %llu, ", p->size,
		(unsigned long long)p->messages);
	jnum(f, "msgs_per_s", r->msgs_per_s, true);
	jnum(f, "mbytes_per_s", r->mbytes_per_s, true);
	jnum(f, "latency_ns_p50", r->lat_p50_ns, true);
	jnum(f, "latency_ns_p99", r->lat_p99_ns, true);
	jnum(f, "cpu_ns_per_msg", r->cpu_ns_per_msg, true);
	jnum(f, "cycles_per_msg", r->cycles_per_msg, true);
	jrange(f, "msgs_per_s", p->subj_min.msgs_per_s, p->subj_max.msgs_per_s);
	jrange(f, "mbytes_per_s", p->subj_min.mbytes_per_s,
	       p->subj_max.mbytes_per_s);
	jrange(f, "latency_ns_p50", p->subj_min.lat_p50_ns,
	       p->subj_max.lat_p50_ns);
	jrange(f, "latency_ns_p99", p->subj_min.lat_p99_ns,
	       p->subj_max.lat_p99_ns);
	jrange(f, "cpu_ns_per_msg", p->subj_min.cpu_ns_per_msg,
	       p->subj_max.cpu_ns_per_msg);
	jrange(f, "cycles_per_msg", p->subj_min.cycles_per_msg,
	       p->subj_max.cycles_per_msg);
	jnum(f, "spread_pct", p->spread_pct, true);
	jstr(f, "spread_metric", bench_main_metric(p), true);
	jstr(f, "kind", bench_mode_kind(p->mode), true);
	if (r->cycles_source == BENCH_CYC_NONE)
		fputs("\"cycles_source\": null, ", f);
	else
		jstr(f, "cycles_source", cycles_names[r->cycles_source], true);
	jnum(f, "ref_ratio", p->ref_ratio, true);
	jnum(f, "ref_ratio_ci_low", p->ref_ci.lo, true);
	jnum(f, "ref_ratio_ci_high", p->ref_ci.hi, true);
	fprintf(f, "\"ref_ratio_resolved\": %s, ",
		p->ref_ci.resolved ? "true" : "false");
	jstr(f, "ref_metric", is_stream(p) ? "mbytes_per_s" : "rtt_ns", true);
	jnum(f, "crypto_ratio", p->crypto_ratio, true);
	jnum(f, "busy_pct", p->busy_pct, true);
	fprintf(f, "\"repeats\": %u, \"ring_bytes\": %u, \"batch\": %u, ",
		p->repeats, p->ring, p->batch);
	json_blocks(f, p);
	fputc('}', f);
}

static void
json_crypto_ref(FILE *f, const struct bench_point *p)
{
	fprintf(f, "{\"pattern\": \"seal\", \"mode\": \"%s\", \"size\": %u, ",
		p->mode->name, p->size);
	jnum(f, "mbytes_per_s", p->seal_mbps, false);
	fprintf(f, "},\n    {\"pattern\": \"open\", \"mode\": \"%s\", \"size\": %u, ",
		p->mode->name, p->size);
	jnum(f, "mbytes_per_s", p->open_mbps, false);
	fputc('}', f);
}

static void
json_reference(FILE *f, const struct bench_point *p)
{
	const struct bench_result *r = &p->ref;

	fputc('{', f);
	if (is_stream(p)) {
		fprintf(f, "\"pattern\": \"stream\", \"size\": %u, ", p->size);
		jstr(f, "paired_with", bench_pattern_name(p->pattern), true);
		jnum(f, "mbytes_per_s", r->mbytes_per_s, true);
		jrange(f, "mbytes_per_s", p->ref_min.mbytes_per_s,
		       p->ref_max.mbytes_per_s);
		jnum(f, "msgs_per_s", r->msgs_per_s, true);
		jnum(f, "latency_ns_p50", r->lat_p50_ns, true);
		jnum(f, "latency_ns_p99", r->lat_p99_ns, true);
		jnum(f, "cpu_ns_per_msg", r->cpu_ns_per_msg, true);
		fprintf(f, "\"buffer_bytes\": %u, ", p->ring);
	} else {
		fputs("\"pattern\": \"pingpong\", ", f);
		jnum(f, "rtt_ns", r->lat_p50_ns, true);
		jrange(f, "rtt_ns", p->ref_min.lat_p50_ns, p->ref_max.lat_p50_ns);
		jnum(f, "rtt_ns_p99", r->lat_p99_ns, true);
		jstr(f, "paired_with", bench_pattern_name(p->pattern), true);
		fprintf(f, "\"size\": %u, ", p->size);
	}
	jstr(f, "mode", p->mode->name, true);
	fprintf(f, "\"messages\": %llu, \"repeats\": %u}",
		(unsigned long long)p->messages, p->repeats);
}

/* Does peer @m have rows, i.e. does any requested pattern apply to it? */
static bool
peer_has_rows(const struct bench_cfg *cfg, const struct bench_mode *m)
{
	unsigned int j;

	for (j = 0; j < cfg->npatterns; j++)
		if (bench_point_applies(m, cfg->patterns[j]))
			return true;
	return false;
}

/* Which peers ran (they are rows of "results") and which were skipped. */
static void
json_peers(FILE *f, const struct bench_cfg *cfg)
{
	unsigned int i, k = 0;

	fprintf(f, "  \"peers\": {\"enabled\": %s, \"measured\": [",
		cfg->peers ? "true" : "false");
	for (i = 0; i < cfg->nmodes && !cfg->crypto_only; i++)
		if (bench_mode_is_alt(cfg->modes[i]) &&
		    peer_has_rows(cfg, cfg->modes[i]))
			fprintf(f, "%s\"%s\"", k++ ? ", " : "",
				cfg->modes[i]->name);
	fputs("], \"skipped\": [", f);
	for (i = 0; i < cfg->nskipped; i++) {
		fputs(i ? ", {" : "{", f);
		jstr(f, "mode", cfg->skipped[i]->name, true);
		jstr(f, "reason", bench_alt_missing(cfg->skipped[i]), false);
		fputc('}', f);
	}
	fputs("]},\n", f);
}

/* RETURN VALUE: 0, or -1 when writing failed. */
int
bench_write_json(FILE *f, const struct bench_cfg *cfg,
		 const struct bench_machine *m, const struct bench_load *l,
		 const struct bench_point *pts, size_t n)
{
	bool first = true;
	size_t i;

	fprintf(f, "{\n  \"caec_bench\": %d,\n", BENCH_SCHEMA);
	bench_json_machine(f, m);
	json_config(f, cfg);
	fputs("  \"conditions\": {", f);
	jnum(f, "other_cpu_pct", l->valid ? l->other_pct : NAN, true);
	jnum(f, "steal_pct", l->valid ? l->steal_pct : NAN, false);
	fputs("},\n", f);
	fputs("  \"results\": [\n", f);
	for (i = 0; i < n && !cfg->crypto_only; i++) {
		if (!bench_point_applies(pts[i].mode, pts[i].pattern))
			continue;
		jnext(f, &first);
		json_result(f, &pts[i]);
	}
	fputs(first ? "  ],\n" : "\n  ],\n", f);
	fputs("  \"reference\": [\n", f);
	first = true;
	for (i = 0; i < n; i++) {
		if (!bench_point_applies(pts[i].mode, pts[i].pattern))
			continue;
		if (!cfg->crypto_only) {
			jnext(f, &first);
			json_reference(f, &pts[i]);
		}
		if (!isnan(pts[i].seal_mbps)) {
			jnext(f, &first);
			json_crypto_ref(f, &pts[i]);
		}
	}
	fputs(first ? "  ],\n" : "\n  ],\n", f);
	json_peers(f, cfg);
	bench_summary_json(f, pts, cfg->crypto_only ? 0 : n);
	fputs("}\n", f);
	return fflush(f) || ferror(f) ? -1 : 0;
}

/* --- CSV --- */

static void
cnum(FILE *f, double v)
{
	if (!isnan(v) && !isinf(v))
		fprintf(f, "%.3f", v);
	fputc(',', f);
}

int
bench_write_csv(FILE *f, const struct bench_point *pts, size_t n)
{
	const struct bench_point *p;
	size_t i;

	fputs("mode,pattern,size,messages,msgs_per_s,mbytes_per_s,"
	      "latency_ns_p50,latency_ns_p99,cpu_ns_per_msg,cycles_per_msg,"
	      "cycles_source,ref_metric,ref_value,ref_ratio,repeats,"
	      "msgs_per_s_min,msgs_per_s_max,mbytes_per_s_min,mbytes_per_s_max,"
	      "latency_ns_p50_min,latency_ns_p50_max,cycles_per_msg_min,"
	      "cycles_per_msg_max,spread_pct,kind,ref_ratio_ci_low,"
	      "ref_ratio_ci_high,rounds,blocks_used,placement_split\n", f);
	for (i = 0; i < n; i++) {
		p = &pts[i];
		if (!bench_point_applies(p->mode, p->pattern))
			continue;
		fprintf(f, "%s,%s,%u,%llu,", p->mode->name,
			bench_pattern_name(p->pattern), p->size,
			(unsigned long long)p->messages);
		cnum(f, p->subj.msgs_per_s);
		cnum(f, p->subj.mbytes_per_s);
		cnum(f, p->subj.lat_p50_ns);
		cnum(f, p->subj.lat_p99_ns);
		cnum(f, p->subj.cpu_ns_per_msg);
		cnum(f, p->subj.cycles_per_msg);
		fprintf(f, "%s,%s,",
			p->subj.cycles_source == BENCH_CYC_NONE ? "" :
				cycles_names[p->subj.cycles_source],
			is_stream(p) ? "mbytes_per_s" : "rtt_ns");
		cnum(f, is_stream(p) ? p->ref.mbytes_per_s : p->ref.lat_p50_ns);
		cnum(f, p->ref_ratio);
		fprintf(f, "%u,", p->repeats);
		cnum(f, p->subj_min.msgs_per_s);
		cnum(f, p->subj_max.msgs_per_s);
		cnum(f, p->subj_min.mbytes_per_s);
		cnum(f, p->subj_max.mbytes_per_s);
		cnum(f, p->subj_min.lat_p50_ns);
		cnum(f, p->subj_max.lat_p50_ns);
		cnum(f, p->subj_min.cycles_per_msg);
		cnum(f, p->subj_max.cycles_per_msg);
		cnum(f, p->spread_pct);
		fprintf(f, "%s,", bench_mode_kind(p->mode));
		cnum(f, p->ref_ci.lo);
		cnum(f, p->ref_ci.hi);
		fprintf(f, "%u,%u,%s\n", p->repeats, p->used,
			p->place.split ? "true" : "false");
	}
	return fflush(f) || ferror(f) ? -1 : 0;
}
