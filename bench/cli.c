/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command line: defaults, parsing, validation. Every error here is a
 * usage error: a message, a hint, exit status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include <caec/caec.h>

#include "bench.h"

#define DEFAULT_RT_COUNT 1000u		/* mailbox, pingpong: as the paper */
#define DEFAULT_STREAM_COUNT 4096u	/* streams */
#define DEFAULT_REPEAT 20u
#define DEFAULT_BUDGET_S 15u
#define QUICK_BUDGET_S 4u
#define DEFAULT_BLOCK_US 1000u
#define DEFAULT_BATCH 32u
#define MAX_COUNT 100000000ull
#define MAX_BUDGET_S 3600u

static const uint32_t default_sizes[] = {
	64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768,
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: caec-bench [options]\n"
"       caec-bench share [options]   the data-sharing benchmark (share --help)\n"
"       caec-bench calls [options]   the calls' cost on one core (calls --help)\n"
"\n"
"Measures libcaec channels between two processes pinned to two cores. At\n"
"each pattern and size every mode's channel and a bare reference (memcpy\n"
"stream, cache-line ping-pong) are set up once, then measured in short\n"
"blocks, one of each per round in a random order, until every ratio that\n"
"matters is known to +-%.0f%% (95%% bootstrap interval over the rounds) or\n"
"the point's time budget is spent.\n"
"\n"
"  --mode LIST       channel modes: nw, nw-openssl, nw-mbedtls, csm, or all\n"
"                    (the four, those this build has), or a peer (--peers);\n"
"                    a mode this build lacks is an error (exit 1) [nw]\n"
"  --aa              the A/A control: a second channel of the first mode,\n"
"                    measured as one more mode (\"nw#aa\"); its ratio to the\n"
"                    first shows the method's own error\n"
"  --pattern LIST    stream, stream-zc, pingpong, mailbox; stream-zc is the\n"
"                    stream over the zero-copy calls (reserve/commit,\n"
"                    peek/release; the peers have none and skip it)\n"
"                    [mailbox,pingpong,stream]\n"
"  --sizes LIST      message sizes in bytes, %u .. %u, K/M suffix allowed\n"
"                    [64,128,256,512,1024,2048,4096,8192,16384,32768]\n"
"  --count N         timed messages (round trips) per mode and point, at\n"
"                    least, K/M allowed [mailbox, pingpong: %u; streams: %u]\n"
"  --repeat K        rounds per point, at least                  [%u]\n"
"  --budget S        seconds a point's rounds may run on until its ratios\n"
"                    are resolved (0: stop at the minimum)       [%u]\n"
"  --block-us N      a block's length in microseconds (at least %u round\n"
"                    trips or %u batches of a stream)            [%u]\n"
"  --quick           budget %u s a point; without --mode, --pattern: --mode\n"
"                    all --aa --pattern mailbox (every headline ratio)\n"
"  --seed N          the rounds' order and the bootstrap's draws [random]\n"
"  --cores A,B       sender core, receiver core                 [0,1]\n"
"  --json FILE       write the results as JSON (schema %d)\n"
"  --csv FILE        write the results as CSV\n"
"  --ring SIZE       ring bytes per direction (also the reference buffer)\n"
"                    [1 MiB, or 4 records of the size if larger]\n"
"  --batch B         streams: publish counters every B messages, at most\n"
"                    a quarter of the ring's messages            [%u]\n"
"  --warmup N        untimed messages of each channel before its first\n"
"                    block [one lap of the ring (streams: two), at most\n"
"                    100 ms]\n"
"  --wake futex|none the region's wake-up protocol; waiting is always\n"
"                    spin (busy-polling)                        [none]\n"
"  --peers           also measure what a user would pick instead, in the same\n"
"                    run, sizes and pinning: peer-uds (UNIX socketpair stream),\n"
"                    peer-pipe (two pipes), peer-ckring (concurrencykit's\n"
"                    ck_ring of offsets into a shared buffer; skipped with a\n"
"                    note when built without libck); also valid in --mode\n"
"  --plot FILE       draw latency, throughput and cycles against the size\n"
"                    with gnuplot: the mailbox pattern into FILE (.png or\n"
"                    .svg), every other pattern into FILE-PATTERN.EXT\n"
"  --crypto-only     only the crypto-only references of the encrypted modes:\n"
"                    single-core seal-only and open-only MB/s per size\n"
"                    (also measured beside every encrypted stream point)\n"
"  --help            this text\n"
"\n"
"Exit status: 0 ok, 1 runtime failure, 2 command-line error.\n",
		BENCH_RESOLVE_PCT, BENCH_MIN_SIZE, BENCH_MAX_SIZE,
		DEFAULT_RT_COUNT, DEFAULT_STREAM_COUNT, DEFAULT_REPEAT,
		DEFAULT_BUDGET_S, 8, 4, DEFAULT_BLOCK_US, QUICK_BUDGET_S,
		BENCH_SCHEMA, DEFAULT_BATCH);
}

