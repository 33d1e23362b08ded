/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bad input to the channel API: malformed URIs, missing or existing
 * objects, bad sizes, query keys and params, regions that are too small or
 * of another version or geometry, bad flags and arguments. Every failure
 * must return its specific negative errno, name the problem in
 * caec_error_detail(), and have a caec_strerror() sentence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caec/caec.h>

#include "../src/backend/backend.h"
#include "../src/channel_layout.h"
#include "../src/ring/ring_layout.h"
#include "lib/check.h"

enum which { CREATE, ATTACH };

/*
 * @uri (with @p) must fail with @want, set *out to NULL, name @word in the
 * detail and have a known strerror sentence.
 */
static void
expect_fail(enum which w, const char *uri,
	    const struct caec_channel_params *p, int want, const char *word)
{
	struct caec_channel *ch = (struct caec_channel *)&ch;
	const char *what = w == CREATE ? "create" : "attach";
	const char *d;
	int rc;

	detail_reset();
	rc = w == CREATE ? caec_channel_create(uri, p, &ch) :
			   caec_channel_attach(uri, p, &ch);
	d = caec_error_detail();
	if (rc != want)
		fail_msg("%s '%.80s': got %d (%s), expected %d (%s); detail: %s",
			 what, uri ? uri : "(null)", rc, caec_strerror(rc),
			 want, caec_strerror(want), d);
	if (ch)
		fail_msg("%s '%.80s': *out not NULL on failure", what,
			 uri ? uri : "(null)");
	if (!strstr(d, word))
		fail_msg("%s '%.80s': detail '%s' does not mention '%s'", what,
			 uri ? uri : "(null)", d, word);
	if (!strcmp(caec_strerror(rc), "unknown error"))
		fail_msg("%s '%.80s': caec_strerror(%d) is 'unknown error'",
			 what, uri ? uri : "(null)", rc);
}

static void
expect_both(const char *uri, int want, const char *word)
{
	expect_fail(CREATE, uri, NULL, want, word);
	expect_fail(ATTACH, uri, NULL, want, word);
}

/* A unique shm name or /tmp path for this process. */
static void
unique(char *buf, size_t len, const char *fmt_prefix, const char *tag)
{
	snprintf(buf, len, "%scaec-test-bad-%d-%s", fmt_prefix,
		 (int)getpid(), tag);
}

static void
test_uri_malformed(void **state)
{
	char *longuri;

	(void)state;
	expect_both(NULL, -EINVAL, "NULL");
	expect_both("", -EINVAL, "no scheme");
	expect_both("shm/x", -EINVAL, "no scheme");
	expect_both(":shm/x", -EINVAL, "no scheme");
	expect_both("NW:shm/x", -EINVAL, "invalid character");
	expect_both("Nw:memfd", -EINVAL, "invalid character");
	expect_both("n w:memfd", -EINVAL, "invalid character");
	expect_both("nw2:memfd", -EINVAL, "invalid character");
	expect_both("foo:shm/x", -EINVAL, "unknown scheme 'foo'");
	expect_both("nwx:memfd", -EINVAL, "unknown scheme 'nwx'");
	expect_both("-:memfd", -EINVAL, "unknown scheme");
	expect_both("averyveryverylongscheme:memfd", -EINVAL, "too long");
	expect_both("nw:", -EINVAL, "location");
	expect_both("nw:bogus", -EINVAL, "location");
	expect_both("nw:SHM/x", -EINVAL, "location");
	expect_both("nw:memfd/x", -EINVAL, "location");
	longuri = malloc(5000);
	assert_non_null(longuri);
	memcpy(longuri, "nw:shm/", 7);
	memset(longuri + 7, 'a', 5000 - 8);
	longuri[4999] = '\0';
	expect_both(longuri, -EINVAL, "longer");
	free(longuri);
}

