#!/usr/bin/env bash
# ctest `container.kube_play_sidecar`: builds the image from this build's binary and runs
# deploy/kubernetes/verify against it (podman kube play of deploy/kubernetes/sidecar.yaml).
# Exits 77 (ctest: skipped) with the reason when podman cannot run containers here.
#
#   run_kube_test.sh FAULTLINE_BINARY
set -euo pipefail

binary=${1:?usage: run_kube_test.sh FAULTLINE_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/lib/podman.sh
source "$repo_root/scripts/lib/podman.sh"

if ! reason=$(podman_unusable_reason); then echo "SKIP: $reason"; exit 77; fi
if ! command -v catatonit >/dev/null 2>&1 && [[ ! -x /usr/libexec/podman/catatonit ]]; then
  echo "SKIP: catatonit is missing (apt-get install catatonit, or scripts/setup --test-deps): podman kube play needs it"
  exit 77
fi
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl is missing (apt-get install curl)"; exit 77; }
podman_use_project_conf

# Free loopback ports for the pod's API and app ports, below the kernel's ephemeral range: a
# port in that range can be taken at any moment by another test's outgoing connection (it was:
# "listen tcp4 127.0.0.1:34404: bind: address already in use" during a full ctest run).
ephemeral_low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % (ephemeral_low - 20000)))
    # Nothing bound to it at all (listening or as a connection's local port).
    if [[ -z $(ss -Htan "sport = :$port" 2>/dev/null) ]]; then echo "$port"; return 0; fi
  done
  return 1
}

name=localhost/faultline-kube-ctest
version=t$$
cleanup() {
  podman rmi -f "$name:$version" >/dev/null 2>&1 || true
  podman image exists "$name:latest" && podman rmi "$name:latest" >/dev/null 2>&1 || true
}
trap cleanup EXIT
image=$("$repo_root/scripts/image" --binary "$binary" --name "$name" --version "$version" | tail -1)
# A port can still be taken between the check and podman's bind: then, and only then, try again
# with other ports (verify removes the pod however it ends).
for attempt in 1 2 3; do
  api_port=$(free_port)
  app_port=$(free_port)
  [[ $api_port != "$app_port" ]] || app_port=$((api_port + 1))
  status=0
  "$repo_root/deploy/kubernetes/verify" --image "$image" --api-port "$api_port" --app-port "$app_port" \
    2>&1 | tee "/tmp/kube-verify.$$.log" || status=$?
  if ((status == 0)); then rm -f "/tmp/kube-verify.$$.log"; exit 0; fi
  if ! grep -q 'address already in use' "/tmp/kube-verify.$$.log"; then break; fi
  echo "kube test: attempt $attempt: a published port was taken meanwhile; again with other ports"
done
rm -f "/tmp/kube-verify.$$.log"
exit 1
