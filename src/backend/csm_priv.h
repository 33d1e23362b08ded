/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The csm backend's internals: one connection per process to whatever
 * answers CSM calls (the guest driver or caec-rmmd), behind a small
 * transport interface, and the registry of mapped regions that revocation
 * events act on.
 *
 *   csm_region.c    the public region API (create, share, revoke, destroy,
 *                   attach, detach, accessors), caec_csm_info()
 *   csm_registry.c  the registry of mapped regions; what the loss of a
 *                   region (revocation, a provider gone, fork) does to its
 *                   mapping
 *   csm_channel.c   the csm: channel backend, the text form of sharing ids
 *   csm_conn.c      the process's connection, fork handling, csm_call()
 *   csm_rmmd.c      transport: caec-rmmd protocol (src/proto/)
 *   csm_dev.c       transport: /dev/caec-csm (caec/csm_uapi.h)
 *   csm_service.c   caec_csm_service_start(): a private caec-rmmd
 *   csm_token.c     attestation tokens: caec_csm_token(), verification,
 *                   the realm's parameters, measurement extension
 */
#ifndef CAEC_CSM_PRIV_H
#define CAEC_CSM_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <caec/caec.h>
#include <caec/csm.h>

#include "../error.h"
#include "backend.h"

enum csm_op {
	CSM_OP_CREATE,		/* size -> csm_id, size; fd */
	CSM_OP_SHARE,		/* csm_id, consumer, perm -> provider, handle */
	CSM_OP_RESERVE,		/* provider, handle, size */
	CSM_OP_ATTACH,		/* provider, handle -> perm, size; fd */
	CSM_OP_DETACH,		/* provider, handle */
	CSM_OP_REVOKE,		/* provider, handle */
	CSM_OP_DESTROY,		/* csm_id */
	CSM_OP_COUNT
};

struct csm_result {
	uint64_t val[2];
	uint32_t detail;	/* the firmware's CSM_E_*, 0 if none */
	int fd;			/* CREATE/ATTACH: descriptor to map, else -1 */
	uint64_t mmap_off;	/* offset of the region in @fd */
	uint32_t gen;		/* the connection that ran the call */
	uint64_t realm;		/* that connection's realm id */
};

struct csm_conn;

struct csm_transport {
	const char *name;
	uint32_t kind;		/* CAEC_CSM_DEVICE_DRIVER / CAEC_CSM_EMULATED */
	/* One command; 0 or -errno with res->detail. Thread-safe. */
	int (*call)(struct csm_conn *c, enum csm_op op, const uint64_t arg[3],
		    struct csm_result *res);
	/* An attestation token for @challenge; NULL: not offered. */
	int (*token)(struct csm_conn *c, const uint8_t challenge[64],
		     uint8_t *buf, size_t cap, size_t *len);
	/* RSI_MEASUREMENT_EXTEND (index 1..4, len <= 64 checked); NULL: not
	 * offered. */
	int (*extend)(struct csm_conn *c, unsigned int index,
		      const void *data, size_t len);
	/* In a forked child: close the descriptor, free, never talk. */
	void (*forget)(struct csm_conn *c);
	/*
	 * Can the connection still carry calls? NULL: always (a kernel
	 * device does not go away). When it returns false, the connection
	 * is replaced on the next csm_conn_get() and @close, required then,
	 * frees it once no call uses it: it must stop the transport's
	 * threads and free c->priv.
	 */
	bool (*alive)(struct csm_conn *c);
	void (*close)(struct csm_conn *c);
};

/*
 * One connection to the CSM service: one realm. @refs and the global
 * pointer are protected by the lock in csm_conn.c; everything else is set
 * before the connection is published and read-only afterwards.
 */
struct csm_conn {
	const struct csm_transport *t;
	uint64_t realm_id;
	uint8_t measurement[32];
	uint32_t isolation;	/* CAEC_CSM_ISOLATION_* */
	uint32_t service_uid;	/* SO_PEERCRED of the service, or 0 */
	int32_t service_pid;
	uint32_t gen;		/* 1 for the process's first connection, ... */
	unsigned int refs;	/* the global pointer's, and one per caller */
	void *priv;		/* the transport's state */
};

/* Connect one transport: 0, -ENOENT (nothing there), other -errno. */
int csm_rmmd_connect(const char *path, struct csm_conn *c);
int csm_dev_connect(const char *path, struct csm_conn *c);

/*
 * csm_realm_params_get - the parameters a new realm starts with: those of
 * caec_csm_realm_params(), else $CAEC_CSM_HASH and $CAEC_CSM_RPV; *@given
 * is false when none was chosen (SHA-256, zero RPV).
 * RETURN VALUE: 0; -EINVAL (a malformed variable, detail recorded).
 */
