#!/usr/bin/env bash
# Streams captures larger than 4 GiB (pcap and pcapng) through flows, scan and audit
# and reports peak RSS and time for each. Needs ~9 GB of disk in bench/out.
# usage: bench/scale.sh [SIZE_MB=4300]   (FORMATS="pcap" for one format, half the disk)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-4300}
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 2; }
cargo build --release --quiet --bin privaudit --example gen_phone_capture
mkdir -p bench/out
for ext in ${FORMATS:-pcap pcapng}; do
  cap=bench/out/scale-${size_mb}.${ext}
  [ -f "$cap" ] || ./target/release/examples/gen_phone_capture "$cap" "$size_mb" 20
  printf '%s: %s bytes\n' "$cap" "$(stat -c %s "$cap")"
  for cmd in "flows --format jsonl" "scan --format jsonl" \
             "audit --policy policies/mobile-office.toml --format json"; do
    # Exit 1 is the audit reporting findings; 2 or more is a failure.
    rc=0
    /usr/bin/time -o /tmp/privaudit-scale.time -f '%M %e' \
      ./target/release/privaudit --no-progress $cmd "$cap" >/dev/null 2>/tmp/privaudit-scale.err || rc=$?
    out=$(tail -1 /tmp/privaudit-scale.time)
    rss_kb=${out%% *}; secs=${out##* }
    printf '  %-8s peak RSS %6.1f MB  %7.1f s  %6.0f MB/s  exit %d\n' "${cmd%% *}" \
      "$(echo "$rss_kb/1024" | bc -l)" "$secs" "$(echo "$size_mb/$secs" | bc -l)" "$rc"
    if [ "$rc" -ge 2 ]; then tail -5 /tmp/privaudit-scale.err; fi
  done
done
