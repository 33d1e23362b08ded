/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host model of the RMM ("hm"): a granule pool with states, refcounts
 * and a GPT; realms (NEW/ACTIVE) with protected and unprotected IPA halves;
 * RTTs with permissions; RECs with a run page and exits; a TLBI log; and a
 * hypervisor that answers REC exits the way the paper's KVM does. It runs
 * the CSM extension (src/) through the port (csm_port.h).
 *
 * It is single-threaded and a singleton (the port has no context
 * argument): at most one struct hm exists at a time. It gives no isolation;
 * it models the RMM's bookkeeping so that tests and caec-rmmd can run the
 * firmware's rules on an ordinary Linux host.
 *
 * Functions return 0 or a negative errno unless they return an RMI/RSI
 * status (then they say so).
 */
#ifndef HM_H
#define HM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csm_abi.h"

/* ---- RMM 1.0 command ids the model implements (spec values) ------------ */
#define RMI_VERSION			CSM_SMC64_FID(0x150)
#define RMI_GRANULE_DELEGATE		CSM_SMC64_FID(0x151)
#define RMI_GRANULE_UNDELEGATE		CSM_SMC64_FID(0x152)
#define RMI_DATA_CREATE			CSM_SMC64_FID(0x153)
#define RMI_REALM_ACTIVATE		CSM_SMC64_FID(0x157)
#define RMI_REALM_CREATE		CSM_SMC64_FID(0x158)
#define RMI_REALM_DESTROY		CSM_SMC64_FID(0x159)
#define RMI_REC_CREATE			CSM_SMC64_FID(0x15A)
#define RMI_REC_DESTROY			CSM_SMC64_FID(0x15B)
#define RMI_REC_ENTER			CSM_SMC64_FID(0x15C)
#define RMI_RTT_CREATE			CSM_SMC64_FID(0x15D)
#define RMI_RTT_DESTROY			CSM_SMC64_FID(0x15E)
#define RMI_RTT_MAP_UNPROTECTED		CSM_SMC64_FID(0x15F)
#define RMI_RTT_READ_ENTRY		CSM_SMC64_FID(0x161)
#define RMI_RTT_UNMAP_UNPROTECTED	CSM_SMC64_FID(0x162)
#define RMI_FEATURES			CSM_SMC64_FID(0x165)
#define RMI_RTT_FOLD			CSM_SMC64_FID(0x166)
#define RMI_RTT_INIT_RIPAS		CSM_SMC64_FID(0x168)
#define RMI_RTT_SET_RIPAS		CSM_SMC64_FID(0x169)

#define RSI_VERSION			CSM_SMC64_FID(0x190)
#define RSI_FEATURES			CSM_SMC64_FID(0x191)
#define RSI_IPA_STATE_SET		CSM_SMC64_FID(0x197)
#define RSI_IPA_STATE_GET		CSM_SMC64_FID(0x198)

/* RMI_DATA_CREATE flags. */
#define RMI_NO_MEASURE_CONTENT		0UL
#define RMI_MEASURE_CONTENT		1UL

/* RTT entry states returned by RMI_RTT_READ_ENTRY (X2). */
#define RMI_UNASSIGNED			0UL
#define RMI_ASSIGNED			1UL
#define RMI_TABLE			2UL

/* RIPAS values (RMI_RTT_READ_ENTRY X4, RSI_IPA_STATE_SET/GET). */
#define RIPAS_EMPTY			0UL
#define RIPAS_RAM			1UL
#define RIPAS_DESTROYED			2UL

/* RSI_IPA_STATE_SET X4 flags, and its X2 output. */
#define RSI_CHANGE_DESTROYED		1UL
#define RSI_ACCEPT			0UL
#define RSI_REJECT			1UL

/* REC exit reasons of RMM 1.0 the model produces. */
#define RMI_EXIT_SYNC			0UL
#define RMI_EXIT_IRQ			1UL
#define RMI_EXIT_RIPAS_CHANGE		4UL

/* rec_enter.flags (run page offset 0): the host rejects a RIPAS change. */
#define REC_ENTRY_FLAG_RIPAS_RESPONSE	(1UL << 4)

/* Realm parameters page (NS), the fields the model reads (RmiRealmParams). */
#define HM_PARAMS_S2SZ			0x008UL	/* IPA width, 24..40 */
#define HM_PARAMS_VMID			0x800UL	/* 16 bits, unique */
#define HM_PARAMS_RTT_BASE		0x808UL	/* PA of the starting RTTs */
#define HM_PARAMS_RTT_LEVEL_START	0x810UL	/* starting level, signed */
#define HM_PARAMS_RTT_NUM_START		0x818UL	/* concatenated RTTs, 1..16 */

