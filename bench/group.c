/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One group: every mode's point at one pattern and size, measured side by
 * side in short blocks.
 *
 * The lanes are the bare reference of the pattern (lane 0) and one channel
 * per mode (the A/A lane among them, with --aa). The group runs in epochs,
 * each on lanes set up afresh: the parent opens each lane's sending end,
 * forks one peer process (pinned to the second core) that attaches every
 * receiving end, and the csm lanes attest and share. New channels each
 * epoch have new pages, whose luck with the caches is then a random effect
 * that the intervals contain (paired.c).
 *
 * In the first epoch each lane is calibrated: a first short block gives
 * its time per message, an untimed warm-up (one lap of its ring, at most
 * WARM_MAX_NS; page faults and TLB, the same in every later epoch) touches
 * its pages, and CAL_BLOCKS blocks of the target length give its time per
 * message. That fixes its block: as many timed messages as last --block-us
 * (1 ms by default; at least MIN_RT_BLOCK round trips or
 * MIN_STREAM_BATCHES batches), preceded in every block by an untimed eighth
 * of that (at least MIN_RT_WARM round trips or two batches) that brings the
 * lane's lines back after the other lanes ran; lanes alike by construction
 * share one length (block_class()).
 *
 * Then the rounds: each runs one block of every lane, in an order drawn at
 * random for each round (--seed), so that all lanes sample the same host
 * conditions and none always runs first or after the same neighbour. Every
 * block starts with a probe of PROBE_RTS bare cache-line round trips on
 * lines of its own, whose median tags the block with the placement it ran
 * in (placement.c). An epoch holds max(EPOCH_ROUNDS, --repeat / MIN_EPOCHS)
 * rounds. Epochs continue until at least MIN_EPOCHS and --repeat rounds
 * have run and every mode has at least its --count timed messages, and then
 * until the group's headline ratios are resolved (paired.c) or the
 * per-point budget (--budget seconds of epochs) is spent; the points that
 * ran out say so.
 *
 * Headline ratios, on each metric the summary reports for the pattern
 * (bench_summary_metric(): mailbox p50, MB/s and cycles; pingpong p50;
 * stream MB/s and cycles; stream-zc MB/s): every other caec mode against
 * the plaintext baseline (bench_base_mode()), and the A/A lane against the
 * mode it copies; a group with neither has its caec modes' ratios to the
 * reference, on the pattern's main metric, as headline. The peers' ratios are computed and reported like the
 * others, but do not hold the group back.
 *
 * Each point's figures are the median over its blocks in the group's
 * dominant placement, with the 5th and 95th percentiles as its range; its
 * ratios (to the reference, to the baseline, of the A/A lane to its
 * original) are paired by round, over the rounds whose two blocks both ran
 * in the dominant placement, and summed up over epochs (paired.c).
 *
 * The peer process waits between blocks by spinning on the control block
 * (on its own core, as it spins on a channel): no system call, no sleep,
 * so that every block starts from the same state.
 */
#include <math.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include <caec/caec.h>

#include "bench.h"

#define ACK_REC 16u			/* an 8-byte ack's record */
#define PROBE_RTS 32u
#define WARM_MAX_NS 10000000ull	/* a lane's first warm-up: 10 ms */
#define MIN_RT_BLOCK 8u
#define MIN_RT_WARM 4u
#define MIN_STREAM_BATCHES 4u
#define MAX_BLOCK (1ull << 24)
#define EPOCH_ROUNDS 5u
#define MIN_EPOCHS 4u
#define CRYPTO_REPS 3u
#define CAL_BLOCKS 3u

/* The parent's view of one lane. */
struct lane_data {
	struct bench_lane lane;
	struct bench_point *pt;		/* NULL: the reference */
	uint64_t block, warm;		/* per block: timed, untimed */
	uint64_t min, minw;		/* their least */
	uint64_t first_warm;		/* each epoch's first, untimed */
	double tmsg;			/* calibrated ns per message */
	uint32_t stamp_every;
	struct bench_block *b;		/* one per round */
	unsigned int cap;
	uint64_t total;			/* timed messages of the rounds */
	int vs;				/* headline partner lane, or -1 */
};

