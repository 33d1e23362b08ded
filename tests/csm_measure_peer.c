/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The far side of test-csm-measure (not a test itself): a realm that
 * speaks caec-rmmd's protocol by hand.
 *
 *   csm_measure_peer hello SOCKET   connect, HELLO, print the measurement
 *                                   the daemon took of this program (64 hex
 *                                   digits) and exit 0
 *   csm_measure_peer token FD       on connection FD, inherited across the
 *                                   execve() that started this program, ask
 *                                   for a token and print the reply's
 *                                   status (-13: refused, as it must be)
 *
 * patch_area is what the test rewrites in a copy of this executable: other
 * bytes, the same size, the same program otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rmmd_raw.h"

static volatile const char patch_area[] = "CAEC-MEASURE-PATCH-AREA:0123456789abcdef";

static int
hello(const char *sock)
{
	struct rmmd_req_hello h = { RMMD_VERSION, RMMD_VERSION, 0 };
	struct raw_reply rr;
	int fd = raw_connect(sock), rc, i;

	if (fd < 0)
		return 1;
	rc = raw_call(fd, RMMD_T_HELLO, &h, sizeof(h), &rr);
	if (rc) {
		fprintf(stderr, "HELLO: %d\n", rc);
		return 1;
	}
	for (i = 0; i < 32; i++)
		printf("%02x", rr.r.data[i]);
	printf("\n");
	return patch_area[0] == 'C' ? 0 : 1;
}

static int
token(int fd)
{
	struct rmmd_req_token q;

	memset(&q, 0x5c, sizeof(q));
	printf("%d\n", raw_call(fd, RMMD_T_TOKEN, &q, sizeof(q), NULL));
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hello"))
		return hello(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "token"))
		return token(atoi(argv[2]));
	fprintf(stderr, "usage: %s hello SOCKET | token FD\n", argv[0]);
	return 2;
}
