#!/usr/bin/env bash
# Builds a Node 20 Debian bookworm base image without any registry: debootstrap (minbase) from
# the Debian mirror apt is configured with, plus this machine's own Node 20 and npm, imported
# with `docker import`. For machines that cannot pull node:20-bookworm-slim; users build FROM the
# official image instead. Cached: an existing image of that tag is kept.
# Usage: make-local-base.sh [tag]   (prints the tag)
set -euo pipefail
tag="${1:-tidings-local-base:bookworm-node20}"
if docker image inspect "$tag" >/dev/null 2>&1; then echo "$tag"; exit 0; fi

node_bin="$(readlink -f "$(command -v node)")"
case "$("$node_bin" --version)" in v20.*) ;; *) echo "make-local-base: needs Node 20, found $("$node_bin" --version)" >&2; exit 1 ;; esac
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"

# The first Debian mirror in apt's sources (deb822 URIs: or one-line deb entries).
mirror="$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -oE '^(URIs:|deb) +https?://[^ ]+' | grep -v security | head -n1 | awk '{print $2}' || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

root="$(mktemp -d /tmp/tidings-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
# ca-certificates: npm reaches the registry over TLS in the build stage; libstdc++6: node links it.
debootstrap --variant=minbase --include=ca-certificates,libstdc++6 bookworm "$root" "$mirror" >&2
# This machine's trust store, so that the build stage reaches the npm registry the way this
# machine does (including through a TLS-inspecting proxy it trusts); npm reads it through Node.
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' - "$tag" >&2
echo "$tag"
