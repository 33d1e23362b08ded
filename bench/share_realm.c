/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a realm of a share run does, in its own process (share.h): make or
 * receive the blob, read it all, report, wait for the release, clean up.
 *
 *   private provider: makes the blob in malloc'd memory; for each consumer
 *     in turn, once it is ready, stamps t0 and sends a header carrying t0,
 *     then the blob.
 *   private consumer: receives its copy into malloc'd memory.
 *   csm provider: creates the regions and writes the blob into them once;
 *     for each consumer in turn: attestation (csm_setup.c, the paper's
 *     way), a read-only grant of every region to the attested realm id,
 *     the sharing ids; once the consumer is ready, t0.
 *   csm consumer: attaches the regions (read-only) and reads in place.
 * A consumer is ready when it can take the blob at once (private: running;
 * csm: attested, sharing ids parsed); it says so with one byte, so that t0
 * starts no earlier. ttfb = first blob byte readable in the consumer - t0;
 * read = whole blob read and summed - t0 (one machine, one clock).
 *
 * Every realm sums the blob as it holds it (64-bit FNV-1a over 8-byte
 * words); the parent compares the sums. Any failure: bench_die(), exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caec/caec.h>

#include "bench.h"
#include "share.h"

#define MIN_CHUNK (1u << 20)	/* the smallest region the blob is split into */
#define FIRST_READ 4096u	/* private: the read that times the first byte */
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define POOL_HINT "; a larger blob needs a caec-rmmd with a larger " \
	"--pool-mib: set $CAEC_RMMD_POOL_MIB for the private one, or start one " \
	"and point $CAEC_RMMD_SOCKET at it"

/* What the provider sends before a private copy. */
struct share_hdr {
	uint64_t t0_ns;
	uint64_t size;
};

/* All of @len bytes through @fd, or die naming @what. */
static void
xfer(bool wr, int fd, void *buf, size_t len, const char *what)
{
	int rc = bench_io_all(wr, fd, buf, len);

	if (rc)
		bench_die("%s %s: %s", wr ? "sending" : "receiving", what,
			  rc == -EPIPE ? "the peer is gone" : strerror(-rc));
}

/* 64-bit FNV-1a over 8-byte words (a tail zero-padded), continuing @h. */
static uint64_t
checksum(uint64_t h, const uint8_t *p, size_t len)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, sizeof(w));
		h = (h ^ w) * FNV_PRIME;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		h = (h ^ w) * FNV_PRIME;
	}
	return h;
}

