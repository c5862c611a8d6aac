#!/usr/bin/env bash
# Command 2: install what the tests need, check formatting and lints, build,
# start the services on 127.0.0.1 (private D-Bus with a Secret Service
# keyring, S3/SQS server, Azurite, Xvfb) and run the whole suite. Every
# process started here is stopped by pid, also when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/target}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "Formatting"
cargo fmt --all --check

# Build first: the console crate embeds ui/dist, which a clean clone does not
# have until trunk has run, so clippy on it needs the build to come first.
say "Building the console and the cairn command line"
target=$(bash .ci/build.sh)

say "Lints"
cargo clippy --release --workspace --exclude cairn-ui --all-targets --features cairn-desktop/custom-protocol -- -D warnings
cargo clippy --release -p cairn-ui --target wasm32-unknown-unknown -- -D warnings
export CAIRN_CONSOLE_BIN="$target/release/cairn-console"
export CAIRN_BIN="$target/release/cairn"
export CAIRN_ARTIFACTS="$PWD/test-artifacts"
rm -rf "$CAIRN_ARTIFACTS" && mkdir -p "$CAIRN_ARTIFACTS"

say "Starting services and running the tests"
exec bash .ci/test-bus.sh "$@"
