#!/usr/bin/env bash
# Cost of detection: `privaudit scan` against `privaudit flows` on the same
# plaintext-heavy capture (90% of connections plaintext HTTP with JSON bodies).
# usage: bench/scan-vs-flows.sh [SIZE_MB=256] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-256}
runs=${2:-5}
cargo build --release --quiet --bin privaudit --example gen_phone_capture
mkdir -p bench/out
cap=bench/out/plain-${size_mb}.pcap
[ -f "$cap" ] || ./target/release/examples/gen_phone_capture "$cap" "$size_mb" 90
bytes=$(stat -c %s "$cap")
python3 bench/compare.py --runs "$runs" --bytes "$bytes" \
  --labels flows,scan,flows-t1,scan-t1 --vs scan-t1 --pairs flows:scan,flows:flows-t1,scan:scan-t1 -- \
  ./target/release/privaudit --no-progress flows --format jsonl "$cap" -- \
  ./target/release/privaudit --no-progress scan --format jsonl "$cap" -- \
  ./target/release/privaudit --no-progress flows --format jsonl --threads 1 "$cap" -- \
  ./target/release/privaudit --no-progress scan --format jsonl --threads 1 "$cap"
