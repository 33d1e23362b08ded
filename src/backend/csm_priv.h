/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The csm backend's internals: one connection per process to whatever
 * answers CSM calls (the guest driver or caec-rmmd), behind a small
 * transport interface, and the registry of mapped regions that revocation
 * events act on.
 *
 *   csm.c          public region API, sharing ids, the csm: channel backend
 *   csm_conn.c     the process's connection, fork handling, csm_call()
 *   csm_rmmd.c     transport: caec-rmmd protocol (src/rmmd/rmmd_proto.h)
 *   csm_dev.c      transport: /dev/caec-csm (caec/csm_uapi.h)
 *   csm_service.c  caec_csm_service_start(): a private caec-rmmd
 */
#ifndef CAEC_CSM_PRIV_H
#define CAEC_CSM_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <caec/caec.h>
#include <caec/csm.h>

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
	/* In a forked child: close the descriptor, free, never talk. */
	void (*forget)(struct csm_conn *c);
};

struct csm_conn {
	const struct csm_transport *t;
	uint64_t realm_id;
	uint8_t measurement[32];
	void *priv;		/* the transport's state */
};

/* Connect one transport: 0, -ENOENT (nothing there), other -errno. */
int csm_rmmd_connect(const char *path, struct csm_conn *c);
int csm_dev_connect(const char *path, struct csm_conn *c);

/* The socket path the library uses: $CAEC_RMMD_SOCKET or the default. */
void csm_rmmd_socket_path(char *buf, size_t len);

/*
 * csm_call - run @op on this process's connection (made on first use) and
 * record a detail sentence on failure.
 */
int csm_call(enum csm_op op, uint64_t a0, uint64_t a1, uint64_t a2,
	     struct csm_result *res);

/* This process's connection (made on first use). */
int csm_conn_get(struct csm_conn **out);

/*
 * csm_revoked - a transport's reader thread got a revocation of the grant
 * @provider/@handle for this realm (@reason: CAEC_CSM_EV_REASON_*). Called
 * without transport locks held.
 */
void csm_revoked(uint64_t provider, uint64_t handle, uint32_t reason);

/*
 * csm_region_bind - @r carries a channel: a revocation also stores its error
 * in @lost_flag (the channel's backend_region.lost), now if it came already.
 */
void csm_region_bind(struct caec_csm_region *r, int *lost_flag);

/* In a forked child: every inherited region is dead (csm.c). */
void csm_regions_orphan(void);
void csm_regions_lock(void);
void csm_regions_unlock(void);
void csm_regions_reinit(void);

/* Start a thread with every signal blocked. */
int csm_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif /* CAEC_CSM_PRIV_H */
