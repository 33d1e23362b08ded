/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The caec-rmmd wire protocol, version 2: what libcaec (src/backend/
 * csm_rmmd.c) and the daemon (src/rmmd/) exchange over a SOCK_SEQPACKET
 * UNIX socket. One packet is one message; every field is little-endian and
 * fixed-width; each message type has exactly one length.
 *
 *   packet = struct rmmd_hdr (16 bytes) + body
 *
 *   client -> daemon   request:  hdr.type = RMMD_T_*, body = the request
 *                      struct of that type, hdr.seq = any value (echoed)
 *   daemon -> client   reply:    hdr.type = RMMD_T_* | RMMD_REPLY, body =
 *                      struct rmmd_reply (TOKEN: then the token),
 *                      hdr.seq = the request's; CREATE
 *                      and ATTACH replies that succeed carry one descriptor
 *                      (SCM_RIGHTS): the region's memfd, read-only for a RO
 *                      grant
 *                      event:    hdr.type = RMMD_EV_REVOKED or
 *                      RMMD_EV_MOVED, seq = 0, body = struct rmmd_event;
 *                      unsolicited, any time after HELLO; MOVED carries one
 *                      descriptor
 *   client -> daemon   ACK:      hdr.type = RMMD_T_ACK, body = struct
 *                      rmmd_req_ack: an event with a nonzero @ack was
 *                      handled. The one message that gets no reply.
 *
 * The first request must be HELLO (version negotiation; the reply names the
 * realm id and measurement); anything else first, a second HELLO, a packet
 * with a bad magic, version, type or length, or a packet carrying
 * descriptors gets a reply with status -EPROTO (type RMMD_T_ERROR | REPLY
 * when the type itself is unusable) and changes nothing. The daemon never
 * blocks on a client: one that does not read its replies is disconnected.
 * Requests are answered in order, one reply each (ACK excepted); a REVOKE or
 * DESTROY is answered only once the region's old memory is gone (below), and
 * the daemon reads nothing more from that client until then.
 *
 * REVOCATION (version 2). Region memory is a memfd; a realm that holds a
 * descriptor or a mapping of it could read it for as long as the file has
 * pages. So when a grant whose consumer was given the memfd is revoked, the
 * daemon copies the region into a fresh memfd, sends MOVED with the new one
 * to every party that keeps access (the provider, with handle = csm_id << 32,
 * and each attached consumer), REVOKED to the revoked consumer, waits until
 * each of them ACKed (or a deadline passed) and then truncates the old memfd
 * to zero bytes: every mapping and descriptor of it, whatever was kept, loses
 * its pages. DESTROY and a provider that goes away truncate without a copy,
 * after the consumers' REVOKED were ACKed (a library snapshots a channel's
 * ring first, to drain it). Between the event and the ACK a library replaces
 * its mapping (MOVED: the new memfd at the same address) and wakes the
 * threads that sleep on the old one's futex words, which only the old pages
 * can do.
 */
#ifndef CAEC_RMMD_PROTO_H
#define CAEC_RMMD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "../attest/token_limits.h"

#define RMMD_MAGIC 0x444d5243u		/* "CRMD" little-endian */
#define RMMD_VERSION 2u
#define RMMD_MSG_MAX 256u		/* no message of v2 is longer */

struct rmmd_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;			/* whole packet, header included */
	uint32_t seq;
};

/* Message types. */
#define RMMD_T_ERROR	0u		/* only in replies to unusable packets */
#define RMMD_T_HELLO	1u
#define RMMD_T_CREATE	2u
#define RMMD_T_SHARE	3u
#define RMMD_T_RESERVE	4u
#define RMMD_T_ATTACH	5u
#define RMMD_T_DETACH	6u
#define RMMD_T_REVOKE	7u
#define RMMD_T_DESTROY	8u
#define RMMD_T_TOKEN	9u
#define RMMD_T_ACK	10u		/* no reply */
#define RMMD_T_REALM_PARAMS 11u
#define RMMD_T_MEASURE_EXTEND 12u
#define RMMD_T_MAX	12u
#define RMMD_REPLY	0x8000u
#define RMMD_EV_REVOKED	0x4001u
#define RMMD_EV_MOVED	0x4002u

/* HELLO: versions the client speaks. Reply: val[0] realm id, val[1] the
 * version chosen, data[] the SHA-256 measurement of the client. */
struct rmmd_req_hello {
	uint32_t version_min;
	uint32_t version_max;
	uint64_t reserved;		/* zero */
};

/* CREATE: RSI_CSM_CREATE over @size bytes (a multiple of 4096) the daemon
 * places in the realm's protected IPA space. Reply: val[0] csm_id,
 * val[1] size, the RW memfd. */
struct rmmd_req_create {
	uint64_t size;
};

/* SHARE: RSI_CSM_SHARE. Reply: val[0] provider (own id), val[1] handle. */
struct rmmd_req_share {
	uint64_t csm_id;
	uint64_t consumer;
	uint32_t perm;			/* CSM_PERM_RO / CSM_PERM_RW */
	uint32_t reserved;		/* zero */
};

/*
 * RESERVE (@size: the region's exact size), ATTACH (reply: val[0] perm the
 * firmware mapped, val[1] size, the memfd), DETACH (RSI_CSM_DETACH_AND_FREE),
 * REVOKE (provider): one sharing id. @size is zero except for RESERVE.
 */
struct rmmd_req_sid {
	uint64_t provider;
	uint64_t handle;
	uint64_t size;
};

/* DESTROY: RSI_CSM_DESTROY. */
struct rmmd_req_destroy {
	uint64_t csm_id;
};