/* Recognised schemes whose backend is not built in: -ENOTSUP. */
static void
test_uri_schemes_not_built_in(void **state)
{
	(void)state;
#ifndef CAEC_TEST_HAVE_OPENSSL
	expect_both("nw-openssl:shm/x", -ENOTSUP, "nw-openssl");
#else
	print_message("  nw-openssl is built in: no -ENOTSUP to check\n");
#endif
#ifndef CAEC_TEST_HAVE_MBEDTLS
	expect_both("nw-mbedtls:memfd", -ENOTSUP, "nw-mbedtls");
#else
	print_message("  nw-mbedtls is built in: no -ENOTSUP to check\n");
#endif
#ifndef CAEC_TEST_HAVE_CSM
	expect_both("csm:region0", -ENOTSUP, "'csm'");
	expect_both("csm:region0?ring=4K", -ENOTSUP, "not available");
#else
	/* Built in: the location is checked before any service is asked. */
	expect_both("csm:region0", -EINVAL, "csm location");
	expect_both("csm:region0?ring=4K", -EINVAL, "csm location");
#endif
}

static void
test_shm_bad_names(void **state)
{
	char uri[400];

	(void)state;
	expect_both("nw:shm/", -EINVAL, "name");
	expect_both("nw:shm/?ring=4K", -EINVAL, "name");
	expect_both("nw:shm/a/b", -EINVAL, "name");
	memcpy(uri, "nw:shm/", 7);
	memset(uri + 7, 'n', 300);
	uri[307] = '\0';
	expect_both(uri, -EINVAL, "name");
}

static void
test_shm_missing(void **state)
{
	char name[80], uri[100];

	(void)state;
	unique(name, sizeof(name), "", "missing");
	snprintf(uri, sizeof(uri), "nw:shm/%s", name);
	expect_fail(ATTACH, uri, NULL, -ENOENT, name);
}

static void
test_shm_exists(void **state)
{
	char name[80], uri[100], b[8];
	struct caec_channel *c1, *a;

	(void)state;
	unique(name, sizeof(name), "", "exists");
	snprintf(uri, sizeof(uri), "nw:shm/%s?ring=4K", name);
	assert_int_equal(caec_channel_create(uri, NULL, &c1), 0);
	expect_fail(CREATE, uri, NULL, -EEXIST, "exists");
	expect_fail(CREATE, uri, NULL, -EEXIST, name);
	/* The failed create left the original alone. */
	assert_int_equal(caec_channel_attach(uri, NULL, &a), 0);
	assert_int_equal(caec_channel_send(a, "hi", 2, 0, 0), 0);
	assert_int_equal(caec_channel_recv(c1, b, sizeof(b), 0, 0), 2);
	caec_channel_close(a);
	/* The creator's close unlinks the name. */
	caec_channel_close(c1);
	expect_fail(ATTACH, uri, NULL, -ENOENT, name);
}

static void
test_file_paths(void **state)
{
	char path[120], uri[160];
	struct stat st;
	int fd;

	(void)state;
	expect_both("nw:file/relative/path", -EINVAL, "absolute");
	expect_both("nw:file/", -EINVAL, "absolute");
	expect_both("nw:file/tmp/x", -EINVAL, "absolute");

	unique(path, sizeof(path), "/tmp/", "missing");
	snprintf(uri, sizeof(uri), "nw:file/%s", path);
	expect_fail(ATTACH, uri, NULL, -ENOENT, path);

	unique(path, sizeof(path), "/tmp/", "nodir/x");
	snprintf(uri, sizeof(uri), "nw:file/%s", path);
	expect_fail(CREATE, uri, NULL, -ENOENT, path);
	expect_fail(ATTACH, uri, NULL, -ENOENT, path);

	/* An existing regular file is not overwritten. */
	unique(path, sizeof(path), "/tmp/", "exists");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	snprintf(uri, sizeof(uri), "nw:file/%s", path);
	expect_fail(CREATE, uri, NULL, -EEXIST, "exists");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4);
	unlink(path);
}

static const char old_marker[] = "previous-session-payload";

/*
 * One session over @uri: create, attach, and carry messages holding
 * old_marker both ways for several laps of the 4 KiB rings, then close.
 */
