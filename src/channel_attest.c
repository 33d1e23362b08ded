/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The attested channel handshake (caec_channel_attest(), caec/csm.h): a
 * mutual token exchange as the first messages of a csm: channel, each
 * token bound to the channel, checked against the caller's policy and the
 * grant, with both verdicts exchanged.
 *
 * Wire format: every message is one channel message, little-endian, and
 * starts with struct att_hdr.
 *
 *   HELLO    hdr (len 0) + nonce[32]           both sides, first
 *   TOKEN    hdr (len = token bytes), then the token in messages of at
 *            most ATT_CHUNK bytes                the creator's first, then
 *                                                the attacher's
 *   VERDICT  hdr (len = CAEC_ATTEST_* reason, 0 = accepted)   both sides
 *
 * The creator's token goes first and the attacher answers it, so neither
 * side ever has more than one token in flight: a ring of a few KiB is
 * enough. Every message from the peer lands in private memory first and is
 * checked (magic, version, type, length, the peer's role) before use; a
 * token is bounded by TOKEN_MAX like any other.
 *
 * Fail closed: when the handshake fails, both directions get the sticky
 * error -EACCES (ring_set_error()), so no application data moves on a
 * channel whose peer did not prove itself.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <caec/caec.h>
#include <caec/csm.h>

#include "channel_priv.h"
#include "error.h"
#include "ring/ring_api.h"

#if defined(CAEC_HAVE_TOKENS)

#include <openssl/err.h>
#include <openssl/evp.h>

#include "attest/token.h"

#define ATT_MAGIC 0x3154544143454143ull	/* "CAECATT1" little-endian */
#define ATT_VERSION 1u
#define ATT_HELLO 1u
#define ATT_TOKEN 2u
#define ATT_VERDICT 3u
#define ATT_NONCE 32u
#define ATT_CHUNK 2048u			/* token bytes per message */
#define ATT_DEFAULT_TIMEOUT_MS 10000

#define ROLE_CREATOR 0u
#define ROLE_ATTACHER 1u

struct att_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t type;			/* ATT_* */
	uint32_t len;			/* see the wire format above */
	uint32_t role;			/* the sender's ROLE_* */
};

_Static_assert(sizeof(struct att_hdr) == 24, "att_hdr");
_Static_assert(offsetof(struct att_hdr, type) == 12, "att type");
_Static_assert(offsetof(struct att_hdr, role) == 20, "att role");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the handshake is little-endian; add byte swapping");

static const char label[] = "CAEC attested channel v1";

struct att {
	struct caec_channel *ch;
	const struct caec_attest_policy *pol;
	struct caec_attest_result *res;
	uint32_t role;			/* this side's */
	int timeout;
	size_t chunk;
	struct caec_csm_sid sid;
	uint64_t peer_id;		/* the realm the grant names */
	uint8_t nonce[2][ATT_NONCE];	/* by role */
	uint8_t *mine, *theirs;		/* the tokens, TOKEN_MAX each */
	size_t mine_len, theirs_len;
	bool verdict_sent;
};

/* Fail with @reason: the result says it, the detail in words. */
static int __attribute__((format(printf, 4, 5)))
att_fail(struct att *a, int rc, uint32_t reason, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (a->res && a->res->reason == CAEC_ATTEST_OK)
		a->res->reason = reason;
	return caec_set_detail(rc, "attested handshake: %s", msg);
}

static int
send_msg(struct att *a, uint32_t type, uint32_t len, const void *body,
	 size_t body_len)
{
	uint8_t buf[sizeof(struct att_hdr) + ATT_NONCE];
	struct att_hdr h = { ATT_MAGIC, ATT_VERSION, type, len, a->role };
	int rc;

	memcpy(buf, &h, sizeof(h));
	if (body_len)
		memcpy(buf + sizeof(h), body, body_len);
	rc = caec_channel_send(a->ch, buf, sizeof(h) + body_len, 0, a->timeout);
	return rc < 0 ? rc : 0;
}

