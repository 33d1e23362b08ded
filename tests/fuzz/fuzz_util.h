/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers the fuzz targets share (fuzz_util.c).
 */
#ifndef CAEC_FUZZ_UTIL_H
#define CAEC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * fuzz_memfd - a sealable memfd of @len bytes holding @data (@size bytes,
 * at most @len; the rest zero). @seal: add F_SEAL_SHRINK | F_SEAL_GROW |
 * F_SEAL_SEAL, as a creator of nw:memfd does.
 *
 * RETURN VALUE: the descriptor (the caller closes it), or -1.
 */
int fuzz_memfd(const uint8_t *data, size_t size, size_t len, int seal);

/* fuzz_cstr - @data as a NUL-terminated string (malloc()ed; the caller frees
 * it); NULL when out of memory. */
char *fuzz_cstr(const uint8_t *data, size_t size);

#endif /* CAEC_FUZZ_UTIL_H */