struct group {
	const struct bench_cfg *cfg;
	struct lane_data ld[BENCH_MAX_MODES + 1];
	unsigned int n;			/* lanes, the reference first */
	uint32_t seq;			/* the last block ordered */
	uint64_t probe;			/* the last probe round trip */
	unsigned int rounds;
	unsigned int epochs;		/* epochs begun */
	uint64_t rng;
	char pending[96];		/* an unresolved headline, for progress */
};

/* The reference each pattern is compared with. Adding a pattern adds a row. */
static const struct bench_lane_ops *const reference_of[BENCH_NPATTERNS] = {
	[BENCH_STREAM] = &bench_ref_stream_ops,
	[BENCH_PINGPONG] = &bench_ref_pingpong_ops,
	[BENCH_MAILBOX] = &bench_ref_pingpong_ops,
	[BENCH_STREAM_ZC] = &bench_ref_stream_ops,
};

/*
 * bench_base_mode - the plaintext baseline of the comparisons: csm when the
 * run has it, else nw, else NULL.
 */
const struct bench_mode *
bench_base_mode(const struct bench_cfg *cfg)
{
	const struct bench_mode *nw = NULL;
	unsigned int i;

	for (i = 0; i < cfg->nmodes; i++) {
		if (cfg->modes[i]->aa_of)
			continue;
		if (!strcmp(cfg->modes[i]->name, "csm"))
			return cfg->modes[i];
		if (!strcmp(cfg->modes[i]->name, "nw"))
			nw = cfg->modes[i];
	}
	return nw;
}

/*
 * bench_lane_lat - @l's sample buffer, grown to hold @n (outside every timed
 * loop; the pages are touched when it grows).
 */
uint64_t *
bench_lane_lat(struct bench_lane *l, size_t n)
{
	if (n > l->lat_cap) {
		free(l->lat);
		l->lat = bench_alloc(n * sizeof(*l->lat));
		l->lat_cap = n;
	}
	return l->lat;
}

/*
 * Warm-up: enough messages for every ring page to have been touched on both
 * sides (page faults, TLB) before timing, i.e. one lap of the ring in each
 * direction (the mailbox's ack ring laps slowest), two for the stream.
 */
static uint64_t
lap_of(enum bench_pattern p, uint32_t size, uint32_t ring)
{
	uint64_t rec = (size + 8u + 7u) & ~7ull;

	if (bench_pattern_is_stream(p))
		return 2 * ring / size > 1000 ? 2 * ring / size : 1000;
	if (p == BENCH_MAILBOX)
		rec = ACK_REC;
	return ring / rec + 16;
}

static double
elapsed_s(uint64_t t0)
{
	return (double)(bench_now_ns() - t0) / 1e9;
}

/* --- the peer process --- */

/* Answer the parent's probe round trips (see probe()). */
static void
probe_answer(struct bench_ctl *ctl, uint64_t *k)
{
	uint64_t t0;
	uint32_t spins, i;

	for (i = 0; i < PROBE_RTS; i++) {
		++*k;
		spins = 0;
		t0 = 0;
		/* Pairs with the parent's release store of probe_ping. */
		while (__atomic_load_n(&ctl->probe_ping, __ATOMIC_ACQUIRE) != *k)
			bench_spin(&spins, &t0, "block probe");
		/* Pairs with the parent's acquire load of probe_pong. */
		__atomic_store_n(&ctl->probe_pong, *k, __ATOMIC_RELEASE);
	}
}

/*
 * The peer: attach every lane in order, then run the blocks the parent
 * orders until it says quit. Between blocks it spins on cmd_seq; a parent
 * that died takes it along (PR_SET_PDEATHSIG, and the getppid() check).
 */
