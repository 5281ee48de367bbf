#!/usr/bin/env bash
# `privaudit flows --format jsonl` and `privaudit audit --format json` against tshark
# extracting the same fields on the same phone-shaped capture (mostly TLS, some
# plaintext HTTP with JSON, DNS). privaudit runs with every core (the default) and with
# --threads 1; all commands are timed in the same run, interleaved, so the ratios
# hold even on a loaded machine.
# usage: bench/flows-vs-tshark.sh [SIZE_MB=512] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-512}
runs=${2:-3}
command -v tshark >/dev/null || { echo "needs tshark (apt-get install tshark)"; exit 2; }
cargo build --release --quiet --bin privaudit --example gen_phone_capture
mkdir -p bench/out
cap=bench/out/phone-${size_mb}.pcap
[ -f "$cap" ] || ./target/release/examples/gen_phone_capture "$cap" "$size_mb"
bytes=$(stat -c %s "$cap")
p=./target/release/privaudit
python3 bench/compare.py --runs "$runs" --bytes "$bytes" \
  --labels flows,flows-t1,audit,audit-t1,tshark --vs tshark \
  --pairs flows:flows-t1,audit:audit-t1 -- \
  $p --no-progress flows --format jsonl "$cap" -- \
  $p --no-progress flows --format jsonl --threads 1 "$cap" -- \
  $p --no-progress audit --policy policies/mobile-office.toml --format json "$cap" -- \
  $p --no-progress audit --policy policies/mobile-office.toml --format json --threads 1 "$cap" -- \
  tshark -n -r "$cap" -T fields \
    -e frame.number -e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
    -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
    -e dns.qry.name -e dns.qry.type -e dns.a -e dns.aaaa -e dns.cname \
    -e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str \
    -e tls.handshake.ja3 -e tls.handshake.version \
    -e http.request.method -e http.host -e http.request.uri -e http.user_agent -e http.response.code
