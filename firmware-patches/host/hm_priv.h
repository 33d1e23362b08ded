/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host model internals: the objects the port hands out as opaque pointers
 * (struct granule, struct rd, struct rec, struct rmi_rec_exit), the RTT
 * descriptor encoding, and the model's global state.
 */
#ifndef HM_PRIV_H
#define HM_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csm.h"
#include "hm.h"

#define HM_MAX_HELD		128U	/* > CSM_LOCK_MAX + internal granules */
#define HM_MAX_LEVEL_START	0	/* levels 0..3; no LPA2 level -1 */
#define HM_MAX_CONCAT		16UL	/* concatenated starting RTTs */
#define HM_S2SZ_MIN		24U
#define HM_S2SZ_MAX		40U

/*
 * RTT descriptors (the model's encoding, one uint64_t per entry, kept in
 * the RTT granule itself): the state in bits 2:0, the RIPAS of a protected
 * entry in bits 4:3, the attributes of an ASSIGNED entry, a "stale" bit
 * (an entry that stopped translating and has not been TLBI'd yet), and the
 * output address in bits 63:12.
 */
#define HM_D_STATE_MASK		0x7UL		/* PORT_RTTE_* */
#define HM_D_RIPAS_SHIFT	3
#define HM_D_RIPAS_MASK		(0x3UL << HM_D_RIPAS_SHIFT)
#define HM_D_RO			(1UL << 5)
#define HM_D_XN			(1UL << 6)
#define HM_D_STALE		(1UL << 7)
#define HM_D_ATTR_MASK		(HM_D_RO | HM_D_XN)
#define HM_D_PA_MASK		(~(HM_GRANULE - 1UL))

#define HM_LOCKED_EXT		1U
#define HM_LOCKED_INT		2U

struct granule {
	uint8_t state;		/* PORT_GS_* */
	uint8_t locked;		/* 0, HM_LOCKED_EXT or HM_LOCKED_INT */
	uint8_t realm_pas;	/* GPT: 0 NS, 1 Realm */
	uint8_t host_used;	/* taken by hm_ns_alloc() */
	uint8_t cpu;		/* the CPU holding the lock */
	uint32_t refcount;	/* RTT: live entries; else as the port says */
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
	int rtt_level_start;
	unsigned long rtt_num_start;
	unsigned long rtt_base;	/* PA of the first starting RTT */
	unsigned long nr_stale;	/* entries unmapped and not yet TLBI'd */
};

/* A pending RSI_IPA_STATE_SET (TF-RMM: rec->set_ripas). */
struct hm_set_ripas {
	unsigned long base, top, addr;
	unsigned int ripas;
	bool change_destroyed;
	bool reject;		/* the host's response, read at REC_ENTER */
};

struct rec {
	unsigned long pa;
	struct granule *g_rd;
	bool running;
	struct csm_rec csm;
	struct hm_set_ripas set_ripas;
	unsigned long gprs[4];	/* X0..X3 as the realm sees them */
	bool smc_queued;	/* the realm's next instruction is an SMC */
	unsigned long smc[5];	/* fid, X1..X4 */
	bool done;		/* gprs hold the result of the last SMC */
};

struct rmi_rec_exit {
	unsigned long exit_reason;
	unsigned long ripas_base;
	unsigned long ripas_top;
	unsigned long ripas_value;
	unsigned long hpfar;
};

struct hm_tlbi {
	unsigned long rd;
	unsigned long ipa;
};

/* What one CPU holds: its mapping slots and its locks. */
struct hm_cpu {
	void *slot[PORT_NR_SLOTS];
	struct granule *held[HM_MAX_HELD];
	unsigned int nr_held;
};

