/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging to stderr, one line per event, prefixed "caec-rmmd: ".
 */
#include <stdarg.h>
#include <stdio.h>

#include "rmmd.h"

static int level = 1;

void
rmmd_log_init(int verbosity)
{
	level = verbosity;
}

static void __attribute__((format(printf, 2, 0)))
vlog(const char *tag, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "caec-rmmd: %s%s\n", tag, line);
}

void
rmmd_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}

void
rmmd_info(const char *fmt, ...)
{
	va_list ap;

	if (level < 1)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void
rmmd_debug(const char *fmt, ...)
{
	va_list ap;

	if (level < 2)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}