/* A receive that failed: which reason. */
static int
recv_failed(struct att *a, ssize_t n, const char *what)
{
	if (n == -ETIMEDOUT || n == -EAGAIN)
		return att_fail(a, -ETIMEDOUT, CAEC_ATTEST_TIMEOUT,
				"the peer sent no %s within %d ms: it stopped half-way",
				what, a->timeout);
	if (n == -EPIPE)
		return att_fail(a, -EPIPE, CAEC_ATTEST_PEER_GONE,
				"the peer closed the channel before its %s", what);
	return att_fail(a, (int)n, CAEC_ATTEST_PROTOCOL,
			"receiving the peer's %s: %s", what,
			caec_strerror((int)n));
}

/*
 * The peer's next handshake message of @type, its body (exactly @body_len
 * bytes) copied out. *@len gets the header's len.
 */
static int
recv_msg(struct att *a, uint32_t type, void *body, size_t body_len,
	 uint32_t *len, const char *what)
{
	uint8_t buf[sizeof(struct att_hdr) + ATT_NONCE];
	struct att_hdr h;
	ssize_t n;

	n = caec_channel_recv(a->ch, buf, sizeof(buf), 0, a->timeout);
	if (n == -EMSGSIZE)
		return att_fail(a, -EPROTO, CAEC_ATTEST_PROTOCOL,
				"the peer sent a message that is no %s (too long)",
				what);
	if (n < 0)
		return recv_failed(a, n, what);
	if ((size_t)n < sizeof(h))
		return att_fail(a, -EPROTO, CAEC_ATTEST_PROTOCOL,
				"the peer sent %zd bytes, not a %s", n, what);
	memcpy(&h, buf, sizeof(h));
	if (h.magic != ATT_MAGIC || h.version != ATT_VERSION)
		return att_fail(a, -EPROTO, CAEC_ATTEST_PROTOCOL,
				"the peer does not speak this handshake (version %u)",
				h.magic == ATT_MAGIC ? h.version : 0);
	if (h.role != (a->role ^ 1u))
		return att_fail(a, -EPROTO, CAEC_ATTEST_PROTOCOL,
				"the peer claims this side's role: a reflected message");
	if (h.type == ATT_VERDICT && type != ATT_VERDICT && h.len &&
	    (size_t)n == sizeof(h))
		return att_fail(a, -EACCES, CAEC_ATTEST_PEER_REFUSED,
				"the peer refused this side (reason %u) before its %s",
				h.len, what);
	if (h.type != type || (size_t)n != sizeof(h) + body_len)
		return att_fail(a, -EPROTO, CAEC_ATTEST_PROTOCOL,
				"the peer sent message type %u of %zd bytes, not its %s",
				h.type, n, what);
	if (body_len)
		memcpy(body, buf + sizeof(h), body_len);
	*len = h.len;
	return 0;
}

/* The challenge the token of the side in @role must carry. */
static int
challenge(const struct att *a, uint32_t role, uint8_t out[TOKEN_CHALLENGE_LEN])
{
	uint8_t r = (uint8_t)role;
	unsigned int n = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	ok = md && EVP_DigestInit_ex(md, EVP_sha512(), NULL) == 1 &&
	     EVP_DigestUpdate(md, label, sizeof(label)) == 1 &&
	     EVP_DigestUpdate(md, &r, 1) == 1 &&
	     EVP_DigestUpdate(md, &a->sid.provider, 8) == 1 &&
	     EVP_DigestUpdate(md, &a->sid.handle, 8) == 1 &&
	     EVP_DigestUpdate(md, &a->sid.size, 8) == 1 &&
	     EVP_DigestUpdate(md, a->nonce[ROLE_CREATOR], ATT_NONCE) == 1 &&
	     EVP_DigestUpdate(md, a->nonce[ROLE_ATTACHER], ATT_NONCE) == 1 &&
	     EVP_DigestFinal_ex(md, out, &n) == 1 && n == TOKEN_CHALLENGE_LEN;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok ? 0 : -EIO;
}

