/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-load hook of the fuzz builds (fuzz_hook.h). Single-threaded:
 * a target runs one input at a time.
 */
#include <string.h>

#include "fuzz_hook.h"

static struct {
	uint8_t *base;
	size_t len;
	const uint8_t *script;
	size_t left;
	size_t changed;
	const uint8_t *watch;
	uint64_t watch_base;
	uint64_t watch_max;
} hook;

void
fuzz_hook_arm(void *base, size_t len, const uint8_t *script,
	      size_t script_len)
{
	hook.base = base;
	hook.len = len;
	hook.script = script;
	hook.left = script_len;
	hook.changed = 0;
}

void
fuzz_hook_disarm(void)
{
	memset(&hook, 0, sizeof(hook));
}

void
fuzz_hook_watch(const void *word, uint64_t base)
{
	hook.watch = word;
	hook.watch_base = base;
	hook.watch_max = 0;
}

uint64_t
fuzz_hook_watched(void)
{
	return hook.watch_max;
}

/* Loads of the watched word: keep the furthest value ahead of the base. */
static uint64_t
watch_load(const uint8_t *a, size_t size, uint64_t v)
{
	int64_t d;

	if (a == hook.watch && size == sizeof(uint64_t)) {
		d = (int64_t)(v - hook.watch_base);
		if (d > 0 && (uint64_t)d > hook.watch_max)
			hook.watch_max = (uint64_t)d;
	}
	return v;
}

size_t
fuzz_hook_changed(void)
{
	return hook.changed;
}

/* Called by sh_load() and sh_load_acq() of the library (src/shm_access.h). */
uint64_t caec_fuzz_shload(const volatile void *p, size_t size, uint64_t v);

uint64_t
caec_fuzz_shload(const volatile void *p, size_t size, uint64_t v)
{
	uint8_t *a = (uint8_t *)(uintptr_t)p;
	uint64_t nv = 0;
	uint8_t ctl;

	if (!hook.left || a < hook.base || size > sizeof(nv) ||
	    (size_t)(a - hook.base) + size > hook.len)
		return watch_load(a, size, v);
	ctl = *hook.script++;
	hook.left--;
	if (!ctl || hook.left < size)
		return watch_load(a, size, v);
	memcpy(&nv, hook.script, size);	/* little-endian hosts only */
	hook.script += size;
	hook.left -= size;
	memcpy(a, &nv, size);
	hook.changed++;
	return watch_load(a, size, nv);
}
