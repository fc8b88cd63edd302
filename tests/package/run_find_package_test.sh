#!/usr/bin/env bash
# ctest `package.find_package_consumer`: installs this build (runtime + testing components)
# into a temporary prefix, then configures, builds and runs tests/package/consumer against it
# the way a user's project would: find_package(faultline) + faultline::testing.
#
#   run_find_package_test.sh BUILD_DIR CXX_COMPILER
set -euo pipefail

build_dir=${1:?usage: run_find_package_test.sh BUILD_DIR CXX_COMPILER}
cxx=${2:?usage: run_find_package_test.sh BUILD_DIR CXX_COMPILER}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d /tmp/faultline-find-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

for component in runtime testing; do
  cmake --install "$build_dir" --prefix "$work/prefix" --component "$component" >/dev/null
done
echo "installed: $(cd "$work/prefix" && find . -type f | sort | tr '\n' ' ')"
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S "$here/consumer" -B "$work/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$work/build/tests"
