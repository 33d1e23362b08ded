/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Clocks for the tests and their helpers: a monotonic nanosecond clock, CPU
 * time of a clock id, and a sleep that survives signals. Nothing here uses
 * cmocka.
 */
#ifndef CAEC_TEST_CLOCK_H
#define CAEC_TEST_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/*
 * @clk (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, ...) in
 * nanoseconds.
 */
uint64_t cpu_ns(clockid_t clk);

/* Sleep @ms milliseconds in full, resuming after a signal. */
void sleep_ms(unsigned int ms);

#endif /* CAEC_TEST_CLOCK_H */
