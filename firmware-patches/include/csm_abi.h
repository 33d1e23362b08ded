/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CAEC Confidential Shared Memory (CSM): the RMM ABI additions.
 *
 * !!! CAEC-experimental !!!  Every function id, exit reason, detail code and
 * claim label below is chosen by CAEC, not by Arm. The RSI ids sit in the
 * part of the RSI range unused at TF-RMM HEAD (offsets 0x15..0x1d) and the
 * RMI ids right after the RMM 1.0 range (offset 0x19 is the last 1.0 id);
 * Arm may claim either later. ABI.md specifies each command.
 *
 * This header is shared by the firmware extension, the host model, the
 * guest driver and the verifier: it holds constants only.
 */
#ifndef CSM_ABI_H
#define CSM_ABI_H

/* SMC64 fast call, standard secure service (OEN 4): 0xC4000000 | fn. */
#define CSM_SMC64_FID(fn)		(0xC4000000UL | (unsigned long)(fn))

/* ---- RSI (realm -> RMM), CAEC-experimental ---------------------------- */
#define RSI_CSM_CREATE			CSM_SMC64_FID(0x1A5)
#define RSI_CSM_SHARE			CSM_SMC64_FID(0x1A6)
#define RSI_CSM_RESERVE			CSM_SMC64_FID(0x1A7)
#define RSI_CSM_ATTACH			CSM_SMC64_FID(0x1A8)
#define RSI_CSM_DETACH_AND_FREE		CSM_SMC64_FID(0x1A9)
#define RSI_CSM_REVOKE			CSM_SMC64_FID(0x1AA)
#define RSI_CSM_DESTROY			CSM_SMC64_FID(0x1AB)
#define RSI_CSM_FID_FIRST		RSI_CSM_CREATE
#define RSI_CSM_FID_LAST		RSI_CSM_DESTROY

/* ---- RMI (host -> RMM), CAEC-experimental ----------------------------- */
#define RMI_APT_CREATE			CSM_SMC64_FID(0x16A)
#define RMI_APT_DESTROY			CSM_SMC64_FID(0x16B)

/* RMI 1.0 commands this extension changes or hooks (ids from the spec). */
#define RMI_DATA_CREATE_UNKNOWN		CSM_SMC64_FID(0x154)
#define RMI_DATA_DESTROY		CSM_SMC64_FID(0x155)

/* ---- Status codes: RMM 1.0 values, no new ones ------------------------ */
#define RSI_SUCCESS			0UL
#define RSI_ERROR_INPUT			1UL
#define RSI_ERROR_STATE			2UL
#define RSI_INCOMPLETE			3UL

#define RMI_SUCCESS			0UL
#define RMI_ERROR_INPUT			1UL
#define RMI_ERROR_REALM			2UL
#define RMI_ERROR_REC			3UL
#define RMI_ERROR_RTT			4UL

/* RMI return code: status in bits 7:0, index in bits 15:8. */
#define RMI_RETURN(status, index)	((status) | ((unsigned long)(index) << 8))
#define RMI_RETURN_STATUS(ret)		((ret) & 0xffUL)
#define RMI_RETURN_INDEX(ret)		(((ret) >> 8) & 0xffUL)

#define SMCCC_NOT_SUPPORTED		(~0UL)

/*
 * ---- REC exit reasons (RmiRecExit.exit_reason), CAEC-experimental -------
 * Chosen well above the 1.0 (0..6) and 2.0 (7..10) reasons. Each carries
 * the IPA range [base, top) of the realm that exited in the slots of
 * ripas_base (run page offset 0x500 of rec_exit) and ripas_top (0x508),
 * as RMI_EXIT_RIPAS_CHANGE does; ripas_value (0x510) is zero.
 */
#define RMI_EXIT_CSM_POPULATE		0x40UL	/* P: back [base,top) */
#define RMI_EXIT_CSM_RECLAIM		0x41UL	/* C: empty [base,top) */
#define RMI_EXIT_CSM_REMOVE		0x42UL	/* [base,top) left CSM */

