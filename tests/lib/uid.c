/* SPDX-License-Identifier: BSD-3-Clause */
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "uid.h"

bool
test_uids_available(void)
{
	return geteuid() == 0;
}

int
test_become_ids(uid_t uid, gid_t gid)
{
	if (uid == 0 || uid == geteuid())
		return 0;
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -1;
	/* A change of uid makes a process undumpable; one that user started
	 * would be dumpable (and measurable by a daemon of its uid). */
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

int
test_become(uid_t uid)
{
	return test_become_ids(uid, (gid_t)uid);
}
