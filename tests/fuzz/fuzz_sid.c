/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the sharing-id parser caec_csm_sid_parse() (the location of
 * csm:attach/ URIs). INPUT: the text (a NUL ends it early).
 * INVARIANT: what parses formats back to text that parses to the same id.
 */
#include <stdlib.h>
#include <string.h>

#include <caec/csm.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct caec_csm_sid sid, again;
	char buf[CAEC_CSM_SID_STRLEN];
	char *s;

	s = fuzz_cstr(data, size);
	if (!s)
		return 0;
	if (!caec_csm_sid_parse(s, &sid)) {
		if (caec_csm_sid_format(&sid, buf, sizeof(buf)) ||
		    caec_csm_sid_parse(buf, &again) ||
		    memcmp(&sid, &again, sizeof(sid)))
			abort();
	}
	free(s);
	return 0;
}
