/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-bench calls: what the library's calls cost on one core.
 *
 * Both ends of one channel live in this process and take turns on one
 * pinned core, so no cache line moves between cores. What is left is the
 * calls' own work — argument and state checks, record headers, validation,
 * batching, copies, and for the encrypted modes sealing and opening — which
 * does not depend on how far apart the host places the two vCPUs, as
 * everything the sweep measures does. Per mode and size:
 *
 *   stream     @batch sends (CAEC_MORE but the last), then @batch receives
 *   stream-zc  the same over reserve/commit and peek/release
 *   roundtrip  send, peek, send of the peeked bytes (the echo), release,
 *              recv: the calls of one pingpong round trip
 *
 * Each alternates --repeat times with a reference that does only the
 * copies the calls do, into and out of slots laid out like the ring's
 * records: per stream message one copy in and one out; per stream-zc
 * message the copy that writes it into its slot and the 8-byte read of its
 * sequence word; per round trip three copies (in, echo, out). It runs in
 * the same process on the same core. On one core noise only
 * adds time (the host can still slow a core for seconds, e.g. with another
 * guest on its sibling hardware thread), so each repeat runs every point in
 * turn and the minimum of each is kept; the ratio is subject / reference ns
 * (lower is better). Every received message's length and sequence word are
 * checked.
 */
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>

#include <caec/caec.h>

#include "bench.h"

#define CALLS_DEFAULT_REPEAT 5u
#define CALLS_RUN_NS 1e8		/* a run: ~100 ms of messages, */
#define CALLS_MAX_MSGS (1u << 20)	/* at most this many, */
#define CALLS_MAX_BYTES (256u << 20)	/* and this many bytes, */
#define CALLS_MIN_MSGS 1024u		/* at least this many */
#define CALLS_BATCH 32u
#define CALLS_MAX_SIZE (64u << 10)

enum calls_test { CALLS_STREAM, CALLS_STREAM_ZC, CALLS_RT, CALLS_NTESTS };

static const char *const test_name[CALLS_NTESTS] = {
	[CALLS_STREAM] = "stream",
	[CALLS_STREAM_ZC] = "stream-zc",
	[CALLS_RT] = "roundtrip",
};

struct calls_cfg {
	const struct bench_mode *modes[BENCH_MAX_MODES];
	unsigned int nmodes;
	uint32_t sizes[BENCH_MAX_SIZES];
	unsigned int nsizes;
	unsigned int repeat;
	int core;
	const char *json_path;
};

struct calls_row {
	const struct bench_mode *mode;
	enum calls_test test;
	uint32_t size;
	uint64_t msgs;			/* per run, the fewest of the runs */
	double subj[BENCH_MAX_REPEAT];	/* ns per message, run by run */
	double ref[BENCH_MAX_REPEAT];
	double ns, ns_median, ref_ns;
};

/* One channel's two ends in this process, and the buffers of a run. */
struct calls_ctx {
	struct caec_channel *a, *b;	/* creator, attacher */
	uint8_t *src, *dst, *slots;
	size_t slots_len;
	uint32_t size;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: caec-bench calls [options]\n"
"\n"
"The library's own cost per message on one core: both ends of a channel\n"
"in one process, taking turns, against a reference doing only the same\n"
"copies (no cache line moves between cores, so the figures do not depend\n"
"on where the host places the vCPUs).\n"
"\n"
"  --mode LIST    nw, nw-openssl, nw-mbedtls, or all (those this build has);\n"
"                 csm is nw's ring once attached and is not measured [nw]\n"
"  --sizes LIST   message sizes in bytes, %u .. %u, K suffix allowed\n"
"                 [64,256,1024,4096]\n"
"  --repeat K     reference/subject alternations; minima kept      [%u]\n"
"  --core C       the core to run on                                [0]\n"
"  --json FILE    write the results as JSON\n"
"  --help         this text\n"
"\n"
"Exit status: 0 ok, 1 runtime failure, 2 command-line error.\n",
		BENCH_MIN_SIZE, CALLS_MAX_SIZE, CALLS_DEFAULT_REPEAT);
}

