/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_seeds DIR - write the seed corpora of the fuzz targets into
 * DIR/<target>/, each input made with the library's own code (a producer's
 * records, a created channel's region, sealed frames, signed tokens), so
 * that a campaign starts past the magic numbers and signatures. The
 * committed tests/fuzz/corpus/ was written by this program; rerun it after
 * a wire format changes. Input layouts: the comment at the top of each
 * fuzz_<target>.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caec/caec.h>
#include <caec/channel.h>
#include <caec/csm.h>
#include <caec/ring.h>

#include "proto/rmmd_proto.h"
#include "ring/ring_layout.h"

#ifdef CAEC_FUZZ_SEED_TOKENS
#include "cca_build.h"
#include "diag.h"
#include "fuzz_iak.h"
#include "token.h"
#endif

static const char *outdir;
static unsigned int nr_written;

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_seeds: %s\n", what);
	exit(1);
}

/* DIR/@target/@name := @len bytes of @buf. */
static void
seed(const char *target, const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		die(path);
	nr_written++;
}

static void
seed_str(const char *target, const char *name, const char *s)
{
	seed(target, name, s, strlen(s));
}

/* ---- ring: a producer's records ---------------------------------------- */

static void
ring_seed(const char *name, uint64_t start, unsigned int nmsg, size_t msg,
	  size_t step, int closed, uint8_t calls)
{
	static uint8_t in[16 + 4096];
	uint32_t data_size = 4096;
	size_t fp = caec_ring_footprint(data_size);
	struct caec_ring_shared *sh;
	struct caec_ring *p;
	uint8_t *mem, body[2048];
	unsigned int i;

	mem = aligned_alloc(64, fp);
	if (!mem)
		die("out of memory");
	memset(mem, 0, fp);
	if (caec_ring_format(mem, fp, data_size, 0, 0))
		die("ring format");
	sh = (struct caec_ring_shared *)mem;
	/* Both counters where the stream stands before these messages. */
	sh->prod.counter = start;
	sh->cons.counter = start;
	if (caec_ring_open(mem, fp, CAEC_RING_PRODUCER, NULL, &p))
		die("ring open");
	for (i = 0; i < nmsg; i++) {
		memset(body, 'a' + (int)i, sizeof(body));
		if (caec_ring_send(p, body, msg + i * step, 0, 0))
			die("ring send");
	}
	memset(in, 0, sizeof(in));
	in[0] = (uint8_t)(closed ? 4 : 0);
	in[3] = 0;	/* no hook script */
	memcpy(in + 4, &start, sizeof(start));
	in[12] = (uint8_t)(sh->prod.counter - start);
	in[13] = (uint8_t)((sh->prod.counter - start) >> 8);
	in[14] = calls;
	memcpy(in + 16, mem + CAEC_RING_HDR_SIZE, data_size);
	seed("ring", name, in, sizeof(in));
	free(mem);
	/* The producer handle is dropped without touching the copy made. */
	caec_ring_close(p);
}

static void
ring_seeds(void)
{
	ring_seed("three", 0, 3, 100, 1, 0, 0x00);
	ring_seed("peek", 0, 3, 100, 1, 0, 0xff);
	ring_seed("wrap", 4096 - 64, 2, 200, 1, 1, 0x55);
	ring_seed("closed", 8192, 1, 0, 1, 1, 0x00);
	/* A full ring: tail - head is the data area's size. */
	ring_seed("full", 4096, 4, 1016, 0, 0, 0xaa);
}

/* Records mode (fuzz_ring.c): @n steps of @steps from @start on. */
static void
ring_steps(const char *name, uint64_t start, const uint8_t *steps, size_t n,
	   uint8_t calls)
{
	uint8_t in[16 + 64];

	memset(in, 0, sizeof(in));
	in[0] = 8;
	memcpy(in + 4, &start, sizeof(start));
	in[14] = calls;
	memcpy(in + 16, steps, 3 * n);
	seed("ring", name, in, 16 + 3 * n);
}

static void
ring_record_seeds(void)
{
	/* Two messages; a message, a pad at the wrap and one more. */
	static const uint8_t two[] = { 0, 100, 0, 0, 7, 1 };
	static const uint8_t wrap[] = { 0, 200, 0, 1, 0, 0, 0, 50, 0 };

	ring_steps("records", 0, two, 2, 0x00);
	ring_steps("records-wrap", 4096 - 216, wrap, 3, 0x0f);
}

/* ---- channel_attach: created channels' regions ------------------------- */

static const uint8_t chan_key[32] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
};

