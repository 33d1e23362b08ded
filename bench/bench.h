/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-bench private interfaces.
 *
 * A group is every mode's point at one pattern and size. The group's lanes
 * (the bare reference and one channel per mode) are set up once, each with
 * its sending end in the parent (core A) and its receiving end in one peer
 * process (core B), then measured in rounds: each round runs one short
 * block of every lane in a random order, so that every lane samples the
 * same host conditions (group.c). A point keeps one result per block;
 * ratios are paired by round (paired.c).
 *
 * Every message carries, in its payload:
 *   bytes 0..7          CLOCK_MONOTONIC send time in ns, or 0 (not stamped)
 *   bytes 8..15         sequence number
 *   bytes size-8..size  the same sequence number again (catches truncation)
 * and every receiver checks length and both sequence words: O(1) a message.
 */
#ifndef CAEC_BENCH_H
#define CAEC_BENCH_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define BENCH_SCHEMA 1
#define BENCH_MAX_MODES 10		/* the modes, the peers and the A/A lane */
#define BENCH_MAX_PATTERNS 8
#define BENCH_MAX_SIZES 64
#define BENCH_MAX_ROUNDS 100000u	/* the sweep's --repeat's upper bound */
#define BENCH_MAX_REPEAT 64		/* share's and calls' --repeat's */
#define BENCH_MIN_SIZE 64u
#define BENCH_MAX_SIZE (64u << 20)
#define BENCH_RING_MIN (1u << 20)	/* auto ring: 1 MiB ... */
#define BENCH_RING_FACTOR 4u		/* ... or 4 records, if larger */
#define BENCH_TIMEOUT_MS 10000		/* a silent peer is a failure */
#define BENCH_STAMP_MAX_EVERY 64u	/* stream: stamp at least 1 in 64 */
#define BENCH_NOISY_PCT 5.0		/* other load + steal that taints a sweep */
#define BENCH_RESOLVE_PCT 10.0		/* a ratio is resolved when its 95%
					   interval lies within +-10% of it */
#define BENCH_MAX_PLACES 4		/* placements reported per group */

/*
 * BENCH_STREAM and BENCH_STREAM_ZC are the two pipelined streams, copy
 * (send/recv) and zero-copy (reserve/commit, peek/release): everything
 * that is about "a stream" (warm-up, MB/s as the main metric, the memcpy
 * reference, stamping) tests bench_pattern_is_stream(), never one of them.
 */
enum bench_pattern {
	BENCH_STREAM,
	BENCH_PINGPONG,
	BENCH_MAILBOX,
	BENCH_STREAM_ZC,
	BENCH_NPATTERNS,
};

enum bench_cycles_source {
	BENCH_CYC_NONE,
	BENCH_CYC_ESTIMATE,
	BENCH_CYC_PERF,
};

/* The metrics that ratios are taken of (bench_metric_of()). */
enum bench_metric {
	BENCH_M_LAT,		/* latency_ns_p50, lower is better */
	BENCH_M_TPUT,		/* mbytes_per_s, higher is better */
	BENCH_M_CYC,		/* cycles_per_msg, lower is better */
	BENCH_NMETRICS,
};

/*
 * A --mode value and the channel URI scheme that implements it. @aa_of is
 * set on the A/A lane only (--aa): a second, identical channel of the mode
 * it names, measured as a mode of its own ("nw#aa").
 */
struct bench_mode {
	const char *name;
	const char *scheme;
	const struct bench_mode *aa_of;
};

