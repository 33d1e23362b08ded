/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host model internals: the objects the port hands out as opaque pointers
 * (struct granule, struct rd, struct rec, struct rmi_rec_exit) and the
 * model's global state.
 */
#ifndef HM_PRIV_H
#define HM_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csm.h"
#include "hm.h"

#define HM_MAX_HELD		128U	/* > CSM_LOCK_MAX + internal granules */
#define HM_L3_ENTRIES		512UL
#define HM_L3_SPAN		(HM_L3_ENTRIES * HM_GRANULE)

/* RTT descriptor bits (model encoding; PA in bits 63:12). */
#define HM_D_VALID		(1UL << 0)
#define HM_D_RO			(1UL << 1)
#define HM_D_STALE		(1UL << 2)	/* unmapped, no TLBI yet */
#define HM_D_PA_MASK		(~(HM_GRANULE - 1UL))

#define HM_LOCKED_EXT		1U
#define HM_LOCKED_INT		2U

struct granule {
	uint8_t state;		/* PORT_GS_* */
	uint8_t locked;		/* 0, HM_LOCKED_EXT or HM_LOCKED_INT */
	uint8_t realm_pas;	/* GPT: 0 NS, 1 Realm */
	uint8_t host_used;	/* taken by hm_ns_alloc() */
	uint32_t refcount;
	void *obj;		/* struct rd / struct rec */
};

/* The RD's contents (kept beside the granule in the model). */
struct rd {
	unsigned long pa;
	unsigned int state;	/* PORT_REALM_* */
	unsigned int ipa_width;
	unsigned int vmid;
	unsigned long rec_count;
	struct csm_rd csm;
	unsigned long nr_root;	/* level-2 entries over the whole IPA space */
	uint64_t **l3;		/* [nr_root], tables made on first use */
	unsigned long nr_stale;	/* entries unmapped and not yet TLBI'd */
};

struct rec {
	unsigned long pa;
	struct granule *g_rd;
	bool running;
	struct csm_rec csm;
	unsigned long gprs[4];	/* X0..X3 as the realm sees them */
	bool smc_queued;	/* the realm's next instruction is an SMC */
	unsigned long smc[5];	/* fid, X1..X4 */
	bool done;		/* gprs hold the result of the last SMC */
};

struct rmi_rec_exit {
	unsigned long exit_reason;
	unsigned long ripas_base;
	unsigned long ripas_top;
	unsigned long hpfar;
};

struct hm_tlbi {
	unsigned long rd;
	unsigned long ipa;
};

struct hm {
	unsigned long nr_granules;
	struct granule *granules;
	uint8_t *mem;
	struct csm_id_slot *registry;
	unsigned long registry_slots;
	void *slot[PORT_NR_SLOTS];
	struct granule *held[HM_MAX_HELD];
	unsigned int nr_held;
	unsigned long violations;
	char last_violation[256];
	struct hm_tlbi *tlbi;
	size_t nr_tlbi, cap_tlbi;
	unsigned long tlbi_total;
	int (*trng)(uint64_t *out, void *arg);
	void *trng_arg;
	bool trace;
	unsigned long ns_hint;	/* next-fit start of hm_ns_alloc() */
	struct hm_realm *realms;	/* the hypervisor's realms */
};

/* The hypervisor's view of one realm. */
struct hm_realm {
	struct hm *hm;
	unsigned long rd, rec, run, apt, params;
	uint64_t id;
	unsigned int vmid;
	unsigned int ipa_width;
	bool fault_in;
	unsigned long nr_prot;	/* granules in the protected half */
	uint64_t *backed;	/* bitmap: IPAs the host backed */
	struct hm_realm *next;
};

extern struct hm *hm_g;

/* granule.c */
struct granule *hm_granule(unsigned long pa);
unsigned long hm_granule_pa(const struct granule *g);
uint8_t *hm_granule_mem(const struct granule *g);
void hm_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hm_command_end(const char *what);

/* rtt.c */
uint64_t *hm_rtt_slot(struct rd *rd, unsigned long ipa, bool make);
void hm_rtt_free(struct rd *rd);
bool hm_rtt_live(const struct rd *rd);

/* rmi.c */
unsigned long hm_rmi_rec_enter(const unsigned long *args, unsigned long *res);

/* hypervisor.c */
unsigned long hm_vmid_alloc(struct hm *hm);

#endif /* HM_PRIV_H */