/* The command whose --help the usage errors point to. */
const char *bench_cli_command = "caec-bench";

/* A usage error: the message, a hint, exit status 2. */
void
bench_cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("caec-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", bench_cli_command);
	exit(2);
}

/* Decimal with an optional binary K/M/G suffix. RETURN VALUE: 0 or -EINVAL. */
static int
parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'm' || *end == 'M')
		shift = 20;
	else if (*end == 'g' || *end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

/*
 * bench_cli_num - @s as a number in [@lo, @hi] (K/M/G suffixes allowed);
 * a usage error naming option @opt otherwise.
 */
uint64_t
bench_cli_num(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	uint64_t v;

	if (parse_u64(s, &v) || v < lo || v > hi)
		bench_cli_error("%s: '%s' is not a number in [%llu, %llu]", opt, s,
			  (unsigned long long)lo, (unsigned long long)hi);
	return v;
}

/*
 * bench_cli_each - split @arg at commas and call @item(item, @ctx) for each;
 * an empty item is a usage error naming option @opt.
 */
void
bench_cli_each(const char *opt, const char *arg,
	       void (*item)(const char *, void *), void *ctx)
{
	char buf[1024], *save = NULL, *tok;

	if (strlen(arg) >= sizeof(buf))
		bench_cli_error("%s: list too long", opt);
	if (!*arg || arg[0] == ',' || arg[strlen(arg) - 1] == ',' ||
	    strstr(arg, ",,"))
		bench_cli_error("%s: '%s' has an empty item", opt, arg);
	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		item(tok, ctx);
}

static void
mode_item(const char *s, void *ctx)
{
	struct bench_cfg *cfg = ctx;
	const struct bench_mode *m = bench_mode_find(s);
	static const char *const all[] = { "nw", "nw-openssl", "nw-mbedtls",
					   "csm" };
	size_t i;

	/* "all": the paper's four modes, those this build has. */
	if (!strcmp(s, "all")) {
		for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
			m = bench_mode_find(all[i]);
			if (bench_mode_probe(m) == 0)
				mode_item(all[i], ctx);
		}
		return;
	}
	if (!m)
		m = bench_alt_find(s);
	if (!m)
		bench_cli_error("--mode: unknown mode '%s' (known: %s, peer-uds, peer-pipe, peer-ckring)",
			  s, bench_mode_list());
	for (i = 0; i < cfg->nmodes; i++)
		if (cfg->modes[i] == m)
			return;
	if (cfg->nmodes == BENCH_MAX_MODES)
		bench_cli_error("--mode: too many modes");
	cfg->modes[cfg->nmodes++] = m;
}

static void
pattern_item(const char *s, void *ctx)
{
	struct bench_cfg *cfg = ctx;
	int p = bench_pattern_find(s);

	if (p < 0)
		bench_cli_error("--pattern: unknown pattern '%s' (known: stream, stream-zc, pingpong, mailbox)",
			  s);
	if (cfg->npatterns == BENCH_MAX_PATTERNS)
		bench_cli_error("--pattern: too many patterns");
	cfg->patterns[cfg->npatterns++] = (enum bench_pattern)p;
}

struct size_list {
	uint32_t *sizes;
	unsigned int *n;
	uint32_t max;
};

static void
size_item(const char *s, void *ctx)
{
	struct size_list *l = ctx;

	if (*l->n == BENCH_MAX_SIZES)
		bench_cli_error("--sizes: more than %d sizes", BENCH_MAX_SIZES);
	l->sizes[(*l->n)++] = (uint32_t)bench_cli_num("--sizes", s,
						BENCH_MIN_SIZE, l->max);
}

/*
 * bench_cli_sizes - the --sizes list @arg into @sizes (BENCH_MAX_SIZES
 * entries), *@n of them, each in [BENCH_MIN_SIZE, @max]; a usage error
 * otherwise.
 */
void
bench_cli_sizes(const char *arg, uint32_t *sizes, unsigned int *n,
		uint32_t max)
{
	struct size_list l = { sizes, n, max };

	*n = 0;
	bench_cli_each("--sizes", arg, size_item, &l);
}

/*
 * bench_cli_other - the getopt result @c that no option of the command
 * took: --help prints @print_usage and exits 0, anything else exits 2 pointing
 * at --help (getopt has said what was wrong).
 */
