/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed reads of decoded CBOR (libcbor items) for the token verifier: the
 * claims maps of a CCA token, its software components, COSE headers.
 *
 * Every map a verifier reads goes through cm_check_keys() first: integer
 * keys only, none twice. A CBOR decoder keeps a repeated key (RFC 8949
 * leaves it to the application), and two values for one claim are two
 * stories a signer told; the verifier believes neither.
 */
#ifndef CAEC_CLAIM_MAP_H
#define CAEC_CLAIM_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

/* The value of a uint or negint that fits int64_t (false for NULL). */
bool cm_int(const cbor_item_t *it, int64_t *v);

/* The value of a uint (false for NULL or anything else). */
bool cm_uint(const cbor_item_t *it, uint64_t *v);

/*
 * cm_check_keys - every key of map @m is an integer (uint or negint within
 * int64_t) and none repeats.
 * RETURN VALUE: 0; -EBADMSG with @why ("@what: ..." naming the key);
 * -ENOMEM.
 */
int cm_check_keys(const cbor_item_t *m, const char *what, char *why,
		  size_t wl);

/* The value of @key in @m (whose keys cm_check_keys() accepted), or NULL. */
cbor_item_t *cm_get(const cbor_item_t *m, int64_t key);

/* A definite byte string's bytes and length, or NULL. */
const uint8_t *cm_bstr(const cbor_item_t *it, size_t *len);

/* A definite text string's bytes (not NUL-terminated) and length, or NULL. */
const char *cm_tstr(const cbor_item_t *it, size_t *len);

/* Is @it the text string @s, exactly? */
bool cm_tstr_is(const cbor_item_t *it, const char *s);

/* The CBOR type of @it in words, for messages ("a byte string", ...). */
const char *cm_type_name(const cbor_item_t *it);

/*
 * token_fail - write the reason (printf format) into @why, when there is
 * room, and return @rc: the verifier's way of failing with a sentence.
 */
int token_fail(int rc, char *why, size_t wl, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* CAEC_CLAIM_MAP_H */
