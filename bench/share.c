/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-bench share: the options, the loop over consumer counts and
 * repeats, the table and the JSON document. What a configuration is and
 * how one runs: share.h, share_run.c.
 *
 * For each consumer count C the private and the csm configuration run
 * alternately --repeat times (which goes first swaps every repeat); a row
 * keeps the median PSS sum over the repeats and the median ttfb and read
 * time over consumers x repeats.
 *
 * JSON, "caec_bench_share": 1 (fields are added, never renamed):
 *   "machine": the main document's object (report.c); its "cores" are the
 *     provider's and the first consumer's core, -1 when not pinned.
 *   "blob_bytes", "blob_source" ("generated" or "file"), "work_bytes"
 *   (each realm's private working memory), "repeat", "cores" (the --cores
 *   list; [] when not pinned), "csm_transport" ("emulated": caec-rmmd,
 *   "device": /dev/caec-csm), "csm_regions" (regions the blob took),
 *   "caec_rmmd_pss_kb" (the private caec-rmmd's own PSS during the csm
 *   runs, in no sum; null when none was started),
 *   "results": [{"consumers", "realms" (consumers + 1), "private_pss_kb",
 *     "csm_pss_kb" (sums over the realms), "saving_pct" (1 - csm/private,
 *     in %), "paper_saving_pct" (the paper's for that many realms, [GPT-2
 *     177 MB, GPT-2 Medium 437 MB], [] for other counts),
 *     "all_shared_pct" (the saving if a realm were nothing but the blob and
 *     its work memory), "ttfb_ns_private", "ttfb_ns_csm",
 *     "read_ns_private", "read_ns_csm", "repeats"}].
 *
 * Exit status: 0 success, 1 runtime failure (a realm failed, checksum
 * mismatch, PSS unreadable, no CSM service), 2 command-line error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caec/caec.h>
#include <caec/csm_uapi.h>

#include "bench.h"
#include "share.h"

#define DEFAULT_BLOB_MIB 177u		/* the paper's GPT-2 */
#define DEFAULT_REPEAT 3u
#define MAX_BLOB_MIB (64u << 10)
#define MAX_WORK_MIB (64u << 10)

/* The paper's Table 4: RAM saved by one CSM copy, by number of realms. */
static const struct {
	unsigned int realms;
	double pct[2];		/* GPT-2 (177 MB), GPT-2 Medium (437 MB) */
} paper[] = {
	{ 2, { 16.6, 21.0 } },
	{ 3, { 22.9, 28.3 } },
};

/* One line of the table: the medians for one consumer count. */
struct share_row {
	unsigned int consumers;
	double pss_kb[SHARE_NKINDS];
	double ttfb_ns[SHARE_NKINDS];
	double read_ns[SHARE_NKINDS];
	double saving_pct;
	double all_shared_pct;
};

static const char *const kind_names[SHARE_NKINDS] = {
	[SHARE_PRIVATE] = "private",
	[SHARE_CSM] = "csm",
};

static struct caec_csm_service *svc;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: caec-bench share [options]\n"
"\n"
"The data-sharing benchmark (the CAEC paper's Table 4): one provider realm\n"
"and C consumer realms (processes) use the same large read-only blob.\n"
"  private: each realm holds its own copy; the provider sends every consumer\n"
"           its copy over a UNIX socket (realms without CSM: over the NW)\n"
"  csm:     the provider writes the blob into CSM once and shares it\n"
"           read-only with each attested consumer, which maps it\n"
"While every realm holds the blob and has read it all, the sum of their\n"
"proportional set sizes (PSS) is taken; also each consumer's time to first\n"
"byte and to the whole blob read and checksummed.\n"
"\n"
"  --blob-mb N       a generated (pseudo-random, deterministic) blob of\n"
"                    N MiB, 1 .. %u                              [%u]\n"
"  --blob FILE       the blob is FILE (not with --blob-mb)\n"
"  --consumers LIST  consumer counts, each 1 .. %d (realms = consumers + 1)\n"
"                                                              [1,2]\n"
"  --work-mb M       private working memory every realm also touches, MiB:\n"
"                    the part of a realm that is not shared (runtime, KV\n"
"                    cache)                                      [0]\n"
"  --repeat K        private/csm alternations per count, medians kept [%u]\n"
"  --cores LIST      pin realm k to the (k mod n)-th core of LIST, the\n"
"                    provider first                       [not pinned]\n"
"  --json FILE       write the results as JSON (caec_bench_share %d)\n"
"  --help            this text\n"
"\n"
"The paper's savings are of each realm's whole guest memory; with\n"
"--work-mb 0 these are mostly the blob's, so expect them larger.\n"
"Exit status: 0 ok, 1 runtime failure, 2 command-line error.\n",
		MAX_BLOB_MIB, DEFAULT_BLOB_MIB, SHARE_MAX_CONSUMERS,
		DEFAULT_REPEAT, SHARE_SCHEMA);
}

