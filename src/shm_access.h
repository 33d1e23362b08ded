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

#ifndef CAEC_FUZZ
#define sh_load_acq(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define sh_load(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#else
/*
 * Fuzz builds only (tests/fuzz/): every shared load passes through a hook
 * the fuzz target defines, which returns the value loaded or one the input
 * chooses (and stores it, as a peer writing between two loads would). It
 * only changes loads inside the region the target registered.
 */
#include <stddef.h>
#include <stdint.h>
uint64_t caec_fuzz_shload(const volatile void *p, size_t size, uint64_t v);
#define sh_fuzz_load(p, v) \
	((__typeof__(v))caec_fuzz_shload((p), sizeof(*(p)), (uint64_t)(v)))
#define sh_load_acq(p) \
	sh_fuzz_load((p), __atomic_load_n((p), __ATOMIC_ACQUIRE))
#define sh_load(p) sh_fuzz_load((p), __atomic_load_n((p), __ATOMIC_RELAXED))
#endif
#define sh_store_rel(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define sh_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
/* Sequentially consistent pair for the wake-up handshake (ring_wait.c):
 * STLR / LDAR on aarch64 (no exclusives), XCHG / MOV on x86-64. The fuzz
 * hook leaves them alone: they carry sleep words, not parsed input. */
#define sh_load_sc(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define sh_store_sc(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

#endif /* CAEC_SHM_ACCESS_H */
