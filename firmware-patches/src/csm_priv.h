/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal cross-file interfaces of the CSM extension: the lock set (many
 * RDs locked in PA order), peer access, stage-2 helpers for CSM ranges,
 * revocation and detach, and the CBOR encoder of the token claims.
 */
#ifndef CSM_PRIV_H
#define CSM_PRIV_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csm.h"
#include "csm_apt.h"

/* Own RD, one more argument granule, and every peer an APT can name. */
#define CSM_LOCK_MAX		(APT_CAPACITY + 2U)

/* How often a command re-gathers its peers before giving up (see ABI.md). */
#define CSM_LOCK_RETRIES	8U

struct csm_lock_ent {
	unsigned long addr;
	unsigned int state;	/* expected granule state */
	unsigned int tag;	/* reported on failure; 0: optional peer RD */
	uint64_t realm_id;	/* peer RDs: the id the RD must still hold */
	struct granule *g;	/* locked, or NULL (peer gone) */
};

struct csm_lock_set {
	unsigned int n;
	struct csm_lock_ent ent[CSM_LOCK_MAX];
};

void csm_locks_init(struct csm_lock_set *s);

/* Add a granule that must be in @state; @tag (> 0) names it on failure. */
bool csm_locks_add(struct csm_lock_set *s, unsigned long addr,
		   unsigned int state, unsigned int tag);

/* Add the RD of live realm @id if the registry knows it (optional). */
bool csm_locks_add_realm(struct csm_lock_set *s, uint64_t id);

/*
 * Lock every granule in ascending PA order. A peer RD that is no longer an
 * RD, or holds another realm id, is left out (the peer is gone). Returns 0,
 * or the tag of a required granule that could not be locked (then nothing
 * is left locked).
 */
unsigned int csm_locks_lock(struct csm_lock_set *s);
void csm_locks_unlock(struct csm_lock_set *s);

/* The locked granule at @addr in the set, or NULL. */
struct granule *csm_locks_get(struct csm_lock_set *s, unsigned long addr);

/* The caller unlocked @g itself (with a transition): drop it from the set. */
void csm_locks_forget(struct csm_lock_set *s, struct granule *g);

/* A locked peer, mapped through the second RD and APT slots. */
struct csm_peer {
	uint64_t id;
	struct granule *g_rd;
	struct rd *rd;
	struct apt *apt;	/* NULL if the peer has no APT */
	struct granule *g_apt;
};

/*
 * Map the peer realm @id from the lock set. 0; -ENOENT if the realm is gone
 * (it holds no CSM state: its APT was destroyed first); -EAGAIN if it is
 * alive but was not gathered into the set (the caller retries).
 */
int csm_peer_open(struct csm_lock_set *s, uint64_t id, struct csm_peer *p);
void csm_peer_close(struct csm_peer *p);

/* True if the live realm @id is locked in @s, or is gone. */
bool csm_peer_ready(struct csm_lock_set *s, uint64_t id);

/* Map / unmap the APT of a locked, mapped RD (NULL if it has none). */
struct apt *csm_apt_map(struct rd *rd, unsigned int slot,
			struct granule **g_apt);
void csm_apt_unmap(struct apt *apt, unsigned int slot);

/* ---- Stage 2 over CSM ranges (csm_map.c) -------------------------------- */

#define CSM_IPA_NONE		(~0UL)

/* First IPA of [base, base + size) no granule backs, or NONE. */
unsigned long csm_first_unassigned(struct rd *rd, unsigned long base,
				   unsigned long size);

/*
 * First IPA of [base, base + size) that is not ready for a consumer
 * mapping (its walk stops above level 3, or a granule backs it), or NONE.
 */
unsigned long csm_first_not_ready(struct rd *rd, unsigned long base,
				  unsigned long size);

/* True if [base, base + size) is non-empty, aligned, protected. */
bool csm_range_valid(const struct rd *rd, unsigned long base,
		     unsigned long size);

/*
 * Map provider granule @pa at consumer @ipa (its level-3 entry UNASSIGNED)
 * and take a mapping reference. 0, or the port_rtt_map() error (then no
 * reference is taken).
 */
int csm_map_one(struct rd *cons, unsigned long ipa, unsigned long pa,
		unsigned int perm);