static int
group_child(void *arg)
{
	struct group *g = arg;
	struct bench_ctl *ctl = bench_peer_ctl();
	uint32_t last = 0, seq;
	uint64_t probe = 0;
	struct bench_cmd c;
	unsigned int i, spins = 0;

	for (i = 0; i < g->n; i++)
		g->ld[i].lane.ops->attach(&g->ld[i].lane);
	/* Pairs with the parent's acquire load in bench_peer_wait(). */
	__atomic_store_n(&ctl->ready, 1, __ATOMIC_RELEASE);
	for (;;) {
		/* Pairs with the parent's release store of cmd_seq. */
		seq = __atomic_load_n(&ctl->cmd_seq, __ATOMIC_ACQUIRE);
		if (seq == last) {
			bench_relax();
			if (!(++spins & 0xfffffu) && getppid() == 1)
				_exit(1);
			continue;
		}
		last = seq;
		c = ctl->cmd;
		if (c.op == BENCH_OP_QUIT || c.lane >= g->n)
			break;
		probe_answer(ctl, &probe);
		g->ld[c.lane].lane.ops->recv(&g->ld[c.lane].lane, &c, ctl);
		/* Pairs with the parent's acquire load in bench_peer_wait(). */
		__atomic_store_n(&ctl->done_seq, seq, __ATOMIC_RELEASE);
	}
	for (i = 0; i < g->n; i++)
		g->ld[i].lane.ops->close(&g->ld[i].lane);
	return 0;
}

/* --- the parent --- */

/*
 * The probe: PROBE_RTS bare round trips on the control block's own lines,
 * answered by the peer before it runs the block. RETURN VALUE: their median
 * in ns, the block's level.
 */
static double
probe(struct group *g)
{
	struct bench_ctl *ctl = bench_peer_ctl();
	uint64_t lat[PROBE_RTS], prev, t, t0;
	uint32_t spins, i;

	prev = bench_ticks();
	for (i = 0; i < PROBE_RTS; i++) {
		++g->probe;
		spins = 0;
		t0 = 0;
		/* Pairs with the peer's acquire load of probe_ping. */
		__atomic_store_n(&ctl->probe_ping, g->probe, __ATOMIC_RELEASE);
		/* Pairs with the peer's release store of probe_pong. */
		while (__atomic_load_n(&ctl->probe_pong, __ATOMIC_ACQUIRE) !=
		       g->probe)
			bench_spin(&spins, &t0, "block probe");
		t = bench_ticks();
		lat[i] = t - prev;
		prev = t;
	}
	return bench_percentile(lat, PROBE_RTS, 50) * 1e9 / bench_ticks_hz();
}

/* Order the peer to @op with @c's fields; RETURN VALUE: its sequence. */
static uint32_t
order(struct group *g, const struct bench_cmd *c)
{
	struct bench_ctl *ctl = bench_peer_ctl();

	ctl->cmd = *c;
	/* Pairs with the peer's acquire load of cmd_seq: cmd is written. */
	__atomic_store_n(&ctl->cmd_seq, ++g->seq, __ATOMIC_RELEASE);
	return g->seq;
}

/* One block of lane @i: @warm untimed, @count timed messages, into @b. */
static void
block(struct group *g, unsigned int i, uint64_t warm, uint64_t count,
      struct bench_block *b)
{
	struct lane_data *d = &g->ld[i];
	struct bench_ctl *ctl = bench_peer_ctl();
	struct bench_result *res = &b->r;
	struct bench_cmd c = {
		.lane = i,
		.op = BENCH_OP_BLOCK,
		.warm = warm,
		.count = count,
		.stamp_every = d->stamp_every ? d->stamp_every : 1,
	};
	struct bench_meter m;
	uint32_t seq;

	res->msgs_per_s = res->mbytes_per_s = res->lat_p50_ns =
		res->lat_p99_ns = NAN;
	seq = order(g, &c);
	b->level_ns = probe(g);
	b->place = -1;
	d->lane.ops->send(&d->lane, &c, res, &m);
	bench_peer_wait(&ctl->done_seq, seq, "end of block");
	if (bench_pattern_is_stream(d->lane.run.pattern)) {
		res->msgs_per_s = (double)count * 1e9 /
				  (double)ctl->elapsed_ns;
		res->lat_p50_ns = ctl->lat_p50_ns;
		res->lat_p99_ns = ctl->lat_p99_ns;
	}
	res->mbytes_per_s = res->msgs_per_s * d->lane.run.size / 1e6;
	res->cpu_ns_per_msg = (double)(m.cpu_ns + ctl->cpu_ns) /
			      (double)count;
	res->cycles_per_msg = bench_cycles_per_msg(&m, count);
	res->cycles_source = isnan(res->cycles_per_msg) ? BENCH_CYC_NONE :
							  m.source;
}

