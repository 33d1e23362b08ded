/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The internal side of the error detail (error.c): every layer records the
 * sentence that caec_error_detail() returns next to the code it returns.
 */
#ifndef CAEC_ERROR_H
#define CAEC_ERROR_H

/*
 * caec_set_detail - record the calling thread's error detail.
 * @err: the negative errno the caller is about to return
 * @fmt: printf format of the sentence; it names the field or value that
 *       failed, never secret bytes (keys, plaintext)
 *
 * The detail is thread-local and replaced by the next failure of the same
 * thread; success does not clear it.
 *
 * RETURN VALUE: @err, so that a failure reads "return caec_set_detail(...)".
 */
int caec_set_detail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* CAEC_ERROR_H */
