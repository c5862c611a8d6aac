#!/usr/bin/env bash
# Installs what Cairn needs on Debian 12 (run as root); safe to run again:
# each step checks first and does nothing when its tool is already there.
#   .ci/setup.sh          build and run the console
#   .ci/setup.sh --test   also what the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

pkgs=(build-essential pkg-config curl file libssl-dev libdbus-1-dev libxdo-dev qemu-utils fuse3
      libwebkit2gtk-4.1-dev librsvg2-dev libayatana-appindicator3-dev tzdata)
if [ $want_test = 1 ]; then
  pkgs+=(xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libglib2.0-bin xdotool restic borgbackup)
  # Python and Node may come from elsewhere (pyenv, NodeSource): take
  # Debian's only when the command is missing.
  command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || pkgs+=(python3-venv)
  command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] || {
    say "Installing the Rust toolchain (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
  }
  export PATH="$HOME/.cargo/bin:$PATH"
fi

if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "Installing trunk 0.21.14 (newer trunk needs a newer rustc)"
  cargo install --locked trunk@0.21.14
fi

# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly, or trunk
# tries to download one.
wb=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb" ]; then
  say "Installing wasm-bindgen-cli $wb"
  cargo install wasm-bindgen-cli --version "$wb" --force
fi

if [ $want_test = 1 ]; then
  if ! command -v tauri-driver >/dev/null 2>&1; then
    say "Installing tauri-driver"
    cargo install --locked tauri-driver
  fi
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/cairn/venv"
  if [ ! -x "$venv/bin/moto_server" ]; then
    say "Installing moto[server] into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'moto[server]'
  fi
  nodedir="${XDG_CACHE_HOME:-$HOME/.cache}/cairn/node"
  if [ ! -x "$nodedir/node_modules/.bin/azurite" ]; then
    say "Installing azurite 3.35.0 into $nodedir"
    mkdir -p "$nodedir"
    npm install --silent --prefix "$nodedir" azurite@3.35.0
  fi
fi