static void
mode_item(const char *s, void *arg)
{
	static const char *const all[] = { "nw", "nw-openssl", "nw-mbedtls" };
	struct calls_cfg *cfg = arg;
	const struct bench_mode *m;
	unsigned int i;

	if (!strcmp(s, "all")) {
		for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
			m = bench_mode_find(all[i]);
			if (m && !bench_mode_probe(m) &&
			    cfg->nmodes < BENCH_MAX_MODES)
				cfg->modes[cfg->nmodes++] = m;
		}
		return;
	}
	if (!strcmp(s, "csm"))
		bench_cli_error("--mode: 'csm' is not measured here: once attached it runs nw's ring and calls");
	m = bench_mode_find(s);
	if (!m)
		bench_cli_error("--mode: '%s' is not one of nw, nw-openssl, nw-mbedtls, all",
				s);
	if (cfg->nmodes == BENCH_MAX_MODES)
		bench_cli_error("--mode: more than %u modes", BENCH_MAX_MODES);
	cfg->modes[cfg->nmodes++] = m;
}

static void
parse(int argc, char **argv, struct calls_cfg *cfg)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "sizes", required_argument, NULL, 's' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "core", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const uint32_t sizes[] = { 64, 256, 1024, 4096 };
	const char *modes = "nw";
	unsigned int i;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->repeat = CALLS_DEFAULT_REPEAT;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			modes = optarg;
			break;
		case 's':
			bench_cli_sizes(optarg, cfg->sizes, &cfg->nsizes,
					CALLS_MAX_SIZE);
			break;
		case 'r':
			cfg->repeat = (unsigned int)bench_cli_num("--repeat",
					optarg, 1, BENCH_MAX_REPEAT);
			break;
		case 'c':
			cfg->core = (int)bench_cli_num("--core", optarg, 0,
						       CPU_SETSIZE - 1);
			break;
		case 'j':
			cfg->json_path = optarg;
			break;
		default:
			bench_cli_other(c, usage);
		}
	}
	if (optind < argc)
		bench_cli_error("unexpected argument '%s'", argv[optind]);
	bench_cli_each("--mode", modes, mode_item, cfg);
	if (!cfg->nmodes)
		bench_cli_error("--mode: this build has none of nw, nw-openssl, nw-mbedtls");
	if (!cfg->nsizes)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			cfg->sizes[cfg->nsizes++] = sizes[i];
}

/*
 * Ring bytes per direction: two batches of records (with room for an
 * encrypted mode's framing), at least 64 KiB.
 */
static uint32_t
ring_for(uint32_t size)
{
	uint32_t ring = 64u << 10;

	while (ring < 2 * CALLS_BATCH * (size + 128u))
		ring <<= 1;
	return ring;
}

static void
ctx_open(struct calls_ctx *x, const struct bench_mode *m, uint32_t size)
{
	struct caec_channel_params p;
	char uri[160];
	int rc, fd;

	x->size = size;
	snprintf(uri, sizeof(uri), "%s:memfd?ring=%u&wait=spin&wake=none",
		 m->scheme, ring_for(size));
	rc = caec_channel_create(uri, bench_chan_params(&p), &x->a);
	if (rc)
		bench_die_lib("caec_channel_create", rc);
	fd = caec_channel_region_fd(x->a);
	if (fd < 0)
		bench_die_lib("caec_channel_region_fd", fd);
	snprintf(uri, sizeof(uri), "%s:fd/%d?wait=spin", m->scheme, fd);
	rc = caec_channel_attach(uri, bench_chan_params(&p), &x->b);
	if (rc)
		bench_die_lib("caec_channel_attach", rc);
	x->src = bench_alloc(size);
	x->dst = bench_alloc(size);
	memset(x->src, 0x5a, size);
	/* The reference's slots: the ring's data bytes, records' spacing. */
	x->slots_len = ring_for(size);
	x->slots = bench_alloc(x->slots_len);
	memset(x->slots, 0, x->slots_len);
}

static void
ctx_close(struct calls_ctx *x)
{
	caec_channel_close(x->b);
	caec_channel_close(x->a);
	free(x->slots);
	free(x->dst);
	free(x->src);
}

static void
check(const struct calls_ctx *x, const char *what, ssize_t n,
      const void *msg, uint64_t seq)
{
	uint64_t got;

	if (n != (ssize_t)x->size)
		bench_die("%s returned %zd, expected a message of %u bytes",
			  what, n, x->size);
	memcpy(&got, msg, sizeof(got));
	if (got != seq)
		bench_die("DATA MISMATCH in calls %s: message carries %llu, expected %llu",
			  what, (unsigned long long)got,
			  (unsigned long long)seq);
}