struct bench_cfg {
	const struct bench_mode *modes[BENCH_MAX_MODES];
	unsigned int nmodes;		/* the A/A lane, if any, is the last */
	enum bench_pattern patterns[BENCH_MAX_PATTERNS];
	unsigned int npatterns;
	uint32_t sizes[BENCH_MAX_SIZES];
	unsigned int nsizes;
	uint64_t count;		/* 0: the pattern's default minimum */
	int64_t warmup;		/* -1: one lap of the ring (see group.c) */
	int cores[2];		/* sender, receiver */
	const char *json_path;
	const char *csv_path;
	unsigned int repeat;	/* rounds per point, at least */
	double budget_s;	/* per point: more rounds until resolved */
	unsigned int block_us;	/* a block's target duration */
	uint64_t seed;		/* the rounds' order and the bootstrap */
	bool aa;		/* --aa: the A/A lane */
	bool quick;		/* --quick */
	uint32_t ring;		/* 0: auto */
	unsigned int batch;	/* stream: publish every @batch messages */
	bool wake_futex;	/* region with the futex wake-up protocol */
	bool crypto_only;	/* only the crypto-only references */
	bool peers;		/* --peers: also the peers (alt_ipc.c) */
	const struct bench_mode *skipped[BENCH_MAX_MODES]; /* peers not built */
	unsigned int nskipped;
	const char *plot_path;	/* --plot FILE.png or FILE.svg */
};

/* What a lane is: fixed for the group (both processes hold a copy). */
struct bench_run {
	const struct bench_cfg *cfg;
	const struct bench_mode *mode;	/* NULL for the reference */
	enum bench_pattern pattern;
	uint32_t size;
	uint32_t ring;		/* ring data bytes; the reference buffer too */
	unsigned int batch;	/* stream: publish every @batch messages */
};

/*
 * One block, as the parent orders it through the control block: @warm
 * untimed messages, then @count timed ones; streams stamp one timed
 * message in @stamp_every.
 */
struct bench_cmd {
	uint32_t lane;
	uint32_t op;		/* BENCH_OP_* */
	uint64_t warm;
	uint64_t count;
	uint32_t stamp_every;
};

enum {
	BENCH_OP_BLOCK = 1,
	BENCH_OP_QUIT,
};

/* What one block (or a point's median over blocks) measured. NAN = none. */
struct bench_result {
	double msgs_per_s;
	double mbytes_per_s;
	double lat_p50_ns;
	double lat_p99_ns;
	double cpu_ns_per_msg;
	double cycles_per_msg;
	enum bench_cycles_source cycles_source;
};

/* One block of one lane and the bare round trip its probe saw before it. */
struct bench_block {
	struct bench_result r;
	double level_ns;
	int place;		/* its placement (placement.c), -1: none */
	unsigned int epoch;	/* the set of channels it ran on */
};

/*
 * A ratio of two lanes' metric, paired by round (paired.c): the mean over
 * @epochs epochs of the median of their per-round ratios, and its 95%
 * interval, from @blocks rounds.
 */
struct bench_ratio {
	double ratio;
	double lo, hi;
	unsigned int blocks;
	unsigned int epochs;
	bool resolved;		/* [lo, hi] within +-BENCH_RESOLVE_PCT */
};

/*
 * The placements the blocks of a group fell into, told apart by the bare
 * round trip of each block's probe (placement.c). [0] is the dominant one:
 * every figure of the group is taken over its blocks.
 */
struct bench_placement {
	unsigned int n;
	double lo_ns[BENCH_MAX_PLACES], hi_ns[BENCH_MAX_PLACES];
	double mid_ns[BENCH_MAX_PLACES];
	unsigned int blocks[BENCH_MAX_PLACES];
	unsigned int total;	/* blocks of the group */
	bool split;		/* another placement holds >= 10% of them */
};

