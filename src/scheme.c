/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Schemes: which backend gives a channel its region, and which AEAD library
 * protects its messages. Adding a scheme adds a row; the cipher is the
 * channel header's transform id (aead.c's table).
 */
#include <errno.h>
#include <string.h>

#include <caec/caec.h>

#include "channel_priv.h"
#include "error.h"

struct scheme_row {
	const char *scheme;
	const struct backend_ops *ops;	/* NULL: not built in */
	enum aead_lib lib;		/* AEAD_LIB_NONE: plaintext */
};

static const struct scheme_row schemes[] = {
	{ "nw", &backend_nw_ops, AEAD_LIB_NONE },
#if defined(CAEC_HAVE_OPENSSL)
	{ "nw-openssl", &backend_nw_ops, AEAD_LIB_OPENSSL },
#else
	{ "nw-openssl", NULL, AEAD_LIB_OPENSSL },
#endif
#if defined(CAEC_HAVE_MBEDTLS)
	{ "nw-mbedtls", &backend_nw_ops, AEAD_LIB_MBEDTLS },
#else
	{ "nw-mbedtls", NULL, AEAD_LIB_MBEDTLS },
#endif
#if defined(CAEC_HAVE_CSM)
	{ "csm", &backend_csm_ops, AEAD_LIB_NONE },
#else
	{ "csm", NULL, AEAD_LIB_NONE },
#endif
};

int
chan_scheme(const char *scheme, const struct backend_ops **ops,
	    enum aead_lib *lib)
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
		*lib = schemes[i].lib;
		return 0;
	}
	return caec_set_detail(-EINVAL,
		"unknown scheme '%s' (known: nw, nw-openssl, nw-mbedtls, csm)",
		scheme);
}
