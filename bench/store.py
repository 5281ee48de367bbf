#!/usr/bin/env python3
"""Results-store benchmark: `privaudit import` of one report with N findings into a
fresh SQLite store, and `privaudit fleet` over M stored runs. Medians of R runs.

usage: bench/store.py PRIVAUDIT_BINARY [FINDINGS=10000] [RUNS_IN_FLEET=1000] [REPEAT=5]
"""
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEVERITIES = ["critical", "high", "medium", "low", "info"]


def report(app, version, n, seed):
    findings = [{
        "rule": "PA-DISCLOSURE-OMITTED", "severity": SEVERITIES[i % 5],
        "title": "Data type not declared", "message": f"type {i} was sent {seed} times",
        "data_type": f"t.{i}", "party": f"sdk:s{i % 40}",
        "fingerprint": f"{(i * 2654435761 + seed) & 0xffffffffffffffff:016x}",
        "evidence": [{"file": "c.pcapng", "frame": i, "ts": "2021-08-13T10:46:09.772338Z",
                      "host": "h", "method": "POST", "uri": "/x", "field": "body.json.imei",
                      "encoding": ["json"], "value": "8669*******3828", "transport": "http"}],
        "suppressed": i % 97 == 0,
    } for i in range(n)]
    matrix = [{"party": f"sdk:s{i % 40}", "data_type": f"t.{i}",
               "class": "clear" if i % 3 == 0 else "omitted", "count": i, "cleartext": 0,
               "before_consent": 0} for i in range(min(n, 400))]
    return {
        "schema": "privaudit.audit/1", "tool": "privaudit bench", "policy": "p.toml",
        "app": {"name": app, "package": app},
        "inputs": [{"path": f"{app}-{version}.pcapng", "format": "pcapng", "frames": 10,
                    "sha256": f"{app}{version}{seed}"}],
        "package": {"id": app, "version_name": version,
                    "permissions": [{"name": "android.permission.CAMERA"}]},
        "summary": {"failed": True}, "findings": findings, "matrix": matrix,
        "sdks": [{"id": f"s{i}", "name": f"SDK {i}", "status": "transmitting",
                  "named_in_policy": False} for i in range(seed % 7 + 3)],
        "coverage": {"requests_inspected": 5},
    }


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    m = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    repeat = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        big = d / "big.json"
        big.write_text(json.dumps(report("com.big", "1.0", n, 7)))
        store_times = []
        for r in range(repeat):
            store_times.append(timed([binary, "import", "--store", f"sqlite:{d}/s{r}.db", str(big)]))
        reports = []
        for i in range(m):
            p = d / f"r{i}.json"
            p.write_text(json.dumps(report(f"com.app{i // 10}", f"{i % 10}.0", 40, i)))
            reports.append(str(p))
        fleet_db = f"sqlite:{d}/fleet.db"
        import_all = timed([binary, "import", "--store", fleet_db, *reports])
        fleet_html = [timed([binary, "fleet", "--store", fleet_db, "--format", "html",
                             "-o", str(d / "f.html")]) for _ in range(repeat)]
        fleet_json = [timed([binary, "fleet", "--store", fleet_db, "--format", "json",
                             "-o", str(d / "f.json")]) for _ in range(repeat)]
        size = big.stat().st_size / 1e6
    print(f"import one report with {n} findings ({size:.1f} MB JSON) into a new SQLite store: "
          f"median {statistics.median(store_times):.3f} s (min {min(store_times):.3f})")
    print(f"import {m} reports (40 findings each) in one process: {import_all:.2f} s")
    print(f"fleet over {m} runs, HTML: median {statistics.median(fleet_html):.3f} s; "
          f"JSON: median {statistics.median(fleet_json):.3f} s")


if __name__ == "__main__":
    main()