/* Word @i of the generated blob (splitmix64): any slice is made alone. */
static inline uint64_t
blob_word(uint64_t i)
{
	uint64_t z = (i + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The --blob file, checked again: it must not have changed size. */
static int
blob_open(const struct share_cfg *cfg)
{
	struct stat st;
	int fd;

	if (!cfg->blob_path)
		return -1;
	fd = open(cfg->blob_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		bench_die("the blob file: %s", strerror(errno));
	if ((uint64_t)st.st_size != cfg->blob_bytes)
		bench_die("the blob file changed size (%llu bytes, was %llu)",
			  (unsigned long long)st.st_size,
			  (unsigned long long)cfg->blob_bytes);
	return fd;
}

/*
 * blob_fill - bytes [@off, @off + @len) of the blob into @dst: generated
 * (@fd < 0) or read from the blob file @fd. @off is a multiple of 8.
 */
static void
blob_fill(int fd, uint8_t *dst, uint64_t off, size_t len)
{
	uint64_t w;
	ssize_t n;
	size_t i;

	if (fd < 0) {
		for (i = 0; i < len; i += 8) {
			w = blob_word((off + i) / 8);
			memcpy(dst + i, &w, len - i < 8 ? len - i : 8);
		}
		return;
	}
	for (i = 0; i < len; i += (size_t)n) {
		n = pread(fd, dst + i, len - i, (off_t)(off + i));
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			bench_die("reading the blob file: %s",
				  n ? strerror(errno) : "it became shorter");
	}
}

/* The realm's private working memory: @len bytes, every page written. */
static void *
work_touch(size_t len)
{
	void *p;

	if (!len)
		return NULL;
	p = malloc(len);
	if (!p)
		bench_die("out of memory (%zu bytes of work memory)", len);
	memset(p, 0x5a, len);
	/* The stores are the point: keep the compiler from dropping them. */
	__asm__ __volatile__("" : : "r"(p) : "memory");
	return p;
}

/* Consumer: tell the provider that the hand-over may start. */
static void
ready_send(int fd)
{
	uint8_t c = 1;

	xfer(true, fd, &c, 1, "ready");
}

/* Provider: wait for the consumer on @fd to be ready. */
static void
ready_wait(int fd)
{
	uint8_t c;

	xfer(false, fd, &c, 1, "the consumer's ready");
}

/* Send @rep up and block until the parent releases this realm. */
static void
report_and_wait(const struct share_realm *me, struct share_report *rep)
{
	char c;

	xfer(true, me->ctl, rep, sizeof(*rep), "the report");
	if (read(me->ctl, &c, 1) != 1)
		_exit(1);	/* the parent is gone: no clean-up to do */
}

/* --- private: every realm holds its own copy --- */

static void
provider_private(const struct share_cfg *cfg, const struct share_realm *me,
		 struct share_report *rep)
{
	size_t len = cfg->blob_bytes;
	uint8_t *blob = malloc(len);
	struct share_hdr h = { .size = len };
	int fd = blob_open(cfg);
	unsigned int i;

	if (!blob)
		bench_die("out of memory (a %zu-byte blob)", len);
	blob_fill(fd, blob, 0, len);
	if (fd >= 0)
		close(fd);
	rep->sum = checksum(FNV_OFFSET, blob, len);
	for (i = 1; i <= me->consumers; i++) {
		ready_wait(me->link[i]);
		h.t0_ns = bench_now_ns();
		xfer(true, me->link[i], &h, sizeof(h), "the blob header");
		xfer(true, me->link[i], blob, len, "the blob");
	}
	report_and_wait(me, rep);
	free(blob);
}

static void
consumer_private(const struct share_cfg *cfg, const struct share_realm *me,
		 struct share_report *rep)
{
	int fd = me->link[me->k];
	struct share_hdr h;
	uint64_t t1 = 0;
	uint8_t *blob;
	size_t got;
	ssize_t n;

	ready_send(fd);
	xfer(false, fd, &h, sizeof(h), "the blob header");
	if (h.size != cfg->blob_bytes)
		bench_die("the provider announced %llu bytes, expected %llu",
			  (unsigned long long)h.size,
			  (unsigned long long)cfg->blob_bytes);
	blob = malloc(h.size);
	if (!blob)
		bench_die("out of memory (a %llu-byte blob)",
			  (unsigned long long)h.size);
	/*
	 * The first read asks for one page: a large read() returns only when
	 * the socket runs dry, long after its first byte was readable.
	 */
	for (got = 0; got < h.size; got += (size_t)n) {
		n = read(fd, blob + got, got ? h.size - got :
			 h.size < FIRST_READ ? h.size : FIRST_READ);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			bench_die("receiving the blob: %s", n ? strerror(errno) :
				  "the provider closed the connection");
		if (!got)
			t1 = bench_now_ns();
	}
	rep->sum = checksum(FNV_OFFSET, blob, h.size);
	rep->read_ns = bench_now_ns() - h.t0_ns;
	rep->ttfb_ns = t1 - h.t0_ns;
	report_and_wait(me, rep);
	free(blob);
}

/* --- csm: one copy in CSM regions, mapped read-only by the consumers --- */

/*
 * regions_create - CSM regions that hold @size bytes in order: one when the
 * service takes a region that large, else the largest halving it takes
 * (caec-rmmd refuses regions above --max-region-mib, 128 MiB by default).
 * RETURN VALUE: the number of regions in @r.
 */
static unsigned int
regions_create(uint64_t size, struct caec_csm_region **r)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), off = 0, len, chunk;
	unsigned int n = 0;
	int rc;

	chunk = (size + page - 1) / page * page;
	while (off < size) {
		len = size - off < chunk ? size - off : chunk;
		if (n == SHARE_MAX_REGIONS)
			bench_die("a %llu-byte blob needs more than %d CSM regions of %llu bytes",
				  (unsigned long long)size, SHARE_MAX_REGIONS,
				  (unsigned long long)chunk);
		rc = caec_csm_create(len, &r[n]);
		if (rc == -EINVAL && !n && chunk > MIN_CHUNK) {
			chunk = (chunk / 2 + page - 1) / page * page;
			continue;
		}
		if (rc)
			bench_die("caec_csm_create of %llu bytes (region %u of the blob): %s (%s)%s",
				  (unsigned long long)len, n + 1,
				  caec_strerror(rc), caec_error_detail(),
				  rc == -ENOMEM || rc == -ENOSPC ? POOL_HINT : "");
		off += len;
		n++;
	}
	return n;
}

static void
provider_csm(const struct share_cfg *cfg, const struct share_realm *me,
	     struct share_report *rep)
{
	static char text[SHARE_MAX_REGIONS][CAEC_CSM_SID_STRLEN];
	struct caec_csm_info info = { .struct_size = sizeof(info) };
	struct caec_csm_region *r[SHARE_MAX_REGIONS];
	uint8_t challenge[CAEC_CSM_CHALLENGE_LEN];
	uint64_t off = 0, len, id, t0;
	struct caec_csm_sid sid;
	unsigned int i, j, n;
	int fd, sock, rc;
	uint32_t more;

	/* The blob is written once, straight into the regions. */
	n = regions_create(cfg->blob_bytes, r);
	fd = blob_open(cfg);
	rep->sum = FNV_OFFSET;
	for (j = 0; j < n; j++, off += len) {
		len = caec_csm_size(r[j]);
		if (len > cfg->blob_bytes - off)
			len = cfg->blob_bytes - off;
		blob_fill(fd, caec_csm_base(r[j]), off, len);
		rep->sum = checksum(rep->sum, caec_csm_base(r[j]), len);
	}
	if (fd >= 0)
		close(fd);
	rc = caec_csm_info(&info);
	if (rc)
		bench_die_lib("caec_csm_info", rc);
	rep->transport = info.transport;
	rep->regions = n;

	/* Each consumer: attest, share read-only with its realm id, hand over. */
	for (i = 1; i <= me->consumers; i++) {
		sock = me->link[i];
		id = bench_csm_provider_verify(sock, sock, challenge);
		for (j = 0; j < n; j++) {
			rc = caec_csm_share(r[j], id, CAEC_CSM_RO, &sid);
			if (rc)
				bench_die_lib("caec_csm_share", rc);
			rc = caec_csm_sid_format(&sid, text[j], sizeof(text[j]));
			if (rc)
				bench_die_lib("caec_csm_sid_format", rc);
		}
		bench_csm_provider_send(sock, challenge, text[0]);
		more = n - 1;
		xfer(true, sock, &more, sizeof(more), "the sharing ids");
		if (more)
			xfer(true, sock, text[1], more * sizeof(text[0]),
			     "the sharing ids");
		ready_wait(sock);
		t0 = bench_now_ns();
		xfer(true, sock, &t0, sizeof(t0), "the start time");
	}
	report_and_wait(me, rep);
	/* The consumers have detached and exited by now. */
	for (j = 0; j < n; j++) {
		rc = caec_csm_destroy(r[j]);
		if (rc)
			bench_die_lib("caec_csm_destroy", rc);
	}
}

static void
consumer_csm(const struct share_cfg *cfg, const struct share_realm *me,
	     struct share_report *rep)
{
	static char text[SHARE_MAX_REGIONS][CAEC_CSM_SID_STRLEN];
	struct caec_csm_sid sid[SHARE_MAX_REGIONS];
	struct caec_csm_region *r[SHARE_MAX_REGIONS];
	uint64_t off = 0, len, t0, t1 = 0;
	int fd = me->link[me->k], rc;
	const uint8_t *p;
	unsigned int j, n;
	uint32_t more;

	/* Checks the provider's token and that the first sid is its own. */
	bench_csm_consumer(fd, fd, text[0]);
	xfer(false, fd, &more, sizeof(more), "the sharing ids");
	if (more >= SHARE_MAX_REGIONS)
		bench_die("the provider announced %u more sharing ids", more);
	n = more + 1;
	if (more)
		xfer(false, fd, text[1], more * sizeof(text[0]),
		     "the sharing ids");
	for (j = 0; j < n; j++) {
		text[j][CAEC_CSM_SID_STRLEN - 1] = '\0';
		rc = caec_csm_sid_parse(text[j], &sid[j]);
		if (rc)
			bench_die_lib("caec_csm_sid_parse", rc);
		if (sid[j].provider != sid[0].provider)
			bench_die("sharing id %u names realm %016llx, the attested provider is %016llx",
				  j + 1, (unsigned long long)sid[j].provider,
				  (unsigned long long)sid[0].provider);
	}
	ready_send(fd);
	xfer(false, fd, &t0, sizeof(t0), "the start time");

	rep->sum = FNV_OFFSET;
	for (j = 0; j < n; j++, off += len) {
		rc = caec_csm_attach(&sid[j], &r[j]);
		if (rc)
			bench_die_lib("caec_csm_attach", rc);
		if (caec_csm_perm(r[j]) != CAEC_CSM_RO)
			bench_die("region %u is mapped with permission %u, expected read-only",
				  j + 1, caec_csm_perm(r[j]));
		p = caec_csm_data(r[j]);
		if (!j) {
			(void)*(const volatile uint8_t *)p;
			t1 = bench_now_ns();
		}
		len = caec_csm_size(r[j]);
		if (off >= cfg->blob_bytes)
			bench_die("the provider shared more regions than the blob needs");
		if (len > cfg->blob_bytes - off)
			len = cfg->blob_bytes - off;
		rep->sum = checksum(rep->sum, p, len);
	}
	if (off != cfg->blob_bytes)
		bench_die("the provider's %u regions hold %llu bytes of the %llu-byte blob",
			  n, (unsigned long long)off,
			  (unsigned long long)cfg->blob_bytes);
	rep->read_ns = bench_now_ns() - t0;
	rep->ttfb_ns = t1 - t0;
	report_and_wait(me, rep);
	for (j = 0; j < n; j++) {
		rc = caec_csm_detach(r[j]);
		if (rc)
			bench_die_lib("caec_csm_detach", rc);
	}
}

/*
 * share_realm_main - be realm @me of a @kind run, in a forked process:
 * pinned to its --cores core (if any; a failure is reported, not fatal),
 * with its work memory touched. Returns once released and cleaned up;
 * exits (1) on any failure.
 */
void
share_realm_main(const struct share_cfg *cfg, enum share_kind kind,
		 const struct share_realm *me)
{
	struct share_report rep;
	void *work;

	memset(&rep, 0, sizeof(rep));
	if (cfg->ncores)
		rep.pin_err = bench_pin(cfg->cores[me->k % cfg->ncores], -1);
	work = work_touch(cfg->work_bytes);
	if (kind == SHARE_CSM && me->k)
		consumer_csm(cfg, me, &rep);
	else if (kind == SHARE_CSM)
		provider_csm(cfg, me, &rep);
	else if (me->k)
		consumer_private(cfg, me, &rep);
	else
		provider_private(cfg, me, &rep);
	free(work);
}
