/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Channel URI parsing: "SCHEME:LOCATION[?key=value&...]".
 */
#ifndef CAEC_URI_H
#define CAEC_URI_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define URI_MAX 4096

struct caec_uri {
	char scheme[16];
	char location[URI_MAX];
	/* query keys; has_* says whether the key was given */
	bool has_ring, has_max_msg, has_wake, has_wait;
	char key_file[PATH_MAX];	/* key=PATH, "" if absent */
	char cipher[32];		/* cipher=NAME, "" if absent */
	uint32_t ring;
	uint32_t max_msg;
	bool nowake;
	uint32_t wait_mode;
	bool reclaim;			/* reclaim=1: nw:shm create may take
					 * over a name whose users are dead */
};

/* Parse @text into @u. RETURN VALUE: 0 or -EINVAL (detail recorded). */
int uri_parse(const char *text, struct caec_uri *u);

/* Parse a size with an optional K/M/G suffix. RETURN VALUE: 0 or -EINVAL. */
int uri_parse_size(const char *s, uint64_t *out);

#endif /* CAEC_URI_H */
