#!/usr/bin/env bash
# Runs AFL++ on one or more targets for SECS seconds each, one target per core at a
# time, and prints executions, crashes and hangs per target.
#
#   fuzz/run.sh SECS TARGET…        (from the repository root or fuzz/)
#
# Needs `cargo install cargo-afl` and `cargo afl build --release` in fuzz/, and seeds
# from `target/release/privaudit-fuzz seeds ../../shared/corpus .. seeds`.
set -euo pipefail
cd "$(dirname "$0")"
secs=$1
shift
bin=${BIN:-target/release/privaudit-fuzz}
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    AFL_AUTORESUME=1 AFL_SKIP_CRASHES=1 AFL_IGNORE_SEED_PROBLEMS=1
for t in "$@"; do
    mkdir -p "seeds/$t" out
    [ -n "$(ls -A "seeds/$t")" ] || printf 'x' > "seeds/$t/empty"
    # -t: per-input time limit (ms); -m: memory limit (MB) for the whole process.
    cargo afl fuzz -i "seeds/$t" -o "out/$t" -V "$secs" -t 2000 -m 2048 -- "$bin" "$t" \
        > "out/$t.log" 2>&1 || echo "$t: afl-fuzz exited $?" >&2
    s="out/$t/default/fuzzer_stats"
    if [ -f "$s" ]; then
        printf '%-16s execs %-10s crashes %-4s hangs %-4s corpus %s\n' "$t" \
            "$(awk -F: '/^execs_done/{gsub(/ /,"",$2);print $2}' "$s")" \
            "$(awk -F: '/^saved_crashes/{gsub(/ /,"",$2);print $2}' "$s")" \
            "$(awk -F: '/^saved_hangs/{gsub(/ /,"",$2);print $2}' "$s")" \
            "$(awk -F: '/^corpus_count/{gsub(/ /,"",$2);print $2}' "$s")"
    fi
done
