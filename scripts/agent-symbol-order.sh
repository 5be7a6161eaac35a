#!/usr/bin/env bash
# Writes Sources/terway-edged/symbol-order.txt: the functions the idle agent ran, from exec
# through start-up and 20 s idle with bench-agent's 1,000 peers, as callgrind saw them.
# The linker puts those functions first (lld --symbol-ordering-file, see Package.swift), so
# the code the agent touches shares few pages: the kernel maps a binary's code 64 KB around
# each page fault, and scattered functions made 16.9 MB of code resident for ~2 MB run.
# Run again after large changes to the agent and compare `bench-agent memory` before and
# after; a stale list only costs memory, never behaviour. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
swift build -c release --product terway-edged
swift build -c release --product bench-agent
bin="$(swift build -c release --show-bin-path)"
work=$(mktemp -d /tmp/te-symbol-order-XXXXXX)
trap 'rm -rf "$work"' EXIT

# valgrind 3.19 cannot read the DWARF 5 of our build: it runs a copy without debug info
# (same code, same symbols).
strip --strip-debug -o "$work/terway-edged" "$bin/terway-edged"
TERWAY_EDGE_BIN="$work" BENCH_AGENT_HOLD=20 \
  BENCH_AGENT_WRAP="valgrind --tool=callgrind --demangle=no --callgrind-out-file=$work/callgrind.out" \
  "$bin/bench-agent" memory >&2

# callgrind names a function once as "fn=(id) name" (or cfn= at a call), with "'N" for
# recursion depth, in about the order they first ran. Kept: names the binary defines as code
# exactly once. A name defined in many objects (merged thunks, value witnesses of local types)
# would pull every section defining it to the front: 2.5 MB of code that never runs.
nm --defined-only "$work/terway-edged" | awk '$2 ~ /^[tTwWi]$/ { print $3 }' | sort | uniq -u > "$work/defined-once"
sed -nE "s/^c?fn=\([0-9]+\) (.*)$/\1/p" "$work/callgrind.out" | sed -E "s/'[0-9]+$//" \
  | awk '!seen[$0]++' | grep -Fxf "$work/defined-once" > Sources/terway-edged/symbol-order.txt
echo "Sources/terway-edged/symbol-order.txt: $(wc -l < Sources/terway-edged/symbol-order.txt) functions" >&2
