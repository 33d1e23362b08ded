/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AEAD transform of nw-openssl: and nw-mbedtls: channels: every message
 * travels as one ring record holding frame header, ciphertext and tag
 * (src/crypto_baseline/frame.h).
 *
 * Security rules (DESIGN.md): plaintext never touches normal-world memory —
 * send seals from the caller's private buffer straight into the reserved ring
 * slot, and the zero-copy reserve hands out a private staging buffer that
 * commit seals; on receive the record is read once into private memory by
 * frame_open() before it is authenticated and decrypted. Only the next
 * expected sequence is accepted; the first authentication failure is sticky
 * for the receiving direction (-EBADMSG from then on), since the stream can
 * no longer be trusted. Each direction keeps one sticky error, its ring's
 * (ring_set_error()): the first failure of the direction wins.
 *
 * Keys: HKDF-SHA256(psk, salt = creator's 32 random bytes | attacher's 32
 * random bytes, info = direction label). Each side uses its own half from
 * private memory, so a hypervisor that replays an old header cannot make
 * either side re-derive an old key and reuse nonces under it. The creator
 * therefore keys on its first data call after the attacher published its
 * half (waiting for it within that call's timeout).
 *
 * End of stream: close seals an end-of-stream frame under the sending
 * direction's next sequence number (frame.h) into the transmit ring's
 * trailer, which no full ring can take, before the ring's closed flag is
 * published. A receiver that finds the ring closed and drained opens that
 * frame: -EPIPE only when it is authentic and at exactly the next sequence
 * number, -EBADMSG (sticky) for a closed flag without it, so a host that sets
 * the flag, drops the last records or replays another channel's close is
 * seen. Either result is the direction's sticky state from then on.
 *
 * Fork: a child that inherits the handle shares the parent's keys and
 * sequence numbers; if both sealed, nonces would repeat under a key. The key
 * state (struct xf_keys: psk, salt, direction states, the armed word) lives
 * in a page of its own with MADV_WIPEONFORK, so the child's copy reads as
 * zeros, and every call checks the armed word (and, where the kernel or an
 * emulator ignores the advice, a generation that a pthread_atfork() child
 * handler bumps): the child gets -ECHILD from every call, and its close
 * frees only its private copies, writing nothing to the region.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "channel_priv.h"
#include "crypto_baseline/frame.h"
#include "error.h"
#include "ring/ring_api.h"
#include "shm_access.h"

/*
 * What a forked child must not use, in a page of its own (MADV_WIPEONFORK):
 * the child's copy of the page is zero-filled.
 */
struct xf_keys {
	uint32_t armed;		/* XF_ARMED from setup on; 0 in a forked child */
	uint32_t fork_gen;	/* xf_fork_gen when armed */
	bool keyed;		/* creator: false until the attacher's salt;
				 * read with acquire, set once under @key_lock */
	struct frame_state tx;
	struct frame_state rx;
	uint8_t psk[AEAD_KEY_LEN];	/* wiped once keyed */
	uint8_t salt[64];	/* creator half | attacher half, private */
};

#define XF_ARMED 0x41524d44u	/* "DMRA": any nonzero value would do */

struct chan_xf {
	struct xf_keys *k;	/* its own page, xf_keys_size bytes */
	/* The contexts k->tx and k->rx own, also here: a forked child, whose
	 * k reads as zeros, frees its copies of them in its close. */
	struct aead_ctx *ctx[2];
	pthread_mutex_t key_lock;	/* the send and receive threads may both
					 * make the creator's first call */
	const struct aead_ops *ops;
	uint32_t session_id;
	uint8_t *stage;		/* private plaintext for reserve/commit */
	uint8_t *plain;		/* private plaintext for peek */
	ssize_t peek_len;	/* -1: nothing peeked */
	bool resv;
	uint32_t max_msg;	/* payload limit: ring max_msg - overhead */
};

/*
 * Bumped in the child of every fork() (pthread_atfork(), registered once):
 * the check behind MADV_WIPEONFORK where that advice is not applied (qemu
 * user mode accepts and ignores it; kernels before 4.14 refuse it). Written
 * only in a child before it runs anything else, so plain accesses suffice.
 */
static uint32_t xf_fork_gen;
static pthread_once_t xf_fork_once = PTHREAD_ONCE_INIT;

static void
xf_forked(void)
{
	xf_fork_gen++;
}

static void
xf_fork_register(void)
{
	pthread_atfork(NULL, NULL, xf_forked);
}

static size_t
xf_keys_size(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(struct xf_keys) + pg - 1) & ~(pg - 1);
}

