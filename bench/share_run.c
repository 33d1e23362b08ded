/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One run of one share configuration, the parent's side (share.h): the
 * realm processes (share_realm.c), the barrier, the PSS sums.
 *
 * Descriptors, all made before the first fork; each realm closes every one
 * that is not its own, so that a dead peer reads as end of file:
 *   ctl:  a socketpair per realm, parent <-> realm. The realm sends its
 *         report once it holds and has read everything, then blocks until
 *         the parent, having read every realm's PSS, sends the release byte.
 *   link: a socketpair per consumer, provider <-> consumer: the blob
 *         (private) or the attestation, sharing ids and t0 (csm).
 *
 * Failures: a realm dies with its message (bench_die in a child); the
 * parent sees end of file on its ctl socket or a timeout, names the realm
 * and its exit status, and exits, killing and reaping the other realms at
 * exit (share_run_init). Consumers are released first: they detach before
 * the provider destroys the regions.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "share.h"

#define REPORT_BASE_MS 30000u	/* a realm that does not report is a failure, */
#define REPORT_MS_PER_MIB 20u	/* with this much more per MiB of blob held */

struct share_proc {
	pid_t pid;		/* 0: not running */
	int ctl[2];		/* [0] the parent's end, [1] the realm's */
	int link[2];		/* consumers: [0] the provider's end, [1] theirs */
	bool reported;
	struct share_report rep;
};

/* Realm 0 is the provider, 1..C the consumers; file scope for the cleanup. */
static struct share_proc procs[SHARE_MAX_CONSUMERS + 1];
static unsigned int nprocs;
static pid_t parent_pid;
static volatile sig_atomic_t stop_signal;	/* SIGINT, SIGTERM, SIGHUP */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static const char *
realm_name(unsigned int k)
{
	static char buf[32];

	if (!k)
		return "provider";
	snprintf(buf, sizeof(buf), "consumer %u", k);
	return buf;
}

/* In realm @k: close every descriptor of the run that is not @k's. */
static void
keep_own_fds(unsigned int k)
{
	unsigned int j;

	for (j = 0; j < nprocs; j++) {
		close(procs[j].ctl[0]);
		if (j != k)
			close(procs[j].ctl[1]);
		if (!j)
			continue;
		if (k)
			close(procs[j].link[0]);
		if (j != k)
			close(procs[j].link[1]);
	}
}

/* Fork realm @k; it exits when released, or dies with the parent. */
static void
spawn(const struct share_cfg *cfg, enum share_kind kind, unsigned int k)
{
	struct share_realm me = { 0 };
	size_t i;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid) {
		procs[k].pid = pid;
		return;
	}
	bench_in_child = true;
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		signal(stop_signals[i], SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent_pid)
		_exit(1);
	keep_own_fds(k);
	me.k = k;
	me.consumers = nprocs - 1;
	me.ctl = procs[k].ctl[1];
	for (i = 0; i < nprocs; i++)
		me.link[i] = !k && i ? procs[i].link[0] : -1;
	if (k)
		me.link[k] = procs[k].link[1];
	share_realm_main(cfg, kind, &me);
	_exit(0);
}

/* Reap realm @k. RETURN VALUE: its wait status. */
static int
reap(unsigned int k)
{
	int st;

	while (waitpid(procs[k].pid, &st, 0) < 0)
		if (errno != EINTR)
			bench_die("waitpid: %s", strerror(errno));
	procs[k].pid = 0;
	return st;
}

/* Realm @k stopped early: it printed why; say which and how, exit 1. */
static void __attribute__((noreturn))
realm_failed(unsigned int k, const char *when)
{
	int st = reap(k);

	if (WIFSIGNALED(st))
		bench_die("the %s process was killed by signal %d (%s) %s",
			  realm_name(k), WTERMSIG(st), strsignal(WTERMSIG(st)),
			  when);
	bench_die("the %s process failed (exit status %d) %s", realm_name(k),
		  WEXITSTATUS(st), when);
}

/* Wait for every realm's report; a silent or dead realm is a failure. */
static void
collect(const struct share_cfg *cfg)
{
	struct pollfd pfd[SHARE_MAX_CONSUMERS + 1];
	unsigned int idx[SHARE_MAX_CONSUMERS + 1], k, m, j, left = nprocs;
	uint64_t ms = REPORT_BASE_MS + (uint64_t)REPORT_MS_PER_MIB *
		      (cfg->blob_bytes >> 20) * nprocs;
	uint64_t deadline = bench_now_ns() + ms * 1000000u, now;
	ssize_t n;
	int rc;

	while (left) {
		for (m = 0, k = 0; k < nprocs; k++) {
			if (procs[k].reported)
				continue;
			pfd[m].fd = procs[k].ctl[0];
			pfd[m].events = POLLIN;
			idx[m++] = k;
		}
		now = bench_now_ns();
		if (now >= deadline)
			bench_die("the %s did not report within %llu s",
				  realm_name(idx[0]),
				  (unsigned long long)(ms / 1000));
		rc = poll(pfd, m, (int)((deadline - now) / 1000000u) + 1);
		if (rc < 0 && errno != EINTR)
			bench_die("poll: %s", strerror(errno));
		if (stop_signal)
			bench_die("interrupted (%s)", strsignal(stop_signal));
		for (j = 0; rc > 0 && j < m; j++) {
			if (!pfd[j].revents)
				continue;
			k = idx[j];
			n = recv(procs[k].ctl[0], &procs[k].rep,
				 sizeof(procs[k].rep), MSG_WAITALL);
			if (n != (ssize_t)sizeof(procs[k].rep))
				realm_failed(k, "before it reported");
			procs[k].reported = true;
			left--;
		}
	}
}

