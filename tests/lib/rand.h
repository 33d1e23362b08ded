/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tests' pseudo-random numbers: splitmix64, so that every run with the
 * same seed makes the same choices and a failure reproduces. Nothing here
 * uses cmocka.
 */
#ifndef CAEC_TEST_RAND_H
#define CAEC_TEST_RAND_H

#include <stdint.h>

/* Advance the state @s and return the next 64 pseudo-random bits. */
uint64_t splitmix64(uint64_t *s);

#endif /* CAEC_TEST_RAND_H */
