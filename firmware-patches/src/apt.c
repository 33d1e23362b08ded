/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * APT format: initialisation, lookup, insertion and removal. Pure functions
 * over a mapped APT; the caller holds the owning realm's RD lock.
 */
#include <string.h>

#include "csm_apt.h"

void
apt_init(struct apt *apt, uint64_t owner)
{
	(void)memset(apt, 0, sizeof(*apt));
	apt->hdr.magic = APT_MAGIC;
	apt->hdr.version = APT_VERSION;
	apt->hdr.capacity = (uint32_t)APT_CAPACITY;
	apt->hdr.owner = owner;
}

bool
apt_valid(const struct apt *apt)
{
	return (apt->hdr.magic == APT_MAGIC) &&
	       (apt->hdr.version == APT_VERSION) &&
	       (apt->hdr.capacity == APT_CAPACITY) &&
	       (apt->hdr.nr_used <= APT_CAPACITY);
}

void
apt_touch(struct apt *apt)
{
	apt->hdr.gen++;
}

struct apt_entry *
apt_alloc(struct apt *apt)
{
	unsigned int i;

	for (i = 0U; i < APT_CAPACITY; i++) {
		if (apt->e[i].type == APT_FREE) {
			apt->hdr.nr_used++;
			return &apt->e[i];
		}
	}
	return NULL;
}

void
apt_free(struct apt *apt, struct apt_entry *e)
{
	(void)memset(e, 0, sizeof(*e));
	apt->hdr.nr_used--;
}

struct apt_entry *
apt_next(struct apt *apt, struct apt_entry *prev, unsigned int type)
{
	unsigned int i = (prev == NULL) ? 0U :
			 (unsigned int)(prev - &apt->e[0]) + 1U;

	for (; i < APT_CAPACITY; i++) {
		if (apt->e[i].type == type) {
			return &apt->e[i];
		}
	}
	return NULL;
}

struct apt_entry *
apt_find_region(struct apt *apt, uint64_t id)
{
	struct apt_entry *e = NULL;

	while ((e = apt_next(apt, e, APT_REGION)) != NULL) {
		if (e->id == id) {
			return e;
		}
	}
	return NULL;
}

static bool
contains(const struct apt_entry *e, unsigned long ipa)
{
	return (ipa >= e->base) && (ipa - e->base < e->size);
}

struct apt_entry *
apt_region_at(struct apt *apt, unsigned long ipa)
{
	struct apt_entry *e = NULL;

	while ((e = apt_next(apt, e, APT_REGION)) != NULL) {
		if (contains(e, ipa)) {
			return e;
		}
	}
	return NULL;
}

struct apt_entry *
apt_consumed_at(struct apt *apt, unsigned long ipa)
{
	struct apt_entry *e = NULL;

	while ((e = apt_next(apt, e, APT_CONSUMED)) != NULL) {
		if (contains(e, ipa)) {
			return e;
		}
	}
	return NULL;
}

struct apt_entry *
apt_find_grant(struct apt *apt, uint64_t handle)
{
	struct apt_entry *e = NULL;

	while ((e = apt_next(apt, e, APT_GRANT)) != NULL) {
		if (e->id == handle) {
			return e;
		}
	}
	return NULL;
}

struct apt_entry *
apt_find_grant_to(struct apt *apt, uint64_t csm_id, uint64_t consumer)
{
	struct apt_entry *e = NULL;

	while ((e = apt_next(apt, e, APT_GRANT)) != NULL) {
		if (((e->id >> 32) == csm_id) &&
		    (e->peer == consumer)) {
			return e;
		}
	}
	return NULL;
}

struct apt_entry *
apt_find_consumed(struct apt *apt, uint64_t provider, uint64_t handle)
{
	struct apt_entry *e = NULL;

	while ((e = apt_next(apt, e, APT_CONSUMED)) != NULL) {
		if ((e->peer == provider) && (e->id == handle)) {
			return e;
		}
	}
	return NULL;
}

bool
apt_overlaps(const struct apt *apt, unsigned long base, unsigned long size)
{
	unsigned int i;

	for (i = 0U; i < APT_CAPACITY; i++) {
		const struct apt_entry *e = &apt->e[i];

		if ((e->type != APT_REGION) && (e->type != APT_CONSUMED)) {
			continue;
		}
		/* Both ranges are non-empty and do not wrap. */
		if ((base < e->base + e->size) && (e->base < base + size)) {
			return true;
		}
	}
	return false;
}
