#!/usr/bin/env bash
# Installs the Debian packages that the demo, the tests and the benchmarks use as real
# parts: BGP daemons, etcd, the reference CNI plugins, a container runtime, data-path tools.
# Safe to run again; runs `apt-get update` only when a package is missing.
# `install-deps.sh lab`: only what `terway-edge lab` runs (iproute2, ping, nftables, BIRD 2).
set -euo pipefail

packages=(
  iproute2 iputils-ping nftables tcpdump procps psmisc openssl
  bird2 frr gobgpd exabgp
  etcd-server etcd-client
  containernetworking-plugins podman runc busybox-static
  hyperfine valgrind file binutils
  faketime
  python3 python3-venv
)
[ "${1:-}" = lab ] && packages=(iproute2 iputils-ping nftables bird2)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "swift 6.3 is not on PATH (expected at /opt/swift)" >&2; exit 1; }

# kubernetes-validate (PyPI) with the Kubernetes schemas it ships, for the manifest tests
# (Tests/DeployTests; TestSupport's KubernetesValidate uses the same venv).
venv=${TE_K8S_VENV:-/var/tmp/te-k8s-venv}
if ! "$venv/bin/python" -c 'import kubernetes_validate, yaml' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check kubernetes-validate
fi
