/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Access Policy Table (APT): one granule per realm, delegated by the
 * host and turned into an APT by RMI_APT_CREATE. It is RMM-private (Realm
 * PAS, never mapped in any realm) and protected by its realm's RD lock: a
 * handler reads or writes it only while holding that lock.
 *
 * Layout (little-endian, fixed; checked by the asserts at the bottom):
 *   0x000  header (64 bytes)
 *   0x040  entries[APT_CAPACITY], 48 bytes each
 *
 * An entry is FREE, a REGION this realm provides, a GRANT of one of its
 * regions to one consumer, or a CONSUMED range (a region of another realm
 * that this realm reserved). The capacity is the granule's: 84 entries,
 * shared between regions, grants and consumed ranges.
 */
#ifndef CSM_APT_H
#define CSM_APT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APT_GRANULE_SIZE	4096UL
#define APT_MAGIC		0x3154504143454143ULL	/* "CAECAPT1" */
#define APT_VERSION		1U
#define APT_HEADER_SIZE		64UL
#define APT_ENTRY_SIZE		48UL
#define APT_CAPACITY		((APT_GRANULE_SIZE - APT_HEADER_SIZE) / \
				 APT_ENTRY_SIZE)

/* apt_entry.type */
#define APT_FREE		0U
#define APT_REGION		1U
#define APT_GRANT		2U
#define APT_CONSUMED		3U

struct apt_entry {
	uint8_t type;		/* APT_* */
	uint8_t perm;		/* GRANT, CONSUMED: CSM_PERM_* */
	uint8_t state;		/* GRANT, CONSUMED: CSM_STATE_* */
	uint8_t reserved[5];	/* MBZ */
	uint64_t base;		/* REGION, CONSUMED: first IPA */
	uint64_t size;		/* REGION, CONSUMED: bytes, granule multiple */
	uint64_t peer;		/* GRANT: consumer id; CONSUMED: provider id */
	uint64_t id;		/* REGION: csm id; GRANT, CONSUMED: handle */
	uint64_t aux;		/* REGION: last seq issued; others: 0 */
};

struct apt_header {
	uint64_t magic;		/* APT_MAGIC */
	uint32_t version;	/* APT_VERSION */
	uint32_t capacity;	/* APT_CAPACITY */
	uint64_t owner;		/* realm id of the owning realm */
	uint32_t last_csm_id;	/* last region id issued (never reused) */
	uint32_t nr_used;	/* entries not FREE */
	uint64_t gen;		/* bumped on every change; see csm_lock.c */
	uint64_t reserved[3];	/* MBZ */
};

struct apt {
	struct apt_header hdr;
	struct apt_entry e[APT_CAPACITY];	/* fills the granule exactly */
};

_Static_assert(sizeof(struct apt_entry) == APT_ENTRY_SIZE, "apt entry");
_Static_assert(offsetof(struct apt_entry, base) == 0x08, "apt base");
_Static_assert(offsetof(struct apt_entry, size) == 0x10, "apt size");
_Static_assert(offsetof(struct apt_entry, peer) == 0x18, "apt peer");
_Static_assert(offsetof(struct apt_entry, id) == 0x20, "apt id");
_Static_assert(offsetof(struct apt_entry, aux) == 0x28, "apt aux");
_Static_assert(sizeof(struct apt_header) == APT_HEADER_SIZE, "apt header");
_Static_assert(offsetof(struct apt_header, gen) == 0x20, "apt gen");
_Static_assert(offsetof(struct apt, e) == APT_HEADER_SIZE, "apt entries");
_Static_assert(sizeof(struct apt) == APT_GRANULE_SIZE, "apt granule");
_Static_assert(APT_CAPACITY == 84, "apt capacity");

/* Format a zeroed granule as an empty APT owned by realm @owner. */
void apt_init(struct apt *apt, uint64_t owner);

/* True if the header is one apt_init() wrote (magic, version, capacity). */
bool apt_valid(const struct apt *apt);

/* A free entry, or NULL if the APT is full. */
struct apt_entry *apt_alloc(struct apt *apt);

/* Return @e to FREE (zeroed). */
void apt_free(struct apt *apt, struct apt_entry *e);

/* Record a change: every mutation of an APT calls this once. */
void apt_touch(struct apt *apt);

/* REGION with csm id @id, or NULL. */
struct apt_entry *apt_find_region(struct apt *apt, uint64_t id);

/* REGION whose range contains @ipa, or NULL. */
struct apt_entry *apt_region_at(struct apt *apt, unsigned long ipa);

/* CONSUMED range containing @ipa, or NULL. */
struct apt_entry *apt_consumed_at(struct apt *apt, unsigned long ipa);

/* GRANT with handle @handle, or NULL. */
struct apt_entry *apt_find_grant(struct apt *apt, uint64_t handle);

/* GRANT of region @csm_id to realm @consumer, or NULL. */
struct apt_entry *apt_find_grant_to(struct apt *apt, uint64_t csm_id,
				    uint64_t consumer);

/* CONSUMED entry for sid (@provider, @handle), or NULL. */
struct apt_entry *apt_find_consumed(struct apt *apt, uint64_t provider,
				    uint64_t handle);

/* True if [base, base + size) meets a REGION or CONSUMED range. */
bool apt_overlaps(const struct apt *apt, unsigned long base,
		  unsigned long size);

/* Iterate: next entry of @type after @prev (NULL: from the start). */
struct apt_entry *apt_next(struct apt *apt, struct apt_entry *prev,
			   unsigned int type);

#endif /* CSM_APT_H */
