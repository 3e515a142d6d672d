#!/usr/bin/env bash
# Builds the Tidings image (and the test Redis image) on the local Debian base, with host
# networking for every build step. Docker's layer cache keeps rebuilds to what changed.
# Usage: build-images.sh TIDINGS_TAG REDIS_TAG
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
base="$("$repo/deploy/docker/make-local-base.sh")"
docker build --network host --build-arg "BASE_IMAGE=$base" -f "$repo/deploy/docker/Dockerfile" -t "$1" "$repo" >&2
docker build --network host --build-arg "BASE_IMAGE=$base" -f "$repo/deploy/docker/redis-test.Dockerfile" -t "$2" "$repo/deploy/docker" >&2
