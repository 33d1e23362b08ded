/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport: the caec-csm guest driver of a CCA realm (/dev/caec-csm, uAPI
 * in caec/csm_uapi.h). Each command is one ioctl; a region is mapped from
 * the device at the offset CREATE/ATTACH returned; a reader thread turns
 * the device's events into csm_revoked(). The driver is later work: this
 * side is written against the uAPI header alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <caec/csm_uapi.h>

#include "../error.h"
#include "csm_priv.h"

struct dev_conn {
	int fd;
};

static void *
reader(void *arg)
{
	struct dev_conn *s = arg;
	struct caec_csm_event ev[16];
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	ssize_t n, i;

	for (;;) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		n = read(s->fd, ev, sizeof(ev));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return NULL;
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++)
			if (ev[i].type == CAEC_CSM_EV_REVOKED)
				csm_revoked(ev[i].provider, ev[i].handle,
					    ev[i].reason);
	}
}

/* A descriptor sharing the device's open file: regions are per file. */
static int
map_fd(struct dev_conn *s)
{
	int fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

static int
dev_call(struct csm_conn *c, enum csm_op op, const uint64_t arg[3],
	 struct csm_result *res)
{
	struct dev_conn *s = c->priv;
	struct caec_csm_ioc_create cr = { .size = arg[0] };
	struct caec_csm_ioc_share sh = { .csm_id = arg[0], .consumer = arg[1],
					 .perm = (uint32_t)arg[2] };
	struct caec_csm_ioc_sid sid = { .provider = arg[0], .handle = arg[1] };
	struct caec_csm_ioc_destroy de = { .csm_id = arg[0] };
	unsigned long req;
	void *p;
	int rc;

	switch (op) {
	case CSM_OP_CREATE:
		req = CAEC_CSM_IOC_CREATE;
		p = &cr;
		break;
	case CSM_OP_SHARE:
		req = CAEC_CSM_IOC_SHARE;
		p = &sh;
		break;
	case CSM_OP_RESERVE:
		sid.size = arg[2];
		req = CAEC_CSM_IOC_RESERVE;
		p = &sid;
		break;
	case CSM_OP_ATTACH:
		req = CAEC_CSM_IOC_ATTACH;
		p = &sid;
		break;
	case CSM_OP_DETACH:
		req = CAEC_CSM_IOC_DETACH;
		p = &sid;
		break;
	case CSM_OP_REVOKE:
		req = CAEC_CSM_IOC_REVOKE;
		p = &sid;
		break;
	default:
		req = CAEC_CSM_IOC_DESTROY;
		p = &de;
		break;
	}
	rc = ioctl(s->fd, req, p) ? -errno : 0;
	switch (op) {
	case CSM_OP_CREATE:
		res->val[0] = cr.csm_id;
		res->val[1] = cr.size;
		res->mmap_off = cr.mmap_offset;
		res->detail = cr.detail;
		break;
	case CSM_OP_SHARE:
		res->val[0] = sh.provider;
		res->val[1] = sh.handle;
		res->detail = sh.detail;
		break;
	case CSM_OP_DESTROY:
		res->detail = de.detail;
		break;
	default:
		res->val[0] = sid.perm;
		res->val[1] = arg[2];
		res->mmap_off = sid.mmap_offset;
		res->detail = sid.detail;
		break;
	}
	if (!rc && (op == CSM_OP_CREATE || op == CSM_OP_ATTACH)) {
		res->fd = map_fd(s);
		if (res->fd < 0)
			rc = res->fd;
	}
	return rc;
}

static void
dev_forget(struct csm_conn *c)
{
	struct dev_conn *s = c->priv;

	close(s->fd);
	free(s);
	c->priv = NULL;
}

static const struct csm_transport dev_transport = {
	.name = "the caec-csm driver",
	.kind = CAEC_CSM_DEVICE_DRIVER,
	.call = dev_call,
	.forget = dev_forget,
};

int
csm_dev_connect(const char *path, struct csm_conn *c)
{
	struct caec_csm_ioc_realm_id id = { 0 };
	struct dev_conn *s;
	pthread_t t;
	int fd, v, rc;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENXIO || errno == ENODEV ?
			       -ENOENT :
			       caec_set_detail(-EACCES, "%s: %s", path,
					       caec_strerror(-errno));
	v = ioctl(fd, CAEC_CSM_IOC_VERSION);
	if (v != CAEC_CSM_UAPI_VERSION || ioctl(fd, CAEC_CSM_IOC_REALM_ID, &id)) {
		close(fd);
		return caec_set_detail(-EPROTO,
			"%s speaks uAPI version %d, this library %d",
			path, v, CAEC_CSM_UAPI_VERSION);
	}
	s = malloc(sizeof(*s));
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->fd = fd;
	c->t = &dev_transport;
	c->priv = s;
	c->realm_id = id.realm_id;
	memset(c->measurement, 0, sizeof(c->measurement));
	c->isolation = CAEC_CSM_ISOLATION_HARDWARE;
	rc = csm_thread_start(&t, reader, s);
	if (rc) {
		close(fd);
		free(s);
		c->priv = NULL;
	}
	return rc;
}