/*
 * pss_kb - the proportional set size of process @pid in kB: the
 * "Pss:" line of /proc/PID/smaps_rollup, or the sum of those of
 * /proc/PID/smaps on kernels without the rollup (before 4.14).
 * RETURN VALUE: 0 and *@kb; -errno of opening or reading, -EPROTO (no Pss).
 */
static int
pss_kb(pid_t pid, uint64_t *kb)
{
	unsigned long long v, sum = 0;
	char path[64], line[512];
	bool found = false;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "re");
	if (!f && errno == ENOENT && kill(pid, 0) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
		f = fopen(path, "re");
	}
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pss: %llu kB", &v) == 1) {
			sum += v;
			found = true;
		}
	rc = ferror(f) ? -EIO : found ? 0 : -EPROTO;
	fclose(f);
	*kb = sum;
	return rc;
}

static uint64_t
pss_of(pid_t pid, const char *who)
{
	uint64_t kb;
	int rc = pss_kb(pid, &kb);

	if (rc)
		bench_die("cannot read the PSS of the %s (pid %d) from /proc/%d/smaps_rollup or smaps: %s",
			  who, (int)pid, (int)pid,
			  rc == -EPROTO ? "no Pss line" : strerror(-rc));
	return kb;
}

/* Let realm @k go and reap it; it must exit cleanly. */
static void
release(unsigned int k)
{
	char c = 'r';
	int st;

	if (write(procs[k].ctl[0], &c, 1) != 1)
		realm_failed(k, "before it was released");
	close(procs[k].ctl[0]);
	procs[k].ctl[0] = -1;
	st = reap(k);
	if (WIFSIGNALED(st) || WEXITSTATUS(st))
		bench_die("the %s process failed after it was released (%s %d)",
			  realm_name(k), WIFSIGNALED(st) ? "signal" :
			  "exit status", WIFSIGNALED(st) ? WTERMSIG(st) :
			  WEXITSTATUS(st));
}

/*
 * share_run - one run of configuration @kind with @consumers consumers;
 * fills @out. Exits (1) on any failure of a realm, a checksum that differs
 * from the provider's, or an unreadable PSS, leaving no realm behind.
 */
void
share_run(const struct share_cfg *cfg, unsigned int consumers,
	  enum share_kind kind, struct share_sample *out)
{
	unsigned int k;

	memset(out, 0, sizeof(*out));
	nprocs = consumers + 1;
	for (k = 0; k < nprocs; k++) {
		memset(&procs[k], 0, sizeof(procs[k]));
		procs[k].link[0] = procs[k].link[1] = -1;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
			       procs[k].ctl) ||
		    (k && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				     procs[k].link)))
			bench_die("socketpair: %s", strerror(errno));
	}
	for (k = 0; k < nprocs; k++)
		spawn(cfg, kind, k);
	for (k = 0; k < nprocs; k++) {
		close(procs[k].ctl[1]);
		if (k) {
			close(procs[k].link[0]);
			close(procs[k].link[1]);
		}
	}

	collect(cfg);
	out->sum = procs[0].rep.sum;
	out->transport = procs[0].rep.transport;
	out->regions = procs[0].rep.regions;
	for (k = 0; k < nprocs; k++) {
		if (procs[k].rep.pin_err)
			out->pin_failed = true;
		if (procs[k].rep.sum != out->sum)
			bench_die("DATA MISMATCH: the %s's blob checksum is %016llx, the provider's %016llx",
				  realm_name(k),
				  (unsigned long long)procs[k].rep.sum,
				  (unsigned long long)out->sum);
		if (k) {
			out->ttfb_ns[k - 1] = procs[k].rep.ttfb_ns;
			out->read_ns[k - 1] = procs[k].rep.read_ns;
		}
		/* Every realm holds and has touched all it will. */
		out->pss_kb += pss_of(procs[k].pid, realm_name(k));
	}
	if (kind == SHARE_CSM && cfg->rmmd_pid)
		out->rmmd_pss_kb = pss_of(cfg->rmmd_pid, "caec-rmmd");

	/* Consumers first: they detach before the provider destroys. */
	for (k = 1; k < nprocs; k++)
		release(k);
	release(0);
}

static void
on_stop(int sig)
{
	stop_signal = sig;
}

/* At exit: kill and reap every realm still running (after a failure). */
static void
cleanup(void)
{
	unsigned int k;

	if (getpid() != parent_pid)
		return;
	for (k = 0; k < nprocs; k++) {
		if (procs[k].pid <= 0)
			continue;
		kill(procs[k].pid, SIGKILL);
		while (waitpid(procs[k].pid, NULL, 0) < 0 && errno == EINTR)
			;
		procs[k].pid = 0;
	}
}

/*
 * share_run_init - before the first run, in the parent: at exit (also
 * after a failure) every realm still running is killed and reaped; SIGINT,
 * SIGTERM and SIGHUP end the wait for the realms with an error, so that
 * this happens then too. Register it after whatever must run after it
 * (atexit order), e.g. stopping the CSM service.
 */
void
share_run_init(void)
{
	struct sigaction sa;
	size_t i;

	parent_pid = getpid();
	if (atexit(cleanup))
		bench_die("atexit failed");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: poll() returns */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (sigaction(stop_signals[i], &sa, NULL))
			bench_die("sigaction: %s", strerror(errno));
}
