/* SPDX-License-Identifier: BSD-3-Clause */
#include <caec/caec.h>

#include "check.h"

void
detail_reset(void)
{
	caec_ring_format(NULL, 0, 0, 0, 0);	/* "... 64-byte aligned" */
}