static int
send_token(struct att *a)
{
	uint8_t ch[TOKEN_CHALLENGE_LEN];
	size_t off, n;
	int rc;

	rc = challenge(a, a->role, ch);
	if (rc)
		return att_fail(a, rc, CAEC_ATTEST_NO_TOKEN,
				"no challenge (SHA-512 failed)");
	rc = caec_csm_token(ch, a->mine, TOKEN_MAX, &a->mine_len);
	if (rc)
		return att_fail(a, rc, CAEC_ATTEST_NO_TOKEN,
				"this realm has no token: %s",
				caec_error_detail());
	rc = send_msg(a, ATT_TOKEN, (uint32_t)a->mine_len, NULL, 0);
	for (off = 0; !rc && off < a->mine_len; off += n) {
		n = a->mine_len - off < a->chunk ? a->mine_len - off : a->chunk;
		rc = caec_channel_send(a->ch, a->mine + off, n, 0, a->timeout);
		rc = rc < 0 ? rc : 0;
	}
	if (rc)
		return att_fail(a, rc, rc == -ETIMEDOUT ? CAEC_ATTEST_TIMEOUT :
				       rc == -EPIPE ? CAEC_ATTEST_PEER_GONE :
						      CAEC_ATTEST_PROTOCOL,
				"sending this side's token: %s",
				caec_strerror(rc));
	return 0;
}

static int
recv_token(struct att *a)
{
	uint32_t len;
	size_t off, want;
	ssize_t n;
	int rc;

	rc = recv_msg(a, ATT_TOKEN, NULL, 0, &len, "token");
	if (rc)
		return rc;
	if (!len || len > TOKEN_MAX)
		return att_fail(a, -EPROTO, CAEC_ATTEST_PROTOCOL,
				"the peer announces a token of %u bytes (1..%u)",
				len, TOKEN_MAX);
	for (off = 0; off < len; off += (size_t)n) {
		want = len - off < a->chunk ? len - off : a->chunk;
		n = caec_channel_recv(a->ch, a->theirs + off, want, 0,
				      a->timeout);
		if (n == -EMSGSIZE || (n >= 0 && (size_t)n != want))
			return att_fail(a, -EPROTO, CAEC_ATTEST_PROTOCOL,
					"the peer's token arrives in pieces of the wrong size");
		if (n < 0)
			return recv_failed(a, n, "token");
	}
	a->theirs_len = len;
	return 0;
}

static void
fill_peer(struct caec_csm_token_info *info, const struct token_claims *c)
{
	memset(info, 0, sizeof(*info));
	info->struct_size = sizeof(*info);
	info->has_realm_id = c->has_realm_id;
	info->realm_id = c->realm_id;
	memcpy(info->measurement, c->rim, sizeof(info->measurement));
	info->measurement_len = (uint32_t)c->meas_len;
	info->lifecycle = c->lifecycle;
	memcpy(info->rim, c->rim, sizeof(info->rim));
	memcpy(info->rpv, c->rpv, sizeof(info->rpv));
	memcpy(info->rem, c->rem, sizeof(info->rem));
}

static int
load_anchors(struct att *a, struct token_anchors *set)
{
	char path[PATH_MAX], why[512];
	const char *const *p = a->pol ? a->pol->anchors : NULL;
	int rc = 0;

	if (!p) {
		backend_csm_anchor(path, sizeof(path));
		rc = token_anchors_load(set, path, why, sizeof(why));
	}
	for (; !rc && p && *p; p++)
		rc = token_anchors_load(set, *p, why, sizeof(why));
	if (!rc && !set->n) {
		rc = -EINVAL;
		snprintf(why, sizeof(why), "the policy names no trust anchor");
	}
	return rc ? att_fail(a, rc, CAEC_ATTEST_BAD_TOKEN, "%s", why) : 0;
}

