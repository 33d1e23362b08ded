/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libcaec Confidential Shared Memory (CSM) — regions of realm memory that the
 * RMM maps into several realms (Arm CCA with the CAEC extension; see
 * firmware-patches/ABI.md for the firmware's rules).
 *
 * WHO ANSWERS THE CALLS
 *   Inside a CCA realm the calls go to the caec-csm guest driver
 *   (/dev/caec-csm, uAPI in caec/csm_uapi.h). On any Linux host they go to
 *   caec-rmmd over a UNIX socket ($CAEC_RMMD_SOCKET, default
 *   $XDG_RUNTIME_DIR/caec-rmmd.sock, else /run/caec-rmmd.sock). caec-rmmd
 *   EMULATES the RMM for development and CI: each connected process is a
 *   realm and every request runs through the firmware extension's own
 *   handlers, but it gives NO hardware isolation: the kernel and root can
 *   still reach the memory, and when the daemon runs under this process's
 *   uid (same-user mode), grants between realms are not enforced against
 *   any process of that user (struct caec_csm_info.isolation says which
 *   mode a realm is in). $CAEC_RMMD_SOCKET, when set, wins over the
 *   device.
 *
 * ROLES (one per region)
 *   provider: caec_csm_create() a region of N bytes (mapped read-write),
 *             caec_csm_share() it with a consumer realm id, RO or RW, which
 *             gives a sharing id; caec_csm_revoke() one consumer;
 *             caec_csm_destroy() revokes every consumer and unmaps.
 *   consumer: caec_csm_attach() a sharing id (RESERVE + ATTACH) maps the
 *             region with the granted permission; caec_csm_detach().
 *   Consent is on both sides: the provider names the consumer's realm id
 *   (learned from the consumer's verified attestation token), the consumer
 *   names the sharing id (whose first half is the provider's realm id).
 *
 * REVOCATION
 *   When the provider revokes a grant or destroys the region, the consumer's
 *   library is notified asynchronously, replaces the mapping with private
 *   anonymous memory (never unmapped, so a racing access cannot fault) and
 *   from then on caec_csm_status() and every call on a channel over that
 *   region return -EACCES. On CCA hardware the RMM removes the stage-2
 *   mapping. Under caec-rmmd the region's memory itself is taken away: when
 *   caec_csm_revoke() or caec_csm_destroy() returns, no byte written to the
 *   region afterwards is readable through anything the revoked realm kept
 *   (mappings, dup()ed or reopened descriptors: their file has no pages any
 *   more), and nothing it writes reaches anyone. The provider and the other
 *   consumers keep the region: caec-rmmd moves it to a fresh memfd (a copy)
 *   and their libraries map that one at the same address before the old
 *   memory goes. A write any party makes to the region while the revoke
 *   runs may be lost (one that reaches the old memory after the copy).
 *   An application that opted out of the SIGBUS guard (caec_sigbus_guard())
 *   gets SIGBUS instead of zero pages when it touches memory taken away
 *   before its library could replace the mapping.
 *
 * PROCESSES
 *   A process is one realm: one connection per process, made on first use.
 *   A forked child is a different realm: CSM handles inherited through
 *   fork() are dead in the child (their memory is replaced, every call on
 *   them fails with -EACCES); the child makes its own connection.
 *
 * All functions are thread-safe, return 0 or a negative errno (caec.h), and
 * record a detail sentence (caec_error_detail()) on failure, naming the
 * firmware's failure condition where there is one.
 */
#ifndef CAEC_CSM_H
#define CAEC_CSM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

struct caec_channel;
struct caec_csm_region;

/* Consumer permissions (the firmware's CSM_PERM_*). */
#define CAEC_CSM_RO 1u
#define CAEC_CSM_RW 2u

/*
 * struct caec_csm_sid - a sharing id plus what a consumer needs to use it.
 * @provider: the provider's realm id (first half of the firmware's sid)
 * @handle:   csm_id << 32 | seq (second half)
 * @size:     the region's size in bytes; RESERVE needs it exactly
 *
 * Not a secret: consent is the provider's grant naming the consumer's realm
 * id. Text form (caec_csm_sid_format): "PPPPPPPPPPPPPPPP-HHHHHHHHHHHHHHHH-S",
 * provider and handle as 16 hex digits, size in decimal.
 */
struct caec_csm_sid {
	uint64_t provider;
	uint64_t handle;
	uint64_t size;
};

#define CAEC_CSM_SID_STRLEN 56	/* text form, with the terminating NUL */

/*
 * caec_csm_sid_format - write the text form of @sid into @buf.
 *
 * RETURN VALUE: 0; -EINVAL (NULL argument), -ENOSPC (@len below
 * CAEC_CSM_SID_STRLEN would not hold it).
 */
int caec_csm_sid_format(const struct caec_csm_sid *sid, char *buf,
			size_t len);

/*
 * caec_csm_sid_parse - parse the text form (as in a csm:attach/ URI).
 *
 * RETURN VALUE: 0; -EINVAL (malformed, detail recorded).
 */
int caec_csm_sid_parse(const char *text, struct caec_csm_sid *sid);

/* Where CSM calls go (struct caec_csm_info.transport). */
#define CAEC_CSM_DEVICE_DRIVER 1u	/* /dev/caec-csm in a CCA realm */
#define CAEC_CSM_EMULATED 2u		/* caec-rmmd: no hardware isolation */

/* What keeps other processes out of this realm's regions
 * (struct caec_csm_info.isolation). */
#define CAEC_CSM_ISOLATION_NONE 0u	/* caec-rmmd under this process's uid */
#define CAEC_CSM_ISOLATION_UID 1u	/* caec-rmmd under another uid */
#define CAEC_CSM_ISOLATION_HARDWARE 2u	/* the device: the RMM */

/*
 * struct caec_csm_info - this process's realm.
 * @struct_size: sizeof(struct caec_csm_info), set by the caller (a caller
 *               built before @isolation existed passes the size up to
 *               @measurement and gets those fields)
 * @transport:   CAEC_CSM_DEVICE_DRIVER or CAEC_CSM_EMULATED
 * @realm_id:    the realm id the RMM assigned (64 bits, never 0)
 * @measurement: caec-rmmd: SHA-256 of this process's executable, as the
 *               service measured it; the device: zero (see the token)
 * @isolation:   CAEC_CSM_ISOLATION_NONE: caec-rmmd runs under this
 *               process's uid, so grants between realms are NOT enforced
 *               against a process of that user: it can reach every region
 *               the service holds, and a RO consumer of that user can make
 *               its mapping writable (fchmod, then reopen /proc/self/fd);
 *               CAEC_CSM_ISOLATION_UID: caec-rmmd runs under another uid
 *               (multi-user mode, docs/csm.md): this realm's grants hold
 *               against every other uid, not against other processes of
 *               this process's own uid (they can act as this realm);
 *               CAEC_CSM_ISOLATION_HARDWARE: the RMM enforces them
 * @service_uid, @service_pid: who answers, as the kernel tells for the
 *               socket (SO_PEERCRED at the service's listen()); 0 for the
 *               device. $CAEC_RMMD_UID, when set, is the uid the library
 *               requires of caec-rmmd (a connection to another is refused)
 */
struct caec_csm_info {
	uint32_t struct_size;
	uint32_t transport;
	uint64_t realm_id;
	uint8_t measurement[32];
	uint32_t isolation;
	uint32_t service_uid;
	int32_t service_pid;
	uint32_t reserved;		/* zero */
};

/*
 * caec_csm_info - connect (first use) and describe this process's realm.
 *
 * A process keeps one connection. If the service goes away (caec-rmmd
 * stopped or restarted; a realm's device never does), a call in flight
 * fails with -EPIPE and the next call connects again, to whatever service
 * is then found: a new realm with a new realm id, which peers must be told.
 * Regions made before keep their mappings (a csm: channel on them goes on
 * moving data), but the new service never knew them: sharing, revoking or
 * destroying them returns -ENOLINK (caec_csm_destroy() and
 * caec_csm_detach() still unmap and free them).
 *
 * RETURN VALUE: 0; -EINVAL (NULL or struct_size too small), -ENOTSUP (no
 * device and no caec-rmmd listening: see caec_csm_service_start()), -EPROTO
 * (the service speaks another protocol version), -EACCES (the socket
 * refuses this uid, or its service does not run as $CAEC_RMMD_UID),
 * -ENOMEM.
 */
int caec_csm_info(struct caec_csm_info *info);

/*
 * caec_csm_realm_id - this process's realm id (connects on first use).
 *
 * RETURN VALUE: 0; the errors of caec_csm_info().
 */
int caec_csm_realm_id(uint64_t *id);

/*
 * caec_csm_create - provider: create a region of @size bytes (rounded up to
 * the page size), zero-filled and mapped read-write in this process.
 *
 * RETURN VALUE: 0 and *@out; -EINVAL (@size 0 or above the service's limit),
 * -ENOSPC (the realm's APT is full, ids exhausted), -ENOMEM (no memory in
 * the service or here), -EDQUOT (caec-rmmd: this realm's quota of regions
 * or pool bytes, --realm-max-regions / --realm-pool-mib), the connection
 * errors of caec_csm_info().
 */
int caec_csm_create(size_t size, struct caec_csm_region **out);

/*
 * caec_csm_share - provider: authorise realm @consumer to map @r with @perm
 * (CAEC_CSM_RO or CAEC_CSM_RW).
 * @sid: out: the sharing id to hand to the consumer (with the size)
 *
 * RETURN VALUE: 0; -EINVAL (bad @perm, @consumer is this realm, @r is not a
 * region this process provides), -ENOENT (no live realm has that id),
 * -EEXIST (already shared with that realm), -ENOSPC (APT full), -EPIPE (the
 * service went away during the call), -ENOLINK (@r was made through a
 * connection to a service that went away: see caec_csm_info()).
 */
int caec_csm_share(struct caec_csm_region *r, uint64_t consumer,
		   unsigned int perm, struct caec_csm_sid *sid);

/*
 * caec_csm_revoke - provider: remove one consumer's access. Its mapping is
 * removed before this returns (firmware); its library is notified. Under
 * caec-rmmd, when the consumer had attached, the region is copied into a
 * fresh memfd that this mapping and the other consumers' now map (the same
 * addresses, the same bytes), and the old one loses its pages before this
 * returns: it costs a copy of the region's written pages (about 1 ms for
 * 1 MiB, a few hundred ms for 128 MiB; docs/csm.md), and waits for the
 * libraries of the realms concerned to acknowledge (at most caec-rmmd's
 * --ack-timeout-ms, default 1 s, when one does not). Writes other threads
 * make to the region during the call may be lost.
 *
 * RETURN VALUE: 0; -EINVAL (@r is not provided here), -EACCES (@sid is not
 * a grant of this realm's), -EPIPE, -ENOLINK (as for caec_csm_share()),
 * -ENOMEM (caec-rmmd had no memory for the copy: the grant is revoked and
 * its memory taken back all the same, but the region is lost for every
 * realm: its calls then return -EPROTO).
 */
int caec_csm_revoke(struct caec_csm_region *r, const struct caec_csm_sid *sid);

/*
 * caec_csm_destroy - provider: revoke every consumer, delete the region,
 * unmap it here and free @r (even when the service fails). @r may be NULL.
 *
 * A consumer of a destroyed channel region drains what was sent, then gets
 * -EPIPE (as when an nw peer closes); a plain region reads as zeros.
 *
 * RETURN VALUE: 0; -EINVAL (@r is a consumer's: nothing is done), -EPIPE,
 * -ENOLINK (the service that knew @r went away; @r is freed all the same).
 */
int caec_csm_destroy(struct caec_csm_region *r);

/*
 * caec_csm_attach - consumer: reserve a range for @sid and attach it; maps
 * the region with the granted permission (read-only for CAEC_CSM_RO: a
 * write faults, and a writable mapping is refused by the kernel).
 *
 * RETURN VALUE: 0 and *@out; -EACCES (no grant of @sid names this realm,
 * or it was revoked), -EINVAL (size differs from the region's, sid of this
 * realm's own region), -EBUSY (already reserved by this realm), -ENOENT
 * (the provider is not a live realm), -ENOSPC, -ENOMEM, -EPIPE, -ENOLINK
 * (the service went away between the reservation and the attach).
 */
int caec_csm_attach(const struct caec_csm_sid *sid,
		    struct caec_csm_region **out);

/*
 * caec_csm_detach - consumer: unmap, detach and free the reservation (also
 * after a revoke), and free @r (even when the service fails). @r may be
 * NULL.
 *
 * RETURN VALUE: 0; -EINVAL (@r is provided here: nothing is done, use
 * caec_csm_destroy), -EPIPE, -ENOLINK (as for caec_csm_destroy()).
 */
int caec_csm_detach(struct caec_csm_region *r);

/*
 * caec_csm_base - the mapping, writable: NULL when the region is mapped
 * read-only (use caec_csm_data()).
 */
void *caec_csm_base(const struct caec_csm_region *r);

/*
 * caec_csm_data - the mapping for reading, whatever the permission. This is
 * the read-only region API of the data-sharing case (one provider writes a
 * large blob once; consumers granted CAEC_CSM_RO read it in place).
 */
const void *caec_csm_data(const struct caec_csm_region *r);

/* caec_csm_size - bytes mapped (the region's size). */
size_t caec_csm_size(const struct caec_csm_region *r);

/* caec_csm_perm - CAEC_CSM_RW for a provider, the granted one for a
 * consumer. */
unsigned int caec_csm_perm(const struct caec_csm_region *r);

/*
 * caec_csm_region_sid - the sharing id a consumer attached.
 *
 * RETURN VALUE: 0; -EINVAL (NULL, or @r is provided here: a provider has
 * one sharing id per consumer).
 */
int caec_csm_region_sid(const struct caec_csm_region *r,
			struct caec_csm_sid *sid);

/*
 * caec_csm_status - is the mapping still granted?
 *
 * RETURN VALUE: 0; -EACCES once revoked or destroyed by the provider (the
 * memory now reads as a private copy of nothing); -EPROTO once the memory
 * went from under the mapping before the library could replace it (a RW
 * peer truncated it, or the library did not answer caec-rmmd in time): it
 * reads as zeros; -EINVAL (NULL).
 */
int caec_csm_status(const struct caec_csm_region *r);

/*
 * caec_channel_csm_sid - the sharing id of a csm: channel: the grant a
 * "csm:share/PEER" creator made (give it to the peer for
 * "csm:attach/SID"), or the one an attacher used.
 *
 * RETURN VALUE: 0; -ENOTSUP (not a csm channel), -EINVAL (NULL).
 */
int caec_channel_csm_sid(const struct caec_channel *ch,
			 struct caec_csm_sid *sid);

/*
 * caec_channel_csm_revoke - the creator of a csm: channel revokes its
 * peer's grant. The peer's calls fail with -EACCES once its library got the
 * notice (a call blocked at that moment returns an error too); this side's
 * calls go on until caec_channel_close().
 *
 * RETURN VALUE: 0; -ENOTSUP (not a csm channel), -EINVAL (NULL, or called
 * by the attacher), the errors of caec_csm_revoke().
 */
int caec_channel_csm_revoke(struct caec_channel *ch);

/*
 * ATTESTATION
 *
 * A realm's token is a CCA attestation token: CBOR tag 399 (or 907, a CMW
 * collection) around {44234: platform COSE_Sign1, 44241: realm
 * COSE_Sign1}, both ES384. The verifier accepts what real RMMs emit (TF-RMM
 * early and current: the realm profile absent, the RAK a raw point, or
 * "tag:arm.com,2023:realm#1.0.0", the RAK a COSE_Key; the platform profiles
 * "http://arm.com/CCA-SSD/1.0.0" and "tag:arm.com,2023:cca_platform#1.0.0";
 * SHA-256 and SHA-512 realms) and checks every claim the profiles make
 * mandatory. The realm claims carry the challenge, the RIM (under
 * caec-rmmd: the hash of the program), the REMs, the RPV, the RAK, and the
 * firmware's claims: the realm id (-70001) and the CSM membership
 * (-70002). caec-rmmd's tokens say they come from an emulated platform
 * (lifecycle CAEC_CSM_LIFECYCLE_EMULATED).
 *
 * The paper's way: each realm owner asks the peer for a token over a fresh
 * challenge, verifies it, and only then shares with (provider) or attaches
 * to (consumer) the realm id it names. caec_channel_attest() does that on
 * a csm: channel, bound to it (caec/channel.h).
 */
#define CAEC_CSM_CHALLENGE_LEN 64
#define CAEC_CSM_TOKEN_MAX 8192	/* bytes: no token is bigger (a token is
				 * about 1.5 KiB, 4 KiB with a full
				 * membership claim) */
#define CAEC_CSM_HASH_MAX 64	/* a SHA-512 measurement */
#define CAEC_CSM_RPV_LEN 64

/* Realm hash algorithms (RMI_REALM_CREATE's numbering). */
#define CAEC_CSM_HASH_SHA256 0u
#define CAEC_CSM_HASH_SHA512 1u

/* The platform lifecycle caec-rmmd's tokens carry: 0x5000,
 * "recoverable-cca-platform-rot-debug" (its keys live in a process). A
 * secured production platform says 0x3000..0x30ff. */
#define CAEC_CSM_LIFECYCLE_EMULATED 0x5000u

/*
 * caec_csm_token - this realm's attestation token, binding @challenge.
 * @buf, @cap: where to write it; *@len: its length.
 *
 * RETURN VALUE: 0; -ENOSPC (@cap too small), -ENOTSUP (the service gives no
 * tokens: the device path, or a caec-rmmd built without libcbor), the
 * connection errors of caec_csm_info().
 */
int caec_csm_token(const uint8_t challenge[CAEC_CSM_CHALLENGE_LEN],
		   uint8_t *buf, size_t cap, size_t *len);

/*
 * struct caec_csm_token_info - what a verified token says.
 * @struct_size:  sizeof(struct caec_csm_token_info), set by the caller; a
 *                smaller one (an older caller) gets the fields it covers
 * @has_realm_id: the token carries the realm-id claim
 * @realm_id:     the realm id (claim -70001), bound to the RIM by the
 *                signature: the id to SHARE with or to expect in a sid
 * @measurement:  the RIM's first 32 bytes: all of a SHA-256 RIM
 * @measurement_len: the RIM's length: 32 (SHA-256) or 64 (SHA-512)
 * @lifecycle:    the platform's lifecycle claim (CAEC_CSM_LIFECYCLE_*)
 * @rim:          the whole RIM (claim 44238)
 * @rpv:          the realm personalization value (claim 44235)
 * @rem:          the four REMs (claim 44239), @measurement_len bytes each
 */
struct caec_csm_token_info {
	uint32_t struct_size;
	uint32_t has_realm_id;
	uint64_t realm_id;
	uint8_t measurement[32];
	uint32_t measurement_len;
	uint32_t lifecycle;
	uint8_t rim[CAEC_CSM_HASH_MAX];
	uint8_t rpv[CAEC_CSM_RPV_LEN];
	uint8_t rem[4][CAEC_CSM_HASH_MAX];
};

/*
 * caec_csm_token_verify - check a peer's token: the platform signature
 * against the trust anchor, every claim its profiles make mandatory, the
 * realm signature with the RAK it carries, the key binding (platform
 * challenge = hash of the RAK), @challenge, and @measurement unless NULL.
 * @anchor:      PEM public key of the platform, or a directory of them
 *               (*.pem, *.pub); NULL: the running caec-rmmd's,
 *               "$CAEC_RMMD_SOCKET.pub" (or the default socket path + ".pub")
 * @measurement: the expected RIM of a SHA-256 realm (32 bytes); NULL: any
 *               (a SHA-512 realm's RIM is in @info->rim)
 *
 * RETURN VALUE: 0 and @info; -EBADMSG (malformed, a mandatory claim missing
 * or of the wrong shape, a signature or the binding fails), -EMSGSIZE
 * (over CAEC_CSM_TOKEN_MAX), -EACCES (challenge or measurement differ),
 * -ENOENT (no anchor file), -ENOTSUP (built without libcbor), -EINVAL,
 * -ENOMEM. The detail names the check that failed.
 */
int caec_csm_token_verify(const uint8_t *token, size_t len,
			  const char *anchor,
			  const uint8_t challenge[CAEC_CSM_CHALLENGE_LEN],
			  const uint8_t *measurement,
			  struct caec_csm_token_info *info);

/*
 * REALM PARAMETERS AND MEASUREMENTS
 *
 * RMI_REALM_CREATE fixes two things of a realm, chosen by whoever starts
 * it: the hash algorithm of its measurements (RIM and REMs: SHA-256 or
 * SHA-512) and its personalization value (RPV, 64 bytes, token claim
 * 44235). Under caec-rmmd the process is the realm and it starts at its
 * first CSM call; its parameters are those of caec_csm_realm_params() if
 * it was called before, else those its launcher put in the environment:
 * $CAEC_CSM_RPV (128 hex digits) and $CAEC_CSM_HASH ("sha-256" or
 * "sha-512"). Default: SHA-256 and an all-zero RPV. A connection made
 * after the service restarted (a new realm) takes them again. In a CCA
 * realm the host chose them: they cannot be set from inside.
 */

/*
 * struct caec_csm_realm_params - @struct_size: sizeof(struct
 * caec_csm_realm_params); @hash_algo: CAEC_CSM_HASH_*; @rpv: the RPV.
 */
struct caec_csm_realm_params {
	uint32_t struct_size;
	uint32_t hash_algo;
	uint8_t rpv[CAEC_CSM_RPV_LEN];
};

/*
 * caec_csm_realm_params - the parameters this process's next realm starts
 * with (call it before the first CSM call).
 *
 * RETURN VALUE: 0; -EINVAL (NULL, struct_size too small, unknown
 * @hash_algo).
 */
int caec_csm_realm_params(const struct caec_csm_realm_params *p);

/*
 * caec_csm_measurement_extend - RSI_MEASUREMENT_EXTEND: extensible
 * measurement @index (1..4; the token's REM @index - 1) becomes
 * H(REM || @data[0..@len)), H the realm's hash algorithm.
 *
 * RETURN VALUE: 0; -EINVAL (@index not 1..4, @len over 64, @data NULL with
 * @len), -ENOTSUP (the device path: use the kernel's interface; a
 * caec-rmmd built without libcbor), the connection errors of
 * caec_csm_info().
 */
int caec_csm_measurement_extend(unsigned int index, const void *data,
				size_t len);

/*
 * THE ATTESTED CHANNEL HANDSHAKE
 *
 * caec_channel_attest() runs a mutual attestation as the first messages on
 * a csm: channel, before any application data: each side proves itself to
 * the other with its realm token, and the tokens are bound to this
 * channel. Each token's challenge is
 *
 *   SHA-512("CAEC attested channel v1" || 0 || role || provider || handle
 *           || size || nonce_creator || nonce_attacher)
 *
 * (role: 0 for the creator's token, 1 for the attacher's; provider, handle,
 * size: the channel's sharing id, 64-bit little-endian; each nonce 32 fresh
 * random bytes of its side), so a token made for another channel, another
 * handshake or the other direction does not verify here. Each side then
 * checks the peer's token against its policy and the grant: the creator
 * wants the realm it shared the region with (csm:share/REALMID), the
 * attacher the provider of the sharing id it attached. Both sides tell
 * each other their verdict; the handshake succeeds only when both
 * accepted. It fails closed: after a failure every call on the channel
 * returns -EACCES.
 */

/*
 * struct caec_attest_policy - what the peer must prove.
 * @struct_size:     sizeof(struct caec_attest_policy)
 * @flags:           CAEC_ATTEST_SECURED: refuse a platform whose lifecycle
 *                   is not "secured" (caec-rmmd's never is)
 * @anchors:         trust anchors, a NULL-terminated list of PEM files or
 *                   directories of them; NULL: the running caec-rmmd's
 * @measurements:    the accepted RIMs, @n_measurements of them back to
 *                   back, @measurement_len (32 or 64) bytes each; none: any
 * @rpv:             the personalization value the peer must carry, 64
 *                   bytes; NULL: any
 * @timeout_ms:      the longest wait for each of the peer's messages; 0:
 *                   10 s; CAEC_FOREVER: no limit
 */
struct caec_attest_policy {
	uint32_t struct_size;
	uint32_t flags;
	const char *const *anchors;
	const uint8_t *measurements;
	uint32_t n_measurements;
	uint32_t measurement_len;
	const uint8_t *rpv;
	int timeout_ms;
};

#define CAEC_ATTEST_SECURED 0x1u

/* Why a handshake failed (struct caec_attest_result.reason). */
#define CAEC_ATTEST_OK 0u
#define CAEC_ATTEST_BAD_TOKEN 1u	/* malformed, forged, off-profile */
#define CAEC_ATTEST_NOT_BOUND 2u	/* made for another channel: replayed */
#define CAEC_ATTEST_REALM_ID 3u		/* not the realm of the grant */
#define CAEC_ATTEST_MEASUREMENT 4u	/* a RIM the policy does not accept */
#define CAEC_ATTEST_RPV 5u		/* another personalization value */
#define CAEC_ATTEST_PLATFORM 6u		/* a lifecycle the policy refuses */
#define CAEC_ATTEST_PEER_REFUSED 7u	/* the peer refused this side */
#define CAEC_ATTEST_TIMEOUT 8u		/* the peer stopped half-way */
#define CAEC_ATTEST_PEER_GONE 9u	/* the peer closed the channel */
#define CAEC_ATTEST_PROTOCOL 10u	/* not the handshake (or out of order) */
#define CAEC_ATTEST_NO_TOKEN 11u	/* this side has no token to give */

/*
 * struct caec_attest_result - the outcome.
 * @struct_size: sizeof(struct caec_attest_result)
 * @reason:      CAEC_ATTEST_OK, or why it failed
 * @peer:        the peer's verified token (valid when @reason is OK)
 */
struct caec_attest_result {
	uint32_t struct_size;
	uint32_t reason;
	struct caec_csm_token_info peer;
};

/*
 * caec_channel_attest - the attested handshake on csm: channel @ch (both
 * sides call it, right after create and attach).
 * @policy: what the peer must prove; NULL: the running caec-rmmd's anchor,
 *          any measurement, any RPV, 10 s per message
 * @result: the outcome, or NULL
 *
 * RETURN VALUE: 0; -EACCES (the peer's token is not bound to this channel,
 * names another realm, or the policy refuses its measurement, RPV or
 * platform; or the peer refused this side), -EBADMSG (the peer's token is
 * malformed or forged), -ETIMEDOUT (the peer stopped half-way), -EPIPE
 * (the peer closed), -EPROTO (the peer does not speak the handshake),
 * -ENOTSUP (not a csm: channel, or no attestation here), -EINVAL, -ENOMEM;
 * @result->reason says which, the detail in words. On failure the channel
 * is closed to data: every later call returns -EACCES.
 */
int caec_channel_attest(struct caec_channel *ch,
			const struct caec_attest_policy *policy,
			struct caec_attest_result *result);

/*
 * THE SERVICE FOR PROCESSES THAT NEED NO SETUP (tests, caec-bench)
 *
 * caec_csm_service_start - make sure CSM calls have somewhere to go.
 *
 * If /dev/caec-csm exists (and $CAEC_RMMD_SOCKET is not set) or a caec-rmmd
 * answers at the configured socket, nothing is started. Otherwise a private
 * caec-rmmd is started (found at $CAEC_RMMD_PATH, else next to libcaec or
 * the running program, else the installed one) on a socket in a fresh
 * private directory, and $CAEC_RMMD_SOCKET is set in this process's
 * environment so that this process and the children it forks or executes
 * afterwards use it. The daemon dies with the thread that started it
 * (PR_SET_PDEATHSIG) if caec_csm_service_stop() is never called. A private
 * daemon's limits come from $CAEC_RMMD_POOL_MIB (its granule pool, default
 * 256 MiB) and $CAEC_RMMD_MAX_REGION_MIB (its largest region, default 128),
 * when set.
 *
 * Call it before creating threads (it calls setenv()) and before any other
 * CSM call of this process.
 *
 * RETURN VALUE: 0 and *@out; -ENOENT (no caec-rmmd executable found),
 * -ETIMEDOUT (it did not come up within 10 s), -EIO (it exited, e.g.
 * refusing a limit out of its range), -EINVAL (a limit variable that is not
 * a number), -ENOMEM.
 */
struct caec_csm_service;

int caec_csm_service_start(struct caec_csm_service **out);

/*
 * caec_csm_service_stop - stop a daemon caec_csm_service_start() started
 * (SIGTERM, then SIGKILL after 5 s), remove its socket directory and
 * restore $CAEC_RMMD_SOCKET; nothing for a service that was already there.
 * Frees @svc; NULL is fine.
 */
void caec_csm_service_stop(struct caec_csm_service *svc);

/*
 * caec_csm_service_pid - the private daemon's pid, 0 when none was started.
 */
int caec_csm_service_pid(const struct caec_csm_service *svc);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif /* CAEC_CSM_H */