/* A zeroed, armed key page that a forked child will see wiped. */
static struct xf_keys *
xf_keys_new(void)
{
	struct xf_keys *k;

	pthread_once(&xf_fork_once, xf_fork_register);
	k = mmap(NULL, xf_keys_size(), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k == MAP_FAILED)
		return NULL;
	/* Failure (a kernel before 4.14) leaves the fork generation. */
	(void)madvise(k, xf_keys_size(), MADV_WIPEONFORK);
	k->fork_gen = xf_fork_gen;
	k->armed = XF_ARMED;
	return k;
}

/* May this process seal and open with @xf? False in a forked child. */
static inline bool
xf_armed(const struct chan_xf *xf)
{
	return xf->k->armed == XF_ARMED && xf->k->fork_gen == xf_fork_gen;
}

static int
xf_child(void)
{
	return caec_set_detail(-ECHILD,
		"encrypted channel inherited through fork(): only the process that opened it may use it (nonces would repeat)");
}

_Static_assert(CAEC_CHAN_XF_AES256GCM == AEAD_AES256GCM, "transform id");
_Static_assert(CAEC_CHAN_XF_CHACHA20POLY1305 == AEAD_CHACHA20POLY1305,
	       "transform id");
_Static_assert(CAEC_CHAN_FRAME_VERSION == FRAME_VERSION, "frame version");
_Static_assert(FRAME_EOS_SIZE <= RING_TRAILER_MAX, "EOS frame in trailer");

int
chan_xf_id(enum aead_lib lib, const char *cipher, uint32_t *id)
{
	uint32_t c;
	int rc;

	if (!lib) {
		*id = CAEC_CHAN_XF_PLAIN;
		return 0;
	}
	rc = aead_cipher_id(cipher && *cipher ? cipher : "aes-256-gcm", &c);
	if (!rc)
		*id = CAEC_CHAN_XF_MAKE(c, CAEC_CHAN_FRAME_VERSION);
	return rc;
}

static int
load_key(const struct caec_channel_params *p, const struct caec_uri *u,
	 uint8_t *key)
{
	if (p->key) {
		memcpy(key, p->key, AEAD_KEY_LEN);
		return 0;
	}
	if (u->key_file[0])
		return aead_key_load_file(u->key_file, key);
	if (p->key_file)
		return aead_key_load_file(p->key_file, key);
	return caec_set_detail(-EINVAL,
		"an encrypted channel needs a 32-byte pre-shared key: key=PATH in the URI, or params.key / params.key_file");
}

/* Derive both direction keys from the private psk and salt; wipe the psk. */
static int
xf_key(struct caec_channel *ch)
{
	struct chan_xf *xf = ch->xf;
	struct xf_keys *k = xf->k;
	int rc;

	/* Creator -> attacher and attacher -> creator use different keys. */
	rc = frame_init(&k->tx, xf->ops, k->psk, k->salt, sizeof(k->salt),
			ch->creator ? FRAME_DIR_C2A : FRAME_DIR_A2C,
			xf->session_id);
	if (!rc)
		rc = frame_init(&k->rx, xf->ops, k->psk, k->salt,
				sizeof(k->salt),
				ch->creator ? FRAME_DIR_A2C : FRAME_DIR_C2A,
				xf->session_id);
	explicit_bzero(k->psk, sizeof(k->psk));
	xf->ctx[0] = k->tx.aead;
	xf->ctx[1] = k->rx.aead;
	if (rc) {
		/* Neither direction can carry a message. */
		ring_set_error(ch->rx, rc);
		return ring_set_error(ch->tx, rc);
	}
	/* Pairs with the acquire load in xf_ready(). */
	__atomic_store_n(&k->keyed, true, __ATOMIC_RELEASE);
	return 0;
}