/* ---- Permissions of a consumer (RSI_CSM_SHARE X3) ---------------------- */
#define CSM_PERM_RO			1UL
#define CSM_PERM_RW			2UL

/*
 * ---- Sharing id --------------------------------------------------------
 * A sharing id (sid) is the pair (X1, X2) = (provider realm id, handle),
 * handle = csm_id << 32 | seq, where csm_id is the provider's region id
 * (1, 2, ... never reused within the provider) and seq counts the grants
 * made on that region (1, 2, ... never reused within the region). The
 * consumer is implicit (the caller) and is named in the provider's APT.
 * It is deterministic: a consumer told (provider id, csm id, seq) can
 * compute it; it is not a secret, consent is the APT entry.
 */
#define CSM_SID_HANDLE(csm_id, seq)	(((unsigned long)(csm_id) << 32) | \
					 ((unsigned long)(seq) & 0xffffffffUL))
#define CSM_SID_CSM_ID(handle)		((unsigned long)(handle) >> 32)
#define CSM_SID_SEQ(handle)		((unsigned long)(handle) & 0xffffffffUL)
#define CSM_ID_MAX			0xffffffffUL
#define CSM_SEQ_MAX			0xffffffffUL

/*
 * ---- Failure detail (RSI X1 when X0 is RSI_ERROR_INPUT/_STATE) ----------
 * The spec leaves outputs UNDEFINED on failure; CAEC defines X1 so that a
 * guest can tell the failure conditions of ABI.md apart. Stable values.
 */
#define CSM_E_NONE			0UL
#define CSM_E_BASE_ALIGN		1UL
#define CSM_E_SIZE			2UL
#define CSM_E_RANGE			3UL
#define CSM_E_PERM			4UL
#define CSM_E_SELF			5UL
#define CSM_E_NOT_PROVIDER		6UL
#define CSM_E_NO_APT			7UL
#define CSM_E_OVERLAP			8UL
#define CSM_E_APT_FULL			9UL
#define CSM_E_EXHAUSTED			10UL
#define CSM_E_UNKNOWN_CSM		11UL
#define CSM_E_UNKNOWN_REALM		12UL
#define CSM_E_ALREADY_SHARED		13UL
#define CSM_E_UNKNOWN_SID		14UL
#define CSM_E_ALREADY_RESERVED		15UL
#define CSM_E_SIZE_MISMATCH		16UL
#define CSM_E_BAD_STATE			17UL

/*
 * ---- Attestation: private realm-token claims ---------------------------
 * Labels below -65536 (private use), so standard verifiers ignore them.
 * realm-id: uint, the 64-bit realm id. csm-membership: array of maps, one
 * per APT region or consumed range (see ABI.md, "Token claims").
 */
#define CSM_CLAIM_REALM_ID		(-70001L)
#define CSM_CLAIM_MEMBERSHIP		(-70002L)

/* Keys inside one csm-membership map. */
#define CSM_CLAIM_K_ROLE		1	/* 0 provider, 1 consumer */
#define CSM_CLAIM_K_CSM_ID		2	/* provider: region id */
#define CSM_CLAIM_K_SIZE		3	/* bytes */
#define CSM_CLAIM_K_CONSUMERS		4	/* provider: [[id, handle, perm, state]] */
#define CSM_CLAIM_K_PROVIDER		5	/* consumer: provider realm id */
#define CSM_CLAIM_K_HANDLE		6	/* consumer: sid handle */
#define CSM_CLAIM_K_PERM		7	/* consumer: CSM_PERM_* */
#define CSM_CLAIM_K_STATE		8	/* consumer: CSM_STATE_* */

#define CSM_CLAIM_ROLE_PROVIDER		0
#define CSM_CLAIM_ROLE_CONSUMER		1

/* States of a grant (provider side) and a consumed range (consumer side). */
#define CSM_STATE_SHARED		1	/* grant made, not reserved */
#define CSM_STATE_RESERVED		2
#define CSM_STATE_ATTACHED		3
#define CSM_STATE_REVOKED		4	/* consumer side only */

#endif /* CSM_ABI_H */
