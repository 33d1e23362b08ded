/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * region_replace() (region.h): the one in-place replacement of a mapping.
 * Raw system calls only, so the SIGBUS handler may call it.
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