void
bench_cli_other(int c, void (*print_usage)(FILE *))
{
	if (c == 'h') {
		print_usage(stdout);
		exit(0);
	}
	fprintf(stderr, "Try '%s --help'.\n", bench_cli_command);
	exit(2);
}

struct core_list {
	unsigned int n;
	int core[2];
};

static void
core_item(const char *s, void *ctx)
{
	struct core_list *l = ctx;

	if (l->n == 2)
		bench_cli_error("--cores: expected two cores A,B");
	l->core[l->n++] = (int)bench_cli_num("--cores", s, 0, CPU_SETSIZE - 1);
}

static bool
plot_ext_ok(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && (!strcmp(path + n - 4, ".png") ||
			 !strcmp(path + n - 4, ".svg"));
}

static void
defaults(struct bench_cfg *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->cores[0] = 0;
	cfg->cores[1] = 1;
	cfg->repeat = DEFAULT_REPEAT;
	cfg->budget_s = DEFAULT_BUDGET_S;
	cfg->block_us = DEFAULT_BLOCK_US;
	cfg->batch = DEFAULT_BATCH;
	cfg->warmup = -1;
	cfg->modes[cfg->nmodes++] = bench_mode_find("nw");
	cfg->patterns[cfg->npatterns++] = BENCH_MAILBOX;
	cfg->patterns[cfg->npatterns++] = BENCH_PINGPONG;
	cfg->patterns[cfg->npatterns++] = BENCH_STREAM;
	for (i = 0; i < sizeof(default_sizes) / sizeof(default_sizes[0]); i++)
		cfg->sizes[cfg->nsizes++] = default_sizes[i];
}

/*
 * --aa: the A/A lane, a second channel of the first mode, last in the list.
 * Its name is the first mode's with "#aa" appended.
 */
static void
add_aa(struct bench_cfg *cfg)
{
	static char name[48];
	static struct bench_mode aa;
	const struct bench_mode *first = cfg->modes[0];

	if (bench_mode_is_alt(first))
		bench_cli_error("--aa: the first mode must be a libcaec mode, not the peer %s",
				first->name);
	if (cfg->nmodes == BENCH_MAX_MODES)
		bench_cli_error("--aa: too many modes");
	snprintf(name, sizeof(name), "%s#aa", first->name);
	aa.name = name;
	aa.scheme = first->scheme;
	aa.aa_of = first;
	cfg->modes[cfg->nmodes++] = &aa;
}

/*
 * bench_cli_parse - fill @cfg from the defaults and the command line; exits
 * with status 2 (after a message) on any error, 0 after --help.
 */
