/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal provider: create a channel, send N greetings, wait for each echo.
 *
 *   cc provider.c $(pkg-config --cflags --libs libcaec) -o provider
 *   ./provider nw:shm/demo 5 &  ./consumer nw:shm/demo
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <caec/caec.h>

int
main(int argc, char **argv)
{
	const char *uri = argc > 1 ? argv[1] : "nw:shm/caec-demo";
	int n = argc > 2 ? atoi(argv[2]) : 5;
	struct caec_channel *ch;
	char msg[64], echo[64];
	ssize_t len;
	int i, rc;

	rc = caec_channel_create(uri, NULL, &ch);
	if (rc) {
		fprintf(stderr, "provider: %s: %s (%s)\n", uri,
			caec_strerror(rc), caec_error_detail());
		return 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "hello #%d", i);
		rc = caec_channel_send(ch, msg, strlen(msg), 0, 10000);
		if (rc)
			break;
		len = caec_channel_recv(ch, echo, sizeof(echo), 0, 10000);
		if (len < 0) {
			rc = (int)len;
			break;
		}
		printf("provider: sent '%s', echo '%.*s'\n", msg, (int)len,
		       echo);
	}
	caec_channel_close(ch);
	if (rc) {
		fprintf(stderr, "provider: %s\n", caec_strerror(rc));
		return 1;
	}
	return 0;
}
