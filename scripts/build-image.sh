#!/usr/bin/env bash
# Builds the TerwayEdge image (deploy/Containerfile) with podman and prints its size.
#   bash scripts/build-image.sh [TAG]            default tag: terway-edge:dev
# The binaries are a static release build (own scratch path .build/image, so a debug build
# or a running `swift test` does not wait for it). PODMAN_GLOBAL_OPTS passes podman's global
# options (the tests give their own --root/--runroot/--storage-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-terway-edge:dev}
products=(terway-edged terway-edge terway-edge-cni)
build=(swift build -c release --scratch-path .build/image --static-swift-stdlib -Xswiftc -static-executable)
for product in "${products[@]}"; do "${build[@]}" --product "$product"; done
bin=$("${build[@]}" --show-bin-path)

context=$(mktemp -d /tmp/te-image-XXXXXX)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/rootfs/usr/bin" "$context/rootfs/run" "$context/rootfs/tmp"
for product in "${products[@]}"; do
  file "$bin/$product" | grep -q 'statically linked' || { echo "$bin/$product is not statically linked" >&2; exit 1; }
  strip -o "$context/rootfs/usr/bin/$product" "$bin/$product"
done
# nft and the shared libraries (and loader) it needs, at their paths.
nft=$(command -v nft)
cp --parents "$nft" "$context/rootfs"
ldd "$nft" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | while read -r lib; do
  cp --parents -L "$lib" "$context/rootfs"
done
cp deploy/Containerfile "$context/"
# shellcheck disable=SC2086
podman ${PODMAN_GLOBAL_OPTS:-} build --quiet -f "$context/Containerfile" -t "$tag" "$context" >/dev/null
# shellcheck disable=SC2086
size=$(podman ${PODMAN_GLOBAL_OPTS:-} image inspect --format '{{.Size}}' "$tag")
echo "image $tag: $size bytes ($((size / 1024 / 1024)) MiB)"
