/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The process's connection to the CSM service. A process is one realm, so
 * there is one connection, made on first use: caec-rmmd when
 * $CAEC_RMMD_SOCKET is set, else /dev/caec-csm when it exists, else
 * caec-rmmd at the default socket. A forked child is another realm: it
 * forgets the parent's connection and regions (pthread_atfork) and makes
 * its own on first use.
 *
 * When caec-rmmd goes away (stopped, restarted) the connection is dead, and
 * the next call connects again: to the service now at the socket, as a new
 * realm with a new id. Each connection has a generation number; a region
 * remembers the one it was made through, and calls about it on a later
 * connection fail with -ENOLINK instead of reaching a service that never
 * knew it (whose ids may name another region by then). Calls in flight
 * hold a reference, so a dead connection is freed after its last call.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <caec/csm_uapi.h>

#include "../error.h"
#include "../proto/rmmd_wire.h"
#include "csm_abi.h"
#include "csm_priv.h"

static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static struct csm_conn *conn;	/* the current connection, or NULL */
static uint32_t conn_gen;	/* generation of the latest connection */

static void
fork_prepare(void)
{
	pthread_mutex_lock(&conn_lock);
	csm_regions_lock();
}

static void
fork_parent(void)
{
	csm_regions_unlock();
	pthread_mutex_unlock(&conn_lock);
}

static void
fork_child(void)
{
	pthread_mutex_init(&conn_lock, NULL);
	csm_regions_reinit();
	if (conn) {
		conn->t->forget(conn);
		free(conn);
		conn = NULL;
	}
	csm_regions_orphan();
}

static void
fork_register(void)
{
	(void)pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void
csm_rmmd_socket_path(char *buf, size_t len)
{
	rmmd_default_socket(buf, len);
}

static int
connect_any(struct csm_conn *c)
{
	const char *env = getenv("CAEC_RMMD_SOCKET");
	char path[256];
	int rc;

#if !defined(CAEC_HAVE_CSM)
	(void)c;
	(void)env;
	(void)path;
	(void)rc;
	return caec_set_detail(-ENOTSUP,
		"this libcaec was built without the csm backend (-Dcsm=disabled)");
#else
	if (!env || !*env) {
		rc = csm_dev_connect(CAEC_CSM_DEVICE, c);
		if (rc != -ENOENT)
			return rc;
	}
	csm_rmmd_socket_path(path, sizeof(path));
	rc = csm_rmmd_connect(path, c);
	if (rc == -ENOENT)
		return caec_set_detail(-ENOTSUP,
			"no CSM service: no %s and no caec-rmmd at %s (start one, or call caec_csm_service_start())",
			CAEC_CSM_DEVICE, path);
	return rc;
#endif
}

/* Drop a reference with conn_lock held; the last one is returned, for
 * conn_free() after the lock is released. */
static struct csm_conn *
conn_unref(struct csm_conn *c)
{
	return --c->refs ? NULL : c;
}

static void
conn_free(struct csm_conn *c)
{
	if (!c)
		return;
	c->t->close(c);
	free(c);
}

/*
 * The connection of generation @gen, with a reference, or -ENOLINK when it
 * went away; @gen 0: the current connection, made now if there is none or
 * it went away.
 */
static int
conn_get_gen(uint32_t gen, struct csm_conn **out)
{
	struct csm_conn *c, *dead = NULL;
	int rc = 0;

	*out = NULL;
	pthread_once(&fork_once, fork_register);
	pthread_mutex_lock(&conn_lock);
	if (conn && conn->t->alive && !conn->t->alive(conn)) {
		dead = conn_unref(conn);
		conn = NULL;
	}
	if (gen && (!conn || conn->gen != gen)) {
		rc = -ENOLINK;
	} else if (!conn) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			rc = -ENOMEM;
		} else {
			rc = connect_any(c);
			if (rc) {
				free(c);
			} else {
				c->refs = 1;
				c->gen = ++conn_gen;
				conn = c;
			}
		}
	}
	if (!rc && conn) {
		conn->refs++;
		*out = conn;
	}
	pthread_mutex_unlock(&conn_lock);
	conn_free(dead);
	return rc;
}

int
csm_conn_get(struct csm_conn **out)
{
	return conn_get_gen(0, out);
}