struct hm {
	unsigned long nr_granules;
	struct granule *granules;
	uint8_t *mem;
	unsigned int fanout;	/* entries per RTT */
	unsigned int fanout_shift;
	struct csm_id_slot *registry;
	unsigned long registry_slots;
	struct hm_cpu cpus[HM_NR_CPUS];
	unsigned int cpu;	/* the CPU running now */
	void (*interleave)(void *arg);
	void *interleave_arg;
	unsigned int interleave_cpu;
	unsigned int interleave_nth;
	unsigned int interleave_again;
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

/* An RTT the hypervisor created (it destroys them at teardown). */
struct hm_host_rtt {
	unsigned long ipa;
	int level;
	unsigned long pa;
};

/* The hypervisor's view of one realm. */
struct hm_realm {
	struct hm *hm;
	unsigned long rd, rec, run, apt, params;
	unsigned long rtt_base;
	unsigned long rtt_num;
	int rtt_start;
	uint64_t id;
	unsigned int vmid;
	unsigned int ipa_width;
	bool fault_in;
	unsigned long enter_flags;
	unsigned long nr_prot;	/* granules in the protected half */
	uint64_t *backed;	/* bitmap: IPAs the host backed */
	struct hm_host_rtt *rtts;
	size_t nr_rtts, cap_rtts;
	struct hm_realm *next;
};

extern struct hm *hm_g;

/* granule.c */
struct granule *hm_granule(unsigned long pa);
unsigned long hm_granule_pa(const struct granule *g);
uint8_t *hm_granule_mem(const struct granule *g);
struct hm_cpu *hm_cpu(void);
void hm_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hm_command_end(const char *what);

/* s2tt.c: tables, walks, descriptors */
struct hm_walk {
	int level;		/* level of the entry found */
	uint64_t *d;		/* the entry, in its RTT granule */
	struct granule *g_tbl;	/* the RTT holding it */
	unsigned long index;	/* its index in that RTT */
};

unsigned int hm_level_shift(int level);
bool hm_ipa_protected(const struct rd *rd, unsigned long ipa);
void hm_walk(struct rd *rd, unsigned long ipa, int max_level,
	     struct hm_walk *w);
uint64_t hm_desc(unsigned int state, unsigned int ripas, unsigned long pa,
		 unsigned int attr);
unsigned int hm_d_state(uint64_t d);
unsigned int hm_d_ripas(uint64_t d);
bool hm_d_valid(uint64_t d);
bool hm_d_live(uint64_t d);
bool hm_d_counted(uint64_t d);
void hm_d_write(struct rd *rd, struct hm_walk *w, uint64_t d);
void hm_tlbi(struct rd *rd, unsigned long ipa);
bool hm_rtt_live(const struct rd *rd);
unsigned long hm_skip_non_live(const struct hm_walk *w, unsigned long ipa);
int hm_rd_locked(const struct rd *rd, const char *what);

/* rmi.c */
unsigned long hm_rmi_rec_enter(const unsigned long *args, unsigned long *res);

/* rmi_rtt.c: RMM 1.0 RTT commands */
unsigned long hm_rmi_rtt_create(const unsigned long *args, unsigned long *res);
unsigned long hm_rmi_rtt_destroy(const unsigned long *args,
				 unsigned long *res);
unsigned long hm_rmi_rtt_fold(const unsigned long *args, unsigned long *res);
unsigned long hm_rmi_rtt_read_entry(const unsigned long *args,
				    unsigned long *res);
unsigned long hm_rmi_rtt_init_ripas(const unsigned long *args,
				    unsigned long *res);
unsigned long hm_rmi_rtt_set_ripas(const unsigned long *args,
				   unsigned long *res);
unsigned long hm_rmi_rtt_map_unprotected(const unsigned long *args,
					 unsigned long *res);
unsigned long hm_rmi_rtt_unmap_unprotected(const unsigned long *args,
					   unsigned long *res);

/* rsi.c: RMM 1.0 RSI commands the model implements */
bool hm_rsi_fid(unsigned long fid);
void hm_handle_rsi(struct rec *rec, unsigned long fid,
		   const unsigned long args[4], struct rmi_rec_exit *exit,
		   struct csm_rsi_result *res);
bool hm_complete_set_ripas(struct rec *rec, struct csm_rsi_result *res);

/* hypervisor.c */
unsigned long hm_vmid_alloc(struct hm *hm);
unsigned long hm_host_delegated(struct hm *hm);
void hm_host_give_back(struct hm *hm, unsigned long pa);
bool hm_host_is_backed(const struct hm_realm *r, unsigned long ipa);
void hm_host_set_backed(struct hm_realm *r, unsigned long ipa, bool on);

#endif /* HM_PRIV_H */