int
chan_xf_setup(struct caec_channel *ch, enum aead_lib lib,
	      const struct caec_chan_hdr *h,
	      const struct caec_channel_params *p, const struct caec_uri *u)
{
	struct caec_chan_hdr *sh = ch->reg.base;
	const struct aead_ops *ops;
	struct chan_xf *xf;
	uint32_t ring_max;
	int rc;

	rc = aead_lookup(lib, CAEC_CHAN_XF_CIPHER(h->transform), &ops);
	if (rc == -EINVAL)
		return caec_set_detail(-EPROTO,
			"channel header: unknown transform %u", h->transform);
	if (rc)
		return rc;
	ring_max = caec_ring_max_msg(ch->tx);
	if (ring_max <= FRAME_OVERHEAD)
		return caec_set_detail(-EINVAL,
			"max_msg %u leaves no room for the %u-byte AEAD overhead",
			ring_max, FRAME_OVERHEAD);
	xf = calloc(1, sizeof(*xf));
	if (!xf)
		return -ENOMEM;
	xf->ops = ops;
	pthread_mutex_init(&xf->key_lock, NULL);
	xf->session_id = h->session_id;
	xf->max_msg = ring_max - FRAME_OVERHEAD;
	xf->peek_len = -1;
	xf->k = xf_keys_new();
	xf->stage = malloc(xf->max_msg);
	xf->plain = malloc(xf->max_msg);
	if (!xf->k || !xf->stage || !xf->plain) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = load_key(p, u, xf->k->psk);
	if (rc)
		goto fail;
	/* @h is private: the creator's own copy, or the attacher's snapshot. */
	memcpy(xf->k->salt, h->salt, 32);
	ch->xf = xf;
	if (ch->creator)
		return 0;
	if (getrandom(xf->k->salt + 32, 32, 0) != 32) {
		rc = caec_set_detail(-EIO, "getrandom failed");
		goto fail;
	}
	rc = xf_key(ch);
	if (rc)
		goto fail;
	memcpy(sh->salt_a, xf->k->salt + 32, 32);
	/* Pairs with the creator's acquire load of attached in xf_ready(). */
	sh_store_rel(&sh->attached, 1);
	return 0;
fail:
	ch->xf = NULL;
	chan_xf_free(xf);
	return rc;
}

/*
 * Creator: key on the first data call once the attacher published its salt
 * half; wait for it up to @timeout_ms with back-off sleeps (not a fast path).
 */
static int
xf_ready(struct caec_channel *ch, int timeout_ms)
{
	struct caec_chan_hdr *sh = ch->reg.base;
	struct chan_xf *xf = ch->xf;
	struct xf_keys *k = xf->k;
	struct timespec t0, t, nap = { 0, 1000 };
	long waited_ms;
	int rc;

	if (__atomic_load_n(&k->keyed, __ATOMIC_ACQUIRE))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		/* Pairs with the attacher's release store in chan_xf_setup(). */
		if (sh_load_acq(&sh->attached)) {
			/* Key once, whichever thread gets here first. */
			pthread_mutex_lock(&xf->key_lock);
			if (k->keyed)
				rc = 0;
			else if (ring_error(ch->tx))
				rc = ring_error(ch->tx);
			else {
				memcpy(k->salt + 32, sh->salt_a, 32);
				rc = xf_key(ch);
			}
			pthread_mutex_unlock(&xf->key_lock);
			return rc;
		}
		if (timeout_ms == 0)
			return -EAGAIN;
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited_ms = (t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (timeout_ms > 0 && waited_ms >= timeout_ms)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 1000000)
			nap.tv_nsec *= 2;
	}
}

void
chan_xf_free(struct chan_xf *xf)
{
	if (!xf)
		return;
	/* Through the copies: in a forked child k reads as zeros. */
	aead_destroy(xf->ctx[0]);
	aead_destroy(xf->ctx[1]);
	if (xf->k) {
		explicit_bzero(xf->k, sizeof(*xf->k));
		munmap(xf->k, xf_keys_size());
	}
	pthread_mutex_destroy(&xf->key_lock);
	if (xf->stage)
		explicit_bzero(xf->stage, xf->max_msg);
	if (xf->plain)
		explicit_bzero(xf->plain, xf->max_msg);
	free(xf->stage);
	free(xf->plain);
	free(xf);
}

int
chan_xf_close(struct caec_channel *ch)
{
	struct chan_xf *xf = ch->xf;
	uint8_t eos[FRAME_EOS_SIZE];
	int rc;

	if (!xf_armed(xf))
		return -ECHILD;
	/*
	 * A creator whose attacher joined but that never made a data call
	 * keys now; with no attacher there is no reader and no key, and the
	 * ring closes without the frame.
	 */
	if (xf_ready(ch, 0))
		return 0;
	/* A direction that failed ends without it (its receiver sees
	 * -EBADMSG); one that used up its sequence numbers ends cleanly. */
	rc = ring_error(ch->tx);
	if (rc && rc != -EOVERFLOW)
		return 0;
	if (frame_seal_end(&xf->k->tx, eos, sizeof(eos)) == FRAME_EOS_SIZE)
		ring_set_trailer(ch->tx, eos, sizeof(eos));
	return 0;
}

