/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scheme to backend table. Adding a backend adds a row.
 */
#include <errno.h>
#include <string.h>

#include <caec/caec.h>

#include "../error.h"
#include "backend.h"

struct scheme_row {
	const char *scheme;
	const struct backend_ops *ops;	/* NULL: not built in */
	const char *aead;		/* AEAD family, NULL for plaintext */
};

static const struct scheme_row schemes[] = {
	{ "nw", &backend_nw_ops, NULL },
#if defined(CAEC_HAVE_OPENSSL)
	{ "nw-openssl", &backend_nw_ops, "openssl" },
#else
	{ "nw-openssl", NULL, NULL },
#endif
#if defined(CAEC_HAVE_MBEDTLS)
	{ "nw-mbedtls", &backend_nw_ops, "mbedtls" },
#else
	{ "nw-mbedtls", NULL, NULL },
#endif
#if defined(CAEC_HAVE_CSM)
	{ "csm", &backend_csm_ops, NULL },
#else
	{ "csm", NULL, NULL },
#endif
};

int
backend_lookup(const char *scheme, const struct backend_ops **ops,
	       const char **aead)
{
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strcmp(scheme, schemes[i].scheme))
			continue;
		if (!schemes[i].ops)
			return caec_set_detail(-ENOTSUP,
				"scheme '%s' is not available in this build of libcaec",
				scheme);
		*ops = schemes[i].ops;
		*aead = schemes[i].aead;
		return 0;
	}
	return caec_set_detail(-EINVAL,
		"unknown scheme '%s' (known: nw, nw-openssl, nw-mbedtls, csm)",
		scheme);
}
