#!/bin/sh
# Policy extraction speed: a 1 MiB policy made of real development-half policies, and
# the whole 242-policy development half on one core. Release build first:
#   cargo build --release && bench/policy.sh
# Reports wall seconds; compare runs on the same machine, it is shared and noisy.
set -eu
BIN=${BIN:-target/release/privaudit}
CORPUS=${PRIVAUDIT_CORPUS:-../shared/corpus}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat "$CORPUS"/policies/ca4p-dev/0*.txt | head -c 1048576 > "$TMP/1mb.txt"
for format in toml json html; do
  start=$(date +%s.%N)
  "$BIN" policy extract "$TMP/1mb.txt" --format $format -o "$TMP/out.$format" 2>/dev/null
  end=$(date +%s.%N)
  echo "1 MiB policy, --format $format: $(echo "$end - $start" | bc) s"
done
start=$(date +%s.%N)
for f in "$CORPUS"/policies/ca4p-dev/*.txt; do
  taskset -c 0 "$BIN" policy extract "$f" -o "$TMP/one.toml" 2>/dev/null
done
end=$(date +%s.%N)
echo "ca4p-dev ($(ls "$CORPUS"/policies/ca4p-dev/*.txt | wc -l) policies), one core, one process each: $(echo "$end - $start" | bc) s"
