/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port: the only way the CSM extension reaches RMM internals.
 *
 * Each function stands for one TF-RMM internal (INTEGRATION.md maps them).
 * Two implementations exist: the TF-RMM glue (described in INTEGRATION.md)
 * and the host model (host/), which is what runs and is tested here.
 *
 * Locking contract (TF-RMM's): granules named by a command are "external"
 * and are locked in ascending physical-address order; a failed state check
 * unlocks and stops. The APT has no lock of its own: it is read and written
 * only under its realm's RD lock. A realm's RTT is walked and changed only
 * under its RD lock. A shared DATA granule's refcount (the number of
 * consumer RTT entries mapping it) changes only with both its owner's RD
 * and the consumer's RD locked.
 */
#ifndef CSM_PORT_H
#define CSM_PORT_H

#include <stdbool.h>
#include <stdint.h>

#define PORT_GRANULE_SHIFT	12
#define PORT_GRANULE_SIZE	(1UL << PORT_GRANULE_SHIFT)

/* Granule states, TF-RMM 1.0 numbering plus APT. */
#define PORT_GS_NS		0U
#define PORT_GS_DELEGATED	1U
#define PORT_GS_RD		2U
#define PORT_GS_REC		3U
#define PORT_GS_REC_AUX		4U
#define PORT_GS_DATA		5U
#define PORT_GS_RTT		6U
#define PORT_GS_APT		7U	/* new: an Access Policy Table */

/* Realm states. */
#define PORT_REALM_NEW		0U
#define PORT_REALM_ACTIVE	1U
#define PORT_REALM_SYSTEM_OFF	2U

/*
 * Per-CPU mapping slots. The extension maps at most two RDs and two APTs
 * at once (its own and one peer's), plus one DATA granule to scrub.
 */
#define PORT_SLOT_RD		0U
#define PORT_SLOT_RD2		1U
#define PORT_SLOT_APT		2U
#define PORT_SLOT_APT2		3U
#define PORT_SLOT_DATA		4U
#define PORT_NR_SLOTS		5U

/*
 * RTT entries as RMM 1.0 names them (DEN0137 1.0-rel0, "RTT entry"): the
 * host-visible state (RmiRttEntryState: UNASSIGNED, ASSIGNED, TABLE; an
 * unprotected IPA's entry is UNASSIGNED_NS or ASSIGNED_NS) and, for a
 * protected IPA, the realm-visible RIPAS (RmiRipas).
 */
#define PORT_RTTE_UNASSIGNED	0U
#define PORT_RTTE_ASSIGNED	1U
#define PORT_RTTE_TABLE		2U
#define PORT_RTTE_UNASSIGNED_NS	3U
#define PORT_RTTE_ASSIGNED_NS	4U

#define PORT_RIPAS_EMPTY	0U
#define PORT_RIPAS_RAM		1U
#define PORT_RIPAS_DESTROYED	2U

/* Stage-2 attributes of an ASSIGNED entry (S2AP write off, execute off). */
#define PORT_S2_RO		(1U << 0)
#define PORT_S2_XN		(1U << 1)

/* RTT levels (4K granules): 3 is the page level. */
#define PORT_RTT_PAGE_LEVEL	3

struct granule;
struct rd;
struct rec;
struct rmi_rec_exit;
struct csm_rd;
struct csm_rec;
struct csm_id_slot;

/* What a walk of protected @ipa found, as deep as the tables go. */
struct port_rtte {
	int level;		/* level of the entry (block above 3) */
	unsigned int state;	/* PORT_RTTE_* */
	unsigned int ripas;	/* PORT_RIPAS_* */
	unsigned int attr;	/* PORT_S2_* when ASSIGNED */
	unsigned long pa;	/* ASSIGNED: PA of the granule at @ipa */
};

/* ---- Granules ----------------------------------------------------------- */

/* True if @addr is granule aligned and names a granule the RMM tracks. */
bool port_granule_addr_valid(unsigned long addr);

/* Lock the granule at @addr if it is in @state; NULL otherwise. */
struct granule *port_find_lock_granule(unsigned long addr, unsigned int state);

/*
 * Lock two granules in ascending PA order, each in its expected state.
 * Returns 0, or 1 / 2: the argument whose granule was invalid or in the
 * wrong state (nothing is left locked). @addr1 != @addr2 is required.
 */
int port_find_lock_two_granules(unsigned long addr1, unsigned int state1,
				struct granule **g1,
				unsigned long addr2, unsigned int state2,
				struct granule **g2);

/* Lock a granule the caller holds a reference to; asserts @state. */
void port_granule_lock(struct granule *g, unsigned int state);
void port_granule_unlock(struct granule *g);
void port_granule_unlock_transition(struct granule *g, unsigned int state);

/* The descriptor of @addr without locking it (refcount updates). */
struct granule *port_addr_to_granule(unsigned long addr);
unsigned long port_granule_addr(const struct granule *g);

