/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The peer process of a group: fork, pin, hand-shake through the shared
 * control block, reap. Also the fatal-error exits, which differ in the child (_exit, so
 * that stdio buffers inherited from the parent are not flushed twice).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caec/caec.h>

#include "bench.h"

bool bench_in_child;
bool bench_pinned = true;

static struct bench_ctl *ctl;
static int pin_core;
static pid_t peer_pid;

static void __attribute__((noreturn))
die_exit(void)
{
	if (bench_in_child)
		_exit(1);
	exit(1);
}

void
bench_die(const char *fmt, ...)
{
	va_list ap;

	/* Clear a progress line first. */
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	fprintf(stderr, "caec-bench: %s", bench_in_child ? "peer: " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	die_exit();
}

/* A library call failed: the sentence and the detail, exit 1. */
void
bench_die_lib(const char *call, long rc)
{
	const char *detail = caec_error_detail();

	bench_die("%s: %s%s%s%s", call, caec_strerror((int)rc),
		  *detail ? " (" : "", detail, *detail ? ")" : "");
}

void
bench_die_data(const struct bench_run *run, const char *who, uint64_t seq,
	       const uint8_t *buf, long len)
{
	uint64_t a = 0, b = 0;

	if (len >= 16)
		memcpy(&a, buf + 8, sizeof(a));
	if (len >= 16 && len <= (long)run->size)
		memcpy(&b, buf + len - 8, sizeof(b));
	bench_die("DATA MISMATCH in %s %s %u B, %s, message %llu: length %ld, "
		  "sequence words %llu/%llu (expected length %u, sequence %llu)",
		  run->mode ? run->mode->name : "reference",
		  bench_pattern_name(run->pattern), run->size, who,
		  (unsigned long long)seq, len, (unsigned long long)a,
		  (unsigned long long)b, run->size, (unsigned long long)seq);
}

void
bench_spin_slow(uint64_t *t0, const char *what)
{
	uint64_t now = bench_now_ns();

	if (!*t0)
		*t0 = now;
	else if (now - *t0 > (uint64_t)BENCH_TIMEOUT_MS * 1000000u)
		bench_die("%s: the peer did not respond within %d s", what,
			  BENCH_TIMEOUT_MS / 1000);
}

/*
 * bench_alloc - @len bytes, zeroed, page-aligned: every message buffer of
 * every lane then stands in the same relation to the ring's slots modulo
 * the page (copies between addresses 4 KiB apart slow down on x86), so two
 * lanes differ by their channels, not by where malloc put their buffers.
 */
void *
bench_alloc(size_t len)
{
	void *p = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);

	if (!p)
		bench_die("out of memory (%zu bytes)", len);
	/* Touch every page now, not in a timed loop. */
	memset(p, 0, len);
	return p;
}

/*
 * A peer that fails (data mismatch, library error) has printed why; stop at
 * once instead of letting the parent's next blocking call time out. The
 * child is only inspected (WNOWAIT): bench_peer_join() reaps it.
 */
static void
on_sigchld(int sig)
{
	static const char msg[] = "caec-bench: the peer process failed\n";
	siginfo_t si;
	int saved = errno;

	(void)sig;
	memset(&si, 0, sizeof(si));
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid &&
	    (si.si_code != CLD_EXITED || si.si_status != 0)) {
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			_exit(1);
		_exit(1);
	}
	errno = saved;
}

void
bench_peer_init(void)
{
	struct sigaction sa;

	void *p = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bench_die("mmap of the control block: %s", strerror(errno));
	ctl = p;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
}

struct bench_ctl *
bench_peer_ctl(void)
{
	return ctl;
}

/* Any CPU but @core (else any CPU): for a process that could not be pinned. */
static void
unpin_from(int core)
{
	cpu_set_t set;
	long i, n = sysconf(_SC_NPROCESSORS_CONF);

	CPU_ZERO(&set);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		if (i != core)
			CPU_SET(i, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		CPU_SET(core, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
}

/*
 * bench_pin - run this process on @core only; when that fails, anywhere but
 * on @avoid (the other process's core: two spinning processes must not share
 * one).
 * RETURN VALUE: 0 or the errno of pinning to @core.
 */
int
bench_pin(int core, int avoid)
{
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(core, &set);
	if (!sched_setaffinity(0, sizeof(set), &set))
		return 0;
	err = errno;
	unpin_from(avoid);
	return err;
}

/*
 * bench_peer_spawn - fork the peer, pinned to the second core, running
 * @fn(@arg); its return value is the exit status. The peer dies with the
 * parent.
 */
pid_t
bench_peer_spawn(const struct bench_cfg *cfg, int (*fn)(void *), void *arg)
{
	pid_t pid;

	memset(ctl, 0, sizeof(*ctl));
	pin_core = cfg->cores[1];
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid) {
		peer_pid = pid;
		return pid;
	}
	bench_in_child = true;
	signal(SIGCHLD, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	ctl->pin_err = bench_pin(cfg->cores[1], cfg->cores[0]);
	_exit(fn(arg));
}

/*
 * Wait, outside any timed phase, until the peer has set @flag to @want
 * (a block's sequence number, or 1 for ready).
 */
void
bench_peer_wait(const uint32_t *flag, uint32_t want, const char *what)
{
	uint64_t t0 = bench_now_ns(), now;
	unsigned int i;
	int st;

	for (i = 1;; i++) {
		/* Pairs with the peer's release store of the flag. */
		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == want)
			return;
		bench_relax();
		if (i & 0xfffu)
			continue;
		if (waitpid(peer_pid, &st, WNOHANG) == peer_pid)
			bench_die("the peer process exited while the parent waited for %s",
				  what);
		now = bench_now_ns();
		if (now - t0 > (uint64_t)BENCH_TIMEOUT_MS * 1000000u)
			bench_die("the peer did not signal %s within %d s", what,
				  BENCH_TIMEOUT_MS / 1000);
	}
}

/* Reap the child; any failure of its own was already printed by it. */
void
bench_peer_join(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			bench_die("waitpid: %s", strerror(errno));
	if (ctl->pin_err && bench_pinned) {
		fprintf(stderr, "caec-bench: warning: cannot pin the peer to core %d (%s); continuing unpinned\n",
			pin_core, strerror(ctl->pin_err));
		bench_pinned = false;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFSIGNALED(st))
		bench_die("the peer process was killed by signal %d",
			  WTERMSIG(st));
	bench_die("the peer process failed (exit status %d)",
		  WEXITSTATUS(st));
}
