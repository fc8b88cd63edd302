#!/usr/bin/env bash
# Fails when a test named in tests/CATALOGUE.md does not exist in the build.
#
# usage: catalogue_check.sh CTEST BUILD_DIR CATALOGUE_MD
#
# Only lines starting with "Proven by:" (after indentation or a list marker) are read; every
# `back-ticked` name on them must be a test that `ctest -N` lists in BUILD_DIR, exactly. A
# "Proven by:" line without any name is an error too: a property is either proven or listed as
# "Not yet proven:" with the reason.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 CTEST BUILD_DIR CATALOGUE_MD" >&2
  exit 2
fi
ctest=$1 build=$2 catalogue=$3

[[ -f $catalogue ]] || { echo "catalogue not found: $catalogue" >&2; exit 2; }

# "  Test  #12: DataPath.SmallMessageArrivesUnchanged" -> "DataPath.SmallMessageArrivesUnchanged"
known=$(cd "$build" && "$ctest" -N | sed -n 's/^ *Test *#[0-9]*: //p')
if [[ -z $known ]]; then
  echo "ctest -N lists no tests in $build: build the test executables first" >&2
  exit 2
fi

declare -A is_test
while IFS= read -r name; do is_test["$name"]=1; done <<<"$known"

missing=0 checked=0 lineno=0
while IFS= read -r line || [[ -n $line ]]; do
  lineno=$((lineno + 1))
  [[ $line =~ ^[[:space:]]*(-[[:space:]]+)?Proven\ by: ]] || continue
  names=$(grep -o '`[^`]*`' <<<"$line" | tr -d '`' || true)
  if [[ -z $names ]]; then
    echo "$catalogue:$lineno: a \"Proven by:\" line names no test: $line"
    missing=$((missing + 1))
    continue
  fi
  while IFS= read -r name; do
    checked=$((checked + 1))
    if [[ -z ${is_test["$name"]+x} ]]; then
      echo "$catalogue:$lineno: no test named '$name' in $build (ctest -N)"
      echo "    $line"
      missing=$((missing + 1))
    fi
  done <<<"$names"
done <"$catalogue"

if [[ $missing -gt 0 ]]; then
  echo "FAILED: $missing of $checked catalogue entries do not name an existing test"
  exit 1
fi
echo "OK: all $checked test names in $(basename "$catalogue") exist in the build"
