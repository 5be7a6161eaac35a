#!/usr/bin/env bash
# The whole test suite: unit tests, and tests that build their own `te-` network
# namespaces and start real daemons (BIRD, FRR, GoBGP, ExaBGP, etcd). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ "$(id -u)" = 0 ] || { echo "the suite needs root: it builds network namespaces and starts daemons" >&2; exit 1; }

swift build --build-tests
# The executables are exercised as processes by the integration tests.
export TERWAY_EDGE_BIN="$(swift build --show-bin-path)"
swift test --skip-build
