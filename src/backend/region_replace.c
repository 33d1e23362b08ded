/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_replace(), region_remap() (region.h): the in-place replacements of
 * a mapping. Raw system calls only, so the SIGBUS handler may call them.
 */
#include <errno.h>
#include <sys/mman.h>

#include "region.h"

int
region_replace(void *base, size_t len, int prot, void *img)
{
	if (img) {
		if (mremap(img, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   base) != MAP_FAILED) {
			if (prot != (PROT_READ | PROT_WRITE))
				(void)mprotect(base, len, prot);
			return 0;
		}
		munmap(img, len);
	}
	if (mmap(base, len, prot, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0) == MAP_FAILED)
		return -errno;
	return 0;
}

int
region_remap(void *base, size_t len, int prot, int fd)
{
	int rc;

	if (mmap(base, len, prot, MAP_FIXED | MAP_SHARED, fd, 0) != MAP_FAILED)
		return 0;
	rc = -errno;
	(void)region_replace(base, len, prot, NULL);
	return rc;
}
