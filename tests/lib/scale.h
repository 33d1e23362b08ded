/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How much work a test does in this build. tests/meson.build sets
 * CAEC_TEST_SCALE (a positive factor, default 1) below 1 for the slower
 * builds: sanitizers, and cross builds run under qemu-user. Nothing here
 * uses cmocka.
 */
#ifndef CAEC_TEST_SCALE_H
#define CAEC_TEST_SCALE_H

#include <stdint.h>

/*
 * @n scaled by CAEC_TEST_SCALE (unset, or not a positive number: 1), never
 * below @min.
 */
uint64_t test_scaled(uint64_t n, uint64_t min);

#endif /* CAEC_TEST_SCALE_H */