/* One line of the output: a mode at one pattern and size. */
struct bench_point {
	const struct bench_mode *mode;
	enum bench_pattern pattern;
	uint32_t size;
	uint32_t ring;
	uint64_t count;		/* the minimum of timed messages */
	uint64_t messages;	/* timed messages measured */
	uint64_t block_msgs;	/* timed messages per block */
	unsigned int batch;
	unsigned int repeats;	/* rounds, i.e. blocks of this mode */
	unsigned int epochs;	/* sets of channels they ran on */
	unsigned int used;	/* ... of them in the dominant placement */
	struct bench_result subj;	/* medians over the used blocks */
	struct bench_result subj_min;	/* each metric's 5th and 95th */
	struct bench_result subj_max;	/* percentile over them */
	struct bench_result ref;	/* the same of the reference lane */
	struct bench_result ref_min;
	struct bench_result ref_max;
	double ref_ratio;	/* = ref_ci.ratio */
	struct bench_ratio ref_ci;	/* main metric / the reference's */
	const struct bench_point *vs;	/* what vs_ci compares with, or NULL */
	struct bench_ratio vs_ci[BENCH_NMETRICS];	/* this / vs */
	struct bench_placement place;	/* the group's */
	double elapsed_s;	/* the group's rounds took this long */
	bool budget_out;	/* its budget ran out before it was resolved */
	double spread_pct;	/* (p95 - p5) / 2 / median of the main metric */
	double seal_mbps;	/* encrypted stream: crypto-only references, */
	double open_mbps;	/* NAN when not measured */
	double crypto_ratio;	/* stream MB/s / min(seal, open) */
	double busy_pct;	/* other processes + steal during the point */
};

struct bench_machine {
	char cpu_model[128];
	char kernel[80];
	char arch[80];
	char clocksource[64];
	long nproc;
	int cores[2];
	bool pinned;
	char started[24];	/* UTC, ISO 8601: when the run began */
};

/* What else used the machine during the sweep (see machine.c). */
struct bench_load {
	bool valid;
	uint64_t busy, steal, total;	/* /proc/stat ticks at the start */
	uint64_t own_ns;		/* our CPU time at the start */
	double other_pct;		/* other processes, % of all CPUs */
	double steal_pct;		/* hypervisor steal, % of all CPUs */
};

/*
 * Shared control block between the parent and its peer process, mapped
 * before fork. Each field has one writer; every flag and counter lives on
 * its own 128-byte block. The parent writes @cmd, then @cmd_seq (release);
 * the peer answers the probe, runs the block, raising @warm_done to the
 * block's @cmd_seq when its warm-up is consumed and @done_seq when it is
 * over (release, after the result fields).
 */
struct bench_ctl {
	_Alignas(128) uint32_t ready;	/* the peer attached every lane */
	_Alignas(128) int32_t pin_err;	/* the peer's sched_setaffinity errno */
	_Alignas(128) uint32_t cmd_seq;	/* parent: the block ordered */
	struct bench_cmd cmd;
	_Alignas(128) uint32_t warm_done; /* peer: block's warm-up consumed */
	_Alignas(128) uint32_t done_seq;	/* peer: block finished */
	uint64_t cpu_ns;		/* peer CPU time of the timed phase */
	uint64_t elapsed_ns;		/* stream: first stamp to last recv */
	double lat_p50_ns;		/* stream: stamped send-to-receive */
	double lat_p99_ns;
	_Alignas(128) uint64_t probe_ping;	/* parent: probe round trip k */
	_Alignas(128) uint64_t probe_pong;	/* peer: k seen */
};

/*
 * A lane's transport. Each process keeps its own struct bench_lane (the
 * parent's, copied by the fork); @priv is the kind's state of that side.
 * open: the parent, before the fork; connect (or NULL): the parent after
 * it, in lane order; attach: the peer, in the same order; send: the
 * parent's side of one block (warm-up, bench_peer_wait() for the peer's
 * warm_done, the timed part inside @m; round trips fill msgs_per_s and the
 * latencies of @res); recv: the peer's side (streams fill the ctl's result
 * fields); close: each side, at the group's end.
 */
struct bench_lane;
struct bench_meter;
struct bench_lane_ops {
	void (*open)(struct bench_lane *l);
	void (*connect)(struct bench_lane *l);
	void (*attach)(struct bench_lane *l);
	void (*send)(struct bench_lane *l, const struct bench_cmd *c,
		     struct bench_result *res, struct bench_meter *m);
	void (*recv)(struct bench_lane *l, const struct bench_cmd *c,
		     struct bench_ctl *ctl);
	void (*close)(struct bench_lane *l);
};

