/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-rmmd internals: the daemon's objects and the functions its files
 * share.
 *
 * One process, one thread, one host model of the RMM (hm, from
 * firmware-patches/host). Each connection is a realm of that model; the
 * daemon is its hypervisor: it creates and tears down the realm with RMI
 * calls, runs its RSI_CSM_* calls (hm_rsi answers the REC exits the way the
 * paper's KVM does) and places regions and reservations in the realm's
 * protected IPA space.
 *
 * Where the bytes live: the host model's granules are bookkeeping only —
 * which realm maps which granule at which IPA with which permission. The
 * bytes of a region live in a memfd (sealed against growing and against new
 * seals, never linked in any filesystem, never mapped by the daemon) that
 * the daemon hands to a process only after the firmware mapped the region
 * for its realm, and only with the permission the firmware put in that
 * realm's stage-2 entries (rmmd_cmd.c checks the model's RTTs before each
 * descriptor leaves).
 *
 * Revocation is the stage-2 unmap of hardware done the way Linux can do it:
 * the memfd a revoked realm was given loses its pages (rmmd_move.c; the
 * protocol's REVOCATION paragraph says how the others keep theirs).
 */
#ifndef CAEC_RMMD_H
#define CAEC_RMMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "hm.h"
#include "../proto/rmmd_proto.h"
#include "../attest/sha256.h"

#define RMMD_IPA_WIDTH 32u		/* 2 GiB protected IPA per realm */

/* A region a client provides. */
struct rmmd_region {
	uint64_t csm_id;
	uint64_t base;			/* provider IPA */
	uint64_t size;
	int memfd;			/* RW, sealed against growing */
	struct rmmd_region *next;
};

/* A grant a provider made (to find whom to notify on revoke/destroy). */
struct rmmd_grant {
	uint64_t handle;
	uint64_t consumer;		/* realm id */
	bool holds;			/* its consumer was given the region's
					 * current memfd (and may keep it) */
	struct rmmd_grant *next;
};

/*
 * A memfd on its way out (rmmd_move.c): once every realm in @waiting ACKed
 * @ack, or at @deadline, it is truncated to zero bytes and closed, and the
 * request that made it (if its client is still there) is answered.
 */
struct rmmd_retire {
	uint64_t ack;
	int memfd;
	uint64_t deadline;		/* CLOCK_MONOTONIC, ns */
	uint64_t *waiting;		/* realm ids */
	unsigned int nr_waiting;
	unsigned int cap_waiting;
	struct rmmd_client *client;	/* the request's, or NULL */
	uint16_t rtype;
	uint32_t seq;
	struct rmmd_reply rep;
	struct rmmd_retire *next;
};

/* A range a client reserved as a consumer. */
struct rmmd_consumed {
	uint64_t provider;
	uint64_t handle;
	uint64_t base;			/* consumer IPA */
	uint64_t size;
	bool attached;
	bool revoked;
	struct rmmd_consumed *next;
};

/* A used range of a realm's protected IPA space (first-fit, sorted). */
struct rmmd_ipa {
	uint64_t base;
	uint64_t size;
	struct rmmd_ipa *next;
};

/*
 * What the realm's attestation token says of it beyond the RIM: the
 * parameters whoever started it chose (REALM_PARAMS) and the REMs it
 * extended (MEASURE_EXTEND), @hash_algo's length each.
 */
struct rmmd_attest {
	unsigned int hash_algo;		/* RMMD_HASH_* */
	uint8_t rim[64];		/* SHA-512: the executable's; SHA-256:
					 * measurement[] */
	uint8_t rem[4][64];
	uint8_t rpv[64];
};

/* Which file a process runs: what its measurement was taken of. */
struct rmmd_exe {
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
};

struct rmmd_client {
	int fd;
	pid_t pid;
	uid_t uid;
	bool hello;
	bool started;			/* served more than HELLO, REALM_PARAMS */
	int pidfd;			/* the process that connected */
	struct rmmd_exe exe;		/* the executable measured */
	struct rmmd_measure_job *job;	/* its measurement, while it runs */
	bool measure_queued;		/* waiting for a measurement slot */
	uint8_t measurement[32];	/* SHA-256 */
	uint8_t rim512[64];		/* SHA-512 (a daemon with tokens) */
	struct rmmd_attest att;
	struct hm_realm *realm;
	uint64_t realm_id;
	struct rmmd_region *regions;
	unsigned int nr_regions;	/* its quota: --realm-max-regions */
	uint64_t region_bytes;		/* and --realm-pool-mib */
	struct rmmd_grant *grants;
	struct rmmd_consumed *consumed;
	struct rmmd_ipa *ipa;
	unsigned long nr_bad;		/* malformed packets seen */
	bool paused;			/* a request of its waits for ACKs */
	bool have_held;			/* @held waits for that request */
	bool held_fds;
	ssize_t held_len;
	uint8_t held[RMMD_MSG_MAX + 1];
	bool dead;			/* to be dropped after this batch */
	struct rmmd_client *next;
};

struct rmmd_config {
	const char *socket;
	const char *anchor;		/* trust anchor file (tokens) */
	unsigned int socket_mode;
	bool socket_group;		/* chown the socket to @socket_gid */
	gid_t socket_gid;
	bool foreground;
	int ready_fd;
	unsigned long pool_mib;
	unsigned long max_region_mib;
	unsigned int max_clients;
	unsigned int max_clients_per_uid; /* connections of one uid */
	unsigned long realm_pool_mib;	/* one realm's regions, MiB (0: 3/4 of
					 * the pool) */
	unsigned int realm_max_regions;	/* one realm's regions, count */
	unsigned long max_exe_mib;	/* the largest executable measured */
	unsigned int ack_timeout_ms;	/* how long a revoke waits for ACKs */
	int verbosity;			/* 0 quiet, 1 normal, 2 verbose */
};

struct token_signer;

struct rmmd {
	struct rmmd_config cfg;
	struct hm *hm;
	struct token_signer *tokens;	/* NULL: built without libcbor */
	int lfd;			/* listening socket */
	int measure_pipe[2];		/* measurements come back (rmmd_measure.c) */
	int spare_fd;			/* given up to refuse a connection when
					 * descriptors run out (EMFILE) */
	unsigned long nr_refused_fds;	/* connections refused for that */
	int epfd;
	int sigfd;
	unsigned int nr_clients;
	struct rmmd_client *clients;
	struct rmmd_retire *retiring;
	uint64_t next_ack;
	bool stop;
};

/*
 * rmmd_limits.c: what keeps one client from starving the others.
 * rmmd_raise_nofile - soft RLIMIT_NOFILE up to the hard one; the spare fd.
 * rmmd_refuse_no_fds - accept and close one connection when accept4()
 * failed with EMFILE/ENFILE (the listener does not spin).
 * rmmd_uid_full - @uid has --max-clients-per-uid connections already.
 * rmmd_quota_take - count a region of @size against @c's quota (-EDQUOT
 * past --realm-max-regions or --realm-pool-mib); rmmd_quota_give undoes it.
 */
void rmmd_raise_nofile(struct rmmd *d);
int rmmd_refuse_no_fds(struct rmmd *d);
bool rmmd_uid_full(const struct rmmd *d, uid_t uid);
int rmmd_quota_take(const struct rmmd *d, struct rmmd_client *c,
		    uint64_t size);
void rmmd_quota_give(struct rmmd_client *c, uint64_t size);

/*
 * rmmd_closer.c: closes that may block (a client's socket, descriptors it
 * passed), in a thread of their own. rmmd_closer_start: 0 or -errno.
 */
int rmmd_closer_start(void);
void rmmd_close_later(int fd);

/* rmmd_log.c */
void rmmd_log_init(int verbosity);
void rmmd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rmmd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rmmd_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* rmmd_conn.c: connections and the protocol */
int rmmd_accept(struct rmmd *d);
void rmmd_readable(struct rmmd *d, struct rmmd_client *c);
/*
 * rmmd_dispatch - one packet of @c as received: @pkt, @n bytes (0 for one
 * longer than any message), @had_fds: it carried descriptors (closed
 * unread by then). Checks magic, version, type and exact length, runs the
 * command and replies on @c's socket; a paused client's packets are held
 * by the caller, not here. May mark @c dead (rmmd_reap() drops it).
 */
void rmmd_dispatch(struct rmmd *d, struct rmmd_client *c, const uint8_t *pkt,
		   ssize_t n, bool had_fds);
void rmmd_kill(struct rmmd_client *c, const char *why);
void rmmd_reap(struct rmmd *d);
void rmmd_drop_all(struct rmmd *d);
int rmmd_send_event(struct rmmd *d, struct rmmd_client *c, uint16_t type,
		    const struct rmmd_event *ev, int fd);
struct rmmd_client *rmmd_client_by_id(struct rmmd *d, uint64_t realm_id);
void rmmd_pause(struct rmmd *d, struct rmmd_client *c, bool paused);
void rmmd_reply(struct rmmd_client *c, uint16_t rtype, uint32_t seq,
		const struct rmmd_reply *rep);

/* rmmd_cmd.c: the commands, run through the firmware */
struct rmmd_cmd_out {
	struct rmmd_reply rep;
	int fd;				/* descriptor to pass, or -1 */
	bool close_fd;			/* close it once sent */
	uint8_t *extra;			/* bytes after the reply (TOKEN) */
	size_t extra_len;
	struct rmmd_retire *defer;	/* answer once this memfd is gone */
};

int rmmd_cmd_hello(struct rmmd *d, struct rmmd_client *c, const void *req,
		   struct rmmd_cmd_out *out);
int rmmd_cmd_create(struct rmmd *d, struct rmmd_client *c, const void *req,
		    struct rmmd_cmd_out *out);
int rmmd_cmd_share(struct rmmd *d, struct rmmd_client *c, const void *req,
		   struct rmmd_cmd_out *out);
int rmmd_cmd_reserve(struct rmmd *d, struct rmmd_client *c, const void *req,
		     struct rmmd_cmd_out *out);
int rmmd_cmd_attach(struct rmmd *d, struct rmmd_client *c, const void *req,
		    struct rmmd_cmd_out *out);
int rmmd_cmd_detach(struct rmmd *d, struct rmmd_client *c, const void *req,
		    struct rmmd_cmd_out *out);
int rmmd_cmd_revoke(struct rmmd *d, struct rmmd_client *c, const void *req,
		    struct rmmd_cmd_out *out);
int rmmd_cmd_destroy(struct rmmd *d, struct rmmd_client *c, const void *req,
		     struct rmmd_cmd_out *out);
int rmmd_cmd_token(struct rmmd *d, struct rmmd_client *c, const void *req,
		   struct rmmd_cmd_out *out);
int rmmd_cmd_ack(struct rmmd *d, struct rmmd_client *c, const void *req,
		 struct rmmd_cmd_out *out);
unsigned int rmmd_mapped_perm(struct rmmd *d, struct rmmd_client *p,
			      const struct rmmd_region *r,
			      struct rmmd_client *c, uint64_t handle);
int rmmd_consumer_fd(int memfd, unsigned int perm, bool *close_it);
int rmmd_region_memfd(uint64_t size);
int rmmd_cmd_realm_params(struct rmmd *d, struct rmmd_client *c,
			  const void *req, struct rmmd_cmd_out *out);
int rmmd_cmd_extend(struct rmmd *d, struct rmmd_client *c, const void *req,
		    struct rmmd_cmd_out *out);

/* rmmd_realm.c: a connection's realm */
int rmmd_realm_open(struct rmmd *d, struct rmmd_client *c);
void rmmd_realm_close(struct rmmd *d, struct rmmd_client *c);
int rmmd_ipa_alloc(struct rmmd_client *c, uint64_t size, uint64_t *base);
void rmmd_ipa_free(struct rmmd_client *c, uint64_t base);
void rmmd_notify_revoked(struct rmmd *d, uint64_t provider, uint64_t handle,
			 uint64_t consumer, uint32_t reason,
			 struct rmmd_retire *rt);

/* rmmd_move.c: revocation that holds */
struct rmmd_retire *rmmd_retire_new(struct rmmd *d, int memfd);
void rmmd_retire_wait(struct rmmd_retire *rt, uint64_t realm_id);
void rmmd_retire_start(struct rmmd *d, struct rmmd_retire *rt,
		       struct rmmd_client *c, uint16_t rtype, uint32_t seq,
		       const struct rmmd_reply *rep);
void rmmd_retire_ack(struct rmmd *d, struct rmmd_client *c, uint64_t ack);
void rmmd_retire_forget(struct rmmd *d, struct rmmd_client *c);
void rmmd_retire_expire(struct rmmd *d);
int rmmd_retire_timeout_ms(const struct rmmd *d);
void rmmd_retire_all(struct rmmd *d);
int rmmd_move(struct rmmd *d, struct rmmd_client *p, struct rmmd_region *r,
	      uint64_t revoked, struct rmmd_retire **out);

/* rmmd_token.c: attestation (a no-op without libcbor): the realm's
 * parameters, its REMs, its tokens */
int rmmd_tokens_start(struct rmmd *d);
void rmmd_tokens_stop(struct rmmd *d);

/*
 * rmmd_measure.c: the hash of a client's executable, off the event loop
 * (the file says which process and which program is measured, and why the
 * cache holds).
 *
 * rmmd_peer_pidfd - a pidfd of the process at the other end of @sock
 * (SO_PEERPIDFD, else pidfd_open(@pid)); -errno.
 * rmmd_measure_init - the pipe measurements come back through.
 * rmmd_measure_start - measure @c in a thread of its own; rmmd_measured()
 * follows from rmmd_measure_done() once it is in (or @c is dropped).
 * -EBUSY: too many in flight (of @c's uid, or at all), -ENOMEM, -EMFILE.
 * rmmd_measure_forget - @c is being dropped: cancel its measurement.
 * rmmd_measure_done - the loop's handler of the pipe.
 * rmmd_measure_recheck - 0 when @c's process still runs the executable
 * measured; -EACCES when it runs another (it called execve()), -ESRCH when
 * it is gone. Asks the file system for nothing.
 */
struct rmmd_measure_job;
int rmmd_peer_pidfd(int sock, pid_t pid);
int rmmd_measure_init(struct rmmd *d);
int rmmd_measure_start(struct rmmd *d, struct rmmd_client *c);
void rmmd_measure_forget(struct rmmd_client *c);
void rmmd_measure_done(struct rmmd *d);
int rmmd_measure_recheck(struct rmmd_client *c);
/* rmmd_conn.c: @c's measurement is in: start reading its requests. */
void rmmd_measured(struct rmmd *d, struct rmmd_client *c);
/* rmmd_measure_recheck() as a request's check: -EACCES (and @c dropped)
 * when it fails (rmmd_cmd.c). */
int rmmd_exe_unchanged(struct rmmd_client *c);

#endif /* CAEC_RMMD_H */
