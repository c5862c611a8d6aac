#!/usr/bin/env bash
# Builds the UI (trunk) and the release binaries: the console with the UI
# embedded, and the `cairn` command line. Prints the target folder.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/target}"
(cd ui && trunk build --release >&2)
cargo build --release -p cairn-desktop --features custom-protocol -p cairn-cli >&2
echo "$CARGO_TARGET_DIR"
