/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An endpoint: one side's view of a duplex path, either a channel or a pair
 * of raw rings (either ring may be NULL when that side only sends or only
 * receives). The ep_*() calls are the channel calls of the same name when
 * there is a channel, else the ring calls on the transmit (send, reserve,
 * commit, flush) or the receive ring (recv, peek, release), with the same
 * arguments and return values. Nothing here uses cmocka.
 */
#ifndef CAEC_TEST_EP_H
#define CAEC_TEST_EP_H

#include <stddef.h>
#include <sys/types.h>

#include <caec/caec.h>

struct ep {
	struct caec_channel *ch;
	struct caec_ring *tx;
	struct caec_ring *rx;
};

/* The endpoint of channel @ch (tx and rx are its rings). */
struct ep ep_channel(struct caec_channel *ch);

/* The endpoint of the raw rings @tx and @rx. */
struct ep ep_rings(struct caec_ring *tx, struct caec_ring *rx);

int ep_send(struct ep *e, const void *b, size_t n, unsigned int f, int to);
int ep_reserve(struct ep *e, size_t n, void **pl, int to);
int ep_commit(struct ep *e, size_t n, unsigned int f);
int ep_flush(struct ep *e);
ssize_t ep_recv(struct ep *e, void *b, size_t cap, unsigned int f, int to);
ssize_t ep_peek(struct ep *e, const void **pl, int to);
int ep_release(struct ep *e, unsigned int f);

#endif /* CAEC_TEST_EP_H */
