/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * caec_csm_service_start/stop: a private caec-rmmd for programs that need no
 * setup (tests, caec-bench) when nothing answers CSM calls yet.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <caec/csm_uapi.h>

#include "../error.h"
#include "csm_priv.h"

#define START_TIMEOUT_MS 10000

/* An object of this library, for dladdr(). */
static const char anchor;
#define STOP_TIMEOUT_MS 5000

struct caec_csm_service {
	pid_t pid;			/* 0: nothing started */
	char dir[PATH_MAX];
	char sock[PATH_MAX + 8];	/* room for the anchor's ".pub" */
	char *prev_socket;		/* $CAEC_RMMD_SOCKET before, or NULL */
};

/* Does a service answer already? */
static bool
service_answers(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *env = getenv("CAEC_RMMD_SOCKET");
	bool ok = false;
	int fd;

	if ((!env || !*env) && access(CAEC_CSM_DEVICE, F_OK) == 0)
		return true;
	csm_rmmd_socket_path(sa.sun_path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
	}
	return ok;
}

static bool
try_path(char *out, size_t len, const char *dir, const char *rel)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/%s", dir, rel) >= (int)sizeof(p) ||
	    access(p, X_OK))
		return false;
	snprintf(out, len, "%s", p);
	return true;
}

/* $CAEC_RMMD_PATH; next to libcaec (build tree: src/rmmd/); next to the
 * program (or ../src/rmmd/ from bench/ or tests/); the installed one. */
static int
find_daemon(char *out, size_t len)
{
	const char *env = getenv("CAEC_RMMD_PATH");
	char dir[PATH_MAX], *slash;
	Dl_info info;
	ssize_t n;

	if (env && *env) {
		if (access(env, X_OK))
			return caec_set_detail(-ENOENT,
				"$CAEC_RMMD_PATH=%s is not an executable", env);
		snprintf(out, len, "%s", env);
		return 0;
	}
	if (dladdr(&anchor, &info) && info.dli_fname &&
	    snprintf(dir, sizeof(dir), "%s", info.dli_fname) <
		    (int)sizeof(dir) &&
	    (slash = strrchr(dir, '/'))) {
		*slash = '\0';
		if (try_path(out, len, dir, "rmmd/caec-rmmd") ||
		    try_path(out, len, dir, "../bin/caec-rmmd"))
			return 0;
	}
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n > 0) {
		dir[n] = '\0';
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			if (try_path(out, len, dir, "caec-rmmd") ||
			    try_path(out, len, dir, "../src/rmmd/caec-rmmd"))
				return 0;
		}
	}
#if defined(CAEC_RMMD_INSTALLED)
	if (access(CAEC_RMMD_INSTALLED, X_OK) == 0) {
		snprintf(out, len, "%s", CAEC_RMMD_INSTALLED);
		return 0;
	}
#endif
	return caec_set_detail(-ENOENT,
		"no caec-rmmd executable found (set $CAEC_RMMD_PATH)");
}

static int
make_dir(struct caec_csm_service *s)
{
	const char *base = getenv("XDG_RUNTIME_DIR");

	if (!base || !*base || access(base, W_OK))
		base = "/tmp";
	if (snprintf(s->dir, sizeof(s->dir), "%s/caec-rmmd-XXXXXX", base) >=
		    (int)sizeof(s->dir) || !mkdtemp(s->dir) ||
	    snprintf(s->sock, sizeof(s->sock), "%s/sock", s->dir) >=
		    (int)sizeof(((struct sockaddr_un *)0)->sun_path))
		return caec_set_detail(-ENOMEM,
			"cannot make a socket directory under %s", base);
	return 0;
}

/* Wait for "ready" on @fd. RETURN VALUE: 0, -ETIMEDOUT, -EIO (it died). */
static int
wait_ready(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[8];
	ssize_t n;
	int rc;

	do
		rc = poll(&p, 1, START_TIMEOUT_MS);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return -ETIMEDOUT;
	n = read(fd, buf, sizeof(buf));
	return n > 0 && buf[0] == 'r' ? 0 : -EIO;
}