/* Mapping refcount; changed under the locks named at the top. */
void port_granule_refcount_inc(struct granule *g);
void port_granule_refcount_dec(struct granule *g);
unsigned long port_granule_refcount(const struct granule *g);

/* Map a locked granule into a per-CPU slot; unmap with the same slot. */
void *port_granule_map(struct granule *g, unsigned int slot);
void port_granule_unmap(void *va, unsigned int slot);

/* Zero a locked granule (through a slot) and clean it to the PoC. */
void port_granule_scrub(struct granule *g);

/* ---- Realm descriptors ------------------------------------------------- */

/* Map a locked RD (PORT_SLOT_RD or PORT_SLOT_RD2). */
struct rd *port_rd_map(struct granule *g_rd, unsigned int slot);
void port_rd_unmap(struct rd *rd, unsigned int slot);

/* The CSM fields embedded in the RD (struct csm_rd, csm.h). */
struct csm_rd *port_rd_csm(struct rd *rd);
unsigned int port_rd_state(const struct rd *rd);
unsigned int port_rd_ipa_width(const struct rd *rd);
unsigned long port_rd_rec_count(const struct rd *rd);

/* ---- Stage 2 (RD locked) ------------------------------------------------ */

/*
 * Walk protected @ipa as deep as the realm's RTTs go (at most level 3) and
 * describe the entry found. 0, or -EINVAL if @ipa is not protected.
 */
int port_rtt_read(struct rd *rd, unsigned long ipa, struct port_rtte *e);

/*
 * The RMM 1.0 DATA_CREATE_UNKNOWN transition of the level-3 entry of @ipa:
 * UNASSIGNED -> ASSIGNED(@pa), RIPAS unchanged, read-write. 0; -ENOENT if
 * the walk stops above level 3; -EEXIST if the entry is not UNASSIGNED.
 */
int port_rtt_assign(struct rd *rd, unsigned long ipa, unsigned long pa);

/*
 * A consumer mapping: the level-3 entry of @ipa, UNASSIGNED, becomes
 * ASSIGNED(@pa) with RIPAS RAM and the attributes @attr (PORT_S2_*).
 * 0, -ENOENT or -EEXIST as above.
 */
int port_rtt_map(struct rd *rd, unsigned long ipa, unsigned long pa,
		 unsigned int attr);

/*
 * The level-3 entry of @ipa, ASSIGNED (any RIPAS), becomes UNASSIGNED with
 * RIPAS @ripas. 0 or -ENOENT. The caller then calls port_tlbi_ipa().
 */
int port_rtt_unmap(struct rd *rd, unsigned long ipa, unsigned int ripas);

/* Set the RIPAS of the UNASSIGNED level-3 entry of @ipa. 0 or -ENOENT. */
int port_rtt_set_ripas(struct rd *rd, unsigned long ipa, unsigned int ripas);

/*
 * RMM 1.0's "top" output (DATA_DESTROY X2): @ipa if its entry is live, else
 * the IPA of the next live entry of the same RTT, else the end of that RTT.
 */
unsigned long port_rtt_skip_non_live(struct rd *rd, unsigned long ipa);

/* Broadcast TLB invalidation of @ipa for the realm's VMID (all levels). */
void port_tlbi_ipa(struct rd *rd, unsigned long ipa);

/* ---- RECs ---------------------------------------------------------------- */

/* The RD granule of the REC's realm (the REC holds a reference). */
struct granule *port_rec_rd(struct rec *rec);

/* The CSM fields embedded in the REC (struct csm_rec, csm.h). */
struct csm_rec *port_rec_csm(struct rec *rec);

/* Fill the exit record for a CSM exit reason with [base, top). */
void port_rec_exit_csm(struct rmi_rec_exit *exit, unsigned long reason,
		       unsigned long base, unsigned long top);

/* ---- Platform ------------------------------------------------------------ */

/*
 * The CPU this command runs on, 0 .. CSM_MAX_CPUS - 1 (TF-RMM: my_cpuid(),
 * MAX_CPUS). Per-call state too large for the RMM's stack (lock sets of up
 * to APT_CAPACITY + 2 granules) lives in per-CPU arrays indexed by it: a
 * command runs to completion on one CPU, and no two commands share a CPU.
 */
#ifndef CSM_MAX_CPUS
#define CSM_MAX_CPUS		16U
#endif
unsigned int port_cpu_id(void);

/* 64 bits from the platform's TRNG. 0, or -EIO if it failed. */
int port_trng_u64(uint64_t *out);

/* The realm-id registry's storage (static, sized by the platform). */
struct csm_id_slot *port_realm_id_table(unsigned long *nr_slots);

/* The registry's spinlock (a leaf lock: nothing is locked under it). */
void port_realm_id_lock(void);
void port_realm_id_unlock(void);

/* Debug trace of one command (TF-RMM's INFO log); may be a no-op. */
void port_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* CSM_PORT_H */
