/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal consumer: attach to a channel and echo every message back until
 * the provider closes it.
 *
 *   cc consumer.c $(pkg-config --cflags --libs libcaec) -o consumer
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include <caec/caec.h>

int
main(int argc, char **argv)
{
	const char *uri = argc > 1 ? argv[1] : "nw:shm/caec-demo";
	struct caec_channel *ch;
	char buf[4096];
	ssize_t len;
	struct timespec pause = { 0, 50000000 };
	int rc, tries;

	/* The provider may not have created the channel yet. */
	for (tries = 0; tries < 100; tries++) {
		rc = caec_channel_attach(uri, NULL, &ch);
		if (rc != -ENOENT && rc != -EPROTO)
			break;
		nanosleep(&pause, NULL);
	}
	if (rc) {
		fprintf(stderr, "consumer: %s: %s (%s)\n", uri,
			caec_strerror(rc), caec_error_detail());
		return 1;
	}
	for (;;) {
		len = caec_channel_recv(ch, buf, sizeof(buf), 0, 10000);
		if (len < 0)
			break;
		rc = caec_channel_send(ch, buf, (size_t)len, 0, 10000);
		if (rc)
			break;
	}
	caec_channel_close(ch);
	if (len != -EPIPE) {
		fprintf(stderr, "consumer: %s\n", caec_strerror((int)len));
		return 1;
	}
	printf("consumer: provider closed the channel\n");
	return 0;
}
