#!/usr/bin/env bash
# ctest `container.testcontainers`: builds the image from the binary this build made, serves
# podman's Docker-compatible API on a private socket, and runs testcontainers_test.js against it.
# Exits 77 (ctest: skipped) with the reason when podman cannot run containers here, or when
# the npm modules are missing. Removes the image and stops the socket service however it ends.
#
#   run_container_tests.sh FAULTLINE_BINARY
set -euo pipefail

binary=${1:?usage: run_container_tests.sh FAULTLINE_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/lib/podman.sh
source "$repo_root/scripts/lib/podman.sh"

skip() { echo "SKIP: $*"; exit 77; }

if ! reason=$(podman_unusable_reason); then skip "$reason"; fi
command -v node >/dev/null 2>&1 || skip "node is not installed (apt-get install nodejs)"
[[ -f $here/node_modules/testcontainers/package.json && -f $here/node_modules/@testcontainers/toxiproxy/package.json ]] ||
  skip "npm modules missing: run 'npm ci' in tests/container (scripts/setup --test-deps does it)"
podman_use_project_conf

work=$(mktemp -d /tmp/faultline-container-test.XXXXXX)
name=localhost/faultline-ctest
version=t$$
service_pid=""
cleanup() {
  # Containers first (a failed test may leave one), then the API service, then the image.
  local ids
  ids=$(podman ps -aq --no-trunc --filter "ancestor=$name:$version" 2>/dev/null || true)
  if [[ -n $ids ]]; then
    podman rm -f $ids >/dev/null 2>&1 || true
    # A removed container's conmon can linger (an exec session's does): wait for it (at most 2 s
    # each), then end what is left of this run's, by pid, so none is left behind.
    for id in $ids; do
      for _ in $(seq 1 20); do pgrep -f "conmon .*-c $id" >/dev/null || break; sleep 0.1; done
      for pid in $(pgrep -f "conmon .*-c $id" || true); do kill "$pid" 2>/dev/null || true; done
    done
  fi
  if [[ -n $service_pid ]]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  podman rmi -f "$name:$version" >/dev/null 2>&1 || true
  podman image exists "$name:latest" && podman rmi "$name:latest" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

image=$("$repo_root/scripts/image" --binary "$binary" --name "$name" --version "$version" | tail -1)

socket=$work/podman.sock
podman system service --time=0 "unix://$socket" >"$work/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 100); do
  [[ -S $socket ]] && break
  kill -0 "$service_pid" 2>/dev/null || { cat "$work/service.log"; echo "podman system service exited" >&2; exit 1; }
  sleep 0.1
done
[[ -S $socket ]] || { echo "podman's API socket did not appear within 10 s" >&2; exit 1; }

# Ryuk (Testcontainers' reaper) is an image from a registry this machine cannot reach; the
# tests stop their own containers and cleanup() removes whatever is left.
export DOCKER_HOST=unix://$socket
export TESTCONTAINERS_RYUK_DISABLED=true
export FAULTLINE_IMAGE=$image
cd "$here"
node --test --test-concurrency=1 testcontainers_test.js
