/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the 32-byte pre-shared key from a file. Formats and errors are
 * documented at aead_key_load_file() in aead.h. Error details name the file
 * and the problem, never key bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aead.h"
#include "../error.h"

#define KEY_HEX_LEN (2 * AEAD_KEY_LEN)

static int
key_open_error(const char *path, int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return caec_set_detail(-ENOENT, "key file %s does not exist", path);
	case EACCES:
	case EPERM:
		return caec_set_detail(-EACCES,
			"key file %s is not readable: permission denied", path);
	default:
		return caec_set_detail(-err, "cannot open key file %s: %s", path,
				       strerror(err));
	}
}

static int
hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode @buf (KEY_HEX_LEN hex digits) into @key; -1 or the bad offset. */
static ssize_t
hex_decode(const uint8_t *buf, uint8_t *key)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < AEAD_KEY_LEN; i++) {
		hi = hex_value(buf[2 * i]);
		lo = hex_value(buf[2 * i + 1]);
		if (hi < 0)
			return (ssize_t)(2 * i);
		if (lo < 0)
			return (ssize_t)(2 * i + 1);
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return -1;
}

static bool
all_zero(const uint8_t *b, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= b[i];
	return !acc;
}

/* Read up to @cap bytes (EOF ends early); the count or -errno. */
static ssize_t
read_upto(int fd, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

int
aead_key_load_file(const char *path, uint8_t *key)
{
	/* One byte more than the longest valid file tells "too long". */
	uint8_t buf[KEY_HEX_LEN + 2], tmp[AEAD_KEY_LEN];
	struct stat st;
	ssize_t n, bad;
	int fd, rc;

	if (!path || !*path)
		return caec_set_detail(-EINVAL, "key file: empty path");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return key_open_error(path, errno);
	if (fstat(fd, &st)) {
		rc = caec_set_detail(-errno, "cannot stat key file %s: %s", path,
				     strerror(errno));
		close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return caec_set_detail(-EINVAL, "key file %s is a directory", path);
	}
	n = read_upto(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		if (n == -EACCES || n == -EPERM)
			return key_open_error(path, EACCES);
		return caec_set_detail((int)n, "cannot read key file %s: %s", path,
				       strerror((int)-n));
	}

	if (n == AEAD_KEY_LEN) {
		memcpy(tmp, buf, AEAD_KEY_LEN);
		rc = 0;
	} else if (n == KEY_HEX_LEN ||
		   (n == KEY_HEX_LEN + 1 && buf[KEY_HEX_LEN] == '\n')) {
		bad = hex_decode(buf, tmp);
		rc = bad < 0 ? 0 : caec_set_detail(-EINVAL,
			"key file %s: byte %zd is not a hex digit (need 32 raw bytes or 64 hex digits)",
			path, bad);
	} else if ((size_t)n == sizeof(buf) && S_ISREG(st.st_mode)) {
		rc = caec_set_detail(-EINVAL,
			"key file %s has %lld bytes, need 32 (raw) or 64 hex digits",
			path, (long long)st.st_size);
	} else if ((size_t)n == sizeof(buf)) {
		rc = caec_set_detail(-EINVAL,
			"key file %s has more than %zu bytes, need 32 (raw) or 64 hex digits",
			path, (size_t)KEY_HEX_LEN + 1);
	} else {
		rc = caec_set_detail(-EINVAL,
			"key file %s has %zd bytes, need 32 (raw) or 64 hex digits",
			path, n);
	}
	if (!rc && all_zero(tmp, sizeof(tmp)))
		rc = caec_set_detail(-EINVAL,
			"key file %s holds an all-zero key (not filled in?)", path);
	if (!rc)
		memcpy(key, tmp, AEAD_KEY_LEN);
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(tmp, sizeof(tmp));
	return rc;
}