static void
channel_seed(const char *name, const char *scheme, uint8_t mode)
{
	char region[4096], key[4096], uri[8192];
	static uint8_t in[1 + 8 * 4096];
	struct caec_channel *ch;
	ssize_t n;
	size_t len;
	int fd;

	snprintf(region, sizeof(region), "%s/.seed-region", outdir);
	snprintf(key, sizeof(key), "%s/.seed-key", outdir);
	fd = open(key, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, chan_key, sizeof(chan_key)) != sizeof(chan_key))
		die("key file");
	close(fd);
	snprintf(uri, sizeof(uri), "%s:file/%s?ring=4096&key=%s", scheme,
		 region, key);
	if (!strcmp(scheme, "nw"))
		snprintf(uri, sizeof(uri), "nw:file/%s?ring=4096", region);
	unlink(region);
	if (caec_channel_create(uri, NULL, &ch))
		die(caec_error_detail());
	/* An encrypted channel sends once attached: its region shows the
	 * header and rings as an attacher first finds them. */
	if (mode == 0 && (caec_channel_send(ch, "hello", 5, 0, 0) ||
			  caec_channel_send(ch, "world!", 6, 0, 0)))
		die(caec_error_detail());
	fd = open(region, O_RDONLY);
	if (fd < 0)
		die("region");
	n = read(fd, in + 1, sizeof(in) - 1);
	close(fd);
	if (n <= 0)
		die("region read");
	len = (size_t)n;
	/* Trailing zeros are what the target pads with anyway. */
	while (len && !in[len])
		len--;
	in[0] = (uint8_t)(mode | ((((size_t)n + 4095) / 4096 - 1) << 1));
	seed("channel_attach", name, in, 1 + len);
	caec_channel_close(ch);
	unlink(region);
	unlink(key);
}

/* ---- aead_frame: chunks for the target's sender ------------------------ */

static size_t
chunk(uint8_t *p, uint8_t c0, const char *body)
{
	size_t n = 1 + strlen(body);

	p[0] = (uint8_t)n;
	p[1] = (uint8_t)(n >> 8);
	p[2] = c0;
	memcpy(p + 3, body, n - 1);
	return 2 + n;
}

static void
aead_seeds(void)
{
	static const char *const names[4] = {
		"openssl", "openssl-chacha20", "mbedtls", "mbedtls-chacha20",
	};
	uint8_t in[512];
	unsigned int i;
	size_t n;
	char name[64];

	for (i = 0; i < 4; i++) {
		n = 0;
		in[n++] = (uint8_t)i;
		n += chunk(in + n, 1, "first message");
		n += chunk(in + n, 1, "second");
		n += chunk(in + n, 1 | 2 | (5 << 3), "tampered");
		n += chunk(in + n, 0, "raw bytes that are no record at all.");
		n += chunk(in + n, 1 | 4, "");
		snprintf(name, sizeof(name), "stream-%s", names[i]);
		seed("aead_frame", name, in, n);
	}
}

/* ---- uri, keyfile, sid ---------------------------------------------------- */

