/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error strings and the per-thread error detail.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <caec/caec.h>

#include "error.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define CAEC_VERSION_STRING \
	STR(CAEC_VERSION_MAJOR) "." STR(CAEC_VERSION_MINOR) "." STR(CAEC_VERSION_PATCH)

static __thread char detail[256];

struct err_row {
	int err;
	const char *text;
};

/* One row per code the library returns; the public header lists the same. */
static const struct err_row err_table[] = {
	{ EAGAIN, "ring full or empty: the call would block" },
	{ EMSGSIZE, "message too large for the ring, or receive buffer too small for the next message" },
	{ EPROTO, "the peer or the shared header broke the ring protocol" },
	{ EBADMSG, "message authentication failed" },
	{ ETIMEDOUT, "timed out waiting for the peer" },
	{ EPIPE, "the peer closed the channel" },
	{ ECONNRESET, "the peer's process ended without closing the channel" },
	{ EDQUOT, "the CSM service's quota for this realm is used up" },
	{ ENOTSUP, "backend or scheme not available in this build" },
	{ EACCES, "access to the shared region was denied" },
	{ EINVAL, "invalid argument" },
	{ ENOENT, "no such shared region" },
	{ EEXIST, "a shared region of that name already exists" },
	{ ENOMEM, "out of memory" },
	{ ENOSPC, "shared region too small for the requested rings" },
	{ EBADF, "bad file descriptor" },
	{ EBUSY, "resource busy" },
	{ EOVERFLOW, "sequence space of the channel exhausted: re-create it" },
	{ EIO, "the cryptographic library failed" },
	{ ENOLINK, "the CSM service the region was made through went away" },
	{ ECHILD, "encrypted channel inherited through fork(): only the process that opened it may use it" },
};

const char *
caec_strerror(int err)
{
	size_t i;

	if (err == 0)
		return "success";
	if (err > 0)
		err = -err;
	for (i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (-err_table[i].err == err)
			return err_table[i].text;
	return "unknown error";
}

const char *
caec_error_detail(void)
{
	return detail;
}

/* Record a detail sentence for this thread and return @err unchanged. */
int
caec_set_detail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return err;
}

const char *
caec_version(void)
{
	return CAEC_VERSION_STRING;
}