static void
old_session(const char *uri)
{
	struct caec_channel *c, *a;
	char b[64];
	int i;

	assert_int_equal(caec_channel_create(uri, NULL, &c), 0);
	assert_int_equal(caec_channel_attach(uri, NULL, &a), 0);
	for (i = 0; i < 400; i++) {
		assert_int_equal(caec_channel_send(c, old_marker,
						   sizeof(old_marker), 0, 0),
				 0);
		assert_int_equal(caec_channel_send(a, old_marker,
						   sizeof(old_marker), 0, 0),
				 0);
		assert_int_equal(caec_channel_recv(a, b, sizeof(b), 0, 0),
				 (ssize_t)sizeof(old_marker));
		assert_int_equal(caec_channel_recv(c, b, sizeof(b), 0, 0),
				 (ssize_t)sizeof(old_marker));
	}
	/* The last records are still in the rings when it closes. */
	assert_int_equal(caec_channel_send(c, old_marker, sizeof(old_marker),
					   0, 0), 0);
	assert_int_equal(caec_channel_send(a, old_marker, sizeof(old_marker),
					   0, 0), 0);
	caec_channel_close(a);
	caec_channel_close(c);
}

/*
 * A create over @uri after old_session() there: no byte of the old
 * payload survives anywhere in the new channel's region, the data areas
 * are all zero, and the channel works.
 */
static void
expect_clean_recreate(const char *uri)
{
	struct caec_channel *c, *a;
	const struct caec_chan_hdr *h;
	const uint8_t *m, *d;
	struct stat st;
	char b[64];
	size_t k;
	int fd, i;

	old_session(uri);
	assert_int_equal(caec_channel_create(uri, NULL, &c), 0);
	fd = caec_channel_region_fd(c);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(m != MAP_FAILED);
	h = (const struct caec_chan_hdr *)m;
	assert_true(h->region_len <= (uint64_t)st.st_size);
	if (memmem(m, (size_t)h->region_len, old_marker, sizeof(old_marker) - 1))
		fail_msg("'%s': the previous session's payload survived the create",
			 uri);
	for (i = 0; i < 2; i++) {
		d = m + h->ring_off[i] + CAEC_RING_HDR_SIZE;
		for (k = 0; k < h->ring_size; k++)
			if (d[k])
				fail_msg("'%s': ring %d byte %zu is 0x%02x, not 0",
					 uri, i, k, d[k]);
	}
	assert_int_equal(caec_channel_attach(uri, NULL, &a), 0);
	assert_int_equal(caec_channel_send(a, "new", 3, 0, 0), 0);
	assert_int_equal(caec_channel_recv(c, b, sizeof(b), 0, 0), 3);
	assert_int_equal(caec_channel_recv(c, b, sizeof(b), 0, 0), -EAGAIN);
	munmap((void *)m, (size_t)st.st_size);
	caec_channel_close(a);
	caec_channel_close(c);
}

/*
 * A channel created over an object that held an earlier session (the same
 * shm name or file path after the creator's close, or an ivshmem BAR,
 * which outlives every session: here a regular file stands in for its
 * resource file) starts with none of that session's bytes.
 */
static void
test_recreate_clears_previous_session(void **state)
{
	char name[80], path[120], uri[200];
	struct stat st;
	int fd;

	(void)state;
	unique(name, sizeof(name), "", "recreate");
	snprintf(uri, sizeof(uri), "nw:shm/%s?ring=4K", name);
	expect_clean_recreate(uri);

	unique(path, sizeof(path), "/tmp/", "recreate");
	snprintf(uri, sizeof(uri), "nw:file/%s?ring=4K", path);
	expect_clean_recreate(uri);
	assert_int_equal(stat(path, &st), -1);	/* the closes removed it */

	/* The BAR: 1 MiB that exists before and after every session. */
	unique(path, sizeof(path), "/tmp/", "bar");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	backend_nw_test_bar = path;
	snprintf(uri, sizeof(uri), "nw:file/%s?ring=4K", path);
	expect_clean_recreate(uri);
	backend_nw_test_bar = NULL;
	assert_int_equal(stat(path, &st), 0);	/* a BAR is never removed */
	assert_int_equal(st.st_size, 1 << 20);
	unlink(path);
}

