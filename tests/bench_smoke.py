#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test of caec-bench: a tiny sweep of every pattern, its JSON (schema
1) and CSV checked key by key, then the command-line and mode errors, then
a tiny run with an encrypted mode, the peers and a plot: the spread fields,
the block and placement fields, the peer rows, the summary ratios with
their intervals (summary.ratios[] against summary.comparisons[]) and the
figures; the zero-copy stream (stream-zc) in both runs, with the stream's
schema, and none for the peers, which have no zero-copy API. Then the A/A
lane (--aa) and --quick: the A/A rows, their ratios and the controls. The
runs are tiny and --budget 0 (no adaptive rounds): nothing here asserts a
figure, only the contracts between the fields. Then the share
subcommand: a 4 MiB blob with 1 and 2 consumers (its JSON, and CSM using
less memory than private copies), a file blob, and its command-line errors;
the calls subcommand: its rows, JSON and command-line errors.

usage: bench_smoke.py PATH/TO/caec-bench [PATH/TO/results_md.py]
(results_md.py: bench/results_md.py of this tree by default)
Exit status: 0 pass, 1 fail, 77 skip (fewer than two usable CPUs).
"""
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile

PATTERNS = ["mailbox", "pingpong", "stream", "stream-zc"]
STREAMS = ("stream", "stream-zc")       # MB/s patterns, memcpy reference
PEERS = ["peer-uds", "peer-pipe", "peer-ckring"]
SPREAD = ["msgs_per_s", "mbytes_per_s", "latency_ns_p50", "latency_ns_p99",
          "cpu_ns_per_msg", "cycles_per_msg"]
# The paper's ranges (csm vs each library, mailbox), as summary.c has them.
PAPER = {"nw-openssl": {"latency_ns_p50": (24, 212), "mbytes_per_s": (26, 204),
                        "cycles_per_msg": (25, 209)},
         "nw-mbedtls": {"latency_ns_p50": (4.4, 203), "mbytes_per_s": (4.8, 194),
                        "cycles_per_msg": (4.5, 200)}}
SUMMARY = {("mailbox", "latency_ns_p50"), ("mailbox", "mbytes_per_s"),
           ("mailbox", "cycles_per_msg"), ("pingpong", "latency_ns_p50"),
           ("stream", "mbytes_per_s"), ("stream", "cycles_per_msg"),
           ("stream-zc", "mbytes_per_s")}
SIZES = [64, 4096]
COUNT = 200
MIN_EPOCHS = 4          # group.c: every point runs in at least 4 epochs
RESOLVE = 1.10          # a resolved interval lies within this factor
# Tiny runs: short blocks, no rounds beyond the minimum.
FAST = ["--budget", "0", "--block-us", "200", "--warmup", "100"]
# bench/results_md.py, which turns a run's folder into RESULTS.md.
RESULTS_MD = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          os.pardir, "bench", "results_md.py")

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
    check(isinstance(m.get("started"), str) and
          re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["started"]),
          f"machine.started {m.get('started')!r}")


def check_spread(r, tag):
    """Each metric's _min and _max bracket its median (the plain field)."""
    for key in SPREAD:
        lo, mid, hi = r.get(key + "_min"), r.get(key), r.get(key + "_max")
        if not check(key + "_min" in r and key + "_max" in r and
                     num_or_null(lo) and num_or_null(hi),
                     f"{tag}: {key}_min/_max {lo!r}/{hi!r}"):
            continue
        if mid is None:
            check(lo is None and hi is None, f"{tag}: {key} null but range set")
        else:
            check(is_num(lo) and is_num(hi) and
                  lo * (1 - 1e-6) - 1e-3 <= mid <= hi * (1 + 1e-6) + 1e-3,
                  f"{tag}: {key} {lo!r} <= {mid!r} <= {hi!r}")
    metric = "mbytes_per_s" if r.get("pattern") in STREAMS else "latency_ns_p50"
    check(r.get("spread_metric") == metric, f"{tag}: spread_metric {r.get('spread_metric')!r}")
    sp = r.get("spread_pct")
    if check(is_num(sp) and sp >= 0, f"{tag}: spread_pct {sp!r}") and \
            is_num(r.get(metric)):
        want = (r[metric + "_max"] - r[metric + "_min"]) / 2 / r[metric] * 100
        check(abs(sp - want) <= 0.01 + 1e-3 * want, f"{tag}: spread_pct {sp} != {want}")


def kind_of(mode):
    return "aa" if "#aa" in mode else "peer" if mode.startswith("peer-") \
        else "caec"


def check_interval(lo, mid, hi, resolved, tag):
    """An interval brackets its estimate; resolved means within RESOLVE."""
    if not check(is_num(mid) and mid > 0, f"{tag}: ratio {mid!r}"):
        return
    if lo is None or hi is None:
        check(lo is None and hi is None and resolved is False,
              f"{tag}: half an interval {lo!r}..{hi!r}, resolved {resolved!r}")
        return
    check(is_num(lo) and is_num(hi) and
          lo * (1 - 1e-3) - 1e-3 <= mid <= hi * (1 + 1e-3) + 1e-3,
          f"{tag}: {lo!r} <= {mid!r} <= {hi!r}")
    check(isinstance(resolved, bool), f"{tag}: resolved {resolved!r}")
    if is_num(lo) and is_num(hi) and lo > 0 and isinstance(resolved, bool):
        within = hi <= mid * RESOLVE * 1.002 + 1e-3 and \
            lo >= mid / RESOLVE / 1.002 - 1e-3
        check(within or not resolved,
              f"{tag}: resolved but {lo}..{hi} is wider than x{RESOLVE} of {mid}")


