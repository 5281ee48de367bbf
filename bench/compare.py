#!/usr/bin/env python3
"""Times two commands on the same input several times and reports medians, the
throughput ratio and each command's peak RSS. Used by the bench/*.sh scripts.

usage: compare.py --runs N --bytes B --label-a A --label-b B -- CMD_A... -- CMD_B...
Commands run with stdout to /dev/null. Prints a small table and a JSON line."""
import json
import resource
import statistics
import subprocess
import sys
import time


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = __import__("os").wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"command failed ({status}): {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss  # KiB on Linux


def main():
    args = sys.argv[1:]
    opts = {}
    while args and args[0] != "--":
        opts[args[0]] = args[1]
        args = args[2:]
    args = args[1:]
    split = args.index("--")
    cmd_a, cmd_b = args[:split], args[split + 1:]
    runs = int(opts.get("--runs", "3"))
    size = int(opts["--bytes"])
    results = {}
    for label, cmd in ((opts["--label-a"], cmd_a), (opts["--label-b"], cmd_b)):
        times, rss = [], []
        for _ in range(runs):
            t, r = run(cmd)
            times.append(t)
            rss.append(r)
        med = statistics.median(times)
        results[label] = {
            "median_s": round(med, 3),
            "runs_s": [round(t, 3) for t in times],
            "mb_per_s": round(size / 1e6 / med, 1),
            "peak_rss_mb": round(max(rss) / 1024, 1),
        }
        print(f"{label:>10}: median {med:8.3f} s  {size / 1e6 / med:9.1f} MB/s  peak RSS {max(rss) / 1024:7.1f} MB  runs {results[label]['runs_s']}")
    a, b = opts["--label-a"], opts["--label-b"]
    ratio = results[b]["median_s"] / max(results[a]["median_s"], 1e-9)
    print(f"{a} is {ratio:.1f}x faster than {b} ({size / 1e6:.0f} MB input)")
    print(json.dumps({"input_mb": round(size / 1e6, 1), "ratio": round(ratio, 1), **results}))


if __name__ == "__main__":
    main()