/* The peer's token against the channel, the grant and the policy. */
static int
check_peer(struct att *a)
{
	const struct caec_attest_policy *pol = a->pol;
	uint8_t ch[TOKEN_CHALLENGE_LEN];
	struct token_anchors set = { 0 };
	struct token_expect x = { .challenge = ch };
	struct token_claims c;
	char why[512];
	uint32_t i;
	bool ok;
	int rc;

	rc = challenge(a, a->role ^ 1u, ch);
	if (!rc)
		rc = load_anchors(a, &set);
	if (rc) {
		token_anchors_free(&set);
		return rc;
	}
	rc = token_verify_with(a->theirs, a->theirs_len, &set, &x, &c, why,
			       sizeof(why));
	token_anchors_free(&set);
	if (rc == -EACCES)
		return att_fail(a, -EACCES, CAEC_ATTEST_NOT_BOUND,
				"the peer's token was not made for this channel (a replay?): %s",
				why);
	if (rc)
		return att_fail(a, rc == -ENOMEM ? rc : -EBADMSG,
				CAEC_ATTEST_BAD_TOKEN, "the peer's token: %s",
				why);
	if (!c.has_realm_id || c.realm_id != a->peer_id) {
		rc = att_fail(a, -EACCES, CAEC_ATTEST_REALM_ID,
			      "the peer's token is of realm %016llx, the grant names %016llx",
			      c.has_realm_id ? (unsigned long long)c.realm_id : 0ull,
			      (unsigned long long)a->peer_id);
		goto out;
	}
	if (pol && pol->n_measurements) {
		for (i = 0, ok = false; i < pol->n_measurements && !ok; i++)
			ok = pol->measurement_len == c.meas_len &&
			     !memcmp(pol->measurements +
					     (size_t)i * pol->measurement_len,
				     c.rim, c.meas_len);
		if (!ok) {
			rc = att_fail(a, -EACCES, CAEC_ATTEST_MEASUREMENT,
				      "the peer's measurement (RIM) is none of the %u the policy accepts",
				      pol->n_measurements);
			goto out;
		}
	}
	if (pol && pol->rpv && memcmp(pol->rpv, c.rpv, TOKEN_RPV_LEN)) {
		rc = att_fail(a, -EACCES, CAEC_ATTEST_RPV,
			      "the peer's personalization value is not the policy's");
		goto out;
	}
	if (pol && (pol->flags & CAEC_ATTEST_SECURED) &&
	    (c.lifecycle & 0xff00) != 0x3000) {
		rc = att_fail(a, -EACCES, CAEC_ATTEST_PLATFORM,
			      "the peer's platform is not secured (lifecycle %#x, %s)",
			      c.lifecycle, token_lifecycle_name(c.lifecycle));
		goto out;
	}
	if (a->res)
		fill_peer(&a->res->peer, &c);
out:
	token_claims_free(&c);
	return rc;
}

static int
run(struct att *a)
{
	uint32_t len, peer_verdict;
	int rc, mine;

	if (getrandom(a->nonce[a->role], ATT_NONCE, 0) != ATT_NONCE)
		return att_fail(a, -EIO, CAEC_ATTEST_NO_TOKEN, "no random nonce");
	rc = send_msg(a, ATT_HELLO, 0, a->nonce[a->role], ATT_NONCE);
	if (rc)
		return att_fail(a, rc, rc == -ETIMEDOUT ? CAEC_ATTEST_TIMEOUT :
				       CAEC_ATTEST_PEER_GONE,
				"sending HELLO: %s", caec_strerror(rc));
	rc = recv_msg(a, ATT_HELLO, a->nonce[a->role ^ 1u], ATT_NONCE, &len,
		      "HELLO");
	if (rc)
		return rc;
	/* The creator's token first, then the attacher's answer; the
	 * verdicts come after both. */
	if (a->role == ROLE_CREATOR) {
		rc = send_token(a);
		if (!rc)
			rc = recv_token(a);
	} else {
		rc = recv_token(a);
		if (!rc)
			rc = send_token(a);
	}
	if (rc)
		return rc;
	mine = check_peer(a);
	/* Our verdict, then the peer's: both must accept. */
	rc = send_msg(a, ATT_VERDICT, mine ? a->res->reason : CAEC_ATTEST_OK,
		      NULL, 0);
	a->verdict_sent = true;
	if (mine)
		return mine;
	if (rc)
		return att_fail(a, rc, rc == -ETIMEDOUT ? CAEC_ATTEST_TIMEOUT :
				       CAEC_ATTEST_PEER_GONE,
				"sending the verdict: %s", caec_strerror(rc));
	rc = recv_msg(a, ATT_VERDICT, NULL, 0, &peer_verdict, "verdict");
	if (rc)
		return rc;
	if (peer_verdict != CAEC_ATTEST_OK)
		return att_fail(a, -EACCES, CAEC_ATTEST_PEER_REFUSED,
				"the peer refused this side (its reason %u)",
				peer_verdict);
	return 0;
}

