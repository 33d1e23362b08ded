/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal CBOR encoder (RFC 8949): unsigned and negative integers, array
 * and map heads, always in the shortest form (deterministic encoding). On
 * overflow it stops writing and sets c->overflow; callers check once.
 */
#include "csm_priv.h"

void
cbor_enc_init(struct cbor_enc *c, uint8_t *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->off = 0U;
	c->overflow = false;
}

static void
put_byte(struct cbor_enc *c, uint8_t b)
{
	if (c->off >= c->len) {
		c->overflow = true;
		return;
	}
	c->buf[c->off++] = b;
}

/* Major type @mt (0..7) with argument @v, shortest encoding. */
static void
put_head(struct cbor_enc *c, unsigned int mt, uint64_t v)
{
	unsigned int n, i;
	uint8_t ai;

	if (v < 24U) {
		put_byte(c, (uint8_t)((mt << 5) | (unsigned int)v));
		return;
	}
	if (v <= 0xffU) {
		ai = 24U;
		n = 1U;
	} else if (v <= 0xffffU) {
		ai = 25U;
		n = 2U;
	} else if (v <= 0xffffffffU) {
		ai = 26U;
		n = 4U;
	} else {
		ai = 27U;
		n = 8U;
	}
	put_byte(c, (uint8_t)((mt << 5) | ai));
	for (i = n; i > 0U; i--) {
		put_byte(c, (uint8_t)(v >> (8U * (i - 1U))));
	}
}

void
cbor_put_uint(struct cbor_enc *c, uint64_t v)
{
	put_head(c, 0U, v);
}

void
cbor_put_int(struct cbor_enc *c, int64_t v)
{
	if (v >= 0) {
		put_head(c, 0U, (uint64_t)v);
	} else {
		/* Major type 1 encodes -1 - n. */
		put_head(c, 1U, (uint64_t)(-(v + 1)));
	}
}

void
cbor_put_array(struct cbor_enc *c, uint64_t n)
{
	put_head(c, 4U, n);
}

void
cbor_put_map(struct cbor_enc *c, uint64_t n)
{
	put_head(c, 5U, n);
}
