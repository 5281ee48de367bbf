#!/usr/bin/env bash
# Results store: storing a run with 10 000 findings (bound 1 s) and the fleet view
# over 1 000 runs (bound 2 s), through the release binary, one core pinned.
# usage: bench/store.sh [FINDINGS=10000] [RUNS_IN_FLEET=1000] [REPEAT=5]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin privaudit
taskset -c 0 python3 bench/store.py ./target/release/privaudit "${1:-10000}" "${2:-1000}" "${3:-5}"
