/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmocka side of the csm tests (include after <cmocka.h>): waiting for a
 * peer, and the provider's and consumer's halves of setting up a csm:
 * channel the way two realm owners do (realm id one way, sharing id back).
 * The test side asserts; consume_channel() runs in a forked peer and
 * reports through its return value.
 */
#ifndef CAEC_TEST_CSM_FIXTURE_H
#define CAEC_TEST_CSM_FIXTURE_H

#include <caec/caec.h>

#include "csm_peer.h"

#define TIMEOUT_MS 30000
#define PEER_WAIT_MS 180000

/* The peer must exit with status @want within PEER_WAIT_MS. */
void expect_peer(struct peer *p, int want);

/*
 * Provider side: get the peer's realm id, create csm:share/ID@query, send
 * the sharing id. RETURN VALUE: the channel (any failure fails the test).
 */
struct caec_channel *provide_channel(struct peer *p, const char *query);

/*
 * Consumer side, in the peer: send our realm id, get the sharing id,
 * attach; *@sid_out (if not NULL) is the sharing id.
 * RETURN VALUE: 0, or the peer's exit status (peer_fail()).
 */
int consume_channel(int rd, int wr, struct caec_channel **ch,
		    struct caec_csm_sid *sid_out);

/*
 * The memfd behind a csm region mapped in this process, found the way an
 * attacker would (/proc/self/fd). RETURN VALUE: the descriptor, or -1.
 */
int find_region_fd(void);

#endif /* CAEC_TEST_CSM_FIXTURE_H */
