/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An encrypted channel and its hypervisor view (aead_pair.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aead_pair.h"

static unsigned int pair_count;

static void
pair_params(const struct aead_pair *p, const uint8_t *key,
	    struct caec_channel_params *pp)
{
	caec_channel_params_init(pp);
	pp->key = key;
	pp->ring_size = p->cfg.ring_size ? p->cfg.ring_size : 16384;
	pp->max_msg = p->cfg.max_msg;
}

int
aead_pair_create(struct aead_pair *p, const struct aead_pair_cfg *cfg)
{
	struct caec_channel_params pp;
	char uri[128], path[96];
	int rc;

	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	snprintf(p->name, sizeof(p->name), "caec-test-aeadp-%d-%u", getpid(),
		 pair_count++);
	snprintf(uri, sizeof(uri), "%s:shm/%s", cfg->scheme_c, p->name);
	pair_params(p, cfg->key_c, &pp);
	rc = caec_channel_create(uri, &pp, &p->c);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/dev/shm/%s", p->name);
	rc = hv_view_map_path(&p->hv, path, true);
	if (rc) {
		caec_channel_close(p->c);
		p->c = NULL;
	}
	return rc;
}

int
aead_pair_attach(struct aead_pair *p)
{
	struct caec_channel_params pp;
	char uri[128];

	snprintf(uri, sizeof(uri), "%s:shm/%s", p->cfg.scheme_a, p->name);
	pair_params(p, p->cfg.key_a, &pp);
	return caec_channel_attach(uri, &pp, &p->a);
}

int
aead_pair_open(struct aead_pair *p, const struct aead_pair_cfg *cfg)
{
	int rc = aead_pair_create(p, cfg);

	if (rc)
		return rc;
	rc = aead_pair_attach(p);
	if (rc)
		aead_pair_close(p);
	return rc;
}

void
aead_pair_close(struct aead_pair *p)
{
	caec_channel_close(p->a);
	caec_channel_close(p->c);
	p->a = p->c = NULL;
	hv_view_unmap(&p->hv);
}
