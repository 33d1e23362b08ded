/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An encrypted channel with both ends open in this process over a fresh
 * /dev/shm object, and the hypervisor's writable view of its region
 * (hv_view.h): the fixture of the encrypted-channel tests. The creator may
 * be opened alone first, so that a test can change the region before the
 * attacher reads it. Nothing here uses cmocka: the calls return 0 or the
 * failing call's negative errno (caec_error_detail() says more).
 */
#ifndef CAEC_TEST_AEAD_PAIR_H
#define CAEC_TEST_AEAD_PAIR_H

#include <stdint.h>

#include <caec/caec.h>

#include "hv_view.h"

struct aead_pair_cfg {
	const char *scheme_c;	/* the creator's scheme, e.g. "nw-openssl" */
	const char *scheme_a;	/* the attacher's */
	const uint8_t *key_c;	/* 32 bytes each */
	const uint8_t *key_a;
	uint32_t ring_size;	/* 0: 16 KiB */
	uint32_t max_msg;	/* 0: the ring's limit */
};

struct aead_pair {
	char name[64];		/* the shm object's name */
	struct caec_channel *c;	/* creator, NULL when not (or no longer) open */
	struct caec_channel *a;	/* attacher, likewise */
	struct hv_view hv;	/* the whole region, writable */
	struct aead_pair_cfg cfg;
};

/*
 * Create the channel (a new shm name per call) and map the view; the
 * attacher stays closed. On failure nothing is left open.
 */
int aead_pair_create(struct aead_pair *p, const struct aead_pair_cfg *cfg);

/* Attach the other end (after aead_pair_create()). */
int aead_pair_attach(struct aead_pair *p);

/* Both: aead_pair_create(), then aead_pair_attach(). */
int aead_pair_open(struct aead_pair *p, const struct aead_pair_cfg *cfg);

/* Close the ends still open and unmap the view. */
void aead_pair_close(struct aead_pair *p);

#endif /* CAEC_TEST_AEAD_PAIR_H */
