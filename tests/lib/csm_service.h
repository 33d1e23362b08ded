/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The private CSM service of a csm test executable: cmocka group fixtures
 * that start a caec-rmmd of its own (caec_csm_service_start(), which finds
 * the daemon through $CAEC_RMMD_PATH) and stop it, and the measurement that
 * service gives this process. Nothing here uses cmocka.
 */
#ifndef CAEC_TEST_CSM_SERVICE_H
#define CAEC_TEST_CSM_SERVICE_H

#include <stdint.h>

#include <caec/caec.h>

/* The service csm_group_setup() started (NULL before, or when it failed). */
extern struct caec_csm_service *csm_svc;

/*
 * Group fixtures: start csm_svc (RETURN VALUE: 0, or -1 after saying why
 * on stderr), stop it (0).
 */
int csm_group_setup(void **state);
int csm_group_teardown(void **state);

/*
 * The measurement caec-rmmd gives this process: the SHA-256 of its
 * executable. RETURN VALUE: 0, or -1 when unknown (under qemu-user the
 * service sees the emulator).
 */
int exe_measurement(uint8_t out[32]);

#endif /* CAEC_TEST_CSM_SERVICE_H */