static void
test_memfd_and_fd(void **state)
{
	char uri[40];
	int fd;

	(void)state;
	expect_fail(ATTACH, "nw:memfd", NULL, -EINVAL, "memfd");
	expect_fail(CREATE, "nw:fd/0", NULL, -EINVAL, "attached");
	expect_fail(ATTACH, "nw:fd/abc", NULL, -EINVAL, "descriptor");
	expect_fail(ATTACH, "nw:fd/", NULL, -EINVAL, "descriptor");
	expect_fail(ATTACH, "nw:fd/-1", NULL, -EINVAL, "descriptor");
	expect_fail(ATTACH, "nw:fd/3x", NULL, -EINVAL, "descriptor");
	expect_fail(ATTACH, "nw:fd/99999999999", NULL, -EINVAL, "descriptor");
	/* A number that is not an open descriptor. */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	snprintf(uri, sizeof(uri), "nw:fd/%d", fd);
	expect_fail(ATTACH, uri, NULL, -EBADF, "descriptor");
}

static void
test_ring_sizes(void **state)
{
	struct caec_channel_params p;
	struct caec_channel *ch;

	(void)state;
	expect_fail(CREATE, "nw:memfd?ring=5000", NULL, -EINVAL, "ring size");
	expect_fail(CREATE, "nw:memfd?ring=2K", NULL, -EINVAL, "ring size");
	expect_fail(CREATE, "nw:memfd?ring=2048", NULL, -EINVAL, "ring size");
	expect_fail(CREATE, "nw:memfd?ring=0", NULL, -EINVAL, "ring size");
	expect_fail(CREATE, "nw:memfd?ring=2G", NULL, -EINVAL, "ring size");
	expect_fail(CREATE, "nw:memfd?ring=3M", NULL, -EINVAL, "ring size");
	expect_fail(CREATE, "nw:memfd?ring=4G", NULL, -EINVAL, "ring=4G");
	expect_fail(CREATE, "nw:memfd?ring=1024G", NULL, -EINVAL, "ring=");
	expect_fail(CREATE, "nw:memfd?ring=abc", NULL, -EINVAL, "ring=abc");
	expect_fail(CREATE, "nw:memfd?ring=", NULL, -EINVAL, "ring=");
	expect_fail(CREATE, "nw:memfd?ring=-4096", NULL, -EINVAL, "ring=");
	expect_fail(CREATE, "nw:memfd?ring=4096x", NULL, -EINVAL, "ring=");
	expect_fail(CREATE, "nw:memfd?ring=4KB", NULL, -EINVAL, "ring=");
	expect_fail(CREATE, "nw:memfd?ring=99999999999999999999", NULL,
		    -EINVAL, "ring=");
	caec_channel_params_init(&p);
	p.ring_size = 3000;
	expect_fail(CREATE, "nw:memfd", &p, -EINVAL, "ring size");
	p.ring_size = 2048;
	expect_fail(CREATE, "nw:memfd", &p, -EINVAL, "ring size");
	p.ring_size = 1u << 31;
	expect_fail(CREATE, "nw:memfd", &p, -EINVAL, "ring size");
	/* The URI overrides the params. */
	p.ring_size = 4096;
	expect_fail(CREATE, "nw:memfd?ring=100", &p, -EINVAL, "ring size");

	/* Controls. */
	assert_int_equal(caec_channel_create("nw:memfd?ring=4K", NULL, &ch), 0);
	assert_int_equal(caec_channel_max_msg(ch), 2040);
	caec_channel_close(ch);
	assert_int_equal(caec_channel_create("nw:memfd?ring=1m", NULL, &ch), 0);
	assert_int_equal(caec_channel_max_msg(ch), (1u << 19) - 8);
	caec_channel_close(ch);
	p.ring_size = 0;	/* the default, 64 KiB */
	assert_int_equal(caec_channel_create("nw:memfd", &p, &ch), 0);
	assert_int_equal(caec_channel_max_msg(ch), 32768 - 8);
	caec_channel_close(ch);
}

