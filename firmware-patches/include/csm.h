/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CSM extension's entry points (what the RMM calls) and the state it
 * embeds in RMM objects. Internal cross-file helpers are in src/csm_priv.h.
 */
#ifndef CSM_H
#define CSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csm_abi.h"
#include "csm_port.h"

/* Embedded in struct rd (TF-RMM: a member of struct rd). */
struct csm_rd {
	uint64_t realm_id;	/* assigned at REALM_CREATE, never reused */
	unsigned long apt;	/* PA of the APT granule, 0 if none */
};

/*
 * Embedded in struct rec: the CSM call a REC has pending while the host
 * answers its exit (like rec->set_ripas for RSI_IPA_STATE_SET).
 */
struct csm_rec {
	unsigned long fid;	/* 0: nothing pending */
	unsigned long args[4];	/* X1..X4 as the realm passed them */
	bool notify;		/* done before the exit: entry returns SUCCESS */
};

/* One registry slot (storage from port_realm_id_table()). */
struct csm_id_slot {
	uint64_t id;		/* 0: free */
	unsigned long rd;	/* PA of the realm's RD */
};

/* What the RSI dispatcher does with the REC after a CSM handler ran. */
#define CSM_RSI_RETURN		0U	/* write x[] to X0..X3, back to realm */
#define CSM_RSI_EXIT		1U	/* exit to the host; call pending */

struct csm_rsi_result {
	unsigned int action;
	unsigned long x[4];	/* X0 status, X1..X3 outputs */
};

/* ---- RSI --------------------------------------------------------------- */

/* True if @fid is one of the RSI_CSM_* ids. */
bool csm_rsi_fid(unsigned long fid);

/*
 * Handle RSI_CSM_* from @rec with arguments X1..X4 in @args. Fills @res;
 * on CSM_RSI_EXIT also fills @exit and records the call in the REC.
 */
void csm_handle_rsi(struct rec *rec, unsigned long fid,
		    const unsigned long args[4], struct rmi_rec_exit *exit,
		    struct csm_rsi_result *res);

/*
 * On REC_ENTER, before the realm runs: complete a pending CSM call. Returns
 * true (and fills @res, always CSM_RSI_RETURN) if one was pending.
 */
bool csm_rec_enter(struct rec *rec, struct csm_rsi_result *res);

/* ---- RMI --------------------------------------------------------------- */

/* One row of the RMI dispatch table. */
struct csm_rmi_cmd {
	unsigned long fid;
	const char *name;
	unsigned int nr_args;	/* X1.. */
	unsigned int nr_res;	/* X1.. on success */
	unsigned long (*handler)(const unsigned long *args, unsigned long *res);
};

/* Rows for RMI_APT_CREATE/DESTROY and the changed DATA commands. */
extern const struct csm_rmi_cmd csm_rmi_cmds[];
extern const unsigned int csm_rmi_nr_cmds;

unsigned long csm_rmi_apt_create(const unsigned long *args,
				 unsigned long *res);
unsigned long csm_rmi_apt_destroy(const unsigned long *args,
				  unsigned long *res);
unsigned long csm_rmi_data_create_unknown(const unsigned long *args,
					  unsigned long *res);
unsigned long csm_rmi_data_destroy(const unsigned long *args,
				   unsigned long *res);

/* ---- Realm lifecycle hooks (RD locked and mapped) ----------------------- */

/*
 * REALM_CREATE, once the RD at @rd_addr is initialised: assign a fresh
 * realm id. RMI_SUCCESS, or RMI_ERROR_REALM(2) if none could be drawn.
 */
unsigned long csm_realm_create(struct rd *rd, unsigned long rd_addr);

/* REALM_DESTROY, before it acts: RMI_SUCCESS, or RMI_ERROR_REALM(1) while
 * the realm still has an APT. */
unsigned long csm_realm_destroy_check(struct rd *rd);

/* REALM_DESTROY, once it cannot fail: release the realm id. */
void csm_realm_destroy(struct rd *rd);

/* ---- RIPAS (ABI.md, "RIPAS of CSM ranges") ------------------------------- */

/*
 * RMI_RTT_SET_RIPAS, for each ASSIGNED entry it would change (RTT locked):
 * may the entry mapping DATA granule @pa change its RIPAS? False while the
 * granule is shared through CSM (its CSM mapping count, the DATA granule's
 * refcount, is nonzero): the core then treats the entry as one it cannot
 * change (no progress there), so a consumer's entries keep their RIPAS RAM
 * and their permission, and a provider keeps its shared range's. A range
 * leaves CSM by DETACH, REVOKE or DESTROY, not by RIPAS.
 */
bool csm_ripas_may_change(unsigned long pa);

/* ---- RTT folding (ABI.md, "Folding CSM ranges") --------------------------- */

/*
 * RMI_RTT_FOLD, for each ASSIGNED entry of the RTT it would fold (RTT
 * locked): may the entry mapping DATA granule @pa become part of a block?
 * False while the granule is shared through CSM: the core then treats the
 * RTT as not homogeneous (RMI_ERROR_RTT at the RTT's level), so that a
 * consumed range stays mapped by level-3 entries, which carry the granted
 * permission and which DETACH, REVOKE and DESTROY unmap one by one.
 */
bool csm_rtt_may_fold(unsigned long pa);

/* ---- RTT structure (ABI.md 4.5) ------------------------------------------- */

/*
 * RMI_RTT_DESTROY and RMI_RTT_FOLD, with the RD locked, before the RTT
 * covering [base, base + size) is unlinked: false if it covers part of a
 * range the realm consumes (any state). The core then refuses as for a
 * live RTT (RMI_ERROR_RTT at the RTT's level): the level-3 entries of a
 * consumed range, which CSM maps and unmaps, stay until the consumer frees
 * the range (DETACH_AND_FREE, or APT_DESTROY at teardown).
 */
bool csm_rtt_may_unlink(struct rd *rd, unsigned long base,
			unsigned long size);

/* ---- Realm ids ---------------------------------------------------------- */

/* PA of the live realm with id @id, or 0. */
unsigned long csm_realm_id_lookup(uint64_t id);

/* ---- Attestation -------------------------------------------------------- */

/*
 * Encode the CSM claims of the realm (RD locked and mapped) as CBOR map
 * members "label: value" to append to the realm claims map: the realm-id
 * claim and the csm-membership claim (2 members). Writes at most @len bytes
 * to @buf. 0 and *@out_len, or -ENOSPC.
 */
int csm_token_claims(struct rd *rd, uint8_t *buf, size_t len,
		     size_t *out_len);
#define CSM_TOKEN_NR_CLAIMS	2U

#endif /* CSM_H */