int
chan_xf_enter(const struct caec_channel *ch)
{
	return xf_armed(ch->xf) ? 0 : xf_child();
}

uint32_t
chan_xf_max_msg(const struct caec_channel *ch)
{
	return ch->xf->max_msg;
}

/* Seal @len private bytes into a reserved ring record and commit it. */
static int
seal_commit(struct caec_channel *ch, const void *pt, size_t len,
	    unsigned int flags, int timeout_ms)
{
	struct chan_xf *xf = ch->xf;
	size_t rec = frame_record_size(len);
	ssize_t n;
	void *slot;
	int rc;

	rc = caec_ring_reserve(ch->tx, rec, &slot, timeout_ms);
	if (rc)
		return rc;
	n = frame_seal(&xf->k->tx, pt, len, slot, rec);
	if (n < 0) {
		/* Publish nothing: an empty record would desync the peer. The
		 * nonce is retired; the direction is closed for good. */
		memset(slot, 0, rec);
		return ring_set_error(ch->tx, (int)n);
	}
	return caec_ring_commit(ch->tx, (size_t)n, flags);
}

/* Checks shared by send and reserve; keys the creator on first use. */
static int
send_check(struct caec_channel *ch, size_t len, int timeout_ms)
{
	struct chan_xf *xf = ch->xf;
	int rc;

	if (!xf_armed(xf))
		return xf_child();
	if (xf->resv)
		return -EINVAL;
	rc = ring_error(ch->tx);
	if (rc)
		return rc;
	if (len > xf->max_msg)
		return caec_set_detail(-EMSGSIZE,
			"message of %zu bytes exceeds the channel's max_msg %u",
			len, xf->max_msg);
	return xf_ready(ch, timeout_ms);
}

int
chan_xf_send(struct caec_channel *ch, const void *buf, size_t len,
	     unsigned int flags, int timeout_ms)
{
	int rc;

	if (!buf && len)
		return -EINVAL;
	rc = send_check(ch, len, timeout_ms);
	if (rc)
		return rc;
	return seal_commit(ch, buf, len, flags, timeout_ms);
}

int
chan_xf_reserve(struct caec_channel *ch, size_t len, void **payload,
		int timeout_ms)
{
	struct chan_xf *xf = ch->xf;
	int rc;

	if (!payload)
		return -EINVAL;
	rc = send_check(ch, len, timeout_ms);
	if (rc)
		return rc;
	/* Wait for room now so that commit does not block. */
	rc = caec_ring_wait(ch->tx, frame_record_size(len), timeout_ms);
	if (rc)
		return rc;
	xf->resv = true;
	*payload = xf->stage;
	return 0;
}

int
chan_xf_commit(struct caec_channel *ch, size_t len, unsigned int flags)
{
	struct chan_xf *xf = ch->xf;
	int rc;

	if (!xf_armed(xf))
		return xf_child();
	if (!xf->resv || len > xf->max_msg || (flags & ~CAEC_MORE))
		return -EINVAL;
	xf->resv = false;
	rc = seal_commit(ch, xf->stage, len, flags, CAEC_FOREVER);
	explicit_bzero(xf->stage, len);
	return rc;
}

/*
 * The producer's side is closed and the ring drained: the stream ended
 * cleanly only if the trailer holds the authentic end-of-stream frame at
 * exactly the next sequence number. Either way the result is the
 * direction's sticky state from now on.
 */
static int
xf_eos(struct caec_channel *ch)
{
	uint8_t rec[FRAME_EOS_SIZE];
	struct frame_hdr h;
	ssize_t m;

	ring_trailer(ch->rx, rec, sizeof(rec));	/* one read, then private */
	memcpy(&h, rec, sizeof(h));
	if (le32toh(h.len) != FRAME_LEN_EOS && chan_live_check(ch) < 0)
		m = -ECONNRESET;	/* a peer that died half-way (detail set) */
	else if (le32toh(h.len) != FRAME_LEN_EOS)
		m = caec_set_detail(-EBADMSG,
			"the peer's side is marked closed without an end-of-stream frame (not a clean close: forged flag, or the peer failed)");
	else
		m = frame_open(&ch->xf->k->rx, rec, sizeof(rec), NULL, 0);
	return ring_set_error(ch->rx, m < 0 ? (int)m : -EBADMSG);
}