static void
reap(pid_t pid, int timeout_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < timeout_ms / 10; i++) {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * The private daemon's limits from the environment: $CAEC_RMMD_POOL_MIB and
 * $CAEC_RMMD_MAX_REGION_MIB become --pool-mib and --max-region-mib (caec-rmmd
 * checks the range). Appends to @argv at *@n; -EINVAL names a value that is
 * not a decimal number.
 */
static int
limit_args(char **argv, unsigned int *n, char buf[2][24])
{
	static const char *const env[2] = { "CAEC_RMMD_POOL_MIB",
					     "CAEC_RMMD_MAX_REGION_MIB" };
	static const char *const opt[2] = { "--pool-mib", "--max-region-mib" };
	const char *v;
	size_t len;
	int i;

	for (i = 0; i < 2; i++) {
		v = getenv(env[i]);
		if (!v)
			continue;
		len = strlen(v);
		if (!len || len >= sizeof(buf[i]) ||
		    strspn(v, "0123456789") != len)
			return caec_set_detail(-EINVAL,
				"$%s='%s' is not a number of MiB", env[i], v);
		memcpy(buf[i], v, len + 1);
		argv[(*n)++] = (char *)opt[i];
		argv[(*n)++] = buf[i];
	}
	return 0;
}

static int
spawn(struct caec_csm_service *s, const char *exe)
{
	char fdarg[16], lim[2][24], *argv[12];
	pid_t parent = getpid();
	unsigned int n = 7;
	sigset_t none;
	int p[2], rc;

	argv[0] = (char *)exe;
	argv[1] = (char *)"--foreground";
	argv[2] = (char *)"--quiet";
	argv[3] = (char *)"--socket";
	argv[4] = s->sock;
	argv[5] = (char *)"--ready-fd";
	argv[6] = fdarg;
	rc = limit_args(argv, &n, lim);
	if (rc)
		return rc;
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC))
		return -ENOMEM;
	snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
	sigemptyset(&none);
	s->pid = fork();
	if (s->pid < 0) {
		close(p[0]);
		close(p[1]);
		return -ENOMEM;
	}
	if (s->pid == 0) {
		/* Async-signal-safe calls only. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fcntl(p[1], F_SETFD, 0);
		execv(exe, argv);
		_exit(127);
	}
	close(p[1]);
	rc = wait_ready(p[0]);
	close(p[0]);
	if (rc) {
		kill(s->pid, SIGTERM);
		reap(s->pid, STOP_TIMEOUT_MS);
		s->pid = 0;
		return caec_set_detail(rc, "%s did not come up (%s)", exe,
				       rc == -ETIMEDOUT ? "no answer in 10 s" :
							  "it exited");
	}
	return 0;
}

int
caec_csm_service_start(struct caec_csm_service **out)
{
	struct caec_csm_service *s;
	const char *prev;
	char exe[PATH_MAX];
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (service_answers()) {
		*out = s;
		return 0;
	}
	rc = find_daemon(exe, sizeof(exe));
	if (!rc)
		rc = make_dir(s);
	if (!rc) {
		rc = spawn(s, exe);
		if (rc)
			rmdir(s->dir);
	}
	prev = getenv("CAEC_RMMD_SOCKET");
	if (!rc && prev && !(s->prev_socket = strdup(prev)))
		rc = -ENOMEM;
	if (!rc && setenv("CAEC_RMMD_SOCKET", s->sock, 1))
		rc = -ENOMEM;
	if (rc) {
		caec_csm_service_stop(s);
		return rc;
	}
	*out = s;
	return 0;
}

void
caec_csm_service_stop(struct caec_csm_service *s)
{
	if (!s)
		return;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		reap(s->pid, STOP_TIMEOUT_MS);
		/* Its own clean-up, in case it had to be killed. */
		unlink(s->sock);
		strcat(s->sock, ".pub");
		unlink(s->sock);
		rmdir(s->dir);
		if (s->prev_socket)
			setenv("CAEC_RMMD_SOCKET", s->prev_socket, 1);
		else
			unsetenv("CAEC_RMMD_SOCKET");
	}
	free(s->prev_socket);
	free(s);
}

int
caec_csm_service_pid(const struct caec_csm_service *s)
{
	return s ? (int)s->pid : 0;
}
