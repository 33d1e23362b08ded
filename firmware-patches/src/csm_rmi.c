/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The extension's rows of the RMI dispatch table: the RMM's handler table
 * gains these (new commands) or points its existing rows here (changed
 * commands). Adding a command adds a row.
 */
#include "csm_priv.h"

const struct csm_rmi_cmd csm_rmi_cmds[] = {
	{ RMI_DATA_CREATE_UNKNOWN, "RMI_DATA_CREATE_UNKNOWN", 3U, 0U,
	  csm_rmi_data_create_unknown },
	{ RMI_DATA_DESTROY, "RMI_DATA_DESTROY", 2U, 2U, csm_rmi_data_destroy },
	{ RMI_APT_CREATE, "RMI_APT_CREATE", 2U, 0U, csm_rmi_apt_create },
	{ RMI_APT_DESTROY, "RMI_APT_DESTROY", 2U, 0U, csm_rmi_apt_destroy },
};

const unsigned int csm_rmi_nr_cmds =
	(unsigned int)(sizeof(csm_rmi_cmds) / sizeof(csm_rmi_cmds[0]));
