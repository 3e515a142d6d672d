#!/usr/bin/env bash
# Makes sure a Docker engine answers, starting dockerd when none does. Containers here use host
# networking only, so the daemon runs without a bridge or iptables rules. Idempotent.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
command -v dockerd >/dev/null || { echo "ensure-docker: dockerd is missing (apt-get install docker.io)" >&2; exit 1; }
nohup dockerd --bridge=none --iptables=false --ip6tables=false >/var/log/tidings-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "ensure-docker: dockerd did not answer; see /var/log/tidings-dockerd.log" >&2
exit 1
