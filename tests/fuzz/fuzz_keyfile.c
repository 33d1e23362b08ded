/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the key-file parser aead_key_load_file()
 * (src/crypto_baseline/aead_key.c). INPUT: the file's bytes, read through a
 * memfd as the library reads a key file.
 * INVARIANT: a key loaded is never all zero; a failure leaves the output
 * untouched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto_baseline/aead.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zero[AEAD_KEY_LEN];
	uint8_t key[AEAD_KEY_LEN];
	char path[64];
	int fd, rc;

	fd = fuzz_memfd(data, size, size, 0);
	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(key, 0, sizeof(key));
	rc = aead_key_load_file(path, key);
	if ((rc == 0) != (memcmp(key, zero, sizeof(key)) != 0))
		abort();
	close(fd);
	return 0;
}