/* @n messages in batches: sends, then receives. */
static void
run_stream(struct calls_ctx *x, uint64_t n, uint64_t *seq)
{
	uint64_t i, k, s;
	ssize_t r;
	int rc;

	for (i = 0; i < n; i += CALLS_BATCH) {
		for (k = 0, s = *seq; k < CALLS_BATCH; k++, s++) {
			memcpy(x->src, &s, sizeof(s));
			rc = caec_channel_send(x->a, x->src, x->size,
					k + 1 < CALLS_BATCH ? CAEC_MORE : 0,
					CAEC_NONBLOCK);
			if (rc)
				bench_die_lib("caec_channel_send", rc);
		}
		for (k = 0; k < CALLS_BATCH; k++, (*seq)++) {
			r = caec_channel_recv(x->b, x->dst, x->size,
					k + 1 < CALLS_BATCH ? CAEC_MORE : 0,
					CAEC_NONBLOCK);
			if (r < 0)
				bench_die_lib("caec_channel_recv", r);
			check(x, "stream recv", r, x->dst, *seq);
		}
	}
}

/* The same over the zero-copy calls: the message is built in place. */
static void
run_stream_zc(struct calls_ctx *x, uint64_t n, uint64_t *seq)
{
	const void *in;
	uint64_t i, k, s;
	void *out;
	ssize_t r;
	int rc;

	for (i = 0; i < n; i += CALLS_BATCH) {
		for (k = 0, s = *seq; k < CALLS_BATCH; k++, s++) {
			rc = caec_channel_reserve(x->a, x->size, &out,
						  CAEC_NONBLOCK);
			if (rc)
				bench_die_lib("caec_channel_reserve", rc);
			memcpy(out, x->src, x->size);
			memcpy(out, &s, sizeof(s));
			rc = caec_channel_commit(x->a, x->size,
					k + 1 < CALLS_BATCH ? CAEC_MORE : 0);
			if (rc)
				bench_die_lib("caec_channel_commit", rc);
		}
		for (k = 0; k < CALLS_BATCH; k++, (*seq)++) {
			r = caec_channel_peek(x->b, &in, CAEC_NONBLOCK);
			if (r < 0)
				bench_die_lib("caec_channel_peek", r);
			check(x, "stream-zc peek", r, in, *seq);
			rc = caec_channel_release(x->b,
					k + 1 < CALLS_BATCH ? CAEC_MORE : 0);
			if (rc)
				bench_die_lib("caec_channel_release", rc);
		}
	}
}

/* @n round trips: a sends, b peeks and echoes, a receives the echo. */
static void
run_rt(struct calls_ctx *x, uint64_t n, uint64_t *seq)
{
	const void *in;
	uint64_t i;
	ssize_t r;
	int rc;

	for (i = 0; i < n; i++, (*seq)++) {
		memcpy(x->src, seq, sizeof(*seq));
		rc = caec_channel_send(x->a, x->src, x->size, 0, CAEC_NONBLOCK);
		if (rc)
			bench_die_lib("caec_channel_send", rc);
		r = caec_channel_peek(x->b, &in, CAEC_NONBLOCK);
		if (r < 0)
			bench_die_lib("caec_channel_peek", r);
		rc = caec_channel_send(x->b, in, (size_t)r, 0, CAEC_NONBLOCK);
		if (rc)
			bench_die_lib("caec_channel_send", rc);
		rc = caec_channel_release(x->b, 0);
		if (rc)
			bench_die_lib("caec_channel_release", rc);
		r = caec_channel_recv(x->a, x->dst, x->size, 0, CAEC_NONBLOCK);
		if (r < 0)
			bench_die_lib("caec_channel_recv", r);
		check(x, "roundtrip recv", r, x->dst, *seq);
	}
}

/*
 * The reference: the copies of @n messages of @t, into and out of slots
 * spaced like the ring's records (an 8-byte header, payload padded to 8
 * bytes), wrapping like the ring; the last message's sequence word is
 * checked in dst after each batch.
 */
