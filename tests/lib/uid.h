/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Realms under distinct uids: a forked child drops to a numeric uid and
 * gid of its own (setgroups, setresgid, setresuid; no exec and no user
 * database needed). Only root can; tests that need it skip otherwise.
 * Nothing here uses cmocka.
 */
#ifndef CAEC_TEST_UID_H
#define CAEC_TEST_UID_H

#include <stdbool.h>
#include <sys/types.h>

/* Numeric ids no system user is likely to have: TEST_UID(0), (1), ... */
#define TEST_UID(n) ((uid_t)(61000 + (n)))

/* Can this process give its children other uids (is it root)? */
bool test_uids_available(void);

/*
 * test_become - in a forked child: become uid @uid, gid @uid, no
 * supplementary groups, dumpable as a process that user started would be.
 * @uid 0 (or the current uid): nothing changes.
 * RETURN VALUE: 0, or -1 (errno set).
 */
int test_become(uid_t uid);

/* test_become() with gid @gid (and no supplementary groups). */
int test_become_ids(uid_t uid, gid_t gid);

#endif /* CAEC_TEST_UID_H */
