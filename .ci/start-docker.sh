#!/usr/bin/env bash
# Starts a Docker engine for the conformance suite's container-target test.
# No image is ever pulled: the tests build theirs from local files.
set -euo pipefail
if docker info >/dev/null 2>&1; then echo "docker engine already running"; exit 0; fi
nohup dockerd >/tmp/relaylab-dockerd.log 2>&1 &
for i in $(seq 1 60); do
  docker info >/dev/null 2>&1 && { echo "docker engine ready"; exit 0; }
  sleep 1
done
echo "docker engine did not start; see /tmp/relaylab-dockerd.log" >&2
tail -20 /tmp/relaylab-dockerd.log >&2 || true
exit 1
