/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-bench share: the data-sharing benchmark (the paper's Table 4).
 *
 * Several realms use one large read-only blob (the paper: an LLM model). A
 * configuration is one provider realm and C consumer realms, each a process
 * forked by the measuring parent (which holds no part of the blob, so no
 * page is shared through fork):
 *   private: the provider makes the blob in malloc'd memory and sends each
 *            consumer its own copy over a UNIX socket (what realms without
 *            CSM do over the normal world); each consumer reads it into
 *            malloc'd memory.
 *   csm:     the provider creates CSM regions, writes the blob into them
 *            once, attests each consumer and shares the regions read-only
 *            with its realm id; each consumer attaches them and reads the
 *            blob in place.
 * Every realm then reads the whole blob and checksums it (the consumers'
 * sums must equal the provider's), touches its private work memory and
 * reports; while all of them wait, the parent sums their proportional set
 * sizes, then releases them.
 */
#ifndef CAEC_BENCH_SHARE_H
#define CAEC_BENCH_SHARE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SHARE_SCHEMA 1
#define SHARE_MAX_CONSUMERS 16
#define SHARE_MAX_CORES (SHARE_MAX_CONSUMERS + 1)	/* one per realm */
#define SHARE_MAX_REGIONS 64

enum share_kind {
	SHARE_PRIVATE,
	SHARE_CSM,
	SHARE_NKINDS,
};

struct share_cfg {
	uint64_t blob_bytes;
	const char *blob_path;		/* NULL: generated */
	uint64_t work_bytes;		/* private memory every realm touches */
	unsigned int consumers[SHARE_MAX_CONSUMERS]; /* consumer counts */
	unsigned int ncounts;
	unsigned int repeat;
	int cores[SHARE_MAX_CORES];	/* realm k runs on cores[k % ncores] */
	unsigned int ncores;		/* 0: not pinned */
	const char *json_path;
	pid_t rmmd_pid;			/* the private caec-rmmd, 0 if none */
};

/* What one run of one configuration measured. */
struct share_sample {
	uint64_t pss_kb;			/* sum over the realms */
	uint64_t rmmd_pss_kb;			/* csm: the private caec-rmmd's
						 * own PSS, in no sum */
	uint64_t ttfb_ns[SHARE_MAX_CONSUMERS];	/* per consumer */
	uint64_t read_ns[SHARE_MAX_CONSUMERS];
	uint64_t sum;				/* the provider's checksum */
	uint32_t transport;			/* csm: CAEC_CSM_* transport */
	unsigned int regions;			/* csm: regions of the blob */
	bool pin_failed;			/* a realm could not be pinned */
};

/* What a realm tells the parent once it holds and has read the blob. */
struct share_report {
	uint64_t sum;		/* checksum of the blob as this realm sees it */
	uint64_t ttfb_ns;	/* consumers */
	uint64_t read_ns;	/* consumers */
	uint32_t transport;	/* csm provider: caec_csm_info().transport */
	uint32_t regions;	/* csm provider */
	int32_t pin_err;	/* errno of pinning to its --cores core */
	uint32_t reserved;
};

/*
 * A realm's process: which realm, and its descriptors (share_run.c).
 * @link: provider: link[i] to consumer i (1..@consumers); consumer k:
 *        link[k] to the provider; -1 elsewhere.
 */
struct share_realm {
	unsigned int k;			/* 0: the provider, 1..C: consumers */
	unsigned int consumers;		/* C */
	int ctl;			/* to the parent */
	int link[SHARE_MAX_CONSUMERS + 1];
};

/* share.c */
int bench_share_main(int argc, char **argv);

/* share_realm.c */
void share_realm_main(const struct share_cfg *cfg, enum share_kind kind,
		      const struct share_realm *me);

/* share_run.c */
void share_run_init(void);
void share_run(const struct share_cfg *cfg, unsigned int consumers,
	       enum share_kind kind, struct share_sample *out);

#endif /* CAEC_BENCH_SHARE_H */
