#!/usr/bin/env bash
# Fuzzes the BGP codec with libFuzzer for SECONDS per entry point (default 60) and prints
# how many inputs each ran without a crash. Crashers land in FuzzTesting/Crashers/ (commit
# them: Tests/BGPCoreTests/FuzzReplayTests.swift replays them); new interesting inputs go to a
# scratch corpus, the committed seeds in FuzzTesting/Corpus/ are only read.
# Usage: scripts/fuzz-bgp.sh [SECONDS] [ENTRY...]   (entries: FuzzBGPMessage FuzzBGPAttributes)
set -euo pipefail
seconds=${1:-60}
shift || true
entries=("$@")
[ ${#entries[@]} -gt 0 ] || entries=(FuzzBGPMessage FuzzBGPAttributes)
cd "$(dirname "$0")/../FuzzTesting"

# -parse-as-library is set per target in FuzzTesting/Package.swift: libFuzzer has the main.
swift build -c release -Xswiftc -sanitize=fuzzer >&2
bin=$(swift build -c release -Xswiftc -sanitize=fuzzer --show-bin-path)

scratch=$(mktemp -d /tmp/te-fuzz-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p Crashers
status=0
for entry in "${entries[@]}"; do
  mkdir -p "$scratch/$entry"
  log="$scratch/$entry.log"
  # Swift's own backtracer would end the process before libFuzzer saves the crashing input.
  if SWIFT_BACKTRACE=enable=no "$bin/$entry" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
       -artifact_prefix="Crashers/$entry-" "$scratch/$entry" "Corpus/$entry" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "$entry: $runs inputs in ${seconds}s, no crash (corpus grew to $(ls "$scratch/$entry" | wc -l) new inputs)"
  else
    status=1
    echo "$entry: CRASH, see FuzzTesting/Crashers/$entry-*" 
    grep -E 'Fatal error|ERROR|SUMMARY|precondition' "$log" | head -5
  fi
done
exit $status