static void
test_max_msg(void **state)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	char big[101] = { 0 };

	(void)state;
	expect_fail(CREATE, "nw:memfd?ring=4K&max_msg=2041", NULL, -EINVAL,
		    "max_msg");
	expect_fail(CREATE, "nw:memfd?max_msg=5G", NULL, -EINVAL, "max_msg=");
	expect_fail(CREATE, "nw:memfd?max_msg=1x", NULL, -EINVAL, "max_msg=");
	caec_channel_params_init(&p);
	p.ring_size = 4096;
	p.max_msg = 4096;
	expect_fail(CREATE, "nw:memfd", &p, -EINVAL, "max_msg");

	/* Controls: the limit itself, and a smaller one enforced on send. */
	assert_int_equal(caec_channel_create("nw:memfd?ring=4K&max_msg=2040",
					     NULL, &ch), 0);
	caec_channel_close(ch);
	assert_int_equal(caec_channel_create("nw:memfd?max_msg=100", NULL,
					     &ch), 0);
	assert_int_equal(caec_channel_max_msg(ch), 100);
	detail_reset();
	assert_rc(caec_channel_send(ch, big, sizeof(big), 0, 0), -EMSGSIZE);
	assert_detail("max_msg");
	assert_int_equal(caec_channel_send(ch, big, 100, 0, 0), 0);
	caec_channel_close(ch);
}

static void
test_query_keys(void **state)
{
	struct caec_channel *ch;

	(void)state;
	expect_both("nw:memfd?bogus=1", -EINVAL, "unknown key 'bogus'");
	expect_both("nw:memfd?Ring=4K", -EINVAL, "unknown key 'Ring'");
	expect_both("nw:memfd?ring", -EINVAL, "key=value");
	expect_both("nw:memfd?=4K", -EINVAL, "unknown key");
	expect_both("nw:memfd?wake=maybe", -EINVAL, "wake=maybe");
	expect_both("nw:memfd?wake=", -EINVAL, "wake=");
	expect_both("nw:memfd?wait=fast", -EINVAL, "wait=fast");
	expect_both("nw:memfd?wait=SPIN", -EINVAL, "wait=SPIN");
	expect_both("nw:memfd?ring=4K&wait=", -EINVAL, "wait=");
	/* Control: well-formed keys, empty separators tolerated. */
	assert_int_equal(caec_channel_create(
		"nw:memfd?ring=4K&&wake=none&wait=spin&max_msg=64", NULL,
		&ch), 0);
	assert_int_equal(caec_channel_max_msg(ch), 64);
	caec_channel_close(ch);
}

