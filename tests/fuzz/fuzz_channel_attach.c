/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: channel attach (src/channel.c): the channel header, both
 * rings' headers and their geometry against it, as a creator (or the host)
 * left them in the region; for encrypted channels also the transform set-up
 * (channel_aead.c). Then a few receives on what was attached.
 *
 * INPUT
 *   0     bit 0: attach as nw-openssl (with a fixed key) instead of nw;
 *         bits 3:1: the region's size, (value + 1) pages (the input
 *         bytes beyond it are dropped, the region's rest is zero)
 *   1..   the region's bytes from offset 0
 *
 * The region is a sealed memfd attached as nw:fd/N, as a peer handed it.
 * INVARIANT: a message received fits the buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <caec/caec.h>
#include <caec/channel.h>

#include "fuzz_util.h"

#define PAGE 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int key_fd = -1;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
	};
	static uint8_t buf[65536];
	struct caec_channel *ch;
	char uri[128];
	ssize_t n;
	int fd, i;

	if (size < 1)
		return 0;
	if (key_fd < 0)
		key_fd = fuzz_memfd(key, sizeof(key), sizeof(key), 0);
	fd = fuzz_memfd(data + 1, size - 1,
			(size_t)(((data[0] >> 1) & 7) + 1) * PAGE, 1);
	if (fd < 0 || key_fd < 0)
		return 0;
	if (data[0] & 1)
		snprintf(uri, sizeof(uri),
			 "nw-openssl:fd/%d?key=/proc/self/fd/%d", fd, key_fd);
	else
		snprintf(uri, sizeof(uri), "nw:fd/%d", fd);
	if (!caec_channel_attach(uri, NULL, &ch)) {
		for (i = 0; i < 4; i++) {
			n = caec_channel_recv(ch, buf, sizeof(buf), 0, 0);
			if (n < 0)
				break;
			if ((size_t)n > sizeof(buf))
				abort();
		}
		caec_channel_close(ch);
	}
	close(fd);
	return 0;
}
