#!/usr/bin/env bash
# Command 1: install what is missing, build, and open the Cairn console.
# On first start it creates ~/.local/share/cairn with the configuration and
# a default local backup repository. Extra arguments go to the console
# (e.g. --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
target=$(bash .ci/build.sh)
echo "The cairn command line is at $target/release/cairn"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No desktop display found (DISPLAY is not set): run this from a desktop session," >&2
  echo "or try it headless with: xvfb-run -a $target/release/cairn-console" >&2
  exit 1
fi
exec "$target/release/cairn-console" "$@"
