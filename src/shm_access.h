/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How the library touches shared memory: plain loads and stores only, never
 * a read-modify-write atomic. Each shared field has one writer, and an
 * ivshmem BAR is device memory on which Arm does not guarantee exclusives.
 * Every caller of an acquire or release form names, in a comment, the
 * operation it pairs with.
 */
#ifndef CAEC_SHM_ACCESS_H
#define CAEC_SHM_ACCESS_H

#define sh_load_acq(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define sh_load(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define sh_store_rel(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define sh_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
/* Sequentially consistent pair for the wake-up handshake (ring_wait.c):
 * STLR / LDAR on aarch64 (no exclusives), XCHG / MOV on x86-64. */
#define sh_load_sc(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define sh_store_sc(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

#endif /* CAEC_SHM_ACCESS_H */
