/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Clocks: monotonic wall time, the per-sample tick counter and its rate,
 * thread CPU time, and the sender's cycles (perf counter, else an estimate
 * of CPU time x counter frequency).
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define CALIBRATE_NS 20000000u	/* 20 ms of ticks against CLOCK_MONOTONIC */

static double ticks_hz = 1e9;
static double ticks_res_ns;
static uint64_t ticks_step = 1;
static const char *ticks_name = "clock_monotonic";
static enum bench_cycles_source cyc_source = BENCH_CYC_NONE;
static int perf_fd = -1;

uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
bench_thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
calibrate(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint64_t c0, c1, t0, t1;

	/* The TSC has no architectural rate register: time it. */
	t0 = bench_now_ns();
	c0 = bench_ticks();
	do {
		t1 = bench_now_ns();
	} while (t1 - t0 < CALIBRATE_NS);
	c1 = bench_ticks();
	ticks_hz = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
	ticks_name = "tsc";
#elif defined(__aarch64__)
	uint64_t f;

	__asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(f));
	ticks_hz = (double)f;
	ticks_name = "cntvct";
#endif
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The smallest step the tick counter makes, and its usual one: a VM may
 * advance it in steps of several ticks (and split one now and then).
 */
static void
resolution(void)
{
	uint64_t a, b, best = UINT64_MAX, step[1000];
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		a = bench_ticks();
		do {
			b = bench_ticks();
		} while (b == a);
		step[i] = b - a;
		if (b - a < best)
			best = b - a;
	}
	qsort(step, 1000, sizeof(step[0]), cmp_u64);
	ticks_step = step[500];
	ticks_res_ns = (double)best * 1e9 / ticks_hz;
}

static int
perf_open_cycles(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HARDWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	/* This thread only (the sender), any CPU, not inherited by the peer. */
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

/*
 * Calibrate the tick counter and choose the cycles source. Call in the
 * sender (the parent) before any peer is forked.
 */
void
bench_clock_init(void)
{
	calibrate();
	resolution();
	perf_fd = perf_open_cycles();
	if (perf_fd >= 0)
		cyc_source = BENCH_CYC_PERF;
	else if (strcmp(ticks_name, "clock_monotonic"))
		cyc_source = BENCH_CYC_ESTIMATE;
	else
		cyc_source = BENCH_CYC_NONE;
}

double
bench_ticks_hz(void)
{
	return ticks_hz;
}

double
bench_ticks_resolution_ns(void)
{
	return ticks_res_ns;
}

/* The counter's usual step in ticks (see resolution()). */
uint64_t
bench_ticks_step(void)
{
	return ticks_step;
}

const char *
bench_ticks_name(void)
{
	return ticks_name;
}

enum bench_cycles_source
bench_cycles_source(void)
{
	return cyc_source;
}

/* Outside the timed loop: these are syscalls. */
void
bench_meter_start(struct bench_meter *m)
{
	memset(m, 0, sizeof(*m));
	m->source = cyc_source;
	if (m->source == BENCH_CYC_PERF &&
	    (ioctl(perf_fd, PERF_EVENT_IOC_RESET, 0) ||
	     ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0)))
		m->source = BENCH_CYC_ESTIMATE;
	m->cpu_ns = bench_thread_cpu_ns();
}

void
bench_meter_stop(struct bench_meter *m)
{
	uint64_t v;

	m->cpu_ns = bench_thread_cpu_ns() - m->cpu_ns;
	if (m->source != BENCH_CYC_PERF)
		return;
	if (ioctl(perf_fd, PERF_EVENT_IOC_DISABLE, 0) ||
	    read(perf_fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		m->source = BENCH_CYC_ESTIMATE;
	else
		m->cycles = v;
}

/* Sender cycles per message; NAN when there is no cycles source. */
double
bench_cycles_per_msg(const struct bench_meter *m, uint64_t count)
{
	if (!count)
		return NAN;
	switch (m->source) {
	case BENCH_CYC_PERF:
		return (double)m->cycles / (double)count;
	case BENCH_CYC_ESTIMATE:
		return (double)m->cpu_ns * ticks_hz / 1e9 / (double)count;
	default:
		return NAN;
	}
}
