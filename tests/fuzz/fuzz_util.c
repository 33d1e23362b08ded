/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers the fuzz targets share: inputs as memfds and as strings.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_util.h"

int
fuzz_memfd(const uint8_t *data, size_t size, size_t len, int seal)
{
	int fd;

	fd = memfd_create("caec-fuzz", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (size > len)
		size = len;
	if (ftruncate(fd, (off_t)len) ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size) ||
	    (seal && fcntl(fd, F_ADD_SEALS,
			   F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))) {
		close(fd);
		return -1;
	}
	return fd;
}

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
