/* SPDX-License-Identifier: BSD-3-Clause */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/attest/sha256.h"	/* the csm tests link sha256.c */
#include "csm_service.h"

struct caec_csm_service *csm_svc;

int
csm_group_setup(void **state)
{
	int rc = caec_csm_service_start(&csm_svc);

	(void)state;
	if (rc)
		fprintf(stderr, "caec_csm_service_start: %s (%s)\n",
			caec_strerror(rc), caec_error_detail());
	return rc ? -1 : 0;
}

int
csm_group_teardown(void **state)
{
	(void)state;
	caec_csm_service_stop(csm_svc);
	return 0;
}

int
exe_measurement(uint8_t out[32])
{
	uint8_t buf[65536];
	struct sha256 s;
	ssize_t n;
	int fd;

	if (getenv("CAEC_TEST_EMULATED"))
		return -1;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&s, buf, (size_t)n);
	close(fd);
	sha256_final(&s, out);
	return 0;
}