struct bench_lane {
	const struct bench_lane_ops *ops;
	struct bench_run run;
	void *priv;
	uint64_t seq;		/* the next message's sequence number */
	uint64_t *lat;		/* per-message samples, bench_lane_lat() */
	size_t lat_cap;
};

/* cli.c */
extern const char *bench_cli_command;
void bench_cli_parse(int argc, char **argv, struct bench_cfg *cfg);
void bench_cli_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
uint64_t bench_cli_num(const char *opt, const char *s, uint64_t lo,
		       uint64_t hi);
void bench_cli_each(const char *opt, const char *arg,
		    void (*item)(const char *, void *), void *ctx);
uint64_t bench_default_count(enum bench_pattern p, uint32_t size);
FILE *bench_open_out(const char *opt, const char *path);
void bench_cli_sizes(const char *arg, uint32_t *sizes, unsigned int *n,
		     uint32_t max);
void bench_cli_other(int c, void (*print_usage)(FILE *))
	__attribute__((noreturn));
void bench_close_out(FILE *f, const char *path, int rc);

/* A pipelined stream, copy or zero-copy (see enum bench_pattern). */
static inline bool
bench_pattern_is_stream(enum bench_pattern p)
{
	return p == BENCH_STREAM || p == BENCH_STREAM_ZC;
}

/* The mode a lane's channel is made of: the A/A lane's is its original's. */
static inline const struct bench_mode *
bench_mode_base(const struct bench_mode *m)
{
	return m->aa_of ? m->aa_of : m;
}

/* patterns.c: the subject, over a caec channel */
const struct bench_mode *bench_mode_find(const char *name);
const char *bench_mode_list(void);
int bench_mode_probe(const struct bench_mode *m);
struct caec_channel_params;
const struct caec_channel_params *
bench_chan_params(struct caec_channel_params *p);
extern const struct bench_lane_ops bench_subject_ops;

/*
 * alt_ipc.c: the peers, what a user would pick instead of libcaec (a UNIX
 * socket, a pipe, concurrencykit's ck_ring), as modes "peer-*" measured like
 * the subject. "alt" in the code: peer.c's peer is the forked process.
 */
const struct bench_mode *bench_alt_find(const char *name);
bool bench_mode_is_alt(const struct bench_mode *m);
const char *bench_alt_lacks(enum bench_pattern p);
bool bench_point_applies(const struct bench_mode *m, enum bench_pattern p);
const char *bench_alt_missing(const struct bench_mode *m);
void bench_alt_add_all(struct bench_cfg *cfg);
extern const struct bench_lane_ops bench_alt_ops;

/*
 * alt_ckring.c: the ck_ring transport (only with concurrencykit). A link
 * is one process's end of two directions, parent to child and back.
 */
struct alt_ck;
struct alt_ck *bench_ck_open(const struct bench_run *run, uint32_t back_size);
void bench_ck_send(struct alt_ck *c, bool child, const void *buf,
		   uint32_t len);
void bench_ck_recv(struct alt_ck *c, bool child, void *buf, uint32_t len);
void bench_ck_close(struct alt_ck *c);

/* reference.c: bare memcpy stream and bare cache-line ping-pong */
extern const struct bench_lane_ops bench_ref_stream_ops;
extern const struct bench_lane_ops bench_ref_pingpong_ops;
int bench_calls_main(int argc, char **argv);	/* calls.c */
bool bench_mode_encrypted(const struct bench_mode *m);
void bench_csm_consumer(int rd, int wr, char *sid_text);
uint64_t bench_csm_provider_verify(int rd, int wr, uint8_t *their_challenge);
void bench_csm_provider_send(int wr, const uint8_t *their_challenge,
			     const char *sid_text);
void bench_crypto_ref(const struct bench_mode *m, uint32_t size,
		      double *seal_mbps, double *open_mbps);

/* group.c: one group's lanes, rounds and figures */
void bench_group_measure(const struct bench_cfg *cfg,
			 struct bench_point **grp, unsigned int n,
			 unsigned int done, unsigned int total);
