#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 300), with the
# limits a decoder must keep: no input may take more than 10 s or 2 GiB.
# Crashes land in fuzz/artifacts/<target>/; a summary line per target.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-300}
cd "$here"
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
for t in key_file config object pack blob tree; do
  mkdir -p "corpus/$t"
  log=$(mktemp)
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=1048576 -print_final_stats=1 \
    >"$log" 2>&1 || echo "$t: FAILED, see $log and artifacts/$t/"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "$t: $runs executions in ${secs} s, $(ls "artifacts/$t" 2>/dev/null | wc -l) crash files"
done