/* Run page (NS): rec_enter and rec_exit fields, offsets as in RmiRecRun. */
#define HM_RUN_ENTER_FLAGS		0x000UL
#define HM_RUN_EXIT			0x800UL
#define HM_RUN_EXIT_REASON		(HM_RUN_EXIT + 0x000UL)
#define HM_RUN_EXIT_HPFAR		(HM_RUN_EXIT + 0x110UL)
#define HM_RUN_EXIT_RIPAS_BASE		(HM_RUN_EXIT + 0x500UL)
#define HM_RUN_EXIT_RIPAS_TOP		(HM_RUN_EXIT + 0x508UL)
#define HM_RUN_EXIT_RIPAS_VALUE		(HM_RUN_EXIT + 0x510UL)

#define HM_PA_BASE			0x80000000UL
#define HM_GRANULE			4096UL

struct hm;
struct hm_realm;

/* ---- The model ------------------------------------------------------------ */

struct hm_params {
	size_t size;			/* sizeof(struct hm_params) */
	unsigned long nr_granules;	/* pool size; 0: 8192 (32 MiB) */
	unsigned long registry_slots;	/* power of two; 0: 1024 */
	/*
	 * Entries per RTT, a power of two, 2..512; 0: 512 as in hardware.
	 * A small fan-out makes every level (and an RTT_FOLD) cheap to reach:
	 * a level-L entry covers 4 KiB * fanout^(3 - L).
	 */
	unsigned int rtt_fanout;
};

int hm_create(const struct hm_params *p, struct hm **out);
void hm_destroy(struct hm *hm);

/* Call an RMI command as the host. Returns the RMI return code (status
 * and index); @res (may be NULL) receives X1..X4. */
unsigned long hm_rmi(struct hm *hm, unsigned long fid, unsigned long x1,
		     unsigned long x2, unsigned long x3, unsigned long x4,
		     unsigned long res[4]);

/* Replace the TRNG (default: getrandom()); NULL restores it. */
void hm_set_trng(struct hm *hm, int (*fn)(uint64_t *out, void *arg),
		 void *arg);

/* ---- Normal-world memory ----------------------------------------------- */

/* A free NS granule for the host's own use, or 0. */
unsigned long hm_ns_alloc(struct hm *hm);
void hm_ns_free(struct hm *hm, unsigned long pa);

/* Access physical memory from the normal world: -EPERM if the GPT says the
 * granule is in the Realm PAS (a granule protection fault), -EINVAL if out
 * of the pool. */
int hm_ns_read(struct hm *hm, unsigned long pa, void *buf, size_t len);
int hm_ns_write(struct hm *hm, unsigned long pa, const void *buf,
		size_t len);

/* ---- Realms, driven by the paper's hypervisor ---------------------------- */

struct hm_realm_params {
	size_t size;		/* sizeof(struct hm_realm_params) */
	unsigned int ipa_width;	/* 0: 30 (512 MiB protected) */
	bool no_apt;		/* skip RMI_APT_CREATE */
	bool no_activate;	/* leave the realm NEW */
	bool no_fault_in;	/* realm accesses do not fault memory in */
	bool ripas_empty;	/* skip RTT_INIT_RIPAS: protected IPAs EMPTY */
	unsigned int rtt_levels; /* 0: fewest that fit; else 1..4 (start 4-n) */
	unsigned long rd;	/* 0, or the NS granule to use as the RD */
};

/*
 * Delegate RD and starting RTTs, REALM_CREATE, [APT_CREATE], REC_CREATE,
 * RTT_INIT_RIPAS RAM over the protected half (unless ripas_empty),
 * [ACTIVATE]. The hypervisor creates further RTTs when a command needs
 * them (on RMI_ERROR_RTT) and destroys them at teardown.
 */
int hm_realm_create(struct hm *hm, const struct hm_realm_params *p,
		    struct hm_realm **out);

/* Full teardown: REC_DESTROY, APT_DESTROY, DATA_DESTROY + UNDELEGATE of
 * every granule the host backed, RTT_DESTROY of every RTT it created,
 * REALM_DESTROY, UNDELEGATE. Frees @r. */
int hm_realm_destroy(struct hm_realm *r);

uint64_t hm_realm_id(const struct hm_realm *r);
unsigned long hm_realm_rd(const struct hm_realm *r);
unsigned long hm_realm_rec(const struct hm_realm *r);
unsigned long hm_realm_apt(const struct hm_realm *r);
unsigned int hm_realm_vmid(const struct hm_realm *r);

/*
 * Realm @r calls RSI @fid with X1..X4; the hypervisor answers every exit
 * until the call returns. Returns X0; @out (may be NULL) gets X1..X3.
 * SMCCC_NOT_SUPPORTED if REC_ENTER itself failed.
 */
unsigned long hm_rsi(struct hm_realm *r, unsigned long fid, unsigned long x1,
		     unsigned long x2, unsigned long x3, unsigned long x4,
		     unsigned long out[3]);

/* The realm reads / writes its own IPA space: -EFAULT (stage-2 abort the
 * host could not resolve, or GPF), -EACCES (write to a read-only entry). */
int hm_realm_read(struct hm_realm *r, unsigned long ipa, void *buf,
		  size_t len);
int hm_realm_write(struct hm_realm *r, unsigned long ipa, const void *buf,
		   size_t len);

