#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# run-fuzz.sh TARGET SEED_CORPUS WORK_CORPUS [libFuzzer options...]
#
# Runs one libFuzzer target for CAEC_FUZZ_SECONDS (default 20) over a copy
# of its seed corpus (WORK_CORPUS, refreshed from SEED_CORPUS each run).
# Fails on any crash, leak, timeout or out-of-memory, printing the
# reproducer's path, its bytes and how to replay it.
set -u
target=$1 seeds=$2 work=$3
shift 3
secs=${CAEC_FUZZ_SECONDS:-20}
name=$(basename "$target")
art=$work.artifacts
mkdir -p "$work" "$art"
rm -f "$art"/*
[ -d "$seeds" ] && cp -f "$seeds"/* "$work"/ 2>/dev/null
log=$work.log
"$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$art/" "$@" "$work" \
	>"$log" 2>&1
rc=$?
tail -n 25 "$log"
if [ $rc -ne 0 ] || [ -n "$(ls -A "$art")" ]; then
	echo "$name: FAILED (libFuzzer exit $rc); full log: $log"
	for f in "$art"/*; do
		[ -f "$f" ] || continue
		echo "reproducer: $f"
		od -A d -t x1 "$f" | head -n 16
		echo "replay: $target $f"
	done
	exit 1
fi
echo "$name: ${secs} s, no finding; corpus $(ls "$work" | wc -l) inputs"
