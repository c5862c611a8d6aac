#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with real repository objects: a backup of a
# small folder made by the `cairn` command given as $1 (default: the
# release build), split by which decoder reads each object.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cairn=${1:-${CARGO_TARGET_DIR:-$here/../target}/release/cairn}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/sub"
echo "hello fuzz" > "$work/src/a.txt"
head -c 300000 /dev/urandom > "$work/src/sub/b.bin"
ln -s a.txt "$work/src/link"
"$cairn" --data-dir "$work/data" job create backup Seed --repo "Default Backup Repository" \
  --include "$work/src" >/dev/null
"$cairn" --data-dir "$work/data" job run Seed >/dev/null
repo=$(dirname "$(find "$work/data" -name config -type f | head -1)")
c="$here/corpus"
mkdir -p "$c"/{key_file,config,object,pack,blob,tree}
cp "$repo/config" "$c/config/real"
for f in "$repo"/keys/*; do cp "$f" "$c/key_file/$(basename "$f")"; done
for f in $(find "$repo/data" -type f); do cp "$f" "$c/pack/$(basename "$f")"; done
# Sealed objects: the selector byte the `object` target reads, then the
# object without its 21-byte header (the target puts a valid one back).
tagged() { { printf "\\x$1"; tail -c +22 "$2"; } > "$c/object/$1-$(basename "$2")"; }
for f in "$repo"/index/*; do tagged 00 "$f"; done
for f in $(find "$repo/snapshots" -type f); do tagged 01 "$f"; done
for f in "$repo"/backups/*; do tagged 02 "$f"; done
echo "corpus: $(find "$c" -type f | wc -l) files in $c"