static void
count_item(const char *s, void *ctx)
{
	struct share_cfg *cfg = ctx;
	unsigned int c, i;

	c = (unsigned int)bench_cli_num("--consumers", s, 1,
					SHARE_MAX_CONSUMERS);
	for (i = 0; i < cfg->ncounts; i++)
		if (cfg->consumers[i] == c)
			return;
	cfg->consumers[cfg->ncounts++] = c;
}

static void
core_item(const char *s, void *ctx)
{
	struct share_cfg *cfg = ctx;

	if (cfg->ncores == SHARE_MAX_CORES)
		bench_cli_error("--cores: more than %d cores (one realm each)",
				SHARE_MAX_CORES);
	cfg->cores[cfg->ncores++] = (int)bench_cli_num("--cores", s, 0,
						       CPU_SETSIZE - 1);
}

/* --blob: a readable, non-empty regular file. RETURN VALUE: its size. */
static uint64_t
blob_file_size(const char *path)
{
	struct stat st;
	ssize_t n;
	char c;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		bench_cli_error("--blob: cannot open '%s': %s", path,
				strerror(errno));
	if (fstat(fd, &st))
		bench_cli_error("--blob: cannot stat '%s': %s", path,
				strerror(errno));
	if (!S_ISREG(st.st_mode))
		bench_cli_error("--blob: '%s' is not a regular file", path);
	if (st.st_size == 0)
		bench_cli_error("--blob: '%s' is empty", path);
	if ((uint64_t)st.st_size > (uint64_t)MAX_BLOB_MIB << 20)
		bench_cli_error("--blob: '%s' is larger than %u MiB", path,
				MAX_BLOB_MIB);
	n = pread(fd, &c, 1, 0);
	if (n != 1)
		bench_cli_error("--blob: cannot read '%s': %s", path,
				n < 0 ? strerror(errno) : "end of file");
	close(fd);
	return (uint64_t)st.st_size;
}