/*
 * TOKEN: an attestation token for this realm binding @challenge (the CCA
 * format: src/attest/token.h). The one variable-length message: its reply is
 * struct rmmd_reply (val[0] = the token's length) followed by the token,
 * at most RMMD_TOKEN_MAX bytes. -ENOTSUP from a daemon built without
 * libcbor.
 */
struct rmmd_req_token {
	uint8_t challenge[64];
};

/* The one token-size bound (src/attest/token_limits.h). */
#define RMMD_TOKEN_MAX TOKEN_MAX
#define RMMD_REPLY_MAX (16u + 64u + RMMD_TOKEN_MAX)

/*
 * REALM_PARAMS: what RMI_REALM_CREATE fixes for a realm, chosen by
 * whoever starts it: @hash_algo (RMMD_HASH_*) of its measurements and its
 * personalization value @rpv (token claim 44235). Only as the first request
 * after HELLO, and once: later, the realm runs and they are fixed
 * (-EPROTO). A realm that never sends it has SHA-256 and an all-zero RPV.
 * Reply: val[0] = the hash algorithm. -EINVAL for an unknown algorithm,
 * -ENOTSUP from a daemon built without libcbor.
 */
#define RMMD_HASH_SHA256 0u		/* RMI_REALM_CREATE's numbering */
#define RMMD_HASH_SHA512 1u

struct rmmd_req_realm_params {
	uint32_t hash_algo;
	uint32_t reserved;		/* zero */
	uint8_t rpv[64];
};

/*
 * MEASURE_EXTEND: RSI_MEASUREMENT_EXTEND. REM[@index - 1] becomes
 * H(REM[@index - 1] || @value[0..@size)), H the realm's hash algorithm.
 * -EINVAL: @index not 1..4, @size over 64. -ENOTSUP without libcbor.
 */
struct rmmd_req_extend {
	uint32_t index;
	uint32_t size;
	uint8_t value[64];
};

/*
 * Every reply. @status: 0 or a negative errno (the library's contract);
 * @detail: the firmware's CSM_E_* code when an RSI call failed, else 0;
 * @fw_status: the RSI status (X0) when the firmware answered, else ~0.
 */
struct rmmd_reply {
	int32_t status;
	uint32_t detail;
	uint64_t fw_status;
	uint64_t val[2];
	uint8_t data[32];
};

/*
 * REVOKED: the consumer's grant @provider/@handle is gone (@reason: 1
 * revoke, 2 destroy, 3 the provider disconnected); its memory goes once the
 * event is ACKed.
 * MOVED (@reason 4, with a descriptor): the region of grant @provider/
 * @handle (a consumer's), or the provider's own region csm_id = @handle >>
 * 32 (@handle's low half 0), now lives in the descriptor passed (read-only
 * for a RO grant); the old memfd loses its pages once the event is ACKed.
 * @ack: nonzero: send RMMD_T_ACK with this value once the mapping is
 * replaced and its sleepers woken; 0: no ACK wanted.
 */
struct rmmd_event {
	uint64_t provider;
	uint64_t handle;
	uint32_t reason;
	uint32_t reserved;
	uint64_t ack;
};

#define RMMD_REASON_REVOKE	1u
#define RMMD_REASON_DESTROY	2u
#define RMMD_REASON_GONE	3u
#define RMMD_REASON_MOVED	4u

/* ACK: the event that carried @ack was handled. */
struct rmmd_req_ack {
	uint64_t ack;
};

_Static_assert(sizeof(struct rmmd_hdr) == 16, "hdr");
_Static_assert(offsetof(struct rmmd_hdr, version) == 4, "version");
_Static_assert(offsetof(struct rmmd_hdr, type) == 6, "type");
_Static_assert(offsetof(struct rmmd_hdr, len) == 8, "len");
_Static_assert(offsetof(struct rmmd_hdr, seq) == 12, "seq");
_Static_assert(sizeof(struct rmmd_req_hello) == 16, "hello");
_Static_assert(sizeof(struct rmmd_req_create) == 8, "create");
_Static_assert(sizeof(struct rmmd_req_share) == 24, "share");
_Static_assert(offsetof(struct rmmd_req_share, perm) == 16, "perm");
_Static_assert(sizeof(struct rmmd_req_sid) == 24, "sid");
_Static_assert(sizeof(struct rmmd_req_destroy) == 8, "destroy");
_Static_assert(sizeof(struct rmmd_req_token) == 64, "token");
_Static_assert(sizeof(struct rmmd_req_realm_params) == 72, "params");
_Static_assert(offsetof(struct rmmd_req_realm_params, rpv) == 8, "rpv");
_Static_assert(sizeof(struct rmmd_req_extend) == 72, "extend");
_Static_assert(offsetof(struct rmmd_req_extend, value) == 8, "value");
_Static_assert(sizeof(struct rmmd_reply) == 64, "reply");
_Static_assert(offsetof(struct rmmd_reply, detail) == 4, "detail");
_Static_assert(offsetof(struct rmmd_reply, fw_status) == 8, "fw_status");
_Static_assert(offsetof(struct rmmd_reply, val) == 16, "val");
_Static_assert(offsetof(struct rmmd_reply, data) == 32, "data");
_Static_assert(sizeof(struct rmmd_event) == 32, "event");
_Static_assert(offsetof(struct rmmd_event, ack) == 24, "ack");
_Static_assert(sizeof(struct rmmd_req_ack) == 8, "ack req");
_Static_assert(16 + sizeof(struct rmmd_reply) <= RMMD_MSG_MAX, "max");

/* Wire format is little-endian; both supported targets are. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the rmmd protocol is little-endian; add byte swapping");

#endif /* CAEC_RMMD_PROTO_H */