const struct bench_mode *bench_base_mode(const struct bench_cfg *cfg);

uint64_t *bench_lane_lat(struct bench_lane *l, size_t n);

/* paired.c: paired ratios with intervals over epochs */
double bench_metric_of(const struct bench_result *r, enum bench_metric m);
enum bench_metric bench_main_metric_of(enum bench_pattern p);
void bench_paired_ratio(const double *num, const double *den,
			const unsigned int *epoch, unsigned int n,
			struct bench_ratio *r);
void bench_ratio_invert(const struct bench_ratio *in, struct bench_ratio *out);
uint64_t bench_rand(uint64_t *state);

/* placement.c: the blocks' placements */
void bench_placement_find(struct bench_block *const *lanes,
			  unsigned int nlanes, unsigned int rounds,
			  struct bench_placement *pl);

/* peer.c: the peer process, pinning, fatal errors */
extern bool bench_in_child;
extern bool bench_pinned;
void bench_peer_init(void);
struct bench_ctl *bench_peer_ctl(void);
pid_t bench_peer_spawn(const struct bench_cfg *cfg, int (*fn)(void *),
		       void *arg);
void bench_peer_wait(const uint32_t *flag, uint32_t want, const char *what);
void bench_peer_join(pid_t pid);
int bench_pin(int core, int avoid);
void *bench_alloc(size_t len);
void bench_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void bench_die_lib(const char *call, long rc) __attribute__((noreturn));
void bench_die_data(const struct bench_run *run, const char *who,
		    uint64_t seq, const uint8_t *buf, long len)
	__attribute__((noreturn));
void bench_spin_slow(uint64_t *t0, const char *what);

/* clock.c */
void bench_clock_init(void);
uint64_t bench_now_ns(void);
uint64_t bench_thread_cpu_ns(void);
double bench_ticks_hz(void);
double bench_ticks_resolution_ns(void);
uint64_t bench_ticks_step(void);
const char *bench_ticks_name(void);
enum bench_cycles_source bench_cycles_source(void);

struct bench_meter {
	uint64_t cpu_ns;
	uint64_t cycles;
	enum bench_cycles_source source;
};
void bench_meter_start(struct bench_meter *m);
void bench_meter_stop(struct bench_meter *m);
double bench_cycles_per_msg(const struct bench_meter *m, uint64_t count);

/* stats.c */
double bench_percentile(uint64_t *v, size_t n, double pct);
double bench_percentile_d(double *v, size_t n, double pct);
void bench_rt_result(struct bench_result *res, uint64_t *lat, uint64_t n,
		     uint64_t t0_ns, uint64_t t1_ns);
double bench_median(const double *v, size_t n);
double bench_min(const double *v, size_t n);
double bench_max(const double *v, size_t n);
double bench_spread_pct(double lo, double mid, double hi);

/* machine.c */
void bench_machine_probe(struct bench_machine *m, const struct bench_cfg *cfg);
void bench_load_start(struct bench_load *l);
void bench_load_stop(struct bench_load *l);

/* report.c */
const char *bench_pattern_name(enum bench_pattern p);
int bench_pattern_find(const char *name);
void bench_table_header(FILE *f, const struct bench_cfg *cfg,
			const struct bench_machine *m);
void bench_table_row(FILE *f, const struct bench_point *p);
void bench_table_group_notes(FILE *f, struct bench_point *const *grp,
			     unsigned int n);
void bench_table_skips(FILE *f, const struct bench_cfg *cfg);
void bench_table_footer(FILE *f, const struct bench_cfg *cfg,
			const struct bench_load *l);
void bench_crypto_table(FILE *f, const struct bench_point *pts, size_t n,
			bool only);
int bench_write_json(FILE *f, const struct bench_cfg *cfg,
		     const struct bench_machine *m, const struct bench_load *l,
		     const struct bench_point *pts, size_t n);
