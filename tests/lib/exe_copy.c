/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exe_copy.h"

int
exe_copy(const char *from, const char *to)
{
	uint8_t buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	int rc = in < 0 || out < 0 ? -errno : 0;
	ssize_t n = 0;

	while (!rc && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			rc = -EIO;
	if (!rc && n < 0)
		rc = -errno;
	if (!rc && fchmod(out, 0755))	/* whatever the umask */
		rc = -errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) && !rc)
		rc = -errno;
	return rc;
}