/* The time per message a block measured, in ns (0 when it has none). */
static double
per_msg_ns(const struct bench_block *b)
{
	return b->r.msgs_per_s > 0 ? 1e9 / b->r.msgs_per_s : 0;
}

static uint64_t
clamp_u64(double v, uint64_t lo, uint64_t hi)
{
	if (!(v >= (double)lo))
		return lo;
	if (v >= (double)hi)
		return hi;
	return (uint64_t)v;
}

/* Streams stamp about 64 messages of a block, at most one in 64. */
static uint32_t
stamp_every_of(uint64_t block)
{
	return (uint32_t)clamp_u64((double)block / 64, 1,
				   BENCH_STAMP_MAX_EVERY);
}

/*
 * Calibrate lane @i: its first warm-up, then its time per message, the
 * median over CAL_BLOCKS blocks of about the target length (in d->tmsg).
 */
static void
calibrate(struct group *g, unsigned int i)
{
	struct lane_data *d = &g->ld[i];
	const struct bench_run *run = &d->lane.run;
	bool stream = bench_pattern_is_stream(run->pattern);
	double target = g->cfg->block_us * 1e3, t, ts[CAL_BLOCKS];
	uint64_t min = stream ? (uint64_t)MIN_STREAM_BATCHES * run->batch :
				MIN_RT_BLOCK;
	uint64_t minw = stream ? 2ull * run->batch : MIN_RT_WARM, warm;
	struct bench_block b;
	unsigned int k;

	d->stamp_every = stamp_every_of(min);
	block(g, i, 0, min, &b);
	t = per_msg_ns(&b);
	if (g->cfg->warmup >= 0)
		warm = (uint64_t)g->cfg->warmup;
	else
		warm = clamp_u64(t > 0 ? WARM_MAX_NS / t : 0, minw,
				 lap_of(run->pattern, run->size, run->ring));
	d->first_warm = warm;
	d->block = clamp_u64(t > 0 ? target / t : 0, min, MAX_BLOCK);
	d->stamp_every = stamp_every_of(d->block);
	block(g, i, warm, d->block, &b);
	t = per_msg_ns(&b);
	for (k = 0; k < CAL_BLOCKS; k++) {
		d->block = clamp_u64(t > 0 ? target / t : 0, min, MAX_BLOCK);
		d->stamp_every = stamp_every_of(d->block);
		block(g, i, clamp_u64((double)d->block / 8, minw, MAX_BLOCK),
		      d->block, &b);
		ts[k] = per_msg_ns(&b);
	}
	d->tmsg = bench_median(ts, CAL_BLOCKS);
	d->min = min;
	d->minw = minw;
}

/*
 * Which lanes share a block length: the caec modes without encryption (nw,
 * csm and an A/A lane of one: the same ring code over the same kind of
 * memory), and each other mode with its A/A lane. Lanes alike by
 * construction then never differ by how their calibrations happened to
 * fall (a block's first messages after another lane ran cost more, and a
 * shorter block has more of them).
 */
static const void *
block_class(const struct lane_data *d)
{
	const struct bench_mode *m;

	if (!d->pt)
		return NULL;
	m = bench_mode_base(d->pt->mode);
	if (!bench_mode_is_alt(m) && !bench_mode_encrypted(m))
		return &bench_subject_ops;
	return m;
}