def check_blocks(r, tag):
    """The block fields of a results[] row (report.c, group.c)."""
    for key in ("rounds", "epochs", "blocks_used", "block_messages"):
        check(isinstance(r.get(key), int) and r[key] >= 0, f"{tag}: {key} {r.get(key)!r}")
    if not all(isinstance(r.get(k), int) for k in ("rounds", "epochs", "blocks_used")):
        return
    check(r["rounds"] == r.get("repeats"), f"{tag}: rounds != repeats")
    check(r["epochs"] >= MIN_EPOCHS, f"{tag}: {r['epochs']} epochs")
    check(r["rounds"] >= 5 * r["epochs"], f"{tag}: {r['rounds']} rounds in {r['epochs']} epochs")
    check(0 < r["blocks_used"] <= r["rounds"], f"{tag}: blocks_used {r['blocks_used']}")
    check(r.get("messages") == r["rounds"] * r.get("block_messages", 0),
          f"{tag}: messages {r.get('messages')} != rounds x block_messages")
    check(isinstance(r.get("budget_out"), bool), f"{tag}: budget_out")
    check(isinstance(r.get("placement_split"), bool), f"{tag}: placement_split")
    pl = r.get("placements")
    if check(isinstance(pl, list) and pl, f"{tag}: placements {pl!r}"):
        for p in pl:
            check(is_num(p.get("rtt_ns_min")) and is_num(p.get("rtt_ns_max")) and
                  p["rtt_ns_min"] <= p.get("rtt_ns", -1) <= p["rtt_ns_max"],
                  f"{tag}: placement {p!r}")
        sizes = [p.get("blocks", 0) for p in pl]
        check(sizes == sorted(sizes, reverse=True), f"{tag}: placements not largest first")
        check(r.get("placement_ns") == pl[0].get("rtt_ns"), f"{tag}: placement_ns")
    check_interval(r.get("ref_ratio_ci_low"), r.get("ref_ratio"),
                   r.get("ref_ratio_ci_high"), r.get("ref_ratio_resolved"),
                   f"{tag}: ref_ratio")
    mode = r.get("mode", "")
    check(r.get("aa_of") == (mode.split("#")[0] if "#aa" in mode else None),
          f"{tag}: aa_of {r.get('aa_of')!r}")


def check_result(r, modes=("nw",), repeats=1):
    tag = f"result {r.get('mode')}/{r.get('pattern')}/{r.get('size')}"
    check(r.get("mode") in modes, f"{tag}: mode")
    check(r.get("kind") == kind_of(r.get("mode", "")), f"{tag}: kind {r.get('kind')!r}")
    check(isinstance(r.get("repeats"), int) and r["repeats"] >= repeats,
          f"{tag}: repeats {r.get('repeats')!r}")
    check_spread(r, tag)
    check_blocks(r, tag)
    check(r.get("pattern") in PATTERNS, f"{tag}: pattern")
    check(r.get("size") in SIZES, f"{tag}: size")
    check(isinstance(r.get("messages"), int) and r["messages"] >= COUNT,
          f"{tag}: messages {r.get('messages')}")
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
    streams, pingpongs = [], 0
    for e in ref:
        if e.get("pattern") == "stream":
            check(e.get("size") in SIZES, f"reference stream size {e.get('size')!r}")
            check(is_num(e.get("mbytes_per_s")) and e["mbytes_per_s"] > 0,
                  f"reference stream {e.get('size')}: mbytes_per_s")
            check(is_num(e.get("mbytes_per_s_min")) and
                  e["mbytes_per_s_min"] <= e.get("mbytes_per_s") <=
                  e.get("mbytes_per_s_max"),
                  f"reference stream {e.get('size')}: min/max")
            check(e.get("paired_with") in STREAMS,
                  f"reference stream {e.get('size')}: paired_with "
                  f"{e.get('paired_with')!r}")
            streams.append((e.get("paired_with"), e.get("size")))
        elif e.get("pattern") == "pingpong":
            check(is_num(e.get("rtt_ns")) and e["rtt_ns"] > 0,
                  f"reference pingpong: rtt_ns {e.get('rtt_ns')!r}")
            check(is_num(e.get("rtt_ns_min")) and
                  e["rtt_ns_min"] <= e.get("rtt_ns") <= e.get("rtt_ns_max"),
                  "reference pingpong: min/max")
            pingpongs += 1
        elif e.get("pattern") in ("seal", "open"):
            check(False, f"crypto reference {e!r} in a plaintext sweep")
        else:
            check(False, f"reference pattern {e.get('pattern')!r}")
    check(sorted(streams) == sorted((p, s) for p in STREAMS for s in SIZES),
          f"reference stream rows {sorted(streams)}")
    check(pingpongs == 2 * len(SIZES), f"{pingpongs} reference pingpong rows")


def check_csv(path, n):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    check(len(rows) == n, f"CSV has {len(rows)} rows, expected {n}")
    for row in rows:
        check(float(row["msgs_per_s"]) > 0, f"CSV msgs_per_s {row['msgs_per_s']!r}")
        check(row["pattern"] in PATTERNS, f"CSV pattern {row['pattern']!r}")
        check(row.get("kind") in ("caec", "peer"), f"CSV kind {row.get('kind')!r}")
        check(float(row["mbytes_per_s_min"]) <= float(row["mbytes_per_s"]) * 1.000001
              <= float(row["mbytes_per_s_max"]) * 1.000002 + 1e-3,
              f"CSV mbytes_per_s range {row['mbytes_per_s_min']}..{row['mbytes_per_s_max']}")
        check(float(row["spread_pct"]) >= 0, f"CSV spread_pct {row['spread_pct']!r}")