static bool
shm_exists(const char *name)
{
	char path[100];
	int fd;

	snprintf(path, sizeof(path), "/%s", name);
	fd = shm_open(path, O_RDONLY, 0);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void
test_params(void **state)
{
	struct caec_channel_params p;
	struct caec_channel *ch;
	char name[80], uri[100];

	(void)state;
	unique(name, sizeof(name), "", "params");
	snprintf(uri, sizeof(uri), "nw:shm/%s", name);

	caec_channel_params_init(&p);
	p.struct_size = 0;
	expect_fail(CREATE, uri, &p, -EINVAL, "struct_size");
	expect_fail(ATTACH, uri, &p, -EINVAL, "struct_size");
	p.struct_size = 1;
	expect_fail(CREATE, uri, &p, -EINVAL, "struct_size");
	p.struct_size = sizeof(p) - 4;
	expect_fail(CREATE, uri, &p, -EINVAL, "struct_size");
	assert_false(shm_exists(name));

	/*
	 * Wait params are checked when the rings open, after the region was
	 * made: the failed create must not leave the shm object behind.
	 */
	caec_channel_params_init(&p);
	p.wait.struct_size = 4;
	expect_fail(CREATE, uri, &p, -EINVAL, "struct_size");
	assert_false(shm_exists(name));
	caec_channel_params_init(&p);
	p.wait.mode = 3;
	expect_fail(CREATE, uri, &p, -EINVAL, "wait mode");
	assert_false(shm_exists(name));
	caec_channel_params_init(&p);
	p.wait.mode = CAEC_WAIT_BACKOFF;
	p.wait.backoff_min_ns = 5000;
	p.wait.backoff_max_ns = 4000;
	expect_fail(CREATE, uri, &p, -EINVAL, "backoff_max_ns");
	assert_false(shm_exists(name));
	/* Futex waiting on a region without the wake-up protocol. */
	caec_channel_params_init(&p);
	p.nowake = 1;
	expect_fail(CREATE, uri, &p, -EINVAL, "adaptive");
	assert_false(shm_exists(name));

	/* Controls: struct_size 0 in wait means defaults; backoff works. */
	caec_channel_params_init(&p);
	p.wait.struct_size = 0;
	p.wait.mode = 99;
	assert_int_equal(caec_channel_create(uri, &p, &ch), 0);
	caec_channel_close(ch);
	caec_channel_params_init(&p);
	p.nowake = 1;
	p.wait.mode = CAEC_WAIT_BACKOFF;
	assert_int_equal(caec_channel_create(uri, &p, &ch), 0);
	caec_channel_close(ch);
	assert_false(shm_exists(name));
}

/* ---- regions that are not what they claim ---------------------------- */

typedef void (*tweak_fn)(uint8_t *base, struct caec_chan_hdr *h);

/*
 * Lay out a channel region by hand in file @path of @file_len bytes: a
 * header for two rings of @ring bytes, the rings formatted when they fit,
 * then @tweak applied.
 */
static void
craft_region(const char *path, uint32_t ring, size_t file_len, tweak_fn tweak)
{
	size_t fp = (caec_ring_footprint(ring) + 63) & ~(size_t)63;
	struct caec_chan_hdr *h;
	uint8_t *base;
	int fd, i;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	if (!file_len) {
		close(fd);
		return;
	}
	assert_int_equal(ftruncate(fd, (off_t)file_len), 0);
	base = mmap(NULL, file_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(base != MAP_FAILED);
	close(fd);
	h = (struct caec_chan_hdr *)base;
	if (file_len >= CAEC_CHAN_HDR_SIZE) {
		h->version = CAEC_CHAN_VERSION;
		h->hdr_size = CAEC_CHAN_HDR_SIZE;
		h->ring_size = ring;
		h->max_msg = caec_ring_max_msg_limit(ring);
		h->flags = 0;
		h->region_len = CAEC_CHAN_HDR_SIZE + 2 * fp;
		for (i = 0; i < 2; i++) {
			h->ring_off[i] = CAEC_CHAN_HDR_SIZE + i * fp;
			if (h->ring_off[i] + fp <= file_len)
				assert_int_equal(caec_ring_format(
					base + h->ring_off[i], fp, ring, 0, 0),
					0);
		}
		h->magic = CAEC_CHAN_MAGIC;
	}
	if (tweak)
		tweak(base, h);
	munmap(base, file_len);
}

static void
tw_chan_version(uint8_t *base, struct caec_chan_hdr *h)
{
	(void)base;
	h->version = 2;
}

static void
tw_chan_hdr_size(uint8_t *base, struct caec_chan_hdr *h)
{
	(void)base;
	h->hdr_size = 256;
}

static void
tw_chan_ring_size(uint8_t *base, struct caec_chan_hdr *h)
{
	(void)base;
	h->ring_size = 8192;	/* twice the rings actually laid out */
}

static void
tw_ring_version(uint8_t *base, struct caec_chan_hdr *h)
{
	/* A version this library does not speak (the next one). */
	((struct caec_ring_shared *)(base + h->ring_off[1]))->hdr.version =
		CAEC_RING_VERSION + 1;
}

static void
tw_ring_data_size(uint8_t *base, struct caec_chan_hdr *h)
{
	((struct caec_ring_shared *)(base + h->ring_off[0]))->hdr.data_size =
		8192;
}

static void
tw_zero(uint8_t *base, struct caec_chan_hdr *h)
{
	(void)h;
	memset(base, 0, CAEC_CHAN_HDR_SIZE);
}

static void
expect_region(const char *path, uint32_t ring, size_t len, tweak_fn tweak,
	      int want, const char *word)
{
	char uri[160];

	craft_region(path, ring, len, tweak);
	snprintf(uri, sizeof(uri), "nw:file/%s", path);
	expect_fail(ATTACH, uri, NULL, want, word);
	unlink(path);
}

static void
test_region_too_small(void **state)
{
	char path[120];

	(void)state;
	unique(path, sizeof(path), "/tmp/", "small");
	expect_region(path, 4096, 0, NULL, -EPROTO, "empty");
	expect_region(path, 4096, 64, NULL, -EPROTO, "channel header");
	/* A header for two 64 KiB rings in an 8 KiB file. */
	expect_region(path, 65536, 8192, NULL, -EPROTO, "region_len");
	/* Just one byte short of the second ring. */
	expect_region(path, 4096, CAEC_CHAN_HDR_SIZE + 2 * (640 + 4096) - 1,
		      NULL, -EPROTO, "region_len");
}

static void
test_region_other_version_or_geometry(void **state)
{
	struct caec_channel *ch;
	char path[120], uri[160];

	(void)state;
	unique(path, sizeof(path), "/tmp/", "crafted");
	/* Control: the hand-made region is a valid channel. */
	craft_region(path, 4096, 3 * 4096, NULL);
	snprintf(uri, sizeof(uri), "nw:file/%s", path);
	assert_int_equal(caec_channel_attach(uri, NULL, &ch), 0);
	assert_int_equal(caec_channel_max_msg(ch), 2040);
	assert_int_equal(caec_channel_send(ch, "x", 1, 0, 0), 0);
	caec_channel_close(ch);
	unlink(path);

	expect_region(path, 4096, 3 * 4096, tw_chan_version, -EPROTO,
		      "version");
	expect_region(path, 4096, 3 * 4096, tw_chan_hdr_size, -EPROTO,
		      "hdr_size");
	expect_region(path, 4096, 3 * 4096, tw_chan_ring_size, -EPROTO,
		      "ring_off");
	expect_region(path, 4096, 3 * 4096, tw_ring_version, -EPROTO,
		      "version");
	expect_region(path, 4096, 3 * 4096, tw_ring_data_size, -EPROTO,
		      "data_size");
	expect_region(path, 4096, 3 * 4096, tw_zero, -EPROTO, "magic");
}

/* ---- bad arguments to the data path ---------------------------------- */

static void
test_bad_arguments(void **state)
{
	struct caec_channel *ch, *a;
	static char b[4096];
	const void *pl;
	void *slot;
	char uri[32];

	(void)state;
	detail_reset();
	assert_rc(caec_channel_create("nw:memfd", NULL, NULL), -EINVAL);
	assert_detail("out");
	assert_int_equal(caec_channel_create("nw:memfd?ring=4K", NULL, &ch),
			 0);
	snprintf(uri, sizeof(uri), "nw:fd/%d", caec_channel_region_fd(ch));
	assert_int_equal(caec_channel_attach(uri, NULL, &a), 0);

	assert_rc(caec_channel_send(NULL, "x", 1, 0, 0), -EINVAL);
	assert_rc(caec_channel_send(ch, NULL, 1, 0, 0), -EINVAL);
	assert_rc(caec_channel_reserve(NULL, 1, &slot, 0), -EINVAL);
	assert_rc(caec_channel_reserve(ch, 1, NULL, 0), -EINVAL);
	assert_rc(caec_channel_commit(ch, 0, 0), -EINVAL);
	assert_rc(caec_channel_flush(NULL), -EINVAL);
	assert_rc(caec_channel_recv(NULL, b, sizeof(b), 0, 0), -EINVAL);
	assert_rc(caec_channel_recv(a, NULL, 4, 0, 0), -EINVAL);
	assert_rc(caec_channel_recv(a, b, sizeof(b), 0x2, 0), -EINVAL);
	assert_rc(caec_channel_peek(a, NULL, 0), -EINVAL);
	assert_rc(caec_channel_release(a, 0), -EINVAL);
	assert_rc(caec_channel_region_fd(NULL), -EINVAL);
	assert_int_equal(caec_channel_max_msg(NULL), 0);
	assert_null(caec_channel_tx(NULL));
	assert_null(caec_channel_rx(NULL));
	caec_channel_close(NULL);
	assert_rc(caec_channel_send(ch, b, 2041, 0, 0), -EMSGSIZE);
	assert_rc(caec_channel_reserve(ch, 2041, &slot, 0), -EMSGSIZE);
	/* Nothing of the above reached the peer. */
	assert_rc(caec_channel_peek(a, &pl, 0), -EAGAIN);
	caec_channel_close(a);
	caec_channel_close(ch);
}

/*
 * A send with an unknown flag is refused (-EINVAL) and must leave the
 * producer usable: the next good send goes through, and the consumer sees
 * exactly that message.
 */
static void
test_bad_send_flags_do_not_wedge_producer(void **state)
{
	struct caec_channel *ch, *a;
	char b[8], uri[32];

	(void)state;
	assert_int_equal(caec_channel_create("nw:memfd?ring=4K", NULL, &ch),
			 0);
	snprintf(uri, sizeof(uri), "nw:fd/%d", caec_channel_region_fd(ch));
	assert_int_equal(caec_channel_attach(uri, NULL, &a), 0);
	assert_rc(caec_channel_send(ch, "x", 1, 0x2, 0), -EINVAL);
	assert_rc(caec_channel_send(ch, "y", 1, 0, 0), 0);
	assert_rc(caec_channel_recv(a, b, sizeof(b), 0, 0), 1);
	assert_int_equal(b[0], 'y');
	assert_rc(caec_channel_recv(a, b, sizeof(b), 0, 0), -EAGAIN);
	caec_channel_close(a);
	caec_channel_close(ch);
}

/* The codes the error contract (include/caec/caec.h) lists for open. */
static bool
documented(int rc)
{
	switch (rc) {
	case -EINVAL:
	case -ENOENT:
	case -EACCES:
	case -EEXIST:
	case -ENOSPC:
	case -ENOMEM:
	case -EPROTO:
	case -ENOTSUP:
		return true;
	default:
		return false;
	}
}

/*
 * Filesystem failures come back as codes of the error contract, with a
 * caec_strerror() sentence and a detail naming the path: a path that is a
 * directory, a path through a regular file, a name too long for the
 * filesystem.
 */
static void
test_filesystem_errors_are_described(void **state)
{
	const char *uris[4];
	char notdir[160], toolong[400], failures[1024] = "";
	struct caec_channel *ch;
	size_t i, n = 0;
	int rc, fd, w;
	char path[120];

	(void)state;
	unique(path, sizeof(path), "/tmp/", "file");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(notdir, sizeof(notdir), "nw:file/%s/x", path);
	memcpy(toolong, "nw:file//tmp/", 13);
	memset(toolong + 13, 'l', 300);
	toolong[313] = '\0';
	uris[0] = "nw:file//tmp";
	uris[1] = notdir;
	uris[2] = toolong;
	uris[3] = NULL;
	for (i = 0; uris[i]; i++) {
		for (w = CREATE; w <= ATTACH; w++) {
			detail_reset();
			if (w == CREATE)
				rc = caec_channel_create(uris[i], NULL, &ch);
			else
				rc = caec_channel_attach(uris[i], NULL, &ch);
			assert_true(rc < 0);
			if (documented(rc) &&
			    strcmp(caec_strerror(rc), "unknown error") &&
			    strstr(caec_error_detail(), "/tmp"))
				continue;
			n += (size_t)snprintf(failures + n,
					      sizeof(failures) - n,
					      "%s %.40s: %d (%s); ",
					      w == CREATE ? "create" : "attach",
					      uris[i], rc, caec_error_detail());
			if (n >= sizeof(failures))
				break;
		}
	}
	unlink(path);
	if (n)
		fail_msg("outside the error contract: %s", failures);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_malformed),
		cmocka_unit_test(test_uri_schemes_not_built_in),
		cmocka_unit_test(test_shm_bad_names),
		cmocka_unit_test(test_shm_missing),
		cmocka_unit_test(test_shm_exists),
		cmocka_unit_test(test_file_paths),
		cmocka_unit_test(test_recreate_clears_previous_session),
		cmocka_unit_test(test_memfd_and_fd),
		cmocka_unit_test(test_ring_sizes),
		cmocka_unit_test(test_max_msg),
		cmocka_unit_test(test_query_keys),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_region_too_small),
		cmocka_unit_test(test_region_other_version_or_geometry),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_bad_send_flags_do_not_wedge_producer),
		cmocka_unit_test(test_filesystem_errors_are_described),
	};

	return cmocka_run_group_tests_name("badinput", tests, NULL, NULL);
}