int
caec_channel_attest(struct caec_channel *ch,
		    const struct caec_attest_policy *policy,
		    struct caec_attest_result *result)
{
	struct caec_attest_result local = { .struct_size = sizeof(local) };
	struct att a = { 0 };
	int rc;

	if (!ch || (policy && policy->struct_size < sizeof(*policy)) ||
	    (result && result->struct_size < sizeof(*result)) ||
	    (policy && policy->n_measurements && !policy->measurements) ||
	    (policy && policy->n_measurements &&
	     policy->measurement_len != 32 && policy->measurement_len != 64))
		return caec_set_detail(-EINVAL,
			"caec_channel_attest: NULL channel, struct_size too small, or bad measurements");
	if (!ch->reg.ops->csm_sid || !ch->reg.ops->csm_peer)
		return caec_set_detail(-ENOTSUP,
			"caec_channel_attest: not a csm: channel");
	a.ch = ch;
	a.pol = policy;
	a.res = result ? result : &local;
	memset(&a.res->peer, 0, sizeof(a.res->peer));
	a.res->reason = CAEC_ATTEST_OK;
	a.role = ch->creator ? ROLE_CREATOR : ROLE_ATTACHER;
	a.timeout = policy && policy->timeout_ms ? policy->timeout_ms :
						   ATT_DEFAULT_TIMEOUT_MS;
	a.chunk = caec_channel_max_msg(ch) < ATT_CHUNK ?
			  caec_channel_max_msg(ch) : ATT_CHUNK;
	if (a.chunk < sizeof(struct att_hdr) + ATT_NONCE)
		return caec_set_detail(-EINVAL,
			"caec_channel_attest: the channel's messages are too small (%zu bytes)",
			a.chunk);
	rc = ch->reg.ops->csm_sid(&ch->reg, &a.sid);
	if (!rc)
		rc = ch->reg.ops->csm_peer(&ch->reg, &a.peer_id);
	a.mine = rc ? NULL : malloc(TOKEN_MAX);
	a.theirs = rc ? NULL : malloc(TOKEN_MAX);
	if (!rc && (!a.mine || !a.theirs))
		rc = -ENOMEM;
	if (!rc)
		rc = run(&a);
	free(a.mine);
	free(a.theirs);
	if (rc) {
		if (a.res->reason == CAEC_ATTEST_OK)
			a.res->reason = CAEC_ATTEST_PROTOCOL;
		/* Tell a peer still waiting why (without waiting ourselves),
		 * so that it fails now rather than at its timeout. */
		if (!a.verdict_sent) {
			a.timeout = CAEC_NONBLOCK;
			(void)send_msg(&a, ATT_VERDICT, a.res->reason, NULL, 0);
		}
		/* Fail closed: no data moves on this channel any more. */
		(void)ring_set_error(ch->tx, -EACCES);
		(void)ring_set_error(ch->rx, -EACCES);
	}
	return rc;
}

#else

int
caec_channel_attest(struct caec_channel *ch,
		    const struct caec_attest_policy *policy,
		    struct caec_attest_result *result)
{
	(void)ch;
	(void)policy;
	(void)result;
	return caec_set_detail(-ENOTSUP,
		"this libcaec was built without attestation (libcbor and OpenSSL)");
}

#endif