void
bench_cli_parse(int argc, char **argv, struct bench_cfg *cfg)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "crypto-only", no_argument, NULL, 'C' },
		{ "peers", no_argument, NULL, 'P' },
		{ "plot", required_argument, NULL, 'G' },
		{ "pattern", required_argument, NULL, 'p' },
		{ "sizes", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "cores", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'v' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "ring", required_argument, NULL, 'R' },
		{ "batch", required_argument, NULL, 'b' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "wake", required_argument, NULL, 'W' },
		{ "aa", no_argument, NULL, 'A' },
		{ "quick", no_argument, NULL, 'Q' },
		{ "budget", required_argument, NULL, 'B' },
		{ "block-us", required_argument, NULL, 'K' },
		{ "seed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_mode = false, have_pattern = false, have_budget = false;
	bool have_seed = false;
	struct core_list cores;
	uint64_t ring;
	unsigned int i;
	int c;

	defaults(cfg);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			cfg->nmodes = 0;
			bench_cli_each("--mode", optarg, mode_item, cfg);
			have_mode = true;
			break;
		case 'p':
			have_pattern = true;
			cfg->npatterns = 0;
			bench_cli_each("--pattern", optarg, pattern_item, cfg);
			break;
		case 's':
			bench_cli_sizes(optarg, cfg->sizes, &cfg->nsizes,
					BENCH_MAX_SIZE);
			break;
		case 'n':
			cfg->count = bench_cli_num("--count", optarg, 1, MAX_COUNT);
			break;
		case 'c':
			cores.n = 0;
			bench_cli_each("--cores", optarg, core_item, &cores);
			if (cores.n != 2)
				bench_cli_error("--cores: expected two cores A,B");
			if (cores.core[0] == cores.core[1])
				bench_cli_error("--cores: the two processes need two different cores");
			cfg->cores[0] = cores.core[0];
			cfg->cores[1] = cores.core[1];
			break;
		case 'j':
			cfg->json_path = optarg;
			break;
		case 'v':
			cfg->csv_path = optarg;
			break;
		case 'r':
			cfg->repeat = (unsigned int)bench_cli_num("--repeat",
					optarg, 1, BENCH_MAX_ROUNDS);
			break;
		case 'B':
			cfg->budget_s = (double)bench_cli_num("--budget",
					optarg, 0, MAX_BUDGET_S);
			have_budget = true;
			break;
		case 'K':
			cfg->block_us = (unsigned int)bench_cli_num("--block-us",
					optarg, 1, 1000000);
			break;
		case 'S':
			cfg->seed = bench_cli_num("--seed", optarg, 0,
						  UINT64_MAX);
			have_seed = true;
			break;
		case 'A':
			cfg->aa = true;
			break;
		case 'Q':
			cfg->quick = true;
			break;
		case 'R':
			ring = bench_cli_num("--ring", optarg,
					     CAEC_RING_MIN_SIZE, CAEC_RING_MAX_SIZE);
			if (ring & (ring - 1))
				bench_cli_error("--ring: %s is not a power of two",
					  optarg);
			cfg->ring = (uint32_t)ring;
			break;
		case 'b':
			cfg->batch = (unsigned int)bench_cli_num("--batch",
					optarg, 1, 1u << 20);
			break;
		case 'w':
			cfg->warmup = (int64_t)bench_cli_num("--warmup",
					optarg, 0, MAX_COUNT);
			break;
		case 'W':
			if (!strcmp(optarg, "futex"))
				cfg->wake_futex = true;
			else if (!strcmp(optarg, "none"))
				cfg->wake_futex = false;
			else
				bench_cli_error("--wake: '%s' (expected futex or none)",
					  optarg);
			break;
		case 'C':
			cfg->crypto_only = true;
			break;
		case 'P':
			cfg->peers = true;
			break;
		case 'G':
			if (!plot_ext_ok(optarg))
				bench_cli_error("--plot: '%s' must end in .png or .svg",
					  optarg);
			cfg->plot_path = optarg;
			break;
		default:
			bench_cli_other(c, usage);
		}
	}
	if (optind < argc)
		bench_cli_error("unexpected argument '%s'", argv[optind]);
	if (cfg->quick) {
		if (!have_budget)
			cfg->budget_s = QUICK_BUDGET_S;
		if (!have_mode) {
			cfg->nmodes = 0;
			mode_item("all", cfg);
			cfg->aa = true;
		}
		if (!have_pattern) {
			cfg->patterns[0] = BENCH_MAILBOX;
			cfg->npatterns = 1;
		}
	}
	if (!have_seed && getrandom(&cfg->seed, sizeof(cfg->seed), 0) !=
				  (ssize_t)sizeof(cfg->seed))
		cfg->seed = (uint64_t)time(NULL);
	if (cfg->peers)
		bench_alt_add_all(cfg);
	if (cfg->aa && !cfg->crypto_only)
		add_aa(cfg);
	if (cfg->crypto_only) {
		unsigned int k = 0;

		/* Only the encrypted modes, as stream points. */
		for (i = 0; i < cfg->nmodes; i++)
			if (bench_mode_encrypted(cfg->modes[i]))
				cfg->modes[k++] = cfg->modes[i];
		if (!k)
			bench_cli_error("--crypto-only needs an encrypted mode (nw-openssl, nw-mbedtls, all)");
		cfg->nmodes = k;
		cfg->patterns[0] = BENCH_STREAM;
		cfg->npatterns = 1;
	}
	for (i = 0; cfg->ring && i < cfg->nsizes; i++)
		if (cfg->sizes[i] > caec_ring_max_msg_limit(cfg->ring))
			bench_cli_error("--ring %u cannot carry %u-byte messages (limit %u)",
				  cfg->ring, cfg->sizes[i],
				  caec_ring_max_msg_limit(cfg->ring));
}

/* The minimum of timed messages per point when --count is not given. */
uint64_t
bench_default_count(enum bench_pattern p, uint32_t size)
{
	(void)size;
	return bench_pattern_is_stream(p) ? DEFAULT_STREAM_COUNT :
					    DEFAULT_RT_COUNT;
}

/*
 * bench_open_out - open @path for writing an output file of option @opt;
 * NULL when @path is NULL, a usage error (exit 2) when it cannot be opened.
 */
FILE *
bench_open_out(const char *opt, const char *path)
{
	FILE *f;

	if (!path)
		return NULL;
	f = fopen(path, "w");
	if (!f)
		bench_cli_error("%s: cannot write '%s': %s", opt, path,
				strerror(errno));
	return f;
}

/*
 * bench_close_out - close @f (from bench_open_out(), may be NULL) that
 * @path names; exit 1 when @rc (the writer's result) or the close failed.
 */
void
bench_close_out(FILE *f, const char *path, int rc)
{
	if (!f)
		return;
	if (rc || fclose(f))
		bench_die("writing '%s' failed: %s", path, strerror(errno));
}