int bench_write_csv(FILE *f, const struct bench_point *pts, size_t n);
const char *bench_main_metric(const struct bench_point *p);
const char *bench_mode_kind(const struct bench_mode *m);
void bench_json_num(FILE *f, const char *key, double v, bool comma);
void bench_json_str(FILE *f, const char *key, const char *s, bool comma);
void bench_json_machine(FILE *f, const struct bench_machine *m);

/* summary.c: the plaintext advantage factors, like the paper's claims */
void bench_summary_print(FILE *f, const struct bench_point *pts, size_t n);
void bench_summary_json(FILE *f, const struct bench_point *pts, size_t n);
bool bench_summary_metric(enum bench_pattern p, enum bench_metric m);

/* plot.c: the paper's three panels with gnuplot */
void bench_plot_check(const char *path);
int bench_plot(const char *path, const struct bench_cfg *cfg,
	       const struct bench_machine *m, const struct bench_point *pts,
	       size_t n);

/* The parent: wait until the peer has consumed this block's warm-up. */
static inline void
bench_block_warm_wait(struct bench_ctl *ctl)
{
	bench_peer_wait(&ctl->warm_done, ctl->cmd_seq, "end of warm-up");
}

/* The peer: this block's warm-up is consumed; the timed part may start. */
static inline void
bench_block_warm_done(struct bench_ctl *ctl)
{
	/* Pairs with the parent's acquire load in bench_peer_wait(). */
	__atomic_store_n(&ctl->warm_done, ctl->cmd_seq, __ATOMIC_RELEASE);
}

/*
 * Write (@wr) or read all @len bytes at @buf through @fd, retrying after
 * signals and short transfers.
 * RETURN VALUE: 0; -EPIPE when the other end is closed (a read of 0 bytes);
 * -errno of the failed call (-EAGAIN after a socket timeout).
 */
static inline int
bench_io_all(bool wr, int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = wr ? write(fd, p, len) : read(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == 0) {
			return -EPIPE;
		} else if (errno != EINTR) {
			return -errno;
		}
	}
	return 0;
}

/* The spin-wait pause, the same instruction the library's SPIN wait uses. */
static inline void
bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/*
 * One spin of a wait loop: pause, and every 2^16 spins check the timeout
 * (a vDSO clock read, no syscall). @t0 starts at 0 for each wait.
 */
static inline void
bench_spin(uint32_t *n, uint64_t *t0, const char *what)
{
	bench_relax();
	if (__builtin_expect((++*n & 0xffffu) != 0, 1))
		return;
	bench_spin_slow(t0, what);
}

/*
 * The per-sample clock for round trips: the cycle counter (TSC, CNTVCT),
 * cheaper than clock_gettime; converted with bench_ticks_hz().
 */
static inline uint64_t
bench_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
	uint64_t v;

	__asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
#else
	return bench_now_ns();
#endif
}

/* Count down @left; true (and restart at @batch) at the batch's end. */
static inline bool
bench_batch_end(unsigned int *left, unsigned int batch)
{
	if (--*left)
		return false;
	*left = batch;
	return true;
}

/* Count down @left; true for one message in @every (the first one first). */
static inline bool
bench_stamp_due(uint32_t *left, uint32_t every)
{
	if (--*left)
		return false;
	*left = every;
	return true;
}

static inline void
bench_fill(uint8_t *buf, uint32_t size, uint64_t seq, uint64_t stamp)
{
	memcpy(buf, &stamp, sizeof(stamp));
	memcpy(buf + 8, &seq, sizeof(seq));
	memcpy(buf + size - 8, &seq, sizeof(seq));
}

static inline bool
bench_check(const uint8_t *buf, long len, uint32_t size, uint64_t seq)
{
	uint64_t a, b;

	if (len != (long)size)
		return false;
	memcpy(&a, buf + 8, sizeof(a));
	memcpy(&b, buf + size - 8, sizeof(b));
	return a == seq && b == seq;
}

static inline uint64_t
bench_stamp_of(const uint8_t *buf)
{
	uint64_t s;

	memcpy(&s, buf, sizeof(s));
	return s;
}

#endif /* CAEC_BENCH_H */
