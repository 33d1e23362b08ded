/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CBOR diagnostic notation (RFC 8949 §8, the subset claim sets use) and
 * JSON, read into libcbor items: the test vectors of CCA claim sets come in
 * both. JSON is read as the diagnostic notation it is a subset of, so a
 * JSON object is a map with text keys and its base64 strings stay text
 * (cca_build.h turns a JSON claim set into claims).
 *
 * Accepted: maps { k: v, ... }, arrays [ ... ], unsigned and negative
 * integers, "text" (JSON escapes, \uXXXX within the BMP), h'hex' (spaces
 * allowed), b64'...', << item, ... >> (embedded CBOR: a byte string of
 * the items' encodings), tags N(item), true, false, null, and comments
 * / ... /. Integers are built in their shortest encoding.
 */
#ifndef CAEC_TEST_DIAG_H
#define CAEC_TEST_DIAG_H

#include <stddef.h>

#include <cbor.h>

/*
 * diag_parse - the one item @text holds (NUL-terminated), or NULL with
 * @err (may be NULL) saying where it went wrong.
 */
cbor_item_t *diag_parse(const char *text, char *err, size_t errlen);

/* diag_parse() of the file at @path; NULL if unreadable or malformed. */
cbor_item_t *diag_parse_file(const char *path, char *err, size_t errlen);

/* A CBOR integer in its shortest encoding (deterministic CBOR). */
cbor_item_t *diag_int(int64_t v);

/* Standard base64 (RFC 4648 §4, padded, nothing else): 0 and @out's
 * length in *@len, or -1. @out holds at least 3 * strlen / 4 bytes. */
int diag_base64(const char *s, size_t n, uint8_t *out, size_t *len);

#endif /* CAEC_TEST_DIAG_H */
