/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-attest's output: a token's claims as text (one claim a line, bytes
 * in hex) or as JSON under the names veraison's evcli writes (bytes in
 * base64, as Go encodes them), and the CSM membership claim in words.
 */
#ifndef CAEC_ATTEST_PRINT_H
#define CAEC_ATTEST_PRINT_H

#include <stdio.h>

#include "../src/attest/token.h"

/*
 * attest_print_json - {"cca-platform-token": {...}, "cca-realm-delegated-
 * token": {...}}: every claim of @v's two maps, in token order; a key no
 * profile names appears as its number.
 */
void attest_print_json(FILE *f, const struct token_view *v);

/* Every claim of @v's two maps, one a line: "  NAME (KEY): VALUE". */
void attest_print_text(FILE *f, const struct token_view *v);

/* The csm-membership claim (firmware-patches/ABI.md §5), one line each. */
void attest_print_membership(FILE *f, const uint8_t *buf, size_t len);

#endif /* CAEC_ATTEST_PRINT_H */