static void
run_ref(struct calls_ctx *x, enum calls_test t, uint64_t n, uint64_t *seq)
{
	size_t rec = 8 + (((size_t)x->size + 7) & ~(size_t)7), pos = 0, k;
	uint64_t i, s;

	for (i = 0; i < n; i += CALLS_BATCH) {
		for (k = 0; k < CALLS_BATCH; k++) {
			uint8_t *slot, *echo;

			if (pos + 2 * rec > x->slots_len)
				pos = 0;
			slot = x->slots + pos + 8;
			echo = slot + rec;
			s = *seq + k;
			memcpy(x->src, &s, sizeof(s));
			memcpy(slot, x->src, x->size);
			if (t == CALLS_RT) {
				memcpy(echo, slot, x->size);
				memcpy(x->dst, echo, x->size);
			} else if (t == CALLS_STREAM) {
				memcpy(x->dst, slot, x->size);
			} else {
				memcpy(x->dst, slot, sizeof(s));
			}
			pos += t == CALLS_RT ? 2 * rec : rec;
		}
		*seq += CALLS_BATCH;
		check(x, "reference", (ssize_t)x->size, x->dst, *seq - 1);
	}
}

static void (*const run_subject[CALLS_NTESTS])(struct calls_ctx *, uint64_t,
					       uint64_t *) = {
	[CALLS_STREAM] = run_stream,
	[CALLS_STREAM_ZC] = run_stream_zc,
	[CALLS_RT] = run_rt,
};

/*
 * Messages a run: as many as take about CALLS_RUN_NS at @ns_per_msg (the
 * warm-up's pace), at most CALLS_MAX_MSGS and CALLS_MAX_BYTES, at least one
 * CALLS_MIN_MSGS; whole batches.
 */
static uint64_t
msgs_for(uint32_t size, double ns_per_msg)
{
	uint64_t n = CALLS_MAX_MSGS;

	if (ns_per_msg > 0 && CALLS_RUN_NS / ns_per_msg < (double)n)
		n = (uint64_t)(CALLS_RUN_NS / ns_per_msg);
	if (n * size > CALLS_MAX_BYTES)
		n = CALLS_MAX_BYTES / size;
	if (n < CALLS_MIN_MSGS)
		n = CALLS_MIN_MSGS;
	return n - n % CALLS_BATCH;
}

static double
timed(struct calls_ctx *x, enum calls_test t, bool ref, uint64_t n,
      uint64_t *seq)
{
	uint64_t t0 = bench_now_ns();

	if (ref)
		run_ref(x, t, n, seq);
	else
		run_subject[t](x, n, seq);
	return (double)(bench_now_ns() - t0) / (double)n;
}

/*
 * Run @k of @row: a fresh channel, a warm-up (page faults, caches,
 * predictors) that also sets the count, then the reference and the subject.
 */
static void
measure(struct calls_row *row, unsigned int k)
{
	struct calls_ctx x;
	uint64_t n, seq = 1;
	double pace;

	ctx_open(&x, row->mode, row->size);
	(void)timed(&x, row->test, true, CALLS_MIN_MSGS, &seq);
	pace = timed(&x, row->test, false, CALLS_MIN_MSGS, &seq);
	/* The first pace includes the page faults: take it again, warm. */
	pace = timed(&x, row->test, false,
		     msgs_for(row->size, pace) / 4 + CALLS_BATCH, &seq);
	n = msgs_for(row->size, pace);
	row->ref[k] = timed(&x, row->test, true, n, &seq);
	row->subj[k] = timed(&x, row->test, false, n, &seq);
	ctx_close(&x);
	if (n < row->msgs || !row->msgs)
		row->msgs = n;
}

static void
print_row(FILE *f, const struct calls_row *r)
{
	fprintf(f, "%-11s %-10s %7u %9.1f %9.1f %9.1f %7.2f\n", r->mode->name,
		test_name[r->test], r->size, r->ns, r->ns_median, r->ref_ns,
		r->ns / r->ref_ns);
}

