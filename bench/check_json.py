#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test of caec-bench: a tiny sweep of every pattern, its JSON (schema
1) and CSV checked key by key, then the command-line and mode errors.

usage: check_json.py PATH/TO/caec-bench
Exit status: 0 pass, 1 fail, 77 skip (fewer than two usable CPUs).
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

PATTERNS = ["mailbox", "pingpong", "stream"]
SIZES = [64, 4096]
COUNT = 200

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and \
        math.isfinite(v)


def num_or_null(v):
    return v is None or is_num(v)


def run(bench, args, timeout=90):
    return subprocess.run([bench] + args, capture_output=True, text=True,
                          timeout=timeout)


def check_machine(m, cores):
    if not check(isinstance(m, dict), "machine is not an object"):
        return
    for key, typ in (("cpu_model", str), ("kernel", str), ("arch", str),
                     ("nproc", int), ("cores", list), ("pinned", bool),
                     ("ticks", str), ("cycles_source", str)):
        check(isinstance(m.get(key), typ), f"machine.{key}: {m.get(key)!r}")
    check(m.get("cores") == cores, f"machine.cores {m.get('cores')} != {cores}")
    check(m.get("cycles_source") in ("perf", "estimate", "none"),
          f"machine.cycles_source {m.get('cycles_source')!r}")
    check(is_num(m.get("ticks_hz")) and m["ticks_hz"] > 0, "machine.ticks_hz")


def check_result(r):
    tag = f"result {r.get('mode')}/{r.get('pattern')}/{r.get('size')}"
    check(r.get("mode") == "nw", f"{tag}: mode")
    check(r.get("pattern") in PATTERNS, f"{tag}: pattern")
    check(r.get("size") in SIZES, f"{tag}: size")
    check(r.get("messages") == COUNT, f"{tag}: messages {r.get('messages')}")
    for key in ("msgs_per_s", "mbytes_per_s"):
        check(is_num(r.get(key)) and r[key] > 0, f"{tag}: {key} {r.get(key)!r}")
    if is_num(r.get("msgs_per_s")) and is_num(r.get("mbytes_per_s")):
        want = r["msgs_per_s"] * r["size"] / 1e6
        check(abs(r["mbytes_per_s"] - want) <= 1e-3 * want + 0.01,
              f"{tag}: mbytes_per_s != msgs_per_s * size / 1e6")
    for key in ("latency_ns_p50", "latency_ns_p99", "cpu_ns_per_msg",
                "cycles_per_msg", "ref_ratio", "busy_pct"):
        check(key in r and num_or_null(r[key]), f"{tag}: {key} {r.get(key)!r}")
    if is_num(r.get("latency_ns_p50")) and is_num(r.get("latency_ns_p99")):
        check(0 < r["latency_ns_p50"] <= r["latency_ns_p99"],
              f"{tag}: p50 {r['latency_ns_p50']} > p99 {r['latency_ns_p99']}")
    check(is_num(r.get("latency_ns_p50")), f"{tag}: latency_ns_p50 missing")
    check(is_num(r.get("ref_ratio")) and r["ref_ratio"] > 0, f"{tag}: ref_ratio")
    src = r.get("cycles_source", "missing")
    check(src in ("perf", "estimate", "none", None), f"{tag}: cycles_source {src!r}")
    if src in ("none", None):
        check(r.get("cycles_per_msg") is None,
              f"{tag}: cycles_per_msg without a cycles_source")
    else:
        check(is_num(r.get("cycles_per_msg")), f"{tag}: cycles_per_msg")


def check_reference(ref):
    streams, pingpongs = set(), 0
    for e in ref:
        if e.get("pattern") == "stream":
            check(e.get("size") in SIZES, f"reference stream size {e.get('size')!r}")
            check(is_num(e.get("mbytes_per_s")) and e["mbytes_per_s"] > 0,
                  f"reference stream {e.get('size')}: mbytes_per_s")
            streams.add(e.get("size"))
        elif e.get("pattern") == "pingpong":
            check(is_num(e.get("rtt_ns")) and e["rtt_ns"] > 0,
                  f"reference pingpong: rtt_ns {e.get('rtt_ns')!r}")
            pingpongs += 1
        elif e.get("pattern") in ("seal", "open"):
            check(False, f"crypto reference {e!r} in a plaintext sweep")
        else:
            check(False, f"reference pattern {e.get('pattern')!r}")
    check(streams == set(SIZES), f"reference stream sizes {sorted(streams)}")
    check(pingpongs == 2 * len(SIZES), f"{pingpongs} reference pingpong rows")


def check_csv(path, n):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    check(len(rows) == n, f"CSV has {len(rows)} rows, expected {n}")
    for row in rows:
        check(float(row["msgs_per_s"]) > 0, f"CSV msgs_per_s {row['msgs_per_s']!r}")
        check(row["pattern"] in PATTERNS, f"CSV pattern {row['pattern']!r}")


