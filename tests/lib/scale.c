/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "scale.h"

uint64_t
test_scaled(uint64_t n, uint64_t min)
{
	const char *s = getenv("CAEC_TEST_SCALE");
	double f = s ? strtod(s, NULL) : 1.0;
	uint64_t v;

	if (!(f > 0))
		f = 1.0;
	v = (uint64_t)((double)n * f);
	return v < min ? min : v;
}