def sweep(bench, cores):
    with tempfile.TemporaryDirectory() as tmp:
        jpath, cpath = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.csv")
        p = run(bench, ["--mode", "nw", "--pattern", ",".join(PATTERNS),
                        "--sizes", ",".join(map(str, SIZES)),
                        "--count", str(COUNT), "--repeat", "1"] + FAST +
                 ["--cores", f"{cores[0]},{cores[1]}",
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
        check(doc.get("peers") == {"enabled": False, "measured": [], "skipped": []},
              f"peers without --peers: {doc.get('peers')!r}")
        summ = doc.get("summary", {})
        check(summ.get("baseline") in ("nw", None) and summ.get("comparisons") == []
              and summ.get("ratios") == [] and summ.get("aa") is None and
              summ.get("positive_control") is None,
              f"summary of a plaintext-only run: {summ!r}")
        cfg = doc.get("config", {})
        check(cfg.get("aa") is None and cfg.get("quick") is False and
              cfg.get("budget_s") == 0 and cfg.get("block_us") == 200 and
              isinstance(cfg.get("seed"), int) and cfg.get("resolve_pct") == 10,
              f"config {cfg!r}")
        check("±%" in p.stdout, "table has no ±% column")
        check_csv(cpath, len(PATTERNS) * len(SIZES))
        check_zc_schema(results if isinstance(results, list) else [])


def check_zc_schema(results):
    """Every stream-zc row has exactly the keys of the stream row beside it."""
    rows = {(r.get("mode"), r.get("pattern"), r.get("size")): r for r in results}
    n = 0
    for (m, pt, s), r in rows.items():
        if pt != "stream-zc":
            continue
        n += 1
        check(not m.startswith("peer-"), f"a stream-zc row for the peer {m}")
        twin = rows.get((m, "stream", s))
        if check(twin is not None, f"stream-zc {m}/{s} has no stream row"):
            check(set(r) == set(twin),
                  f"stream-zc {m}/{s} keys differ from stream's: "
                  f"{sorted(set(r) ^ set(twin))}")
        check(r.get("ref_metric") == "mbytes_per_s" and
              r.get("crypto_ratio") is None,
              f"stream-zc {m}/{s}: ref_metric {r.get('ref_metric')!r} "
              f"crypto_ratio {r.get('crypto_ratio')!r}")
    check(n > 0, "no stream-zc rows")


def crypto(bench, cores):
    """An encrypted stream point carries its seal/open references."""
    for mode in ("nw-openssl", "nw-mbedtls"):
        with tempfile.TemporaryDirectory() as tmp:
            jpath = os.path.join(tmp, "c.json")
            p = run(bench, ["--mode", mode, "--pattern", "stream",
                            "--sizes", "4096", "--count", "4096",
                            "--repeat", "1"] + FAST +
                    ["--cores", f"{cores[0]},{cores[1]}", "--json", jpath])
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
    # The csm backend may or may not be built in: either it runs, or it
    # says so and exits 1.
    p = run(bench, ["--mode", "csm", "--pattern", "mailbox", "--sizes", "64",
                    "--count", "10", "--repeat", "1"])
    check(p.returncode == 0 or
          (p.returncode == 1 and "mode csm is not available in this build" in p.stderr),
          f"--mode csm exited {p.returncode}: {p.stderr.strip()!r}")
    for args in (["--pattern", "bogus"], ["--sizes", "64,abc"],
                 ["--sizes", "8"], ["--cores", "0"], ["--no-such-option"],
                 ["--mode", "nope"], ["--count", "0"], ["--plot", "x.jpg"],
                 ["--plot"], ["--budget", "-1"], ["--budget", "x"],
                 ["--block-us", "0"], ["--repeat", "0"], ["--seed", "y"],
                 ["--mode", "peer-pipe,nw", "--aa"]):
        p = run(bench, args)
        check(p.returncode == 2, f"{' '.join(args)} exited {p.returncode}, expected 2")
        check(p.stderr.strip() != "", f"{' '.join(args)}: no message")
    p = run(bench, ["--help"])
    check(p.returncode == 0 and "--pattern" in p.stdout and "--peers" in p.stdout
          and "--plot" in p.stdout and "--aa" in p.stdout and "--quick" in p.stdout
          and "--budget" in p.stdout, "--help")
    # No gnuplot on PATH: a clear message and exit 1 before any run.
    with tempfile.TemporaryDirectory() as empty:
        p = subprocess.run([os.path.abspath(bench), "--plot", "x.png"],
                           capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, PATH=empty))
        check(p.returncode == 1 and "gnuplot" in p.stderr and p.stdout == "",
              f"--plot without gnuplot exited {p.returncode}: {p.stderr.strip()!r}")


def mode_built(bench, mode):
    p = run(bench, ["--mode", mode, "--pattern", "mailbox", "--sizes", "64",
                    "--count", "1", "--repeat", "1"] + FAST)
    return p.returncode == 0


def check_summary(doc, modes):
    summ = doc.get("summary")
    if not check(isinstance(summ, dict), "summary is not an object"):
        return
    base = "csm" if "csm" in modes else "nw"
    check(summ.get("baseline") == base, f"summary baseline {summ.get('baseline')!r}")
    check(summ.get("csm_in_run") == (base == "csm"), "summary csm_in_run")
    if base == "nw":
        check("csm is not in this run" in summ.get("note", ""),
              f"summary note {summ.get('note')!r}")
    vals = {(r["mode"], r["pattern"], r["size"]): r for r in doc["results"]}
    ratios = {(e.get("subject"), e.get("baseline"), e.get("pattern"),
               e.get("metric"), e.get("size")): e
              for e in summ.get("ratios", []) if e.get("role") == "comparison"}
    for e in summ.get("ratios", []):
        check(e.get("role") in ("comparison", "aa", "positive_control"),
              f"ratios[]: role {e.get('role')!r}")
        check(isinstance(e.get("blocks"), int) and isinstance(e.get("epochs"), int),
              f"ratios[]: blocks/epochs {e!r}")
        check_interval(e.get("ci_low"), e.get("ratio"), e.get("ci_high"),
                       e.get("resolved"),
                       f"ratios[] {e.get('subject')}/{e.get('baseline')} "
                       f"{e.get('pattern')} {e.get('metric')} {e.get('size')}")
    seen = set()
    for c in summ.get("comparisons", []):
        tag = f"summary {c.get('other')}/{c.get('pattern')}/{c.get('metric')}"
        seen.add((c.get("other"), c.get("pattern"), c.get("metric")))
        check(c.get("baseline") == base, f"{tag}: baseline")
        check((c.get("pattern"), c.get("metric")) in SUMMARY, f"{tag}: unexpected row")
        higher = c.get("metric") == "mbytes_per_s"
        check(c.get("better") == ("higher" if higher else "lower"), f"{tag}: better")
        fs = []
        for e in c.get("per_size", []):
            b = vals.get((base, c["pattern"], e.get("size")), {}).get(c["metric"])
            o = vals.get((c["other"], c["pattern"], e.get("size")), {}).get(c["metric"])
            if not check(is_num(b) and is_num(o) and is_num(e.get("factor")),
                         f"{tag}: size {e.get('size')} has no values"):
                continue
            check_interval(e.get("ci_low"), e["factor"], e.get("ci_high"),
                           e.get("resolved"), f"{tag}: size {e['size']}")
            # The same pair in ratios[]: base / other, the factor or its
            # inverse, the interval's ends likewise (3 decimals in JSON).
            q = ratios.get((base, c["other"], c["pattern"], c["metric"], e["size"]))
            if check(q is not None, f"{tag}: size {e['size']} not in ratios[]"):
                want = e["factor"] if higher else 1 / e["factor"]
                check(abs(q.get("ratio", 0) - want) <= 6e-4 + 2e-3 * want,
                      f"{tag}: size {e['size']} factor {e['factor']} vs ratio {q.get('ratio')}")
                check(q.get("resolved") == e.get("resolved") and
                      q.get("blocks") == e.get("blocks"),
                      f"{tag}: size {e['size']} ratios[] and per_size differ")
            fs.append(e["factor"])
        check(len(fs) == len(SIZES), f"{tag}: {len(fs)} sizes")
        if fs:
            check(c.get("factor_min") == min(fs) and c.get("factor_max") == max(fs),
                  f"{tag}: range {c.get('factor_min')}..{c.get('factor_max')}")
        paper = PAPER.get(c.get("other"), {}).get(c.get("metric"))
        if c.get("pattern") != "mailbox":
            paper = None
        check((c.get("paper_min"), c.get("paper_max")) == (paper or (None, None)),
              f"{tag}: paper range {c.get('paper_min')}..{c.get('paper_max')}")
        label = "nw (plaintext)" if base == "nw" else base
        check(c.get("text", "").startswith(f"{label} vs {c.get('other')}: "),
              f"{tag}: text {c.get('text')!r}")
    for other in modes:
        if other == base or "#aa" in other:
            continue
        for pat, metric in SUMMARY:
            measured = any(is_num(vals.get((base, pat, s), {}).get(metric)) and
                           is_num(vals.get((other, pat, s), {}).get(metric))
                           for s in SIZES)
            check((other, pat, metric) in seen or not measured,
                  f"summary lacks {other}/{pat}/{metric}")
    check(isinstance(summ.get("unresolved"), int) and
          summ["unresolved"] == sum(1 for e in summ.get("ratios", [])
                                    if e.get("role") != "positive_control"
                                    and not e.get("resolved")),
          f"summary.unresolved {summ.get('unresolved')!r}")
    out = {(r["pattern"], r["size"]) for r in doc["results"] if r.get("budget_out")}
    check({(e.get("pattern"), e.get("size")) for e in summ.get("budget_out", [])} == out,
          f"summary.budget_out {summ.get('budget_out')!r}")


def check_png(path):
    with open(path, "rb") as f:
        head = f.read(24)
    check(head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG")
    w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    check(w >= 1000 and h >= 400, f"{path}: {w}x{h}")


def extras(bench, cores):
    """Repeats, an encrypted mode, the peers and the plots on a tiny run."""
    modes = ["nw"] + [m for m in ("nw-openssl", "csm") if mode_built(bench, m)]
    have_gnuplot = any(os.access(os.path.join(d, "gnuplot"), os.X_OK)
                       for d in os.environ.get("PATH", "").split(os.pathsep))
    with tempfile.TemporaryDirectory() as tmp:
        # The names scripts/run bench uses, for results_md.py below.
        jpath, cpath = (os.path.join(tmp, "results.json"),
                        os.path.join(tmp, "results.csv"))
        png = os.path.join(tmp, "results.png")
        args = ["--mode", ",".join(modes), "--peers",
                "--pattern", ",".join(PATTERNS),
                "--sizes", ",".join(map(str, SIZES)), "--count", str(COUNT),
                "--repeat", "3"] + FAST + [
                "--cores", f"{cores[0]},{cores[1]}", "--json", jpath,
                "--csv", cpath]
        if have_gnuplot:
            args += ["--plot", png]
        p = run(bench, args, timeout=150)
        sys.stdout.write(p.stdout[p.stdout.find("Summary"):] if "Summary" in p.stdout else "")
        if not check(p.returncode == 0,
                     f"extras sweep exited {p.returncode}: {p.stderr.strip()}"):
            return
        with open(jpath) as f:
            doc = json.load(f)
        peers = doc.get("peers", {})
        check(peers.get("enabled") is True, "peers.enabled")
        skipped = {e.get("mode"): e.get("reason") for e in peers.get("skipped", [])}
        check(set(peers.get("measured", [])) | set(skipped) == set(PEERS) and
              not set(peers.get("measured", [])) & set(skipped),
              f"peers measured {peers.get('measured')} skipped {skipped}")
        check(set(skipped) <= {"peer-ckring"} and
              all("libck-dev" in (r or "") for r in skipped.values()),
              f"peers skipped {skipped}")
        for m in skipped:
            check(f"{m} skipped" in p.stdout, f"no note that {m} was skipped")
        allm = modes + peers.get("measured", [])
        for r in doc["results"]:
            check_result(r, allm, 3)
        # One group's points share its rounds, epochs and placements.
        for pt in PATTERNS:
            for sz in SIZES:
                g = [r for r in doc["results"] if (r["pattern"], r["size"]) == (pt, sz)]
                check(len({(r.get("rounds"), r.get("epochs"), r.get("placement_ns"))
                           for r in g}) <= 1, f"group {pt}/{sz} rows disagree")
        got = {(r.get("mode"), r.get("pattern"), r.get("size")) for r in doc["results"]}
        want = {(m, pt, s) for m in allm for pt in PATTERNS for s in SIZES
                if not (m.startswith("peer-") and pt == "stream-zc")}
        check(got == want, f"extras results cover {sorted(got ^ want)} wrongly")
        check_zc_schema(doc["results"])
        measured = peers.get("measured", [])
        if measured:
            check(f"{', '.join(measured)}: stream-zc not measured (no zero-copy API)"
                  in p.stdout, "table lacks the line on the peers' stream-zc")
        check(not any(e.get("paired_with") == "stream-zc" and
                      e.get("mode", "").startswith("peer-")
                      for e in doc["reference"]),
              "a stream-zc reference row for a peer")
        check("Summary:" in p.stdout, "no summary after the table")
        check_summary(doc, allm)
        check_csv(cpath, len(want))
        if have_gnuplot:
            for name in ("results.png", "results-stream.png",
                         "results-pingpong.png", "results-stream-zc.png"):
                fp = os.path.join(tmp, name)
                if check(os.path.exists(fp), f"--plot did not write {name}"):
                    check_png(fp)
        else:
            print("gnuplot not installed: --plot not drawn")
        report(tmp, modes, have_gnuplot)


def report(tmp, modes, figures):
    """bench/results_md.py turns the run's folder into a readable report."""
    gen = RESULTS_MD
    out = os.path.join(tmp, "RESULTS.md")
    p = subprocess.run([sys.executable, gen, tmp, out], capture_output=True,
                       text=True, timeout=60)
    if not check(p.returncode == 0,
                 f"results_md.py exited {p.returncode}: {p.stderr.strip()}"):
        return
    with open(out) as f:
        md = f.read()
    for want in ("## Machine and method", "## The paper's benchmark",
                 "## Ratios next to the paper's", "## Beyond the paper",
                 "## Why these ratios differ"):
        check(want in md, f"RESULTS.md has no {want!r}")
    if "csm" in modes:
        check("- csm vs nw, p50 round trip:" in md,
              "RESULTS.md does not check csm vs nw")
    if "nw-openssl" in modes:
        check("| nw-openssl | p50 round trip |" in md,
              "RESULTS.md has no nw-openssl ratio row")
    if figures:
        check("](./results.png)" in md, "RESULTS.md does not link the figure")
        check("](./results-stream-zc.png)" in md,
              "RESULTS.md does not link the stream-zc figure")
    zc = md[md.find("**stream-zc**"):]
    if check("**stream-zc**" in md, "RESULTS.md has no stream-zc table"):
        head = zc[zc.find("| size |"):].split("\n", 1)[0]
        check(head.startswith("| size | " + " | ".join(modes) + " |"),
              f"RESULTS.md stream-zc table header {head!r}")
        check("peer-" not in zc.split("\n\n")[1],
              "RESULTS.md stream-zc table has a peer column")
    p = subprocess.run([sys.executable, gen, os.path.join(tmp, "none")],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode != 0 and "results.json" in p.stderr,
          f"results_md.py on a missing folder: {p.returncode} {p.stderr!r}")


SHARE_KEYS = {"consumers": int, "realms": int, "private_pss_kb": float,
              "csm_pss_kb": float, "saving_pct": float,
              "paper_saving_pct": list, "all_shared_pct": float,
              "ttfb_ns_private": float, "ttfb_ns_csm": float,
              "read_ns_private": float, "read_ns_csm": float, "repeats": int}
SHARE_PAPER = {2: [16.6, 21.0], 3: [22.9, 28.3]}


def share_doc(bench, args, tag):
    """Run caec-bench share ARGS --json; the document, or None (failed)."""
    with tempfile.TemporaryDirectory() as tmp:
        jpath = os.path.join(tmp, "s.json")
        p = run(bench, ["share"] + args + ["--json", jpath], timeout=120)
        if not check(p.returncode == 0,
                     f"{tag} exited {p.returncode}: {p.stderr.strip()}"):
            return None, p
        with open(jpath) as f:
            return json.load(f), p


def check_share_doc(doc, tag, blob_bytes, work_bytes, counts, repeat):
    check(doc.get("caec_bench_share") == 1, f"{tag}: caec_bench_share")
    check_machine(doc.get("machine"), [-1, -1])
    check(doc.get("blob_bytes") == blob_bytes, f"{tag}: blob_bytes {doc.get('blob_bytes')!r}")
    check(doc.get("work_bytes") == work_bytes, f"{tag}: work_bytes {doc.get('work_bytes')!r}")
    check(doc.get("repeat") == repeat and doc.get("cores") == [],
          f"{tag}: repeat {doc.get('repeat')!r} cores {doc.get('cores')!r}")
    check(doc.get("csm_transport") in ("emulated", "device"),
          f"{tag}: csm_transport {doc.get('csm_transport')!r}")
    check(isinstance(doc.get("csm_regions"), int) and doc["csm_regions"] >= 1,
          f"{tag}: csm_regions {doc.get('csm_regions')!r}")
    check(num_or_null(doc.get("caec_rmmd_pss_kb", "missing")),
          f"{tag}: caec_rmmd_pss_kb {doc.get('caec_rmmd_pss_kb')!r}")
    results = doc.get("results")
    if not check(isinstance(results, list) and
                 [r.get("consumers") for r in results] == counts,
                 f"{tag}: results for {results!r}"):
        return []
    for r in results:
        rt = f"{tag} consumers={r.get('consumers')}"
        for key, typ in SHARE_KEYS.items():
            v = r.get(key)
            ok = isinstance(v, list) if typ is list else \
                (is_num(v) and (typ is float or isinstance(v, int)))
            check(ok, f"{rt}: {key} {v!r}")
        if not all(is_num(r.get(k)) for k in SHARE_KEYS if SHARE_KEYS[k] is not list):
            continue
        check(r["realms"] == r["consumers"] + 1 and r["repeats"] == repeat,
              f"{rt}: realms {r['realms']} repeats {r['repeats']}")
        check(r["private_pss_kb"] > blob_bytes / 1024 * r["realms"] * 0.95,
              f"{rt}: private_pss_kb {r['private_pss_kb']} below {r['realms']} copies")
        want = (1 - r["csm_pss_kb"] / r["private_pss_kb"]) * 100
        check(abs(r["saving_pct"] - want) < 0.01, f"{rt}: saving_pct {r['saving_pct']} != {want}")
        check(r["paper_saving_pct"] == SHARE_PAPER.get(r["realms"], []),
              f"{rt}: paper_saving_pct {r['paper_saving_pct']!r}")
        for kind in ("private", "csm"):
            t, rd = r[f"ttfb_ns_{kind}"], r[f"read_ns_{kind}"]
            check(0 < t <= rd, f"{rt}: {kind} ttfb {t} read {rd}")
    return results


def usage_error(bench, args, words):
    """caec-bench ARGS exits 2 with every one of WORDS on stderr."""
    p = run(bench, args)
    tag = " ".join(args)
    check(p.returncode == 2, f"{tag} exited {p.returncode}, expected 2")
    for w in words:
        check(w in p.stderr, f"{tag}: {w!r} not in {p.stderr.strip()!r}")


def share(bench):
    """The share subcommand: runs, JSON, the saving, the errors."""
    counts = [1, 2]
    if not mode_built(bench, "csm"):
        p = run(bench, ["share", "--blob-mb", "1", "--consumers", "1",
                        "--repeat", "1"])
        check(p.returncode == 1 and p.stderr.strip() != "",
              f"share without csm exited {p.returncode}: {p.stderr.strip()!r}")
        print("share: csm is not in this build")
    else:
        doc, p = share_doc(bench, ["--blob-mb", "4", "--consumers", "1,2"],
                           "share 4 MiB")
        if doc:
            sys.stdout.write(p.stdout)
            check(p.stdout.startswith("caec-bench share 1, libcaec "),
                  "share: table header")
            check("CSM: emulated by caec-rmmd" in p.stdout or
                  "CSM: /dev/caec-csm" in p.stdout, "share: no CSM line")
            check("whole guest memory" in p.stdout, "share: no note on the paper's percentages")
            for r in check_share_doc(doc, "share 4 MiB", 4 << 20, 0, counts, 3):
                check(is_num(r.get("csm_pss_kb")) and is_num(r.get("private_pss_kb")) and
                      r["csm_pss_kb"] < r["private_pss_kb"],
                      f"share 4 MiB, {r.get('consumers')} consumers: csm_pss_kb "
                      f"{r.get('csm_pss_kb')} not below private_pss_kb {r.get('private_pss_kb')}")
        # A file whose size is no multiple of 8 or of the page size.
        with tempfile.TemporaryDirectory() as tmp:
            blob = os.path.join(tmp, "blob.bin")
            with open(blob, "wb") as f:
                f.write(os.urandom((1 << 20) + 3))
            doc, _ = share_doc(bench, ["--blob", blob, "--consumers", "1",
                                       "--work-mb", "1", "--repeat", "1"],
                               "share --blob")
            if doc:
                check(doc.get("blob_source") == "file", "share --blob: blob_source")
                check_share_doc(doc, "share --blob", (1 << 20) + 3, 1 << 20, [1], 1)
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty")
        open(empty, "w").close()
        missing = os.path.join(tmp, "no-such-blob")
        for args, words in ((["--consumers", "0"], ["--consumers", "'0'"]),
                            (["--consumers", "17"], ["--consumers", "'17'"]),
                            (["--consumers", "1,,2"], ["--consumers", "empty item"]),
                            (["--blob-mb", "0"], ["--blob-mb", "'0'"]),
                            (["--blob", missing], [missing, "No such file or directory"]),
                            (["--blob", empty], [empty, "is empty"]),
                            (["--blob", tmp], [tmp, "not a regular file"]),
                            (["--blob", empty, "--blob-mb", "4"], ["--blob", "--blob-mb"]),
                            (["--repeat", "0"], ["--repeat"]),
                            (["--no-such-option"], ["caec-bench share --help"]),
                            (["extra"], ["unexpected argument 'extra'"])):
            usage_error(bench, ["share"] + args, words)
    p = run(bench, ["share", "--help"])
    check(p.returncode == 0 and "--consumers" in p.stdout and "--work-mb" in p.stdout,
          "share --help")
    p = run(bench, ["--help"])
    check("caec-bench share" in p.stdout, "--help does not mention share")


def calls(bench):
    """The calls subcommand: every test of nw per size in its JSON, the
    reference beside each, the table, and its command-line errors."""
    with tempfile.TemporaryDirectory() as tmp:
        jpath = os.path.join(tmp, "calls.json")
        p = run(bench, ["calls", "--sizes", "64,1K", "--repeat", "2",
                        "--json", jpath])
        if not check(p.returncode == 0,
                     f"calls exited {p.returncode}: {p.stderr.strip()!r}"):
            return
        check(p.stdout.startswith("caec-bench calls: one core"),
              "calls: table header")
        with open(jpath) as f:
            doc = json.load(f)
        check(doc.get("caec_bench_calls") == 1, "calls: caec_bench_calls")
        check(isinstance(doc.get("machine"), dict) and
              doc["machine"].get("caec_version"), "calls: machine")
        check(doc.get("config", {}).get("repeat") == 2, "calls: config.repeat")
        cond = doc.get("conditions", {})
        check(all(num_or_null(cond.get(k)) for k in ("other_pct", "steal_pct"))
              and set(cond) == {"other_pct", "steal_pct"},
              f"calls: conditions {cond!r}")
        rows = doc.get("results", [])
        got = sorted((r.get("mode"), r.get("test"), r.get("size")) for r in rows)
        want = sorted(("nw", t, s) for t in ("stream", "stream-zc", "roundtrip")
                      for s in (64, 1024))
        check(got == want, f"calls: rows {got!r}, expected {want!r}")
        for r in rows:
            tag = f"calls {r.get('test')} {r.get('size')}"
            check(isinstance(r.get("messages"), int) and r["messages"] >= 1024,
                  f"{tag}: messages {r.get('messages')!r}")
            for k in ("ns_per_msg", "ns_per_msg_median", "ref_ns_per_msg",
                      "ref_ratio"):
                check(is_num(r.get(k)) and r[k] > 0, f"{tag}: {k} {r.get(k)!r}")
            if is_num(r.get("ns_per_msg")) and is_num(r.get("ns_per_msg_median")):
                check(r["ns_per_msg"] <= r["ns_per_msg_median"],
                      f"{tag}: the minimum above the median")
    for args, words in ((["--mode", "csm"], ["--mode", "'csm'"]),
                        (["--mode", "nope"], ["--mode", "'nope'"]),
                        (["--sizes", "63"], ["--sizes", "'63'"]),
                        (["--sizes", "128K"], ["--sizes", "'128K'"]),
                        (["--repeat", "0"], ["--repeat"]),
                        (["--no-such-option"], ["caec-bench calls --help"]),
                        (["extra"], ["unexpected argument 'extra'"])):
        usage_error(bench, ["calls"] + args, words)
    p = run(bench, ["calls", "--help"])
    check(p.returncode == 0 and "--core" in p.stdout, "calls --help")
    p = run(bench, ["--help"])
    check("caec-bench calls" in p.stdout, "--help does not mention calls")


def check_aa(doc, first, tag):
    """The A/A rows of a run with --aa: a results[] row per point of the
    first mode, its ratios to it in summary.ratios[], summary.aa."""
    aa = first + "#aa"
    rows = [r for r in doc.get("results", []) if r.get("mode") == aa]
    firsts = [r for r in doc.get("results", []) if r.get("mode") == first]
    check(doc.get("config", {}).get("aa") == aa and
          aa not in doc.get("config", {}).get("modes", []),
          f"{tag}: config aa {doc.get('config', {}).get('aa')!r}")
    check(len(rows) == len(firsts) > 0, f"{tag}: {len(rows)} {aa} rows")
    for r in rows:
        check(r.get("kind") == "aa" and r.get("aa_of") == first and
              r.get("block_messages") == next(
                  (f.get("block_messages") for f in firsts
                   if (f["pattern"], f["size"]) == (r["pattern"], r["size"])), None),
              f"{tag}: {aa} {r.get('pattern')}/{r.get('size')} kind/aa_of/block")
    summ = doc.get("summary", {})
    got = {(e.get("pattern"), e.get("metric"), e.get("size"))
           for e in summ.get("ratios", [])
           if e.get("role") == "aa" and e.get("subject") == aa and
           e.get("baseline") == first}
    want = {(r["pattern"], m, r["size"]) for r in rows for (pt, m) in SUMMARY
            if pt == r["pattern"]}
    check(got == want, f"{tag}: A/A ratios {sorted(got ^ want)}")
    a = summ.get("aa") or {}
    check(a.get("subject") == aa and a.get("baseline") == first and
          a.get("ratios") == len(got) and
          0 <= a.get("contain_1", -1) <= a.get("resolved", -1) <= len(got),
          f"{tag}: summary.aa {a!r}")


def report_aa(tmp):
    """RESULTS.md of a run with the A/A lane states the controls."""
    out = os.path.join(tmp, "RESULTS.md")
    p = subprocess.run([sys.executable, RESULTS_MD, tmp, out],
                       capture_output=True, text=True, timeout=60)
    if not check(p.returncode == 0,
                 f"results_md.py (--aa) exited {p.returncode}: {p.stderr.strip()}"):
        return
    with open(out) as f:
        md = f.read()
    for want in ("## The method's own error", "A/A", "same ring"):
        check(want in md, f"RESULTS.md (--aa) has no {want!r}")


def aa_and_quick(bench, cores):
    """--aa: the A/A lane; with nw-openssl, the positive control; --quick:
    every built mode, the A/A lane, the mailbox; both in the report."""
    modes = ["nw"] + [m for m in ("nw-openssl",) if mode_built(bench, m)]
    with tempfile.TemporaryDirectory() as tmp:
        jpath = os.path.join(tmp, "results.json")
        p = run(bench, ["--mode", ",".join(modes), "--aa", "--pattern",
                        "mailbox,stream", "--sizes", ",".join(map(str, SIZES)),
                        "--count", str(COUNT), "--cores", f"{cores[0]},{cores[1]}",
                        "--json", jpath] + FAST)
        if not check(p.returncode == 0, f"--aa exited {p.returncode}: {p.stderr.strip()}"):
            return
        with open(jpath) as f:
            doc = json.load(f)
        for r in doc["results"]:
            check_result(r, modes + ["nw#aa"])
        check_aa(doc, "nw", "--aa")
        check("A/A nw#aa / nw:" in p.stdout and "A/A control, nw#aa / nw" in p.stdout,
              "--aa: the table has no A/A lines")
        pc = doc["summary"].get("positive_control")
        if "nw-openssl" in modes:
            if check(isinstance(pc, dict), f"--aa: positive_control {pc!r}"):
                check(pc.get("subject") == "nw" and pc.get("baseline") == "nw-openssl"
                      and pc.get("size") == max(SIZES) and pc.get("pattern") == "mailbox"
                      and pc.get("excludes_1") == (not pc["ci_low"] <= 1 <= pc["ci_high"]),
                      f"--aa: positive_control {pc!r}")
                check("Positive control, nw / nw-openssl" in p.stdout,
                      "--aa: no positive control line")
        else:
            check(pc is None, f"--aa without nw-openssl: positive_control {pc!r}")
        report_aa(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        jpath = os.path.join(tmp, "results.json")
        p = run(bench, ["--quick", "--sizes", "64", "--count", str(COUNT),
                        "--cores", f"{cores[0]},{cores[1]}", "--json", jpath] + FAST,
                timeout=150)
        if not check(p.returncode == 0, f"--quick exited {p.returncode}: {p.stderr.strip()}"):
            return
        with open(jpath) as f:
            doc = json.load(f)
        cfg = doc.get("config", {})
        built = [m for m in ("nw", "nw-openssl", "nw-mbedtls", "csm") if mode_built(bench, m)]
        check(cfg.get("quick") is True and cfg.get("patterns") == ["mailbox"] and
              cfg.get("modes") == built, f"--quick config {cfg!r}")
        check_aa(doc, "nw", "--quick")
        base = "csm" if "csm" in built else "nw"
        got = {(e["subject"], e["baseline"], e["metric"]) for e in doc["summary"]["ratios"]
               if e.get("role") == "comparison"}
        want = {(base, m, k) for m in built if m != base
                for (pt, k) in SUMMARY if pt == "mailbox"}
        check(got == want, f"--quick ratios {sorted(got ^ want)}")


def peer_without_patterns(bench):
    """A peer asked only for stream-zc has no rows and is not 'measured'."""
    with tempfile.TemporaryDirectory() as tmp:
        jpath = os.path.join(tmp, "p.json")
        p = run(bench, ["--mode", "peer-pipe", "--pattern", "stream-zc",
                        "--sizes", "64", "--count", "100", "--repeat", "1",
                        "--json", jpath] + FAST)
        if not check(p.returncode == 0,
                     f"peer-pipe stream-zc exited {p.returncode}: {p.stderr.strip()}"):
            return
        with open(jpath) as f:
            doc = json.load(f)
        check(doc.get("results") == [] and
              doc.get("peers", {}).get("measured") == [],
              f"peer-pipe stream-zc: results {doc.get('results')!r}, "
              f"peers {doc.get('peers')!r}")


def main():
    global RESULTS_MD
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    if len(sys.argv) == 3:
        RESULTS_MD = sys.argv[2]
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        print("skip: caec-bench needs two CPUs")
        return 77
    errors(sys.argv[1])
    sweep(sys.argv[1], cpus[:2])
    crypto(sys.argv[1], cpus[:2])
    extras(sys.argv[1], cpus[:2])
    aa_and_quick(sys.argv[1], cpus[:2])
    share(sys.argv[1])
    calls(sys.argv[1])
    peer_without_patterns(sys.argv[1])
    for f in failures:
        print("FAIL:", f)
    print("bench smoke: %s (%d failed checks)" %
          ("FAIL" if failures else "ok", len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
