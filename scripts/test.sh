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

swift build --build-tests
# The executables are exercised as processes by the integration tests.
export TERWAY_EDGE_BIN="$(swift build --show-bin-path)"

failed=()
summary=()
for dir in Tests/*Tests/; do
  target=$(basename "$dir")
  echo "=== $target"
  start=$SECONDS
  if swift test --skip-build --filter "^$target\."; then status=passed; else status=FAILED; failed+=("$target"); fi
  summary+=("$(printf '%-18s %-7s %4ds' "$target" "$status" $((SECONDS - start)))")
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