/* Fill @cfg from the defaults and the command line; exit 2 on an error. */
static void
parse(int argc, char **argv, struct share_cfg *cfg)
{
	static const struct option opts[] = {
		{ "blob-mb", required_argument, NULL, 'b' },
		{ "blob", required_argument, NULL, 'B' },
		{ "consumers", required_argument, NULL, 'n' },
		{ "work-mb", required_argument, NULL, 'w' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "cores", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool mb = false;
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->blob_bytes = (uint64_t)DEFAULT_BLOB_MIB << 20;
	cfg->repeat = DEFAULT_REPEAT;
	cfg->consumers[cfg->ncounts++] = 1;
	cfg->consumers[cfg->ncounts++] = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			cfg->blob_bytes = bench_cli_num("--blob-mb", optarg, 1,
							MAX_BLOB_MIB) << 20;
			mb = true;
			break;
		case 'B':
			cfg->blob_path = optarg;
			break;
		case 'n':
			cfg->ncounts = 0;
			bench_cli_each("--consumers", optarg, count_item, cfg);
			break;
		case 'w':
			cfg->work_bytes = bench_cli_num("--work-mb", optarg, 0,
							MAX_WORK_MIB) << 20;
			break;
		case 'r':
			cfg->repeat = (unsigned int)bench_cli_num("--repeat",
					optarg, 1, BENCH_MAX_REPEAT);
			break;
		case 'c':
			cfg->ncores = 0;
			bench_cli_each("--cores", optarg, core_item, cfg);
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
	if (mb && cfg->blob_path)
		bench_cli_error("--blob and --blob-mb exclude each other");
	if (cfg->blob_path)
		cfg->blob_bytes = blob_file_size(cfg->blob_path);
}

/* MemAvailable of /proc/meminfo in bytes; 0 when unknown. */
static uint64_t
mem_available(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb << 10;
}

/* The private copies of the largest count must fit: fail before forking. */
/*
 * A private caec-rmmd's granule pool (256 MiB by default) must hold the
 * blob: unless the user set $CAEC_RMMD_POOL_MIB, ask for the blob plus
 * 64 MiB (caec_csm_service_start() passes it on; a caec-rmmd that is
 * already running keeps its own limits).
 */
static void
pool_for(const struct share_cfg *cfg)
{
	uint64_t mib = (cfg->blob_bytes + (1u << 20) - 1) >> 20;
	char v[24];

	if (getenv("CAEC_RMMD_POOL_MIB") || mib + 64 <= 256)
		return;
	snprintf(v, sizeof(v), "%llu", (unsigned long long)(mib + 64));
	if (setenv("CAEC_RMMD_POOL_MIB", v, 1))
		bench_die("setenv: %s", strerror(errno));
}

static void
check_memory(const struct share_cfg *cfg)
{
	uint64_t avail = mem_available(), need;
	unsigned int i, most = 0;

	for (i = 0; i < cfg->ncounts; i++)
		if (cfg->consumers[i] > most)
			most = cfg->consumers[i];
	need = (most + 1ull) * (cfg->blob_bytes + cfg->work_bytes);
	if (avail && need > avail / 10 * 9)
		bench_die("%u realms with private copies need about %llu MiB, but %llu MiB are available: lower --blob-mb, --work-mb or --consumers",
			  most + 1, (unsigned long long)(need >> 20),
			  (unsigned long long)(avail >> 20));
}

/* At exit, after share_run_init()'s clean-up killed any realm left. */
static void
service_stop(void)
{
	caec_csm_service_stop(svc);
	svc = NULL;
}

/* Where the realms' CSM calls go, by csm.h's rule. */
static bool
csm_is_device(void)
{
	const char *env = getenv("CAEC_RMMD_SOCKET");

	return (!env || !*env) && access(CAEC_CSM_DEVICE, F_OK) == 0;
}

/* @ns as "812 ns", "45.2 us", "1.23 ms" or "2.05 s". */
static const char *
fmt_ns(char *buf, size_t len, double ns)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}

static const double *
paper_for(unsigned int realms)
{
	size_t i;

	for (i = 0; i < sizeof(paper) / sizeof(paper[0]); i++)
		if (paper[i].realms == realms)
			return paper[i].pct;
	return NULL;
}

static void
table_header(FILE *f, const struct share_cfg *cfg,
	     const struct bench_machine *m)
{
	unsigned int i;

	fprintf(f, "caec-bench share %d, libcaec %s: %s, %ld CPUs, %s %s, realms ",
		SHARE_SCHEMA, caec_version(), m->cpu_model, m->nproc, m->arch,
		m->kernel);
	if (!cfg->ncores)
		fputs("not pinned", f);
	for (i = 0; i < cfg->ncores; i++)
		fprintf(f, "%s%d", i ? "," : "on cores ", cfg->cores[i]);
	if (csm_is_device())
		fputs("\nCSM: " CAEC_CSM_DEVICE " (the CCA realm's guest driver)\n",
		      f);
	else
		fputs("\nCSM: emulated by caec-rmmd (no hardware isolation; the consumers map the provider's memfd pages, the same physical pages, as a real CSM mapping does)\n",
		      f);
	if (cfg->blob_path)
		fprintf(f, "blob: a file of %llu bytes", (unsigned long long)
			cfg->blob_bytes);
	else
		fprintf(f, "blob: %llu MiB generated", (unsigned long long)
			(cfg->blob_bytes >> 20));
	fprintf(f, "; work memory %llu MiB per realm; %u alternations of private and csm\n\n",
		(unsigned long long)(cfg->work_bytes >> 20), cfg->repeat);
	fprintf(f, "%6s %9s %12s %9s %7s %14s %10s %12s %10s %12s %10s\n",
		"realms", "consumers", "private MiB", "csm MiB", "saving",
		"paper (Medium)", "all-shared", "ttfb private", "ttfb csm",
		"read private", "read csm");
	fflush(f);
}

static void
table_row(FILE *f, const struct share_row *r)
{
	const double *p = paper_for(r->consumers + 1);
	char pp[32], t[4][24];

	if (p)
		snprintf(pp, sizeof(pp), "%.1f%% (%.1f%%)", p[0], p[1]);
	else
		snprintf(pp, sizeof(pp), "-");
	fprintf(f, "%6u %9u %12.1f %9.1f %6.1f%% %14s %9.1f%% %12s %10s %12s %10s\n",
		r->consumers + 1, r->consumers,
		r->pss_kb[SHARE_PRIVATE] / 1024, r->pss_kb[SHARE_CSM] / 1024,
		r->saving_pct, pp, r->all_shared_pct,
		fmt_ns(t[0], sizeof(t[0]), r->ttfb_ns[SHARE_PRIVATE]),
		fmt_ns(t[1], sizeof(t[1]), r->ttfb_ns[SHARE_CSM]),
		fmt_ns(t[2], sizeof(t[2]), r->read_ns[SHARE_PRIVATE]),
		fmt_ns(t[3], sizeof(t[3]), r->read_ns[SHARE_CSM]));
	fflush(f);
}

static void
table_footer(FILE *f, unsigned int regions, double rmmd_kb)
{
	fputs("\nMiB = the sum of the realms' proportional set sizes (PSS, /proc/PID/smaps_rollup), taken while every realm holds and has read the blob; median over the alternations.\n"
	      "saving = 1 - csm/private. paper = the paper's saving for that many realms, GPT-2 177 MB (GPT-2 Medium 437 MB).\n"
	      "all-shared = C*B / ((C+1)*(B+W)): the saving if a realm were nothing but the blob B and its work memory W.\n"
	      "The paper's percentages are of each realm's whole guest memory (guest kernel, llama.cpp, KV cache); these count the realm processes,\n"
	      "mostly the blob when --work-mb is 0, so they are expected to be larger. --work-mb M adds M MiB of private memory to every realm.\n"
	      "ttfb = from the hand-over (private: the provider starts sending the consumer its copy; csm: the provider has handed over the\n"
	      "sharing ids) until the first blob byte is readable in the consumer; read = until the consumer has read the whole blob and its\n"
	      "checksum equals the provider's. Medians over consumers x alternations.\n",
	      f);
	fprintf(f, "The blob took %u CSM region%s", regions,
		regions == 1 ? "" : "s (caec-rmmd refuses regions above its --max-region-mib, 128 by default)");
	fputs(".\n", f);
	/* Its RMM model zeroes a granule of its own for every one delegated. */
	if (!isnan(rmmd_kb))
		fprintf(f, "caec-rmmd itself held %.1f MiB, in no sum: mostly its model's shadow of the RMM's granule pool, an emulation cost\n"
			"(on hardware the region's granules are the memory counted above).\n",
			rmmd_kb / 1024);
	fflush(f);
}

/* RETURN VALUE: 0, or -1 when writing failed. */
static int
write_json(FILE *f, const struct share_cfg *cfg, const struct bench_machine *m,
	   const struct share_row *rows, uint32_t transport,
	   unsigned int regions, double rmmd_kb)
{
	const struct share_row *r;
	const double *p;
	unsigned int i;

	fprintf(f, "{\n  \"caec_bench_share\": %d,\n", SHARE_SCHEMA);
	bench_json_machine(f, m);
	fprintf(f, "  \"blob_bytes\": %llu, ",
		(unsigned long long)cfg->blob_bytes);
	bench_json_str(f, "blob_source", cfg->blob_path ? "file" : "generated",
		       true);
	fprintf(f, "\"work_bytes\": %llu, \"repeat\": %u, \"cores\": [",
		(unsigned long long)cfg->work_bytes, cfg->repeat);
	for (i = 0; i < cfg->ncores; i++)
		fprintf(f, "%s%d", i ? ", " : "", cfg->cores[i]);
	fputs("],\n  ", f);
	bench_json_str(f, "csm_transport", transport == CAEC_CSM_DEVICE_DRIVER ?
		       "device" : "emulated", true);
	fprintf(f, "\"csm_regions\": %u, ", regions);
	bench_json_num(f, "caec_rmmd_pss_kb", rmmd_kb, false);
	fputs(",\n  \"results\": [\n", f);
	for (i = 0; i < cfg->ncounts; i++) {
		r = &rows[i];
		p = paper_for(r->consumers + 1);
		fprintf(f, "    {\"consumers\": %u, \"realms\": %u, ",
			r->consumers, r->consumers + 1);
		bench_json_num(f, "private_pss_kb", r->pss_kb[SHARE_PRIVATE],
			       true);
		bench_json_num(f, "csm_pss_kb", r->pss_kb[SHARE_CSM], true);
		bench_json_num(f, "saving_pct", r->saving_pct, true);
		if (p)
			fprintf(f, "\"paper_saving_pct\": [%.1f, %.1f], ", p[0],
				p[1]);
		else
			fputs("\"paper_saving_pct\": [], ", f);
		bench_json_num(f, "all_shared_pct", r->all_shared_pct, true);
		bench_json_num(f, "ttfb_ns_private", r->ttfb_ns[SHARE_PRIVATE],
			       true);
		bench_json_num(f, "ttfb_ns_csm", r->ttfb_ns[SHARE_CSM], true);
		bench_json_num(f, "read_ns_private", r->read_ns[SHARE_PRIVATE],
			       true);
		bench_json_num(f, "read_ns_csm", r->read_ns[SHARE_CSM], true);
		fprintf(f, "\"repeats\": %u}%s\n", cfg->repeat,
			i + 1 == cfg->ncounts ? "" : ",");
	}
	fputs("  ]\n}\n", f);
	return fflush(f) || ferror(f) ? -1 : 0;
}

/* The medians of @repeat runs of each kind with @c consumers. */
static void
row_of(const struct share_cfg *cfg, unsigned int c,
       struct share_sample s[SHARE_NKINDS][BENCH_MAX_REPEAT],
       struct share_row *row)
{
	static uint64_t ttfb[SHARE_MAX_CONSUMERS * BENCH_MAX_REPEAT];
	static uint64_t rd[SHARE_MAX_CONSUMERS * BENCH_MAX_REPEAT];
	double pss[BENCH_MAX_REPEAT], b = (double)cfg->blob_bytes;
	unsigned int kind, k, i, n;

	row->consumers = c;
	for (kind = 0; kind < SHARE_NKINDS; kind++) {
		for (n = 0, k = 0; k < cfg->repeat; k++) {
			pss[k] = (double)s[kind][k].pss_kb;
			for (i = 0; i < c; i++, n++) {
				ttfb[n] = s[kind][k].ttfb_ns[i];
				rd[n] = s[kind][k].read_ns[i];
			}
		}
		row->pss_kb[kind] = bench_median(pss, cfg->repeat);
		row->ttfb_ns[kind] = bench_percentile(ttfb, n, 50);
		row->read_ns[kind] = bench_percentile(rd, n, 50);
	}
	row->saving_pct = (1.0 - row->pss_kb[SHARE_CSM] /
			   row->pss_kb[SHARE_PRIVATE]) * 100.0;
	row->all_shared_pct = c * b / ((c + 1) * (b + cfg->work_bytes)) *
			      100.0;
}

/* "[2 realms 3/5] csm ..." on a terminal's stderr. */
static void
progress(unsigned int c, unsigned int k, unsigned int reps,
	 enum share_kind kind)
{
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K[%u realms %u/%u] %s ...", c + 1, k,
			reps, kind_names[kind]);
}

