#!/usr/bin/env bash
# Decryption cost: `privaudit scan` (reading, TLS decryption, HTTP/2, detection) against
# tshark decrypting the same capture with the same secrets (embedded as a pcapng DSB)
# and extracting the HTTP/2 request fields. privaudit runs with every core and with
# --threads 1, interleaved in the same run. The capture is a real browser HTTP/2 session
# (FoxIO's http2-with-cookies.pcapng, shared corpus) replayed as COPIES connections.
# usage: bench/decrypt-vs-tshark.sh [COPIES=250] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-250}
runs=${2:-3}
corpus=${PRIVAUDIT_CORPUS:-../shared/corpus}
command -v tshark >/dev/null || { echo "needs tshark (apt-get install tshark)"; exit 2; }
cargo build --release --quiet --bin privaudit --example replicate_capture
mkdir -p bench/out
cap=bench/out/h2-tls-x${copies}.pcapng
[ -f "$cap" ] || ./target/release/examples/replicate_capture "$corpus/tls/ja4_http2-with-cookies.pcapng" "$cap" "$copies"
bytes=$(stat -c %s "$cap")
python3 bench/compare.py --runs "$runs" --bytes "$bytes" \
  --labels scan,scan-t1,tshark --vs tshark --pairs scan:scan-t1 -- \
  ./target/release/privaudit --no-progress scan --format jsonl "$cap" -- \
  ./target/release/privaudit --no-progress scan --format jsonl --threads 1 "$cap" -- \
  tshark -n -r "$cap" -T fields \
    -e frame.number -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport \
    -e tls.handshake.extensions_server_name \
    -e http2.headers.method -e http2.headers.authority -e http2.headers.path -e http2.headers.user_agent
