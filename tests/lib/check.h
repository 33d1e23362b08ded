/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmocka helpers for libcaec's error contract: the return code, the
 * per-thread detail sentence and caec_strerror(). Include after <cmocka.h>;
 * the assertions are macros, so that a failure names the caller's line.
 */
#ifndef CAEC_TEST_CHECK_H
#define CAEC_TEST_CHECK_H

#include <string.h>

#include <caec/caec.h>

/*
 * Successful calls do not clear caec_error_detail(): put a known sentence
 * there first, so a detail we check was produced by the call under test.
 */
void detail_reset(void);

/* The detail of the last failed call must contain @word. */
#define assert_detail(word)                                                \
	do {                                                               \
		const char *d_ = caec_error_detail();                      \
		if (!strstr(d_, (word)))                                   \
			fail_msg("error detail '%s' does not mention '%s'", \
				 d_, (word));                              \
	} while (0)

/* @rc must be @want; on mismatch say both codes in words. */
#define assert_rc(rc, want)                                                \
	do {                                                               \
		long r_ = (long)(rc), w_ = (long)(want);                   \
		if (r_ != w_)                                              \
			fail_msg("got %ld (%s), expected %ld (%s); detail: %s", \
				 r_, caec_strerror((int)r_), w_,           \
				 caec_strerror((int)w_),                   \
				 caec_error_detail());                     \
	} while (0)

#endif /* CAEC_TEST_CHECK_H */
