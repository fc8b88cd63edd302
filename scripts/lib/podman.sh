# Sourced by scripts/image, scripts/package-test, deploy/kubernetes/verify and the container
# tests: the podman settings this project relies on, without touching /etc.

repo_root=${repo_root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# Debian 12's podman needs a few settings on these machines (see packaging/podman/containers.conf).
# A machine with its own /etc/containers/containers.conf keeps it; otherwise ours is used through
# CONTAINERS_CONF, which makes podman read that one file only.
podman_use_project_conf() {
  if [[ -n ${CONTAINERS_CONF:-} ]]; then return 0; fi
  if [[ -f /etc/containers/containers.conf ]]; then return 0; fi
  export CONTAINERS_CONF=$repo_root/packaging/podman/containers.conf
  echo "podman: no /etc/containers/containers.conf; using $CONTAINERS_CONF (runtime runc, default_ulimits = [], netavark)" >&2
}

# Prints why podman cannot run containers here (and returns 1), or returns 0.
podman_unusable_reason() {
  if ! command -v podman >/dev/null 2>&1; then
    echo "podman is not installed (apt-get install podman runc iptables netavark aardvark-dns catatonit, or scripts/setup --test-deps)"
    return 1
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "podman needs root here (rootless podman needs subuid ranges this machine does not have)"
    return 1
  fi
  local out
  if ! out=$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>&1); then
    echo "podman info failed: $(tail -1 <<<"$out")"
    return 1
  fi
  return 0
}