/* Every lane's block, from the median calibrated time of its class. */
static void
blocks_fix(struct group *g)
{
	double target = g->cfg->block_us * 1e3, ts[BENCH_MAX_MODES + 1], tm;
	unsigned int i, j, k;

	for (i = 0; i < g->n; i++) {
		for (j = 0, k = 0; j < g->n; j++)
			if (block_class(&g->ld[j]) == block_class(&g->ld[i]))
				ts[k++] = g->ld[j].tmsg;
		tm = bench_median(ts, k);
		g->ld[i].block = clamp_u64(tm > 0 ? target / tm : 0,
					   g->ld[i].min, MAX_BLOCK);
		g->ld[i].stamp_every = stamp_every_of(g->ld[i].block);
		g->ld[i].warm = clamp_u64((double)g->ld[i].block / 8,
					  g->ld[i].minw, MAX_BLOCK);
	}
}

/* The main metric's values of lane @i, one per round, NAN outside @place. */
static void
lane_values(const struct group *g, unsigned int i, enum bench_metric m,
	    bool dominant, double *v)
{
	const struct lane_data *d = &g->ld[i];
	unsigned int r;

	for (r = 0; r < g->rounds; r++)
		v[r] = dominant && d->b[r].place != 0 ? NAN :
			bench_metric_of(&d->b[r].r, m);
}

/* The paired ratio lane @a / lane @b on @m over the dominant placement. */
static void
lanes_ratio(struct group *g, unsigned int a, unsigned int b,
	    enum bench_metric m, struct bench_ratio *r)
{
	double *va = malloc(2 * (g->rounds + 1) * sizeof(*va));
	double *vb = va + g->rounds + 1;
	unsigned int *ep = malloc((g->rounds + 1) * sizeof(*ep)), k;

	if (!va || !ep)
		bench_die("out of memory");
	lane_values(g, a, m, true, va);
	lane_values(g, b, m, true, vb);
	for (k = 0; k < g->rounds; k++)
		ep[k] = g->ld[a].b[k].epoch;
	bench_paired_ratio(va, vb, ep, g->rounds, r);
	free(ep);
	free(va);
}

static void
placements(struct group *g, struct bench_placement *pl)
{
	struct bench_block *lanes[BENCH_MAX_MODES + 1];
	unsigned int i;

	for (i = 0; i < g->n; i++)
		lanes[i] = g->ld[i].b;
	bench_placement_find(lanes, g->n, g->rounds, pl);
}

/* Does lane @i hold the group back while its ratio is unresolved? */
static bool
headline(const struct group *g, unsigned int i)
{
	return g->ld[i].vs >= 0 && !bench_mode_is_alt(g->ld[i].pt->mode);
}

/*
 * Are the group's headline ratios resolved? Records the first one that is
 * not in g->pending, for the progress line.
 */
static bool
resolved(struct group *g)
{
	enum bench_pattern p = g->ld[0].lane.run.pattern;
	struct bench_placement pl;
	struct bench_ratio r;
	bool any = false;
	unsigned int i;
	int m;

	placements(g, &pl);
	g->pending[0] = '\0';
	for (i = 1; i < g->n; i++) {
		if (!headline(g, i))
			continue;
		any = true;
		for (m = 0; m < BENCH_NMETRICS; m++) {
			if (!bench_summary_metric(p, (enum bench_metric)m))
				continue;
			lanes_ratio(g, i, (unsigned int)g->ld[i].vs,
				    (enum bench_metric)m, &r);
			if (r.resolved)
				continue;
			snprintf(g->pending, sizeof(g->pending),
				 "%s/%s %.2f [%.2f-%.2f]",
				 g->ld[i].pt->mode->name,
				 g->ld[(unsigned int)g->ld[i].vs].pt->mode->name,
				 r.ratio, r.lo, r.hi);
			return false;
		}
	}
	for (i = 1; !any && i < g->n; i++) {
		if (bench_mode_is_alt(g->ld[i].pt->mode))
			continue;
		lanes_ratio(g, i, 0, bench_main_metric_of(p), &r);
		if (r.resolved)
			continue;
		snprintf(g->pending, sizeof(g->pending),
			 "%s/reference %.2f [%.2f-%.2f]",
			 g->ld[i].pt->mode->name, r.ratio, r.lo, r.hi);
		return false;
	}
	return true;
}