static int
write_json(FILE *f, const struct calls_cfg *cfg,
	   const struct bench_machine *mach, const struct bench_load *load,
	   const struct calls_row *rows, size_t n)
{
	size_t i;

	fputs("{\"caec_bench_calls\": 1,\n", f);
	bench_json_machine(f, mach);	/* ends in ",\n" */
	fprintf(f, "  \"config\": {\"repeat\": %u, \"core\": %d, \"batch\": %u},\n",
		cfg->repeat, cfg->core, CALLS_BATCH);
	fputs("  \"conditions\": {", f);
	bench_json_num(f, "other_pct", load->valid ? load->other_pct : NAN,
		       true);
	bench_json_num(f, "steal_pct", load->valid ? load->steal_pct : NAN,
		       false);
	fputs("},\n  \"results\": [", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\n  {", i ? "," : "");
		bench_json_str(f, "mode", rows[i].mode->name, true);
		bench_json_str(f, "test", test_name[rows[i].test], true);
		fprintf(f, "\"size\": %u, \"messages\": %llu, ", rows[i].size,
			(unsigned long long)rows[i].msgs);
		bench_json_num(f, "ns_per_msg", rows[i].ns, true);
		bench_json_num(f, "ns_per_msg_median", rows[i].ns_median, true);
		bench_json_num(f, "ref_ns_per_msg", rows[i].ref_ns, true);
		bench_json_num(f, "ref_ratio", rows[i].ns / rows[i].ref_ns,
			       false);
		fputc('}', f);
	}
	fputs("\n]}\n", f);
	return ferror(f);
}

int
bench_calls_main(int argc, char **argv)
{
	struct calls_row *rows;
	struct bench_machine mach;
	struct bench_cfg where;
	struct calls_cfg cfg;
	unsigned int i, j, k, t, n = 0;
	struct bench_load load;
	FILE *json = NULL;
	int err;

	bench_cli_command = "caec-bench calls";
	argv[0] = (char *)bench_cli_command;	/* getopt's messages */
	parse(argc, argv, &cfg);
	json = bench_open_out("--json", cfg.json_path);
	err = bench_pin(cfg.core, -1);
	if (err)
		fprintf(stderr, "warning: cannot run on core %d (%s): unpinned\n",
			cfg.core, strerror(err));
	bench_clock_init();
	memset(&where, 0, sizeof(where));
	where.cores[0] = cfg.core;
	where.cores[1] = -1;
	bench_machine_probe(&mach, &where);
	mach.pinned = !err;

	rows = calloc((size_t)cfg.nmodes * cfg.nsizes * CALLS_NTESTS,
		      sizeof(*rows));
	if (!rows)
		bench_die("out of memory");
	printf("caec-bench calls: one core (%d), both ends in one process; min of %u runs\n"
	       "ns per message (roundtrip: per round trip); ref = the same copies alone\n\n",
	       cfg.core, cfg.repeat);
	printf("%-11s %-10s %7s %9s %9s %9s %7s\n", "mode", "test", "size",
	       "ns", "median", "ref ns", "ratio");
	for (i = 0; i < cfg.nmodes; i++)
		for (t = 0; t < CALLS_NTESTS; t++)
			for (j = 0; j < cfg.nsizes; j++, n++) {
				rows[n].mode = cfg.modes[i];
				rows[n].test = t;
				rows[n].size = cfg.sizes[j];
			}
	/*
	 * Every repeat runs every point in turn, so that the minima of a point
	 * come from runs seconds apart: a spell of noise on the host (another
	 * guest on the sibling hardware thread) then spoils single runs, not a
	 * whole point.
	 */
	bench_load_start(&load);
	for (k = 0; k < cfg.repeat; k++)
		for (i = 0; i < n; i++) {
			if (isatty(STDERR_FILENO))
				fprintf(stderr, "\r\033[Krun %u/%u: %s %s %u B",
					k + 1, cfg.repeat, rows[i].mode->name,
					test_name[rows[i].test], rows[i].size);
			measure(&rows[i], k);
		}
	bench_load_stop(&load);
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	for (i = 0; i < n; i++) {
		rows[i].ns = bench_min(rows[i].subj, cfg.repeat);
		rows[i].ns_median = bench_median(rows[i].subj, cfg.repeat);
		rows[i].ref_ns = bench_min(rows[i].ref, cfg.repeat);
		print_row(stdout, &rows[i]);
	}
	if (load.valid)
		printf("\nDuring the run: other processes %.1f%%, hypervisor steal %.1f%% of the CPUs.\n",
		       load.other_pct, load.steal_pct);
	if (json)
		bench_close_out(json, cfg.json_path,
				write_json(json, &cfg, &mach, &load, rows, n));
	free(rows);
	return 0;
}
