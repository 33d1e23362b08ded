/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scheme to backend table. Adding a backend adds a row.
 */
#include <errno.h>
#include <string.h>

#include <caec/caec.h>

#include "../ring/ring_priv.h"
#include "backend.h"

int
backend_lookup(const char *scheme, const struct backend_ops **ops)
{
	static const char *const planned[] = { "nw-openssl", "nw-mbedtls",
					       "csm" };
	size_t i;

	if (!strcmp(scheme, "nw")) {
		*ops = &backend_nw_ops;
		return 0;
	}
	for (i = 0; i < sizeof(planned) / sizeof(planned[0]); i++)
		if (!strcmp(scheme, planned[i]))
			return caec_set_detail(-ENOTSUP,
				"scheme '%s' is not available in this build of libcaec",
				scheme);
	return caec_set_detail(-EINVAL,
		"unknown scheme '%s' (known: nw, nw-openssl, nw-mbedtls, csm)",
		scheme);
}
