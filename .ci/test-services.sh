#!/usr/bin/env bash
# Runs inside a private D-Bus session (see test.sh): starts the services,
# runs `cargo test`, and stops every service by pid on exit.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/cairn"
pids=()
scratch=$(mktemp -d)
cleanup() {
  # Service logs outlive the run where the test artifacts go.
  [[ -n ${CAIRN_ARTIFACTS:-} ]] && mkdir -p "$CAIRN_ARTIFACTS" && cp "$scratch"/*.log "$CAIRN_ARTIFACTS"/ 2>/dev/null || true
  [[ -s $scratch/keyring.pids ]] && mapfile -t -O "${#pids[@]}" pids <"$scratch/keyring.pids"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "service on port $1 did not start; its log:" >&2
  cat "$2" >&2 || true
  return 1
}

# Secret Service keyring in a throw-away folder, unlocked, started by the bus
# (see test-bus.sh and keyring.sh) so it comes back unlocked if it dies.
export XDG_DATA_HOME="$scratch/data"
export CAIRN_TEST_KEYRING_PIDS="$scratch/keyring.pids"
mkdir -p "$XDG_DATA_HOME"
: >"$CAIRN_TEST_KEYRING_PIDS"
dbus-update-activation-environment XDG_DATA_HOME CAIRN_TEST_KEYRING_PIDS
gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.StartServiceByName org.freedesktop.secrets 0 >/dev/null

# S3 and SQS.
s3_port=$(free_port)
"$cache/venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >"$scratch/moto.log" 2>&1 &
pids+=($!)
export CAIRN_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"

# Azure Blob and Queue.
blob_port=$(free_port); queue_port=$(free_port); table_port=$(free_port)
"$cache/node/node_modules/.bin/azurite" --silent --inMemoryPersistence --skipApiVersionCheck --loose \
  --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port" >"$scratch/azurite.log" 2>&1 &
pids+=($!)
export CAIRN_TEST_AZURE_BLOB_ENDPOINT="http://127.0.0.1:$blob_port/devstoreaccount1"
export CAIRN_TEST_AZURE_QUEUE_ENDPOINT="http://127.0.0.1:$queue_port/devstoreaccount1"

wait_port "$s3_port" "$scratch/moto.log"
wait_port "$blob_port" "$scratch/azurite.log"
wait_port "$queue_port" "$scratch/azurite.log"

export NO_AT_BRIDGE=1
# A benchmark against the same services instead of the suite, e.g.
# CAIRN_SERVICES_RUN='cairn bench agents --count 100 ...' bash .ci/test-bus.sh
if [ -n "${CAIRN_SERVICES_RUN:-}" ]; then
  bash -c "$CAIRN_SERVICES_RUN"
  exit $?
fi
# The window tests share one X server; one WebDriver session at a time.
xvfb-run -a -s "-screen 0 1400x900x24" \
  cargo test --release --workspace --exclude cairn-ui --features cairn-desktop/custom-protocol -- --test-threads=2 "$@"