/*
 * Authenticate and decrypt the next record into @pt. *@consumed says
 * whether the record was taken: true for a message and for a record that
 * failed (never retried), false when nothing was read or @cap was too small
 * for a valid record (-EMSGSIZE keeps it).
 */
static ssize_t
open_next(struct caec_channel *ch, void *pt, size_t cap, int timeout_ms,
	  bool *consumed)
{
	struct chan_xf *xf = ch->xf;
	const void *rec;
	ssize_t n, m;

	*consumed = false;
	if (!xf_armed(xf))
		return xf_child();
	n = ring_error(ch->rx);
	if (n)
		return n;
	n = xf_ready(ch, timeout_ms);
	if (n)
		return n;
	n = caec_ring_peek(ch->rx, &rec, timeout_ms);
	if (n == -EPIPE)
		return xf_eos(ch);
	if (n < 0)
		return n;
	*consumed = true;
	/* Longer than this channel's records can be: the peer (or the host)
	 * broke the protocol; no buffer of the caller's would be right. */
	if ((size_t)n > frame_record_size(xf->max_msg))
		return caec_set_detail(-EPROTO,
			"record of %zd bytes exceeds the channel's %zu-byte records (max_msg %u)",
			n, frame_record_size(xf->max_msg), xf->max_msg);
	m = frame_open(&xf->k->rx, rec, (size_t)n, pt, cap);
	*consumed = m != -EMSGSIZE;
	return m;
}

/*
 * Release the record open_next() consumed; a record that failed
 * authentication then makes its error the direction's sticky one.
 */
static ssize_t
open_done(struct caec_channel *ch, ssize_t m, unsigned int flags)
{
	int rc = caec_ring_release(ch->rx, flags);

	if (m < 0)
		return ring_set_error(ch->rx, (int)m);
	return rc ? rc : m;
}

ssize_t
chan_xf_recv(struct caec_channel *ch, void *buf, size_t cap,
	     unsigned int flags, int timeout_ms)
{
	struct chan_xf *xf = ch->xf;
	bool consumed;
	ssize_t m;

	if ((!buf && cap) || xf->peek_len >= 0 || (flags & ~CAEC_MORE))
		return -EINVAL;
	m = open_next(ch, buf, cap, timeout_ms, &consumed);
	/* Consumed, authentic or not: a bad record is never retried. */
	return consumed ? open_done(ch, m, flags) : m;
}

ssize_t
chan_xf_peek(struct caec_channel *ch, const void **payload, int timeout_ms)
{
	struct chan_xf *xf = ch->xf;
	bool consumed;
	ssize_t m;

	if (!payload)
		return -EINVAL;
	if (!xf_armed(xf))
		return xf_child();
	if (xf->peek_len >= 0) {
		*payload = xf->plain;
		return xf->peek_len;
	}
	m = open_next(ch, xf->plain, xf->max_msg, timeout_ms, &consumed);
	if (m >= 0) {
		xf->peek_len = m;
		*payload = xf->plain;
	} else if (consumed) {
		m = open_done(ch, m, 0);
	}
	return m;
}

int
chan_xf_release(struct caec_channel *ch, unsigned int flags)
{
	struct chan_xf *xf = ch->xf;

	if (!xf_armed(xf))
		return xf_child();
	if (xf->peek_len < 0 || (flags & ~CAEC_MORE))
		return -EINVAL;
	explicit_bzero(xf->plain, (size_t)xf->peek_len);
	xf->peek_len = -1;
	return caec_ring_release(ch->rx, flags);
}

int
chan_xf_fresh(struct caec_chan_hdr *h)
{
	uint8_t buf[sizeof(h->salt) + sizeof(h->session_id)];

	if (getrandom(buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		return caec_set_detail(-EIO, "getrandom failed");
	memcpy(h->salt, buf, sizeof(h->salt));
	memcpy(&h->session_id, buf + sizeof(h->salt), sizeof(h->session_id));
	explicit_bzero(buf, sizeof(buf));
	return 0;
}
