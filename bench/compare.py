#!/usr/bin/env python3
"""Times several commands on the same input and reports medians, throughput, peak RSS,
the spread of the runs (how noisy the machine was) and ratios. Used by bench/*.sh.

usage: compare.py --runs N --bytes B --labels A,B[,C...] [--vs L1,L2] -- CMD_A... -- CMD_B... [-- ...]
       (the older --label-a A --label-b B form still works)
Runs are interleaved (A B C, A B C, ...) so that load from other processes falls on
every command alike; ratios are of medians from the same run of this script. --vs
names the commands every other one is compared with (default: the last one);
--pairs A:B,C:D adds single comparisons (A against B).
Commands run with stdout to /dev/null. Prints a table and a JSON line."""
import json
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    # Exit 1 is an audit reporting findings.
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"command failed ({status}): {' '.join(cmd)}")
    # Peak RSS in KiB on Linux; CPU time counts every thread, so it shows the cost
    # of parallelism when a busy machine leaves no core idle.
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def main():
    args = sys.argv[1:]
    opts = {}
    while args and args[0] != "--":
        opts[args[0]] = args[1]
        args = args[2:]
    args = args[1:]
    cmds, cur = [], []
    for a in args:
        if a == "--":
            cmds.append(cur)
            cur = []
        else:
            cur.append(a)
    cmds.append(cur)
    if "--labels" in opts:
        labels = opts["--labels"].split(",")
    else:
        labels = [opts["--label-a"], opts["--label-b"]]
    if len(labels) != len(cmds):
        sys.exit(f"{len(labels)} labels for {len(cmds)} commands")
    vs = opts.get("--vs", labels[-1]).split(",")
    runs = int(opts.get("--runs", "3"))
    size = int(opts["--bytes"])
    times = {l: [] for l in labels}
    rss = {l: [] for l in labels}
    cpu = {l: [] for l in labels}
    for _ in range(runs):
        for label, cmd in zip(labels, cmds):
            t, r, c = run(cmd)
            times[label].append(t)
            rss[label].append(r)
            cpu[label].append(c)
    results = {}
    for label in labels:
        med = statistics.median(times[label])
        spread = (max(times[label]) - min(times[label])) / med if med else 0
        results[label] = {
            "median_s": round(med, 3),
            "runs_s": [round(t, 3) for t in times[label]],
            "spread_pct": round(100 * spread),
            "mb_per_s": round(size / 1e6 / med, 1),
            "peak_rss_mb": round(max(rss[label]) / 1024, 1),
            "cpu_s": round(statistics.median(cpu[label]), 3),
        }
        print(f"{label:>12}: median {med:8.3f} s  {size / 1e6 / med:9.1f} MB/s  peak RSS {max(rss[label]) / 1024:7.1f} MB  CPU {statistics.median(cpu[label]):7.3f} s  spread {100 * spread:4.0f}%  runs {results[label]['runs_s']}")
    ratios = {}
    for base in vs:
        for label in labels:
            if label == base:
                continue
            r = results[base]["median_s"] / max(results[label]["median_s"], 1e-9)
            ratios[f"{label}_vs_{base}"] = round(r, 2)
            print(f"{label} is {r:.2f}x as fast as {base}")
    for pair in filter(None, opts.get("--pairs", "").split(",")):
        a, b = pair.split(":")
        r = results[b]["median_s"] / max(results[a]["median_s"], 1e-9)
        ratios[f"{a}_vs_{b}"] = round(r, 2)
        print(f"{a} is {r:.2f}x as fast as {b}")
    load = os.getloadavg()[0]
    print(f"({size / 1e6:.0f} MB input, {runs} interleaved runs, load average {load:.1f} on {os.cpu_count()} cores)")
    out = {"input_mb": round(size / 1e6, 1), "load": round(load, 1), "ratios": ratios, **results}
    if len(labels) == 2:
        out["ratio"] = round(results[labels[1]]["median_s"] / max(results[labels[0]]["median_s"], 1e-9), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