/* "[3/30] mailbox 4096 B: round 37, 3.2 s; csm/nw ..." on a terminal. */
static void
progress(const struct group *g, unsigned int done, unsigned int total,
	 const char *what, double t)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r\033[K[%u/%u] %s %u B: %s, epoch %u, round %u, %.1f s%s%s",
		done, total, bench_pattern_name(g->ld[0].lane.run.pattern),
		g->ld[0].lane.run.size, what, g->epochs, g->rounds, t,
		g->pending[0] ? "; unresolved " : "", g->pending);
}

static void
progress_clear(void)
{
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
}

/* Room for one more round in every lane. */
static void
grow(struct group *g)
{
	unsigned int i, cap;
	void *p;

	for (i = 0; i < g->n; i++) {
		struct lane_data *d = &g->ld[i];

		if (g->rounds < d->cap)
			continue;
		cap = d->cap ? 2 * d->cap : 64;
		p = realloc(d->b, cap * sizeof(*d->b));
		if (!p)
			bench_die("out of memory");
		d->b = p;
		d->cap = cap;
	}
}

static void
round_run(struct group *g)
{
	unsigned int order_of[BENCH_MAX_MODES + 1], i, j, t;

	grow(g);
	for (i = 0; i < g->n; i++)
		order_of[i] = i;
	for (i = g->n - 1; i > 0; i--) {
		j = (unsigned int)(bench_rand(&g->rng) % (i + 1));
		t = order_of[i];
		order_of[i] = order_of[j];
		order_of[j] = t;
	}
	for (i = 0; i < g->n; i++) {
		struct lane_data *d = &g->ld[order_of[i]];

		block(g, order_of[i], d->warm, d->block, &d->b[g->rounds]);
		d->b[g->rounds].epoch = g->epochs - 1;
		d->total += d->block;
	}
	g->rounds++;
}

/* Has every mode its minimum of timed messages? */
static bool
counts_met(const struct group *g)
{
	unsigned int i;

	for (i = 1; i < g->n; i++)
		if (g->ld[i].total < g->ld[i].pt->count)
			return false;
	return true;
}

/* The 5th, 50th and 95th percentile of @v[0..n) (NAN skipped; reorders). */
static void
spread_of(double *v, unsigned int n, double *lo, double *mid, double *hi)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[k++] = v[i];
	*mid = bench_median(v, k);
	*lo = bench_percentile_d(v, k, 5);
	*hi = bench_percentile_d(v, k, 95);
}

/* A lane's figures over its blocks in the dominant placement. */
static unsigned int
lane_stats(const struct group *g, unsigned int i, struct bench_result *mid,
	   struct bench_result *lo, struct bench_result *hi)
{
	const struct lane_data *d = &g->ld[i];
	double *v = malloc((g->rounds + 1) * sizeof(*v));
	unsigned int r, used = 0;

	if (!v)
		bench_die("out of memory");
#define STATS(field)                                                    \
	do {                                                            \
		for (r = 0; r < g->rounds; r++)                         \
			v[r] = d->b[r].place == 0 ? d->b[r].r.field : NAN; \
		spread_of(v, g->rounds, &lo->field, &mid->field,        \
			  &hi->field);                                  \
	} while (0)
	STATS(msgs_per_s);
	STATS(mbytes_per_s);
	STATS(lat_p50_ns);
	STATS(lat_p99_ns);
	STATS(cpu_ns_per_msg);
	STATS(cycles_per_msg);
#undef STATS
	for (r = 0; r < g->rounds; r++)
		used += d->b[r].place == 0;
	mid->cycles_source = lo->cycles_source = hi->cycles_source =
		g->rounds ? d->b[0].r.cycles_source : BENCH_CYC_NONE;
	free(v);
	return used;
}

