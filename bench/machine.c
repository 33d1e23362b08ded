/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Facts about the machine for the report; nothing that names the host.
 */
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static void
copy_trim(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	while (*src == ' ' || *src == '\t' || *src == ':')
		src++;
	while (src[n] && src[n] != '\n' && n + 1 < cap) {
		dst[n] = src[n];
		n++;
	}
	while (n && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

/* x86 has "model name"; arm64 kernels print implementer and part codes. */
static void
cpu_model(char *out, size_t cap)
{
	char line[256], impl[32] = "", part[32] = "";
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(out, cap, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			copy_trim(out, cap, line + 10);
			fclose(f);
			return;
		}
		if (!strncmp(line, "CPU implementer", 15) && !*impl)
			copy_trim(impl, sizeof(impl), line + 15);
		if (!strncmp(line, "CPU part", 8) && !*part)
			copy_trim(part, sizeof(part), line + 8);
	}
	fclose(f);
	if (*impl)
		snprintf(out, cap, "implementer %s part %s", impl, part);
}

static void
read_line(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[256];

	snprintf(out, cap, "unknown");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f))
		copy_trim(out, cap, line);
	fclose(f);
}

void
bench_machine_probe(struct bench_machine *m, const struct bench_cfg *cfg)
{
	struct utsname u;
	struct tm tm;
	time_t now = time(NULL);

	memset(m, 0, sizeof(*m));
	if (gmtime_r(&now, &tm))
		strftime(m->started, sizeof(m->started), "%Y-%m-%dT%H:%M:%SZ",
			 &tm);
	cpu_model(m->cpu_model, sizeof(m->cpu_model));
	m->nproc = sysconf(_SC_NPROCESSORS_ONLN);
	if (uname(&u) == 0) {
		snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
		snprintf(m->arch, sizeof(m->arch), "%s", u.machine);
	}
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  m->clocksource, sizeof(m->clocksource));
	m->cores[0] = cfg->cores[0];
	m->cores[1] = cfg->cores[1];
	m->pinned = bench_pinned;
}

/* Busy, steal and total CPU time of the whole machine, in clock ticks. */
static bool
proc_stat(uint64_t *busy, uint64_t *steal, uint64_t *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return false;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 8)
		return false;
	*total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
	*steal = v[7];
	*busy = *total - v[3] - v[4] - v[7];
	return true;
}

/* CPU time of this process and its reaped children, in ns. */
static uint64_t
own_cpu_ns(void)
{
	struct rusage a, b;

	getrusage(RUSAGE_SELF, &a);
	getrusage(RUSAGE_CHILDREN, &b);
	return ((uint64_t)(a.ru_utime.tv_sec + a.ru_stime.tv_sec +
			   b.ru_utime.tv_sec + b.ru_stime.tv_sec)) * 1000000000u +
	       ((uint64_t)(a.ru_utime.tv_usec + a.ru_stime.tv_usec +
			   b.ru_utime.tv_usec + b.ru_stime.tv_usec)) * 1000u;
}

void
bench_load_start(struct bench_load *l)
{
	memset(l, 0, sizeof(*l));
	l->valid = proc_stat(&l->busy, &l->steal, &l->total);
	l->own_ns = own_cpu_ns();
	l->other_pct = l->steal_pct = NAN;
}

/*
 * What else ran while we measured: CPU time of other processes and time the
 * hypervisor stole, in percent of the machine's CPU capacity.
 */
void
bench_load_stop(struct bench_load *l)
{
	uint64_t busy, steal, total, own;
	double hz = (double)sysconf(_SC_CLK_TCK), cap;

	if (!l->valid || !proc_stat(&busy, &steal, &total) ||
	    total == l->total || hz <= 0) {
		l->valid = false;
		return;
	}
	own = own_cpu_ns() - l->own_ns;
	cap = (double)(total - l->total) / hz;
	l->other_pct = ((double)(busy - l->busy) / hz - (double)own / 1e9) /
		       cap * 100.0;
	if (l->other_pct < 0)
		l->other_pct = 0;
	l->steal_pct = (double)(steal - l->steal) / hz / cap * 100.0;
}
