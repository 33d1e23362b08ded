/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copies of executables a test may change (rewrite in place, extend with a
 * sparse tail) without touching the build tree. Nothing here uses cmocka.
 */
#ifndef CAEC_TEST_EXE_COPY_H
#define CAEC_TEST_EXE_COPY_H

/* Copy @from to @to (created, mode 0755). RETURN VALUE: 0, or -errno. */
int exe_copy(const char *from, const char *to);

#endif /* CAEC_TEST_EXE_COPY_H */