/* Every point's figures and ratios once the rounds are over. */
static void
finish(struct group *g, double secs, bool out, double busy_pct)
{
	enum bench_metric main_m =
		bench_main_metric_of(g->ld[0].lane.run.pattern);
	struct bench_result rmid, rlo, rhi;
	struct bench_placement pl;
	unsigned int i;
	int m;

	placements(g, &pl);
	lane_stats(g, 0, &rmid, &rlo, &rhi);
	for (i = 1; i < g->n; i++) {
		struct lane_data *d = &g->ld[i];
		struct bench_point *pt = d->pt;
		double main_lo, main_mid, main_hi;

		pt->used = lane_stats(g, i, &pt->subj, &pt->subj_min,
				      &pt->subj_max);
		pt->ref = rmid;
		pt->ref_min = rlo;
		pt->ref_max = rhi;
		pt->place = pl;
		pt->repeats = g->rounds;
		pt->epochs = g->epochs;
		pt->messages = d->total;
		pt->block_msgs = d->block;
		pt->elapsed_s = secs;
		pt->busy_pct = busy_pct;
		lanes_ratio(g, i, 0, main_m, &pt->ref_ci);
		pt->ref_ratio = pt->ref_ci.ratio;
		for (m = 0; m < BENCH_NMETRICS; m++) {
			pt->vs_ci[m].ratio = pt->vs_ci[m].lo =
				pt->vs_ci[m].hi = NAN;
			pt->vs_ci[m].blocks = pt->vs_ci[m].epochs = 0;
			pt->vs_ci[m].resolved = false;
		}
		pt->vs = NULL;
		if (d->vs >= 0) {
			pt->vs = g->ld[(unsigned int)d->vs].pt;
			for (m = 0; m < BENCH_NMETRICS; m++)
				lanes_ratio(g, i, (unsigned int)d->vs,
					    (enum bench_metric)m, &pt->vs_ci[m]);
		}
		pt->budget_out = out;
		main_lo = bench_metric_of(&pt->subj_min, main_m);
		main_mid = bench_metric_of(&pt->subj, main_m);
		main_hi = bench_metric_of(&pt->subj_max, main_m);
		pt->spread_pct = bench_spread_pct(main_lo, main_mid, main_hi);
	}
}

/* The crypto-only references of the encrypted stream points. */
static void
crypto_refs(struct group *g)
{
	double seal[CRYPTO_REPS], open[CRYPTO_REPS];
	unsigned int i, k;

	for (i = 1; i < g->n; i++) {
		struct bench_point *pt = g->ld[i].pt;

		pt->seal_mbps = pt->open_mbps = pt->crypto_ratio = NAN;
		/*
		 * They depend on the mode and size only: the copy stream
		 * carries them, the zero-copy one would repeat them.
		 */
		if (pt->pattern != BENCH_STREAM ||
		    !bench_mode_encrypted(pt->mode) || pt->mode->aa_of)
			continue;
		for (k = 0; k < CRYPTO_REPS; k++)
			bench_crypto_ref(pt->mode, pt->size, &seal[k],
					 &open[k]);
		pt->seal_mbps = bench_median(seal, CRYPTO_REPS);
		pt->open_mbps = bench_median(open, CRYPTO_REPS);
	}
}

/* The headline partner of each lane (see the top of this file). */
static void
partners(struct group *g)
{
	const struct bench_mode *base = bench_base_mode(g->cfg);
	unsigned int i, j;

	for (i = 1; i < g->n; i++)
		g->ld[i].vs = -1;
	for (i = 1; i < g->n; i++) {
		const struct bench_mode *m = g->ld[i].pt->mode;
		const struct bench_mode *want = m->aa_of ? m->aa_of : base;

		if (!want || m == base)
			continue;
		for (j = 1; j < g->n; j++)
			if (g->ld[j].pt->mode == want)
				g->ld[i].vs = (int)j;
	}
}

/*
 * One epoch: set every lane up afresh, calibrate (the first epoch) or warm
 * up (the others), run @rounds rounds, take every lane down.
 */
