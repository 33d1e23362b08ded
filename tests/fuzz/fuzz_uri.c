/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the channel URI parser (src/uri.c), uri_parse() and
 * uri_parse_size(). INPUT: the URI text (a NUL ends it early).
 * INVARIANTS: a parsed URI's strings are terminated within their arrays, a
 * ring size parsed is never zero.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct caec_uri *u;
	uint64_t v;
	char *s;

	s = fuzz_cstr(data, size);
	u = malloc(sizeof(*u));
	if (!s || !u)
		goto out;
	if (!uri_parse(s, u)) {
		if (!memchr(u->scheme, 0, sizeof(u->scheme)) ||
		    !memchr(u->location, 0, sizeof(u->location)) ||
		    !memchr(u->key_file, 0, sizeof(u->key_file)) ||
		    !memchr(u->cipher, 0, sizeof(u->cipher)))
			abort();
	}
	(void)uri_parse_size(s, &v);
out:
	free(u);
	free(s);
	return 0;
}
