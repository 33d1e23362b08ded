/* SPDX-License-Identifier: BSD-3-Clause */
#include <grp.h>
#include <unistd.h>

#include "uid.h"

bool
test_uids_available(void)
{
	return geteuid() == 0;
}

int
test_become(uid_t uid)
{
	if (uid == 0 || uid == geteuid())
		return 0;
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -1;
	return 0;
}
