#!/usr/bin/env bash
# Full-table benchmark: builds terway-edge and bench-bgp in release and runs bench-bgp as
# root (te- namespaces, BIRD and GoBGP started and stopped by PID).
# Usage: scripts/bench-bgp.sh [PREFIXES (1000000)] [GOBGP_CAP_SECONDS (150)]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product terway-edge >&2
swift build -c release --product bench-bgp >&2
exec "$(swift build -c release --show-bin-path)/bench-bgp" "$@"
