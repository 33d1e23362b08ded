/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A region's mapping, when something happens to the memory under it.
 *
 * region_replace() and region_remap() are the one place that replaces a
 * mapping in place: the SIGBUS guard (a peer truncated the object), the CSM
 * loss of a region (a revoked grant, a provider gone, fork) and the CSM move
 * of a region to a fresh memfd (another realm's grant was revoked) all go
 * through them.
 *
 * The SIGBUS guard (region_guard.c): a peer that can resize the object under
 * a shared mapping (an shm object, a file, an inherited descriptor; memfds
 * are sealed instead) makes every access past the new end raise SIGBUS. A
 * process-wide handler looks the faulting address up in a registry of
 * guarded regions; for a hit it maps zero pages over the whole region and
 * marks it lost, so the access that faulted completes (reading zeros, which
 * no ring header validates) and the channel's calls fail with -EPROTO; any
 * other fault goes to the handler installed before (or to the default
 * action, which ends the process as it would have without the guard).
 */
#ifndef CAEC_REGION_H
#define CAEC_REGION_H

#include <signal.h>
#include <stddef.h>

/*
 * region_replace - replace the mapping [@base, @base + @len) in place.
 * @prot: the protection of the replacement
 * @img:  NULL for zero pages; else a private anonymous mapping of @len
 *        bytes (the caller's copy) that is moved over the range and must not
 *        be used afterwards
 *
 * Atomic for the process (MAP_FIXED / MREMAP_FIXED): a thread inside the
 * range never finds it unmapped. When @img cannot be moved, the range gets
 * zero pages instead and @img is unmapped. Async-signal-safe.
 *
 * RETURN VALUE: 0; -errno when not even zero pages could be mapped (the old
 * mapping then stays).
 */
int region_replace(void *base, size_t len, int prot, void *img);

/*
 * region_remap - replace the mapping [@base, @base + @len) in place by a
 * shared mapping of @fd from offset 0 (the region moved to another object
 * with the same bytes). Atomic for the process, like region_replace(); the
 * guard's slot for the range, if any, stays valid.
 *
 * RETURN VALUE: 0; -errno, the range then holding zero pages (a failed
 * MAP_FIXED may have unmapped it), or the old mapping when not even those
 * could be mapped.
 */
int region_remap(void *base, size_t len, int prot, int fd);

/*
 * region_guard_add - guard a shared mapping against the object's truncation.
 * @lost: where the handler stores -EPROTO when the region is truncated under
 *        the mapping (only when it holds 0); must outlive the guard
 *
 * Installs the process's SIGBUS handler on first use, unless the application
 * opted out (caec_sigbus_guard(false), or CAEC_SIGBUS_GUARD=0 in the
 * environment), in which case nothing is registered.
 *
 * RETURN VALUE: a guard id (>= 0) for region_guard_remove(); -1 when the
 * region is not guarded (opted out); -ENOMEM when every slot is in use
 * (REGION_GUARD_SLOTS regions at once) or the handler cannot be installed.
 */
int region_guard_add(void *base, size_t len, int prot, int *lost);

/*
 * region_guard_remove - stop guarding; call before unmapping. Waits for a
 * handler that is replacing the mapping in another thread to finish, so the
 * address range is never replaced after it was unmapped and reused.
 * A negative @id is a no-op.
 */
void region_guard_remove(int id);

#define REGION_GUARD_SLOTS 4096

/* Tests only: called by the handler between finding a region and replacing
 * its mapping, to widen the window of the close/truncate race. */
extern void (*region_guard_test_hook)(void);

#endif /* CAEC_REGION_H */