/* The realm fetches an instruction at @ipa: 0, -EFAULT, or -EACCES (XN). */
int hm_realm_exec(struct hm_realm *r, unsigned long ipa);

/* The hypervisor backs [base, base + size) (delegate + DATA_CREATE_UNKNOWN,
 * creating RTTs where the walk stops short). */
int hm_realm_populate(struct hm_realm *r, unsigned long base,
		      unsigned long size);

/* The hypervisor creates the RTTs of @ipa down to @level (1..3). */
int hm_realm_map_tables(struct hm_realm *r, unsigned long ipa, int level);

/* The hypervisor takes back the granule backing @ipa (DATA_DESTROY +
 * UNDELEGATE). 0 or the RMI error code. */
unsigned long hm_realm_unback(struct hm_realm *r, unsigned long ipa);

/* The starting level of @r's RTTs, and the model's fan-out. */
int hm_realm_rtt_start(const struct hm_realm *r);
unsigned int hm_rtt_fanout(const struct hm *hm);

/* Bytes a level-@level entry covers. */
unsigned long hm_level_size(const struct hm *hm, int level);

/* ---- Step by step, for hostile-host tests -------------------------------- */

struct hm_exit {
	unsigned long reason;
	unsigned long base;	/* RIPAS and CSM exits: ripas_base */
	unsigned long top;	/* RIPAS and CSM exits: ripas_top */
	unsigned long ripas;	/* RIPAS exit: ripas_value */
	unsigned long hpfar;
};

/* The realm's next instruction is SMC @fid with X1..X4. */
void hm_realm_smc(struct hm_realm *r, unsigned long fid, unsigned long x1,
		  unsigned long x2, unsigned long x3, unsigned long x4);

/* One RMI_REC_ENTER; returns its RMI code and decodes the run page. */
unsigned long hm_rec_enter(struct hm_realm *r, struct hm_exit *exit);

/* True (and X0..X3 in @x) once the realm's last SMC has returned. */
bool hm_realm_result(struct hm_realm *r, unsigned long x[4]);

/* What the paper's hypervisor does for @exit: back or reclaim CSM ranges
 * (creating RTTs as needed), fault pages in, apply and accept RIPAS
 * changes (RTT_SET_RIPAS until done or refused). */
void hm_host_answer(struct hm_realm *r, const struct hm_exit *exit);

/* rec_enter.flags of @r's next REC_ENTER (e.g. REC_ENTRY_FLAG_RIPAS_RESPONSE). */
void hm_set_enter_flags(struct hm_realm *r, unsigned long flags);

/*
 * Concurrency: the model has HM_NR_CPUS CPUs and runs one at a time. Arm
 * @fn once: the @nth time (1 = next) the current CPU releases its last
 * lock (a two-phase command does so between its phases), @fn runs on the
 * next CPU, as another CPU's command interleaving there would. @fn may
 * re-arm (from its CPU, for the CPU it interrupted: hm_interleave_again).
 */
#define HM_NR_CPUS			4U
void hm_set_interleave(struct hm *hm, unsigned int nth,
		       void (*fn)(void *arg), void *arg);
void hm_interleave_again(struct hm *hm, unsigned int nth);

/* ---- Observation ----------------------------------------------------------- */

/* The deepest entry covering @ipa (no locks: an observer's view). */
struct hm_rtte {
	unsigned int state;	/* RMI_UNASSIGNED / RMI_ASSIGNED / RMI_TABLE */
	unsigned int perm;	/* ASSIGNED: CSM_PERM_RO / CSM_PERM_RW */
	bool xn;		/* ASSIGNED: not executable */
	unsigned int ripas;	/* protected IPA: RIPAS_* */
	int level;
	unsigned long pa;	/* ASSIGNED: PA of the granule at @ipa */
};

int hm_rtt_entry(struct hm *hm, unsigned long rd, unsigned long ipa,
		 struct hm_rtte *e);
unsigned int hm_granule_state(struct hm *hm, unsigned long pa);
unsigned long hm_granule_refcount(struct hm *hm, unsigned long pa);

/* Test-only white-box access to a granule's memory (any PAS), or NULL. */
void *hm_granule_peek(struct hm *hm, unsigned long pa);

/* TLBIs issued for realm @rd at @ipa since the last clear. */
unsigned long hm_tlbi_count(struct hm *hm, unsigned long rd,
			    unsigned long ipa);
unsigned long hm_tlbi_total(struct hm *hm);
void hm_tlbi_clear(struct hm *hm);

/* Port-contract violations seen (lock order, slots, scrub while mapped…);
 * *@last (may be NULL) gets the last message. */
unsigned long hm_violations(struct hm *hm, const char **last);

/* Check every security invariant of the model's state (see check.c).
 * 0, or -1 with a message in @msg. */
int hm_check(struct hm *hm, char *msg, size_t len);

/* The CSM token claims of realm @r (csm_token_claims, RD locked). */
int hm_token_claims(struct hm_realm *r, uint8_t *buf, size_t len,
		    size_t *out_len);

#endif /* HM_H */
