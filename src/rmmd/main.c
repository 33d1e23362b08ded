/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec-rmmd — the CSM service for Linux hosts: an EMULATION of the RMM with
 * the CAEC extension, for development and CI. Options, the listening
 * socket, signals and the event loop (single-threaded, epoll).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "rmmd.h"
#include "../proto/rmmd_wire.h"

#define MAX_EVENTS 64

static const char usage_text[] =
"usage: caec-rmmd [options]\n"
"\n"
"The CSM service of libcaec for ordinary Linux hosts. It EMULATES the Arm\n"
"CCA RMM with the CAEC Confidential Shared Memory extension for development\n"
"and CI: every connected process is a realm (fresh 64-bit realm id,\n"
"measured by the SHA-256 of its executable), and every request runs\n"
"through the firmware extension's own RSI handlers on a host model of the\n"
"RMM. It gives NO hardware isolation: region memory is an ordinary memfd,\n"
"and the kernel and root can reach it.\n"
"Inside a real CCA realm libcaec uses /dev/caec-csm instead.\n"
"\n"
"Same-user mode (started by an ordinary user): grants between realms are\n"
"NOT enforced against processes of that user: any of them can reach every\n"
"region, and a read-only consumer can make its mapping writable.\n"
"Multi-user mode (started as root): regions belong to root, and a realm's\n"
"grants hold against every other uid (not against processes of the realm's\n"
"own uid); let the realms' users reach the socket with --socket-mode or\n"
"--socket-group.\n"
"\n"
"options:\n"
"  -s, --socket PATH       listen here (default: $CAEC_RMMD_SOCKET, else\n"
"                          $XDG_RUNTIME_DIR/caec-rmmd.sock, else\n"
"                          /run/caec-rmmd.sock)\n"
"      --socket-mode MODE  permissions of the socket, octal (default 0600)\n"
"      --socket-group GRP  group of the socket (a name or a number), so that\n"
"                          with --socket-mode 0660 its members connect\n"
"      --anchor PATH       write the platform attestation key (PEM, the\n"
"                          verifiers' trust anchor) here (default: the\n"
"                          socket path + \".pub\")\n"
"  -f, --foreground        do not detach from the terminal\n"
"      --ready-fd N        write \"ready\\n\" to descriptor N once listening,\n"
"                          then close it (for whoever started the daemon)\n"
"      --pool-mib N        granule pool of the RMM model, MiB (default 256)\n"
"      --max-region-mib N  largest region, MiB (default 128)\n"
"      --max-clients N     connected realms at most (default 256)\n"
"      --max-clients-per-uid N\n"
"                          connected realms of one uid at most (default 32)\n"
"      --realm-pool-mib N  pool one realm's regions may take, MiB (default:\n"
"                          three quarters of the pool)\n"
"      --realm-max-regions N\n"
"                          regions one realm may create (default 64)\n"
"      --max-exe-mib N     refuse a client whose executable is larger, MiB\n"
"                          (default 1024; it is hashed to measure it)\n"
"      --ack-timeout-ms N  how long a revoke or destroy waits for the realms\n"
"                          that keep or lose access to acknowledge, before\n"
"                          the old memory goes all the same (default 1000)\n"
"  -q, --quiet             log errors only\n"
"  -v, --verbose           log every request\n"
"  -h, --help              this text\n"
"\n"
"Logs go to stderr. SIGTERM or SIGINT shut it down cleanly: every realm is\n"
"torn down by the firmware's rules and the socket is removed.\n";

