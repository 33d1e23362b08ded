/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csm_fixture.h"

void
expect_peer(struct peer *p, int want)
{
	int rc = peer_wait(p, PEER_WAIT_MS);

	if (rc != want)
		fail_msg("peer exit status %d, expected %d (see stderr)", rc,
			 want);
}

struct caec_channel *
provide_channel(struct peer *p, const char *query)
{
	struct caec_channel *ch;
	struct caec_csm_sid sid;
	char uri[96];
	uint64_t id;
	int rc;

	assert_int_equal(pipe_get(p->rd, &id, sizeof(id)), 0);
	snprintf(uri, sizeof(uri), "csm:share/%016llx%s",
		 (unsigned long long)id, query);
	rc = caec_channel_create(uri, NULL, &ch);
	if (rc)
		fail_msg("create %s: %s (%s)", uri, caec_strerror(rc),
			 caec_error_detail());
	assert_rc(caec_channel_csm_sid(ch, &sid), 0);
	assert_int_equal(pipe_put(p->wr, &sid, sizeof(sid)), 0);
	return ch;
}

int
consume_channel(int rd, int wr, struct caec_channel **ch,
		struct caec_csm_sid *sid_out)
{
	struct caec_csm_sid sid;
	char uri[128];
	uint64_t id;
	int rc;

	rc = caec_csm_realm_id(&id);
	if (rc)
		return peer_fail(10, "realm id", rc);
	if (pipe_put(wr, &id, sizeof(id)) || pipe_get(rd, &sid, sizeof(sid)))
		return peer_fail(11, "pipe", -EPIPE);
	csm_attach_uri(uri, sizeof(uri), &sid);
	rc = caec_channel_attach(uri, NULL, ch);
	if (rc)
		return peer_fail(12, uri, rc);
	if (sid_out)
		*sid_out = sid;
	return 0;
}

int
find_region_fd(void)
{
	char path[300], link[256];
	struct dirent *de;
	ssize_t n;
	DIR *d = opendir("/proc/self/fd");
	int fd = -1;

	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strstr(link, "memfd:caec-csm")) {
			fd = atoi(de->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
	return fd;
}
