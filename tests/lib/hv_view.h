/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor's view of a channel region: the region's file (a memfd,
 * /dev/shm object or file) mapped once more, whole and MAP_SHARED, so that
 * a test reads and, through a writable view, writes the very bytes the two
 * sides share, the way the hypervisor or anyone else holding the file can:
 * to find plaintext, to read the wake blocks, to corrupt headers and
 * records, to replay or reorder them. The view knows the layout
 * (src/channel_layout.h, src/ring/ring_layout.h) only as far as the
 * channel header places the rings.
 *
 * Nothing here uses cmocka: the calls return 0 or a negative errno. A view
 * can be mapped in a forked child too (a third process watching).
 */
#ifndef CAEC_TEST_HV_VIEW_H
#define CAEC_TEST_HV_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caec/caec.h>

struct caec_chan_hdr;
struct caec_ring_shared;

struct hv_view {
	uint8_t *map;		/* the whole file; NULL when not mapped */
	size_t len;		/* its size when mapped */
	uint8_t *saved;		/* hv_view_save()'s copy, or NULL */
};

/*
 * Map the file behind @fd (which stays open and the caller's), read-only
 * or read-write. RETURN VALUE: 0, or -errno of fstat or mmap.
 */
int hv_view_map_fd(struct hv_view *v, int fd, bool writable);

/* The same for the file at @path (opened and closed here). */
int hv_view_map_path(struct hv_view *v, const char *path, bool writable);

/*
 * The same for the region of @ch (caec_channel_region_fd(): nw: channels;
 * else its error, -ENOTSUP).
 */
int hv_view_map_channel(struct hv_view *v, const struct caec_channel *ch,
			bool writable);

/* Unmap and drop the saved copy; the region keeps whatever was written. */
void hv_view_unmap(struct hv_view *v);

/* The channel header at the start of the region. */
struct caec_chan_hdr *hv_view_hdr(const struct hv_view *v);

/*
 * Ring @i (0: creator -> attacher, 1: back) where the channel header puts
 * it. RETURN VALUE: NULL when the header places its shared header outside
 * the view.
 */
struct caec_ring_shared *hv_view_ring(const struct hv_view *v, int i);

/* Whether the @n bytes at @needle stand anywhere in the region now. */
bool hv_view_contains(const struct hv_view *v, const void *needle, size_t n);

/*
 * Keep a copy of the whole region, for hv_view_restore() to write back
 * after a test corrupted it (a writable view). RETURN VALUE: 0 or -ENOMEM.
 */
int hv_view_save(struct hv_view *v);
void hv_view_restore(struct hv_view *v);

#endif /* CAEC_TEST_HV_VIEW_H */
