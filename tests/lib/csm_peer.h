/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forked CSM peers for the csm tests. Each forked process is its own realm
 * (its first CSM call connects to the service the test started); the test
 * and its peers exchange realm ids and sharing ids over two pipes, the way
 * realm owners would after verifying each other's attestation tokens.
 *
 * Nothing here uses cmocka: peers report through their exit status and
 * stderr.
 */
#ifndef CAEC_TEST_CSM_PEER_H
#define CAEC_TEST_CSM_PEER_H

#include <stddef.h>
#include <sys/types.h>

#include <caec/caec.h>

struct peer {
	pid_t pid;
	int rd;			/* from the peer */
	int wr;			/* to the peer */
};

/*
 * Exact-size pipe I/O: all @n bytes or failure (a peer that died reads as
 * failure). RETURN VALUE: 0 or -1.
 */
int pipe_put(int fd, const void *p, size_t n);
int pipe_get(int fd, void *p, size_t n);

/*
 * Fork a peer running @fn(rd, wr, arg); its return value is the exit
 * status. RETURN VALUE: 0, or -1 (pipe or fork failed).
 */
int peer_start(struct peer *p, int (*fn)(int rd, int wr, void *arg),
	       void *arg);

/*
 * Wait for the peer (SIGKILL after @timeout_ms) and close its pipes.
 * RETURN VALUE: its exit status, 128 + signal when killed by one, -1 on
 * timeout.
 */
int peer_wait(struct peer *p, unsigned int timeout_ms);

/*
 * In a peer: say on stderr what failed (@rc in words and the error detail).
 * RETURN VALUE: @code, the peer's exit status.
 */
int peer_fail(int code, const char *what, int rc);

/* The text URI a consumer attaches with: csm:attach/SID. */
void csm_attach_uri(char *buf, size_t len, const struct caec_csm_sid *sid);

#endif /* CAEC_TEST_CSM_PEER_H */
