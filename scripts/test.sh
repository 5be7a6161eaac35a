#!/usr/bin/env bash
# The whole test suite: unit tests, and tests that build their own `te-` network
# namespaces and start real daemons (BIRD, FRR, GoBGP, ExaBGP, etcd). Needs root.
#
# Each test target runs in its own process, one after another: on a 2-core machine Swift's
# cooperative pool has two threads, and a target whose tests wait on daemons would
# otherwise starve the timing of another target's tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ "$(id -u)" = 0 ] || { echo "the suite needs root: it builds network namespaces and starts daemons" >&2; exit 1; }

build_log=$(mktemp /tmp/te-build-XXXXXX)
swift build --build-tests 2>&1 | tee "$build_log"
# No warnings in our own code, and CI keeps it so; dependencies' warnings do not count.
# (A warning is printed when its file is compiled: CI builds from scratch.)
ours=$(grep -E "^$PWD/(Sources|Tests|Benchmarks)/[^:]+:[0-9]+:[0-9]+: warning:" "$build_log" | sort -u || true)
rm -f "$build_log"
if [ -n "$ours" ]; then
  printf '%s\n' "$ours" >&2
  echo "the build warns in our code (above): fix the warnings" >&2
  exit 1
fi
# The executables are exercised as processes by the integration tests.
export TERWAY_EDGE_BIN="$(swift build --show-bin-path)"

log=$(mktemp /tmp/te-test-XXXXXX)
trap 'rm -f "$log"' EXIT
failed=() summary=() tests_passed=0 tests_failed=0
for dir in Tests/*Tests/; do
  target=$(basename "$dir")
  echo "=== $target"
  start=$SECONDS
  if swift test --skip-build --filter "^$target\." 2>&1 | tee "$log"; then status=passed; else status=FAILED; failed+=("$target"); fi
  # Swift Testing closes with "Test run with N tests ..."; each failed test has a "✘ Test … failed after" line.
  total=$(grep -o 'Test run with [0-9]* test' "$log" | grep -o '[0-9]*' | tail -1 || true)
  bad=$(grep -v '^✘ Test run' "$log" | grep -c '^✘ Test .* failed after' || true)
  [ "$status" = FAILED ] && [ "${bad:-0}" -eq 0 ] && bad=1   # a crash or build problem, no closing line
  tests_failed=$((tests_failed + ${bad:-0}))
  tests_passed=$((tests_passed + ${total:-0} - ${bad:-0}))
  summary+=("$(printf '%-18s %-7s %4ds %5s tests' "$target" "$status" $((SECONDS - start)) "${total:-?}")")
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$tests_passed passed, $tests_failed failed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
