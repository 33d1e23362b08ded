/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/channel_layout.h"
#include "../../src/ring/ring_layout.h"
#include "hv_view.h"

int
hv_view_map_fd(struct hv_view *v, int fd, bool writable)
{
	struct stat st;
	void *m;

	memset(v, 0, sizeof(*v));
	if (fstat(fd, &st))
		return -errno;
	m = mmap(NULL, (size_t)st.st_size,
		 writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd,
		 0);
	if (m == MAP_FAILED)
		return -errno;
	v->map = m;
	v->len = (size_t)st.st_size;
	return 0;
}

int
hv_view_map_path(struct hv_view *v, const char *path, bool writable)
{
	int fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	int rc;

	memset(v, 0, sizeof(*v));
	if (fd < 0)
		return -errno;
	rc = hv_view_map_fd(v, fd, writable);
	close(fd);
	return rc;
}

int
hv_view_map_channel(struct hv_view *v, const struct caec_channel *ch,
		    bool writable)
{
	int fd = caec_channel_region_fd(ch);

	memset(v, 0, sizeof(*v));
	return fd < 0 ? fd : hv_view_map_fd(v, fd, writable);
}

void
hv_view_unmap(struct hv_view *v)
{
	if (v->map)
		munmap(v->map, v->len);
	free(v->saved);
	memset(v, 0, sizeof(*v));
}

struct caec_chan_hdr *
hv_view_hdr(const struct hv_view *v)
{
	return (struct caec_chan_hdr *)v->map;
}

struct caec_ring_shared *
hv_view_ring(const struct hv_view *v, int i)
{
	uint64_t off;

	if (v->len < CAEC_CHAN_HDR_SIZE || i < 0 || i > 1)
		return NULL;
	off = hv_view_hdr(v)->ring_off[i];
	if (off > v->len || v->len - off < sizeof(struct caec_ring_shared))
		return NULL;
	return (struct caec_ring_shared *)(v->map + off);
}

bool
hv_view_contains(const struct hv_view *v, const void *needle, size_t n)
{
	return memmem(v->map, v->len, needle, n) != NULL;
}

int
hv_view_save(struct hv_view *v)
{
	free(v->saved);
	v->saved = malloc(v->len ? v->len : 1);
	if (!v->saved)
		return -ENOMEM;
	memcpy(v->saved, v->map, v->len);
	return 0;
}

void
hv_view_restore(struct hv_view *v)
{
	if (v->saved)
		memcpy(v->map, v->saved, v->len);
}