/*
 * Unmap consumer @ipa if mapped: TLBI, drop the mapping reference. The
 * entry keeps its RIPAS, or becomes DESTROYED if @destroyed (the provider's
 * granule was destroyed by the host).
 */
void csm_unmap_one(struct rd *cons, unsigned long ipa, bool destroyed);

/* Map every granule of @region the provider holds ASSIGNED with RIPAS RAM
 * into @cons at @cbase. */
void csm_map_region(struct rd *prov, const struct apt_entry *region,
		    struct rd *cons, unsigned long cbase, unsigned int perm);

/* Unmap a consumer range granule by granule (csm_unmap_one each). */
void csm_unmap_range(struct rd *cons, unsigned long base, unsigned long size);

/* ---- Revocation and detach (csm_revoke.c) ------------------------------- */

/*
 * Revoke @grant of @papt (provider @prov_id): unmap the consumer's range,
 * mark its consumed entry REVOKED, free the grant. @cons NULL: consumer gone.
 */
void csm_revoke_grant(uint64_t prov_id, struct apt *papt,
		      struct apt_entry *grant, struct csm_peer *cons);

/*
 * Drop consumed entry @c of realm @own (@own_apt): unmap it if attached and
 * hand the grant back to SHARED. @prov NULL: provider gone or not needed.
 */
void csm_detach(struct rd *own, uint64_t own_id, struct apt *own_apt,
		struct apt_entry *c, struct csm_peer *prov);

/* ---- RSI calls (csm_rsi.c, csm_provider.c, csm_consumer.c) ------------ */

/* One run of an RSI_CSM_* handler, with every lock it needs held. */
struct csm_call {
	struct csm_lock_set locks;
	struct rd *rd;		/* own RD, PORT_SLOT_RD */
	struct apt *apt;	/* own APT, PORT_SLOT_APT; NULL if none */
	struct granule *g_apt;
	uint64_t id;		/* own realm id */
	const unsigned long *args;	/* X1..X4 */
	bool completing;	/* on REC entry after the exit */
	bool retry;		/* a peer was not gathered: run again */
	bool exit;		/* take exit_reason with [exit_base, exit_top) */
	bool notify;		/* the exit only informs the host */
	unsigned long exit_reason;
	unsigned long exit_base;
	unsigned long exit_top;
	unsigned long x[4];	/* X0..X3 to return */
};

struct csm_rsi_cmd {
	unsigned long fid;
	const char *name;
	/* Own RD locked, APT mapped: add the peer realms to c->locks. */
	void (*peers)(struct csm_call *c);
	/* Everything locked: failure conditions in ABI order, then act. */
	void (*run)(struct csm_call *c);
};

void csm_ret(struct csm_call *c, unsigned long status, unsigned long x1,
	     unsigned long x2);
void csm_fail(struct csm_call *c, unsigned long status, unsigned long detail);
void csm_take_exit(struct csm_call *c, unsigned long reason,
		   unsigned long base, unsigned long size, bool notify);

void csm_create_run(struct csm_call *c);
void csm_share_peers(struct csm_call *c);
void csm_share_run(struct csm_call *c);
void csm_revoke_peers(struct csm_call *c);
void csm_revoke_run(struct csm_call *c);
void csm_destroy_peers(struct csm_call *c);
void csm_destroy_run(struct csm_call *c);
void csm_sid_peers(struct csm_call *c);
void csm_reserve_run(struct csm_call *c);
void csm_attach_run(struct csm_call *c);
void csm_detach_run(struct csm_call *c);

/* ---- Realm ids (realm_id.c) -------------------------------------------- */

/* Assign a fresh id to the RD at @rd_addr. 0 and *@id, or -EAGAIN/-ENOSPC. */
int csm_realm_id_assign(unsigned long rd_addr, uint64_t *id);
void csm_realm_id_release(uint64_t id);

/* ---- CBOR encoder (cbor_enc.c) ------------------------------------------ */

struct cbor_enc {
	uint8_t *buf;
	size_t len;
	size_t off;
	bool overflow;
};

void cbor_enc_init(struct cbor_enc *c, uint8_t *buf, size_t len);
void cbor_put_uint(struct cbor_enc *c, uint64_t v);
void cbor_put_int(struct cbor_enc *c, int64_t v);
void cbor_put_array(struct cbor_enc *c, uint64_t n);
void cbor_put_map(struct cbor_enc *c, uint64_t n);

#endif /* CSM_PRIV_H */
