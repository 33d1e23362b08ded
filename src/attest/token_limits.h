/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bounds of a CCA attestation token, in one place: caec-rmmd never
 * issues more, the wire protocol never carries more (src/proto/), and every
 * verifier (libcaec, caec-attest) refuses more before it decodes a byte.
 * Constants only, so that the protocol header can include it without
 * OpenSSL or libcbor.
 */
#ifndef CAEC_TOKEN_LIMITS_H
#define CAEC_TOKEN_LIMITS_H

/*
 * A whole token (the collection around both COSE_Sign1). A TF-RMM token is
 * about 1.2 KiB; caec-rmmd's grows with the membership claim, whose largest
 * form (a full APT of CONSUMED entries, below) is about 3.1 KiB.
 * CAEC_CSM_TOKEN_MAX (caec/csm.h) is the same number.
 */
#define TOKEN_MAX 8192u

/*
 * The CSM membership claim (-70002) lists one entry per REGION or CONSUMED
 * entry of the realm's APT and, in a provider's entry, one consumer per
 * GRANT of that region: the firmware bounds both by the APT's capacity
 * (APT_CAPACITY in firmware-patches/include/csm_apt.h, 84). The verifier
 * refuses a claim with more of either; token_claims.c checks the two
 * numbers agree at compile time.
 */
#define TOKEN_MEMBERSHIP_MAX 84u

#endif /* CAEC_TOKEN_LIMITS_H */
