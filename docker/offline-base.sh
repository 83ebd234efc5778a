#!/usr/bin/env bash
# Makes the base image `debian:bookworm-slim` on this machine when the engine lacks it and no
# registry answers: debootstrap a minimal Debian 12 into a folder, then `docker import` it.
# The Dockerfile stays `FROM debian:bookworm-slim`, so the same file builds here and anywhere.
# Idempotent: an image that is already there is left alone.
set -euo pipefail

IMAGE="${OFFICEGYM_BASE_IMAGE:-debian:bookworm-slim}"
MIRROR="${OFFICEGYM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base image: $IMAGE present"
  exit 0
fi
if timeout 60 docker pull "$IMAGE" >/dev/null 2>&1; then
  echo "base image: pulled $IMAGE"
  exit 0
fi

echo "base image: no registry answered; building $IMAGE with debootstrap from $MIRROR"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"  # never wait for a password: say so and fail
if ! command -v debootstrap >/dev/null 2>&1; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    debootstrap >/dev/null || {
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      debootstrap >/dev/null
  }
fi

root="$(mktemp -d /tmp/officegym-base.XXXXXX)"
trap '$SUDO rm -rf "$root"' EXIT
$SUDO debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/dev/null
# What the slim image does too: no docs or man pages, an apt that keeps no package cache.
$SUDO rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/var/cache/apt/archives/*.deb \
  "$root"/var/lib/apt/lists/*
$SUDO tar -C "$root" -c . | docker import --change 'CMD ["bash"]' - "$IMAGE" >/dev/null
echo "base image: imported $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec))"
