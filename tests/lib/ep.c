/* SPDX-License-Identifier: BSD-3-Clause */
#include "ep.h"

struct ep
ep_channel(struct caec_channel *ch)
{
	struct ep e = { ch, caec_channel_tx(ch), caec_channel_rx(ch) };

	return e;
}

struct ep
ep_rings(struct caec_ring *tx, struct caec_ring *rx)
{
	struct ep e = { NULL, tx, rx };

	return e;
}

int
ep_send(struct ep *e, const void *b, size_t n, unsigned int f, int to)
{
	return e->ch ? caec_channel_send(e->ch, b, n, f, to) :
		       caec_ring_send(e->tx, b, n, f, to);
}

int
ep_reserve(struct ep *e, size_t n, void **pl, int to)
{
	return e->ch ? caec_channel_reserve(e->ch, n, pl, to) :
		       caec_ring_reserve(e->tx, n, pl, to);
}

int
ep_commit(struct ep *e, size_t n, unsigned int f)
{
	return e->ch ? caec_channel_commit(e->ch, n, f) :
		       caec_ring_commit(e->tx, n, f);
}

int
ep_flush(struct ep *e)
{
	return e->ch ? caec_channel_flush(e->ch) : caec_ring_flush(e->tx);
}

ssize_t
ep_recv(struct ep *e, void *b, size_t cap, unsigned int f, int to)
{
	return e->ch ? caec_channel_recv(e->ch, b, cap, f, to) :
		       caec_ring_recv(e->rx, b, cap, f, to);
}

ssize_t
ep_peek(struct ep *e, const void **pl, int to)
{
	return e->ch ? caec_channel_peek(e->ch, pl, to) :
		       caec_ring_peek(e->rx, pl, to);
}

int
ep_release(struct ep *e, unsigned int f)
{
	return e->ch ? caec_channel_release(e->ch, f) :
		       caec_ring_release(e->rx, f);
}
