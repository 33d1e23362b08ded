/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A caec-rmmd client that speaks the wire protocol (src/proto/) itself,
 * without libcaec: what a hostile realm uses to do what the library never
 * would (keep descriptors, never acknowledge, pipeline requests). Nothing
 * here uses cmocka.
 */
#ifndef CAEC_TEST_RMMD_RAW_H
#define CAEC_TEST_RMMD_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "../../src/proto/rmmd_proto.h"

struct raw_reply {
	struct rmmd_hdr h;
	struct rmmd_reply r;
	int fd;			/* the descriptor that came with it, or -1 */
};

/* Connect to @path. RETURN VALUE: the socket, or -1. */
int raw_connect(const char *path);

/*
 * raw_next - the next packet that is a reply (events are skipped, their
 * descriptors closed, never acknowledged), within @timeout_ms.
 * RETURN VALUE: 0, or -1 (timeout, EOF, malformed).
 */
int raw_next(int fd, struct raw_reply *out, int timeout_ms);

/*
 * raw_call - send request @type with @body, wait 5 s for its reply.
 * @out may be NULL (a descriptor is then closed).
 * RETURN VALUE: the reply's status, or INT32_MIN (no reply).
 */
int raw_call(int fd, uint16_t type, const void *body, size_t len,
	     struct raw_reply *out);

/* HELLO; *@id (may be NULL) the realm id. RETURN VALUE: as raw_call(). */
int raw_hello(int fd, uint64_t *id);

#endif /* CAEC_TEST_RMMD_RAW_H */