static void
text_seeds(void)
{
	struct caec_csm_sid sid = { 0x1234, 0xabcdef, 65536 };
	char buf[CAEC_CSM_SID_STRLEN];
	uint8_t raw[32];
	unsigned int i;

	seed_str("uri", "shm", "nw:shm/caec-x?ring=64K&max_msg=1024&wake=none&wait=spin");
	seed_str("uri", "aead", "nw-openssl:memfd?key=/etc/caec/key&cipher=aes-256-gcm&ring=1M");
	seed_str("uri", "file", "nw-mbedtls:file//dev/shm/x?wait=backoff&wake=futex");
	seed_str("uri", "csm", "csm:attach/0000000000001234-0000000000abcdef-65536?max_msg=4G");
	seed_str("uri", "fd", "nw:fd/3?wait=adaptive");
	seed_str("keyfile", "hex",
		 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
	seed_str("keyfile", "hex-upper",
		 "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF");
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(0xe0 + i);
	seed("keyfile", "raw", raw, sizeof(raw));
	if (caec_csm_sid_format(&sid, buf, sizeof(buf)))
		die("sid format");
	seed_str("sid", "sid", buf);
	seed_str("sid", "max", "ffffffffffffffff-ffffffffffffffff-18446744073709551615");
}

/* ---- rmmd_request: a client's conversation ---------------------------- */

static size_t
req(uint8_t *p, unsigned int type, const void *body, size_t len)
{
	p[0] = (uint8_t)(1 | type << 1);
	p[1] = (uint8_t)len;
	memcpy(p + 2, body, len);
	return 2 + len;
}

static void
rmmd_seeds(void)
{
	struct rmmd_req_hello hello = { RMMD_VERSION, RMMD_VERSION, 0 };
	struct rmmd_req_create create = { 65536 };
	struct rmmd_req_share share = { 1, 1, 1, 0 };
	struct rmmd_req_sid sid;
	uint8_t in[512];
	size_t n;

	n = 0;
	in[n++] = 0;
	n += req(in + n, RMMD_T_HELLO, &hello, sizeof(hello));
	seed("rmmd_request", "hello", in, n);
	n = 0;
	in[n++] = 1;
	n += req(in + n, RMMD_T_CREATE, &create, sizeof(create));
	n += req(in + n, RMMD_T_SHARE, &share, sizeof(share));
	memset(&sid, 0, sizeof(sid));
	sid.provider = 1;
	sid.handle = 1;
	n += req(in + n, RMMD_T_RESERVE, &sid, sizeof(sid));
	n += req(in + n, RMMD_T_ATTACH, &sid, sizeof(sid));
	n += req(in + n, RMMD_T_DETACH, &sid, sizeof(sid));
	n += req(in + n, RMMD_T_REVOKE, &sid, sizeof(sid));
	seed("rmmd_request", "create-share", in, n);
}

/* ---- token: signed tokens of the shapes the verifier accepts ----------- */

#ifdef CAEC_FUZZ_SEED_TOKENS
static const char *
rep(unsigned int b, size_t n)
{
	static char bufs[8][2 * 128 + 1];
	static unsigned int next;
	char *s = bufs[next++ % 8];
	size_t i;

	for (i = 0; i < n && i < 128; i++)
		snprintf(s + 2 * i, 3, "%02x", b & 0xff);
	s[2 * i] = '\0';
	return s;
}

static cbor_item_t * __attribute__((format(printf, 1, 2)))
parse(const char *fmt, ...)
{
	static char text[8192];
	char err[128];
	cbor_item_t *it;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	it = diag_parse(text, err, sizeof(err));
	if (!it)
		die(err);
	return it;
}

static void
token_seed(struct cca_keys *k, unsigned int tag, bool profile, bool sha512)
{
	const char *hash = sha512 ? "sha-512" : "sha-256";
	size_t mlen = sha512 ? 64 : 32, len;
	cbor_item_t *plat, *realm;
	struct token_anchors set = { 0 };
	struct token_expect x = { 0 };
	struct token_claims c;
	uint8_t chal[TOKEN_CHALLENGE_LEN];
	char rak[512], name[64], why[256];
	uint8_t *tok;

	plat = parse("{265: \"%s\", 10: h'%s', 2396: h'%s', 256: h'01%s', "
		     "2401: h'cafe', 2395: 12288, "
		     "2399: [{1: \"BL\", 2: h'%s', 4: \"1.0\", 5: h'%s', 6: \"sha-256\"}], "
		     "2400: \"https://verifier.example\", 2402: \"sha-256\"}",
		     CCA_PROFILE_PLATFORM, rep(1, 32), rep(2, 32), rep(3, 32),
		     rep(4, 32), rep(5, 32));
	if (profile)
		snprintf(rak, sizeof(rak),
			 "<< {1: 2, -1: 2, -2: h'%s', -3: h'%s'} >>", rep(0, 48),
			 rep(0, 48));
	else
		snprintf(rak, sizeof(rak), "h'04%s'", rep(0, 96));
	realm = parse("{%s 10: h'%s', 44235: h'%s', 44238: h'%s', "
		      "44239: [h'%s', h'%s', h'%s', h'%s'], 44236: \"%s\", "
		      "44237: %s, 44240: \"sha-256\"}",
		      profile ? "265: \"" CCA_PROFILE_REALM "\"," : "",
		      rep(FUZZ_CHALLENGE_BYTE, 64), rep(0xcd, 64),
		      rep(0x11, mlen), rep(0x21, mlen), rep(0x22, mlen),
		      rep(0x23, mlen), rep(0x24, mlen), hash, rak);
	if (cca_build(k, plat, realm, tag, &tok, &len))
		die("cca_build");
	/* Only seeds that verify: the target's anchor and challenge. */
	memset(chal, FUZZ_CHALLENGE_BYTE, sizeof(chal));
	x.challenge = chal;
	if (token_anchors_add(&set, k->iak, NULL) ||
	    token_verify_with(tok, len, &set, &x, &c, why, sizeof(why)))
		die(why);
	token_claims_free(&c);
	token_anchors_free(&set);
	snprintf(name, sizeof(name), "tag%u-%s-%s", tag,
		 profile ? "profile" : "noprofile", hash);
	seed("token", name, tok, len);
	free(tok);
	cbor_decref(&plat);
	cbor_decref(&realm);
}

static void
token_seeds(void)
{
	struct cca_keys k;
	EVP_PKEY *fresh;

	if (cca_keys_init(&k))
		die("keys");
	fresh = k.iak;
	k.iak = fuzz_iak();
	if (!k.iak)
		die("fuzz_iak");
	token_seed(&k, 399, false, false);
	token_seed(&k, 399, true, true);
	token_seed(&k, 907, false, true);
	token_seed(&k, 907, true, false);
	EVP_PKEY_free(k.iak);
	k.iak = fresh;
	cca_keys_free(&k);
}
#endif

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_seeds DIR\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) && errno != EEXIST)
		die(outdir);
	ring_seeds();
	ring_record_seeds();
	channel_seed("plain", "nw", 0);
	channel_seed("aead", "nw-openssl", 1);
	aead_seeds();
	text_seeds();
	rmmd_seeds();
#ifdef CAEC_FUZZ_SEED_TOKENS
	token_seeds();
#endif
	printf("fuzz_seeds: %u inputs in %s\n", nr_written, outdir);
	return 0;
}
