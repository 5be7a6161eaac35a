#!/usr/bin/env bash
# The main command: the seed's whole topology on this machine, from one plan, every path tested.
#   bash scripts/lab.sh                                   # examples/seed.yaml: 3 edge nodes, 2 cloud nodes, 2 pods each
#   bash scripts/lab.sh examples/two-domains.yaml --edge-nodes 10
#   KEEP=1 bash scripts/lab.sh                            # leave it up; `terway-edge lab down` removes it
# Installs the Debian packages it runs, builds, then `terway-edge lab up`, `lab test` (the
# table of paths), `lab status` and `lab down`. Everything runs in te-lab-* network
# namespaces; nothing is added to the host's own network. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh lab
[ "$(id -u)" = 0 ] || { echo "the lab builds network namespaces and needs root" >&2; exit 1; }
swift build --product terway-edge-cni
swift build --product terway-edged
swift build --product terway-edge
te="$(swift build --show-bin-path)/terway-edge"

# A lab left by an interrupted run goes first.
"$te" lab down >/dev/null
[ "${KEEP:-}" = 1 ] || trap '"$te" lab down' EXIT

plan=examples/seed.yaml
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then plan=$1; shift; fi
"$te" lab up "$plan" "$@"
echo
status=0
"$te" lab test || status=$?
echo
"$te" lab status | head -3
exit $status