int csm_realm_params_get(uint32_t *hash_algo, uint8_t rpv[CAEC_CSM_RPV_LEN],
			 bool *given);

/* The socket path the library uses: $CAEC_RMMD_SOCKET or the default. */
void csm_rmmd_socket_path(char *buf, size_t len);

/*
 * csm_call - run @op on this process's connection (made on first use, and
 * again after the service went away) and record a detail sentence on
 * failure. res->gen tells which connection ran it.
 */
int csm_call(enum csm_op op, uint64_t a0, uint64_t a1, uint64_t a2,
	     struct csm_result *res);

/*
 * csm_call_on - csm_call() for a region made through connection @gen: when
 * the process has connected again since (the service went away), the
 * service no longer knows the region, and its ids may name another one now,
 * so nothing is sent: -ENOLINK.
 */
int csm_call_on(uint32_t gen, enum csm_op op, uint64_t a0, uint64_t a1,
		uint64_t a2, struct csm_result *res);

/*
 * csm_conn_get - this process's connection, with a reference for the
 * caller: made on first use, and made again when the one before can no
 * longer carry calls (caec-rmmd stopped or restarted: a new realm, with a
 * new id). csm_conn_put() drops the reference.
 */
int csm_conn_get(struct csm_conn **out);
void csm_conn_put(struct csm_conn *c);

/*
 * csm_revoked - a transport's reader thread got a revocation of the grant
 * @provider/@handle for this realm (@reason: CAEC_CSM_EV_REASON_*). Called
 * without transport locks held. When it returns the mapping is replaced and
 * the threads that slept on it are woken (the service may then take the old
 * memory away).
 */
void csm_revoked(uint64_t provider, uint64_t handle, uint32_t reason);

/*
 * csm_moved - the region of grant @provider/@handle (a consumer's), or this
 * realm's own region csm_id @handle >> 32 (@handle's low half 0, @provider
 * this realm's id), now lives in @fd, which the call takes. When it returns
 * the mapping is @fd's and the threads that slept on the old one are woken.
 */
void csm_moved(uint64_t provider, uint64_t handle, int fd);

/*
 * One region this process provides or consumes. Everything but @base, @fd,
 * @moved_fd, @mmap_off, @lost and the binding is set before the region is
 * registered; those change under the registry lock (csm_registry.c).
 */
struct caec_csm_region {
	uint8_t *base;		/* NULL until mapped */
	size_t size;
	int fd;			/* what @base maps, -1 once orphaned */
	int moved_fd;		/* moved before it was mapped: map this, or -1 */
	int guard;		/* SIGBUS guard id (region.h), -1 if none */
	uint64_t realm;		/* the realm id it was made through */
	uint64_t mmap_off;
	unsigned int perm;
	bool provider;
	bool bound;		/* carries a channel: @owner is set */
	bool orphan;		/* inherited through fork(): not ours */
	uint64_t csm_id;	/* provider */
	struct caec_csm_sid sid;	/* consumer */
	uint32_t gen;		/* the connection it was made through */
	int lost;		/* 0, -EACCES once revoked, -EPROTO once its
				 * memory went under the mapping (SIGBUS
				 * guard); atomic */
	int *lost_flag;		/* the channel's backend_region.lost */
	struct backend_owner owner;	/* the channel's hooks, once bound */
	struct caec_csm_region *next;
};

/* The registry (csm_registry.c). Add before the first call that can
 * make a revocation arrive; remove before unmapping. */
void csm_region_add(struct caec_csm_region *r);
void csm_region_remove(struct caec_csm_region *r);

/* PROT_* of @r's mapping, by its permission. */
int csm_region_prot(const struct caec_csm_region *r);

/* @r is now mapped at @base: a loss that came before takes effect. */
void csm_region_mapped(struct caec_csm_region *r, uint8_t *base, int fd,
		       uint64_t mmap_off);

/*
 * csm_region_bind - @r carries a channel: a loss also stores its error in
 * @lost_flag (the channel's backend_region.lost), now if it came already,
 * and replaces the mapping through @owner's hooks (copied).
 */
void csm_region_bind(struct caec_csm_region *r, int *lost_flag,
		     const struct backend_owner *owner);

/* In a forked child: every inherited region is dead. */
void csm_regions_orphan(void);
void csm_regions_lock(void);
void csm_regions_unlock(void);
void csm_regions_reinit(void);

/* Start a detached thread with every signal blocked. */
int csm_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif /* CAEC_CSM_PRIV_H */