void
csm_conn_put(struct csm_conn *c)
{
	struct csm_conn *last;

	if (!c)
		return;
	pthread_mutex_lock(&conn_lock);
	last = conn_unref(c);
	pthread_mutex_unlock(&conn_lock);
	conn_free(last);
}

int
csm_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	pthread_detach(*t);
	return 0;
}

static const char *const op_names[CSM_OP_COUNT] = {
	[CSM_OP_CREATE] = "RSI_CSM_CREATE",
	[CSM_OP_SHARE] = "RSI_CSM_SHARE",
	[CSM_OP_RESERVE] = "RSI_CSM_RESERVE",
	[CSM_OP_ATTACH] = "RSI_CSM_ATTACH",
	[CSM_OP_DETACH] = "RSI_CSM_DETACH_AND_FREE",
	[CSM_OP_REVOKE] = "RSI_CSM_REVOKE",
	[CSM_OP_DESTROY] = "RSI_CSM_DESTROY",
};

/* The firmware's failure details (firmware-patches/ABI.md §1.2). */
static const char *const detail_text[] = {
	[CSM_E_BASE_ALIGN] = "CSM_E_BASE_ALIGN: base not granule aligned",
	[CSM_E_SIZE] = "CSM_E_SIZE: size zero or not a granule multiple",
	[CSM_E_RANGE] = "CSM_E_RANGE: range outside the protected IPA space",
	[CSM_E_PERM] = "CSM_E_PERM: permission neither RO nor RW",
	[CSM_E_SELF] = "CSM_E_SELF: the peer is this realm itself",
	[CSM_E_NOT_PROVIDER] = "CSM_E_NOT_PROVIDER: only the provider may do this",
	[CSM_E_NO_APT] = "CSM_E_NO_APT: the realm has no APT",
	[CSM_E_OVERLAP] = "CSM_E_OVERLAP: range overlaps another region",
	[CSM_E_APT_FULL] = "CSM_E_APT_FULL: the realm's APT is full",
	[CSM_E_EXHAUSTED] = "CSM_E_EXHAUSTED: region or grant ids exhausted",
	[CSM_E_UNKNOWN_CSM] = "CSM_E_UNKNOWN_CSM: no such region",
	[CSM_E_UNKNOWN_REALM] = "CSM_E_UNKNOWN_REALM: no live realm has that id",
	[CSM_E_ALREADY_SHARED] = "CSM_E_ALREADY_SHARED: already shared with that realm",
	[CSM_E_UNKNOWN_SID] = "CSM_E_UNKNOWN_SID: no grant of that sharing id names this realm",
	[CSM_E_ALREADY_RESERVED] = "CSM_E_ALREADY_RESERVED: this realm already reserved that sharing id",
	[CSM_E_SIZE_MISMATCH] = "CSM_E_SIZE_MISMATCH: size differs from the region's",
	[CSM_E_BAD_STATE] = "CSM_E_BAD_STATE: not reserved (already attached, or revoked)",
};

int
csm_call_on(uint32_t gen, enum csm_op op, uint64_t a0, uint64_t a1,
	    uint64_t a2, struct csm_result *res)
{
	const uint64_t arg[3] = { a0, a1, a2 };
	struct csm_conn *c;
	int rc;

	memset(res, 0, sizeof(*res));
	res->fd = -1;
	rc = conn_get_gen(gen, &c);
	if (rc == -ENOLINK)
		return caec_set_detail(rc,
			"%s: the CSM service connection the region was made through went away (caec-rmmd stopped or restarted); a service reached now would not know the region",
			op_names[op]);
	if (rc)
		return rc;
	res->gen = c->gen;
	res->realm = c->realm_id;
	rc = c->t->call(c, op, arg, res);
	if (rc && res->detail && res->detail < sizeof(detail_text) /
						sizeof(detail_text[0]))
		rc = caec_set_detail(rc, "%s refused by the RMM (%s): %s",
				     op_names[op], c->t->name,
				     detail_text[res->detail]);
	else if (rc)
		rc = caec_set_detail(rc, "%s failed (%s): %s", op_names[op],
				     c->t->name, rc == -EPIPE ?
				     "the service closed the connection (the next call connects again, as a new realm)" :
				     caec_strerror(rc));
	csm_conn_put(c);
	return rc;
}

int
csm_call(enum csm_op op, uint64_t a0, uint64_t a1, uint64_t a2,
	 struct csm_result *res)
{
	return csm_call_on(0, op, a0, a1, a2, res);
}
