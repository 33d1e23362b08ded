/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fuzz targets' side of the shared-load hook (src/shm_access.h, built
 * with CAEC_FUZZ): a target registers the region its input fills and a
 * script, and each shared load inside the region then takes one step of it.
 *
 * SCRIPT: one control byte per load. 0 (or an exhausted script): the load
 * returns what memory holds. Anything else: the next size-of-the-load bytes
 * of the script (little-endian) are stored at the address and returned, as
 * if the peer had written them just before this load. Loads outside the
 * region are never touched.
 */
#ifndef CAEC_FUZZ_HOOK_H
#define CAEC_FUZZ_HOOK_H

#include <stddef.h>
#include <stdint.h>

/* fuzz_hook_arm - change loads in [@base, @base + @len) by @script (borrowed
 * until fuzz_hook_disarm()). */
void fuzz_hook_arm(void *base, size_t len, const uint8_t *script,
		   size_t script_len);

/* fuzz_hook_disarm - every load returns memory again. */
void fuzz_hook_disarm(void);

/* fuzz_hook_changed - how many loads the script changed since arming. */
size_t fuzz_hook_changed(void);

/*
 * fuzz_hook_watch - from now on, remember the furthest value that a shared
 * load of the 64-bit word at @word returned (whatever the script did), as
 * a distance ahead of @base: a free-running counter the library reads, so
 * that a target can tell what the library can have seen of it. Cleared by
 * fuzz_hook_disarm().
 */
void fuzz_hook_watch(const void *word, uint64_t base);

/* fuzz_hook_watched - the furthest distance ahead of the base that a load
 * of the watched word returned; 0 if none returned a value ahead of it. */
uint64_t fuzz_hook_watched(void);

#endif /* CAEC_FUZZ_HOOK_H */
