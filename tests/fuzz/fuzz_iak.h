/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_iak - the fixed platform key of the token target (fuzz_iak.c), with
 * its private half: NULL on failure. The caller frees it.
 */
#ifndef CAEC_FUZZ_IAK_H
#define CAEC_FUZZ_IAK_H

#include <openssl/evp.h>

EVP_PKEY *fuzz_iak(void);

/* The challenge every seed token answers (the realm's claim 10). */
#define FUZZ_CHALLENGE_BYTE 0xab

#endif /* CAEC_FUZZ_IAK_H */