static void
epoch_run(struct group *g, unsigned int rounds, unsigned int done,
	  unsigned int total, double t)
{
	struct bench_cmd quit = { .op = BENCH_OP_QUIT };
	struct bench_block b;
	unsigned int i, r;
	pid_t pid;

	g->seq = 0;
	g->probe = 0;
	for (i = 0; i < g->n; i++) {
		g->ld[i].lane.seq = 0;
		g->ld[i].lane.ops->open(&g->ld[i].lane);
	}
	pid = bench_peer_spawn(g->cfg, group_child, g);
	for (i = 0; i < g->n; i++)
		if (g->ld[i].lane.ops->connect)
			g->ld[i].lane.ops->connect(&g->ld[i].lane);
	bench_peer_wait(&bench_peer_ctl()->ready, 1, "lane attach");
	if (!g->epochs++) {
		progress(g, done, total, "calibrating", t);
		for (i = 0; i < g->n; i++)
			calibrate(g, i);
		blocks_fix(g);
	} else {
		for (i = 0; i < g->n; i++)
			block(g, i, g->ld[i].first_warm, g->ld[i].block, &b);
	}
	for (r = 0; r < rounds; r++)
		round_run(g);
	order(g, &quit);
	bench_peer_join(pid);
	for (i = 0; i < g->n; i++)
		g->ld[i].lane.ops->close(&g->ld[i].lane);
}

/*
 * bench_group_measure - measure the @n points @grp (one pattern and size,
 * every mode that has the pattern); @done of @total points are measured.
 */
void
bench_group_measure(const struct bench_cfg *cfg, struct bench_point **grp,
		    unsigned int n, unsigned int done, unsigned int total)
{
	static struct group g;
	unsigned int i, per = cfg->repeat / MIN_EPOCHS, next = 0;
	struct bench_load load;
	bool out = false;
	double t = 0;
	uint64_t t0;

	memset(&g, 0, sizeof(g));
	g.cfg = cfg;
	g.n = n + 1;
	g.rng = cfg->seed ^ ((uint64_t)grp[0]->pattern << 56) ^ grp[0]->size;
	if (per * MIN_EPOCHS < cfg->repeat)
		per++;
	if (per < EPOCH_ROUNDS)
		per = EPOCH_ROUNDS;
	for (i = 0; i < g.n; i++) {
		struct lane_data *d = &g.ld[i];
		struct bench_point *pt = i ? grp[i - 1] : NULL;
		struct bench_run *run = &d->lane.run;

		d->pt = pt;
		run->cfg = cfg;
		run->mode = pt ? pt->mode : NULL;
		run->pattern = grp[0]->pattern;
		run->size = grp[0]->size;
		run->ring = grp[0]->ring;
		run->batch = grp[0]->batch;
		d->lane.ops = !pt ? reference_of[run->pattern] :
			      bench_mode_is_alt(pt->mode) ? &bench_alt_ops :
							     &bench_subject_ops;
	}
	partners(&g);
	crypto_refs(&g);
	if (cfg->crypto_only) {
		for (i = 1; i < g.n; i++)
			g.ld[i].pt->repeats = 0;
		return;
	}

	bench_load_start(&load);
	t0 = bench_now_ns();
	for (;;) {
		if (g.rounds + per > BENCH_MAX_ROUNDS) {
			out = !resolved(&g);
			break;
		}
		epoch_run(&g, per, done + 1, total, t);
		t = elapsed_s(t0);
		progress(&g, done + 1, total, "measuring", t);
		if (g.epochs < MIN_EPOCHS || g.rounds < cfg->repeat ||
		    !counts_met(&g))
			continue;
		/* Check after every epoch at first, then as they grow by 1/4. */
		if (g.epochs < next && t < cfg->budget_s)
			continue;
		next = g.epochs + g.epochs / 4;
		if (resolved(&g))
			break;
		if (t >= cfg->budget_s) {
			out = true;
			break;
		}
	}
	bench_load_stop(&load);
	finish(&g, t, out,
	       load.valid ? load.other_pct + load.steal_pct : NAN);
	for (i = 1; i < g.n; i++) {
		struct bench_point *pt = g.ld[i].pt;

		if (!isnan(pt->seal_mbps))
			pt->crypto_ratio = pt->subj.mbytes_per_s /
					   fmin(pt->seal_mbps, pt->open_mbps);
	}
	for (i = 0; i < g.n; i++) {
		free(g.ld[i].b);
		free(g.ld[i].lane.lat);
	}
	progress_clear();
}