static int
parse_ulong(const char *s, unsigned long max, unsigned long *out, int base)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (!*s || *end || errno || v > max || *s == '-')
		return -1;
	*out = v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct rmmd_config *cfg)
{
	enum { O_MODE = 256, O_READY, O_POOL, O_MAXREG, O_MAXCL, O_ANCHOR,
	       O_ACK, O_GROUP, O_MAXUID, O_RPOOL, O_RREG, O_MAXEXE };
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "socket-mode", required_argument, NULL, O_MODE },
		{ "socket-group", required_argument, NULL, O_GROUP },
		{ "foreground", no_argument, NULL, 'f' },
		{ "ready-fd", required_argument, NULL, O_READY },
		{ "pool-mib", required_argument, NULL, O_POOL },
		{ "max-region-mib", required_argument, NULL, O_MAXREG },
		{ "max-clients", required_argument, NULL, O_MAXCL },
		{ "max-clients-per-uid", required_argument, NULL, O_MAXUID },
		{ "realm-pool-mib", required_argument, NULL, O_RPOOL },
		{ "realm-max-regions", required_argument, NULL, O_RREG },
		{ "max-exe-mib", required_argument, NULL, O_MAXEXE },
		{ "anchor", required_argument, NULL, O_ANCHOR },
		{ "ack-timeout-ms", required_argument, NULL, O_ACK },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int o, idx = 0;

	while ((o = getopt_long(argc, argv, "s:fqvh", opts, &idx)) != -1) {
		switch (o) {
		case 's':
			cfg->socket = optarg;
			break;
		case O_MODE:
			if (parse_ulong(optarg, 0777, &v, 8))
				goto bad;
			cfg->socket_mode = (unsigned int)v;
			break;
		case O_GROUP: {
			struct group *g = getgrnam(optarg);

			if (g)
				v = g->gr_gid;
			else if (parse_ulong(optarg, UINT_MAX - 1, &v, 10))
				goto bad;
			cfg->socket_gid = (gid_t)v;
			cfg->socket_group = true;
			break;
		}
		case 'f':
			cfg->foreground = true;
			break;
		case O_READY:
			if (parse_ulong(optarg, INT_MAX, &v, 10))
				goto bad;
			cfg->ready_fd = (int)v;
			break;
		case O_POOL:
			if (parse_ulong(optarg, 65536, &v, 10) || v < 4)
				goto bad;
			cfg->pool_mib = v;
			break;
		case O_MAXREG:
			if (parse_ulong(optarg, 65536, &v, 10) || !v)
				goto bad;
			cfg->max_region_mib = v;
			break;
		case O_MAXCL:
			if (parse_ulong(optarg, 4096, &v, 10) || !v)
				goto bad;
			cfg->max_clients = (unsigned int)v;
			break;
		case O_MAXUID:
			if (parse_ulong(optarg, 4096, &v, 10) || !v)
				goto bad;
			cfg->max_clients_per_uid = (unsigned int)v;
			break;
		case O_RPOOL:
			if (parse_ulong(optarg, 65536, &v, 10) || !v)
				goto bad;
			cfg->realm_pool_mib = v;
			break;
		case O_RREG:
			if (parse_ulong(optarg, 65536, &v, 10) || !v)
				goto bad;
			cfg->realm_max_regions = (unsigned int)v;
			break;
		case O_MAXEXE:
			if (parse_ulong(optarg, 1ul << 20, &v, 10) || !v)
				goto bad;
			cfg->max_exe_mib = v;
			break;
		case O_ANCHOR:
			cfg->anchor = optarg;
			break;
		case O_ACK:
			if (parse_ulong(optarg, 60000, &v, 10))
				goto bad;
			cfg->ack_timeout_ms = (unsigned int)v;
			break;
		case 'q':
			cfg->verbosity = 0;
			break;
		case 'v':
			cfg->verbosity = 2;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs(usage_text, stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "caec-rmmd: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "caec-rmmd: bad value '%s' for --%s\n", optarg,
		opts[idx].name);
	return -1;
}

/* Refuse to steal a live daemon's socket; remove a stale one. */
static int
listen_socket(const struct rmmd_config *cfg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, probe, rc;
	mode_t old;

	if (strlen(cfg->socket) >= sizeof(sa.sun_path)) {
		rmmd_err("socket path too long: %s", cfg->socket);
		return -1;
	}
	strcpy(sa.sun_path, cfg->socket);
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe >= 0 &&
	    connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		rmmd_err("another caec-rmmd is listening at %s", cfg->socket);
		close(probe);
		return -1;
	}
	if (probe >= 0)
		close(probe);
	(void)unlink(cfg->socket);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* The socket is born with its mode (no window before a chmod). */
	old = umask(~cfg->socket_mode & 0777);
	rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (!rc && cfg->socket_group)
		rc = lchown(cfg->socket, (uid_t)-1, cfg->socket_gid);
	if (rc || listen(fd, 128)) {
		rmmd_err("cannot listen at %s: %s", cfg->socket,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
signals_fd(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int
detach(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		close(fd);
	}
	/* No chdir("/"): relative --socket and --anchor paths stay valid. */
	return 0;
}

static void
loop(struct rmmd *d)
{
	struct epoll_event evs[MAX_EVENTS];
	struct signalfd_siginfo si;
	int n, i;

	while (!d->stop) {
		/* Wakes up for the first deadline of a revoke in progress. */
		n = epoll_wait(d->epfd, evs, MAX_EVENTS,
			       rmmd_retire_timeout_ms(d));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rmmd_err("epoll_wait: %s", strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			struct rmmd_client *c = evs[i].data.ptr;

			if (evs[i].data.ptr == &d->lfd) {
				(void)rmmd_accept(d);
			} else if (evs[i].data.ptr == &d->measure_pipe[0]) {
				rmmd_measure_done(d);
			} else if (evs[i].data.ptr == &d->sigfd) {
				while (read(d->sigfd, &si, sizeof(si)) ==
				       (ssize_t)sizeof(si)) {
					rmmd_info("signal %u: shutting down",
						  si.ssi_signo);
					d->stop = true;
				}
			} else if (!c->dead) {
				if (evs[i].events & EPOLLIN)
					rmmd_readable(d, c);
				else
					rmmd_kill(c, "hung up");
			}
		}
		rmmd_retire_expire(d);
		rmmd_reap(d);
	}
}

static void
ready(int fd)
{
	static const char msg[] = "ready\n";

	if (fd < 0)
		return;
	if (write(fd, msg, sizeof(msg) - 1) < 0)
		rmmd_err("--ready-fd %d: %s", fd, strerror(errno));
	close(fd);
}

int
main(int argc, char **argv)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct hm_params hp = { .size = sizeof(hp) };
	char sock[PATH_MAX], anchor[PATH_MAX + 8];
	struct rmmd d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.cfg.socket_mode = 0600;
	d.cfg.ready_fd = -1;
	d.cfg.pool_mib = 256;
	d.cfg.max_region_mib = 128;
	d.cfg.max_clients = 256;
	d.cfg.max_clients_per_uid = 32;
	d.cfg.realm_max_regions = 64;
	d.cfg.max_exe_mib = 1024;
	d.cfg.ack_timeout_ms = 1000;
	d.cfg.verbosity = 1;
	d.lfd = d.epfd = d.sigfd = d.spare_fd = -1;
	d.measure_pipe[0] = d.measure_pipe[1] = -1;
	if (parse_args(argc, argv, &d.cfg))
		return 2;
	rmmd_log_init(d.cfg.verbosity);
	if (!d.cfg.realm_pool_mib)
		d.cfg.realm_pool_mib = d.cfg.pool_mib * 3 / 4;
	rmmd_raise_nofile(&d);
	/*
	 * Not dumpable: no process of this user opens /proc/<daemon>/fd/N (the
	 * regions' memfds, read-write) or attaches with ptrace. Files this
	 * daemon creates are its own unless it says otherwise.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		rmmd_err("PR_SET_DUMPABLE: %s", strerror(errno));
		return 1;
	}
	umask(077);
	if (!d.cfg.socket) {
		rmmd_default_socket(sock, sizeof(sock));
		d.cfg.socket = sock;
	}
	if (!d.cfg.anchor) {
		snprintf(anchor, sizeof(anchor), "%s.pub", d.cfg.socket);
		d.cfg.anchor = anchor;
	}
	if (d.cfg.ready_fd >= 0 && fcntl(d.cfg.ready_fd, F_SETFD, FD_CLOEXEC)) {
		rmmd_err("--ready-fd %d: %s", d.cfg.ready_fd, strerror(errno));
		return 1;
	}
	hp.nr_granules = d.cfg.pool_mib << 20 >> 12;
	rc = hm_create(&hp, &d.hm);
	if (rc) {
		rmmd_err("cannot create the RMM model: %s", strerror(-rc));
		return 1;
	}
	d.sigfd = signals_fd();
	d.lfd = listen_socket(&d.cfg);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.sigfd < 0 || d.lfd < 0 || d.epfd < 0)
		goto out;
	rc = rmmd_tokens_start(&d);
	if (rc) {
		rmmd_err("cannot set up attestation (%s): %s", d.cfg.anchor,
			 strerror(-rc));
		goto out;
	}
	ev.data.ptr = &d.lfd;
	if (epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.lfd, &ev))
		goto out;
	ev.data.ptr = &d.sigfd;
	if (epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.sigfd, &ev))
		goto out;
	rc = rmmd_closer_start();
	if (rc) {
		rmmd_err("cannot start the closer thread: %s", strerror(-rc));
		goto out;
	}
	ev.data.ptr = &d.measure_pipe[0];
	if (rmmd_measure_init(&d) ||
	    epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.measure_pipe[0], &ev))
		goto out;
	if (!d.cfg.foreground && detach()) {
		rmmd_err("cannot detach: %s", strerror(errno));
		goto out;
	}
	rmmd_info("listening at %s (an EMULATION of the RMM: no hardware isolation)",
		  d.cfg.socket);
	if (geteuid() == 0)
		rmmd_info("multi-user mode: regions belong to uid 0; a realm's grants hold against every other uid, not against processes of the realm's own uid");
	else
		rmmd_info("same-user mode: running as uid %u, grants between realms are NOT enforced against processes of uid %u (any of them can reach every region; a read-only consumer can write); start as root for multi-user mode",
			  (unsigned int)geteuid(), (unsigned int)geteuid());
	if (d.tokens)
		rmmd_info("attestation: trust anchor at %s", d.cfg.anchor);
	ready(d.cfg.ready_fd);
	loop(&d);
	rc = 0;
out:
	rmmd_drop_all(&d);
	rmmd_retire_all(&d);
	rmmd_tokens_stop(&d);
	if (d.lfd >= 0) {
		close(d.lfd);
		unlink(d.cfg.socket);
	}
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.spare_fd >= 0)
		close(d.spare_fd);
	hm_destroy(d.hm);
	return d.stop && !rc ? 0 : 1;
}
