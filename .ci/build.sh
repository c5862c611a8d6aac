#!/usr/bin/env bash
# Builds the UI (trunk) and the release binaries: the console with the UI
# embedded, and the `cairn` command line. Prints the target folder.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/target}"
# Rebuild the UI only when its inputs changed: a fresh dist (even with the
# same bytes) makes the console crate re-embed it and relink.
if [ ! -f ui/dist/index.html ] || \
   [ -n "$(find ui/src ui/index.html ui/Cargo.toml ui/Trunk.toml assets src-tauri/crates/model Cargo.lock -newer ui/dist/index.html -print -quit)" ]; then
  (cd ui && trunk build --release >&2)
fi
# The same packages and features as clippy and the tests, so all three share
# one set of compiled dependencies.
cargo build --release --workspace --exclude cairn-ui --features cairn-desktop/custom-protocol >&2
echo "$CARGO_TARGET_DIR"
