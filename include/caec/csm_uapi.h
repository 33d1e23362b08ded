/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The uAPI of the caec-csm guest driver: /dev/caec-csm inside an Arm CCA
 * realm whose RMM has the CAEC CSM extension (firmware-patches/ABI.md).
 *
 * The driver turns each ioctl into one RSI_CSM_* call (RESERVE also picks
 * the IPA range in the realm's protected space) and lets user space map a
 * region through mmap() of the device at the offset an ioctl returned.
 * libcaec uses this device when it exists; on an ordinary Linux host the
 * same library calls go to caec-rmmd instead (see caec/csm.h). The driver
 * itself is not part of this tree yet: this header is the contract it will
 * implement.
 *
 * CONVENTIONS
 *   - Every struct has fixed-width fields, no pointers, no implicit padding;
 *     the same layout on 32- and 64-bit user space.
 *   - ioctl() returns 0, or -1 with errno: EINVAL (bad argument, detail
 *     CSM_E_BASE_ALIGN/SIZE/RANGE/PERM/SELF/SIZE_MISMATCH), EACCES (no grant
 *     names this realm, not the provider, revoked: CSM_E_UNKNOWN_SID,
 *     CSM_E_NOT_PROVIDER, CSM_E_BAD_STATE), ENOENT (unknown region or realm),
 *     EEXIST (already shared with that realm), EBUSY (already reserved),
 *     ENOSPC (APT full, ids exhausted), ENOMEM, EIO (the RMM failed).
 *     On failure @detail holds the RMM's CSM_E_* code (X1 of the RSI call;
 *     0 when the failure was the driver's own).
 *   - Realm ids and sharing ids are the RMM's (ABI.md §1.4): a sharing id is
 *     (provider realm id, handle), handle = csm_id << 32 | seq.
 *   - Permissions: CAEC_CSM_PERM_RO 1, CAEC_CSM_PERM_RW 2 (ABI.md §1.5).
 *
 * MAPPING
 *   CREATE and ATTACH return @mmap_offset, a page-aligned device offset that
 *   names the region in this open file. mmap(NULL, size, prot, MAP_SHARED,
 *   fd, mmap_offset) maps it whole (a partial or out-of-range mapping fails
 *   with EINVAL). A consumer granted RO gets EACCES for PROT_WRITE. A mapping
 *   is valid until DETACH / DESTROY on this file, or until the provider
 *   revokes: then the driver zaps it (later accesses fault with SIGBUS) and
 *   queues an event.
 *
 * EVENTS
 *   The device polls readable (POLLIN) when an event is queued; read()
 *   returns whole struct caec_csm_event records (EINVAL if the buffer is
 *   smaller than one record, EAGAIN when none is queued on a non-blocking
 *   file). A consumer gets CAEC_CSM_EV_REVOKED when the provider revokes
 *   its grant or destroys the region; the library then replaces its mapping
 *   before the driver zaps it, so a channel reports an error, never SIGBUS.
 *
 * Closing the file detaches every range it reserved and destroys every
 * region it created (revoking their consumers), as realm teardown does.
 */
#ifndef CAEC_CSM_UAPI_H
#define CAEC_CSM_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define CAEC_CSM_DEVICE "/dev/caec-csm"

/* Version of this uAPI, returned by CAEC_CSM_IOC_VERSION. */
#define CAEC_CSM_UAPI_VERSION 1

#define CAEC_CSM_PERM_RO 1
#define CAEC_CSM_PERM_RW 2

/* CAEC_CSM_IOC_REALM_ID: this realm's id (from the RMM's realm token). */
struct caec_csm_ioc_realm_id {
	__u64 realm_id;		/* out */
};

/* CAEC_CSM_IOC_CREATE: RSI_CSM_CREATE over @size bytes the driver
 * allocates in the realm's protected space. */
struct caec_csm_ioc_create {
	__u64 size;		/* in: bytes, a multiple of 4096 */
	__u64 csm_id;		/* out */
	__u64 mmap_offset;	/* out */
	__u32 detail;		/* out: CSM_E_* on failure */
	__u32 reserved;		/* must be zero */
};

/* CAEC_CSM_IOC_SHARE: RSI_CSM_SHARE. */
struct caec_csm_ioc_share {
	__u64 csm_id;		/* in */
	__u64 consumer;		/* in: the consumer's realm id */
	__u32 perm;		/* in: CAEC_CSM_PERM_* */
	__u32 detail;		/* out */
	__u64 provider;		/* out: sharing id, first half (own id) */
	__u64 handle;		/* out: sharing id, second half */
};

/*
 * CAEC_CSM_IOC_RESERVE (@size in: the region's exact size), _ATTACH
 * (@perm, @mmap_offset out), _DETACH (RSI_CSM_DETACH_AND_FREE), _REVOKE
 * (provider): one sharing id each.
 */
struct caec_csm_ioc_sid {
	__u64 provider;		/* in */
	__u64 handle;		/* in */
	__u64 size;		/* in (RESERVE), else must be zero */
	__u64 mmap_offset;	/* out (ATTACH) */
	__u32 perm;		/* out (ATTACH) */
	__u32 detail;		/* out */
};

/* CAEC_CSM_IOC_DESTROY: RSI_CSM_DESTROY (revokes every consumer). */
struct caec_csm_ioc_destroy {
	__u64 csm_id;		/* in */
	__u32 detail;		/* out */
	__u32 reserved;		/* must be zero */
};

#define CAEC_CSM_IOC_MAGIC 0xCA

#define CAEC_CSM_IOC_VERSION	_IO(CAEC_CSM_IOC_MAGIC, 0x00)
#define CAEC_CSM_IOC_REALM_ID	_IOR(CAEC_CSM_IOC_MAGIC, 0x01, struct caec_csm_ioc_realm_id)
#define CAEC_CSM_IOC_CREATE	_IOWR(CAEC_CSM_IOC_MAGIC, 0x02, struct caec_csm_ioc_create)
#define CAEC_CSM_IOC_SHARE	_IOWR(CAEC_CSM_IOC_MAGIC, 0x03, struct caec_csm_ioc_share)
#define CAEC_CSM_IOC_RESERVE	_IOWR(CAEC_CSM_IOC_MAGIC, 0x04, struct caec_csm_ioc_sid)
#define CAEC_CSM_IOC_ATTACH	_IOWR(CAEC_CSM_IOC_MAGIC, 0x05, struct caec_csm_ioc_sid)
#define CAEC_CSM_IOC_DETACH	_IOWR(CAEC_CSM_IOC_MAGIC, 0x06, struct caec_csm_ioc_sid)
#define CAEC_CSM_IOC_REVOKE	_IOWR(CAEC_CSM_IOC_MAGIC, 0x07, struct caec_csm_ioc_sid)
#define CAEC_CSM_IOC_DESTROY	_IOWR(CAEC_CSM_IOC_MAGIC, 0x08, struct caec_csm_ioc_destroy)

/* Event records read() from the device. */
#define CAEC_CSM_EV_REVOKED	1	/* grant revoked, or region destroyed */

struct caec_csm_event {
	__u32 type;		/* CAEC_CSM_EV_* */
	__u32 reason;		/* REVOKED: 1 revoke, 2 destroy, 3 provider gone */
	__u64 provider;		/* the sharing id concerned */
	__u64 handle;
};

#define CAEC_CSM_EV_REASON_REVOKE	1
#define CAEC_CSM_EV_REASON_DESTROY	2
#define CAEC_CSM_EV_REASON_GONE		3

#endif /* CAEC_CSM_UAPI_H */