/*
 * bench_share_main - "caec-bench share": @argv[0] is "share". Exits 2 on a
 * command-line error, 1 on a runtime failure.
 * RETURN VALUE: 0.
 */
int
bench_share_main(int argc, char **argv)
{
	static struct share_sample s[SHARE_NKINDS][BENCH_MAX_REPEAT];
	struct share_row rows[SHARE_MAX_CONSUMERS];
	double rmmd[BENCH_MAX_REPEAT];
	unsigned int i, k, o, c, nrmmd = 0;
	struct bench_machine mach;
	struct bench_cfg where;
	struct share_cfg cfg;
	enum share_kind kind;
	uint64_t sum = 0;
	bool pinned = true;
	FILE *json = NULL;
	int rc;

	bench_cli_command = "caec-bench share";
	argv[0] = (char *)bench_cli_command;	/* getopt's messages */
	parse(argc, argv, &cfg);
	json = bench_open_out("--json", cfg.json_path);
	check_memory(&cfg);
	pool_for(&cfg);

	/* Before any fork: the realms inherit $CAEC_RMMD_SOCKET. */
	rc = caec_csm_service_start(&svc);
	if (rc)
		bench_die("no CSM service: caec_csm_service_start: %s (%s)",
			  caec_strerror(rc), caec_error_detail());
	if (atexit(service_stop))
		bench_die("atexit failed");
	share_run_init();	/* its clean-up runs before service_stop */
	/* A realm that goes away mid-transfer is an error, not a signal. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		bench_die("signal: %s", strerror(errno));
	cfg.rmmd_pid = caec_csm_service_pid(svc);

	bench_clock_init();
	memset(&where, 0, sizeof(where));
	where.cores[0] = cfg.ncores ? cfg.cores[0] : -1;
	where.cores[1] = cfg.ncores ? cfg.cores[1 % cfg.ncores] : -1;
	bench_machine_probe(&mach, &where);
	table_header(stdout, &cfg, &mach);

	for (i = 0; i < cfg.ncounts; i++) {
		c = cfg.consumers[i];
		for (k = 0; k < cfg.repeat; k++) {
			for (o = 0; o < SHARE_NKINDS; o++) {
				kind = (o + k) % 2 ? SHARE_CSM : SHARE_PRIVATE;
				progress(c, k + 1, cfg.repeat, kind);
				share_run(&cfg, c, kind, &s[kind][k]);
				/* Same blob in every run, or it changed. */
				if (!sum)
					sum = s[kind][k].sum;
				if (s[kind][k].sum != sum)
					bench_die("DATA MISMATCH: the blob's checksum is %016llx in this run, %016llx before",
						  (unsigned long long)s[kind][k].sum,
						  (unsigned long long)sum);
				if (s[kind][k].pin_failed)
					pinned = false;
			}
			if (cfg.rmmd_pid && nrmmd < BENCH_MAX_REPEAT)
				rmmd[nrmmd++] = (double)s[SHARE_CSM][k].rmmd_pss_kb;
		}
		if (isatty(STDERR_FILENO))
			fputs("\r\033[K", stderr);
		row_of(&cfg, c, s, &rows[i]);
		table_row(stdout, &rows[i]);
	}
	table_footer(stdout, s[SHARE_CSM][0].regions,
		     nrmmd ? bench_median(rmmd, nrmmd) : NAN);
	if (cfg.ncores && !pinned)
		printf("Warning: some realms could not be pinned to their --cores core and ran unpinned.\n");
	mach.pinned = cfg.ncores && pinned;

	if (json)
		bench_close_out(json, cfg.json_path,
				write_json(json, &cfg, &mach, rows,
					   s[SHARE_CSM][0].transport,
					   s[SHARE_CSM][0].regions,
					   nrmmd ? bench_median(rmmd, nrmmd) :
						   NAN));
	return 0;
}