def sweep(bench, cores):
    with tempfile.TemporaryDirectory() as tmp:
        jpath, cpath = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.csv")
        p = run(bench, ["--mode", "nw", "--pattern", ",".join(PATTERNS),
                        "--sizes", ",".join(map(str, SIZES)),
                        "--count", str(COUNT), "--repeat", "1",
                        "--warmup", "100", "--cores", f"{cores[0]},{cores[1]}",
                        "--json", jpath, "--csv", cpath])
        sys.stdout.write(p.stdout)
        if not check(p.returncode == 0,
                     f"sweep exited {p.returncode}: {p.stderr.strip()}"):
            return
        with open(jpath) as f:
            doc = json.load(f)
        check(doc.get("caec_bench") == 1, "caec_bench != 1")
        check_machine(doc.get("machine"), cores)
        results = doc.get("results")
        if check(isinstance(results, list), "results is not a list"):
            for r in results:
                check_result(r)
            got = {(r.get("pattern"), r.get("size")) for r in results}
            want = {(p, s) for p in PATTERNS for s in SIZES}
            check(got == want and len(results) == len(want),
                  f"results cover {sorted(got)}")
        if check(isinstance(doc.get("reference"), list), "reference is not a list"):
            check_reference(doc["reference"])
        check_csv(cpath, len(PATTERNS) * len(SIZES))


def crypto(bench, cores):
    """An encrypted stream point carries its seal/open references."""
    for mode in ("nw-openssl", "nw-mbedtls"):
        with tempfile.TemporaryDirectory() as tmp:
            jpath = os.path.join(tmp, "c.json")
            p = run(bench, ["--mode", mode, "--pattern", "stream",
                            "--sizes", "4096", "--count", "4096",
                            "--repeat", "1", "--warmup", "100",
                            "--cores", f"{cores[0]},{cores[1]}",
                            "--json", jpath])
            if p.returncode == 1 and "not available" in p.stderr:
                print(f"{mode}: not in this build")
                continue
            if not check(p.returncode == 0,
                         f"{mode} sweep exited {p.returncode}: {p.stderr.strip()}"):
                continue
            check("crypto-only references" in p.stdout, f"{mode}: no crypto table")
            with open(jpath) as f:
                doc = json.load(f)
            (r,) = doc["results"]
            check(is_num(r.get("crypto_ratio")) and r["crypto_ratio"] > 0,
                  f"{mode}: crypto_ratio {r.get('crypto_ratio')!r}")
            kinds = {e["pattern"]: e for e in doc["reference"]}
            for k in ("stream", "seal", "open"):
                check(k in kinds, f"{mode}: no {k} reference")
            for k in ("seal", "open"):
                e = kinds.get(k, {})
                check(e.get("mode") == mode and e.get("size") == 4096 and
                      is_num(e.get("mbytes_per_s")) and e["mbytes_per_s"] > 0,
                      f"{mode}: {k} reference {e!r}")
            p = run(bench, ["--mode", mode, "--crypto-only", "--sizes", "64",
                            "--repeat", "1", "--json", jpath])
            check(p.returncode == 0, f"{mode} --crypto-only exited {p.returncode}")
            with open(jpath) as f:
                doc = json.load(f)
            check(doc["results"] == [] and
                  {e["pattern"] for e in doc["reference"]} == {"seal", "open"},
                  f"{mode} --crypto-only JSON {doc['reference']!r}")


def errors(bench):
    p = run(bench, ["--mode", "csm", "--sizes", "64", "--count", "10"])
    check(p.returncode == 1, f"--mode csm exited {p.returncode}, expected 1")
    check("mode csm is not available in this build" in p.stderr,
          f"--mode csm message: {p.stderr.strip()!r}")
    for args in (["--pattern", "bogus"], ["--sizes", "64,abc"],
                 ["--sizes", "8"], ["--cores", "0"], ["--no-such-option"],
                 ["--mode", "nope"], ["--count", "0"]):
        p = run(bench, args)
        check(p.returncode == 2, f"{' '.join(args)} exited {p.returncode}, expected 2")
        check(p.stderr.strip() != "", f"{' '.join(args)}: no message")
    p = run(bench, ["--help"])
    check(p.returncode == 0 and "--pattern" in p.stdout, "--help")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        print("skip: caec-bench needs two CPUs")
        return 77
    errors(sys.argv[1])
    sweep(sys.argv[1], cpus[:2])
    crypto(sys.argv[1], cpus[:2])
    for f in failures:
        print("FAIL:", f)
    print("bench smoke: %s (%d failed checks)" %
          ("FAIL" if failures else "ok", len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
