#!/usr/bin/env bash
# Runs test-services.sh on a private session bus whose only activatable
# Secret Service is .ci/keyring.sh (an unlocked test keyring), ahead of the
# system's gnome-keyring service file, which would start a locked one.
set -euo pipefail
cd "$(dirname "$0")/.."
# One folder per run, so two runs (two clones) never rewrite each other's
# service file while their buses watch it.
mkdir -p "${XDG_CACHE_HOME:-$HOME/.cache}/cairn"
bus="$(mktemp -d "${XDG_CACHE_HOME:-$HOME/.cache}/cairn/test-bus.XXXXXX")"
trap 'rm -rf "$bus"' EXIT
mkdir -p "$bus/services"
cat >"$bus/services/org.freedesktop.secrets.service" <<SERVICE
[D-BUS Service]
Name=org.freedesktop.secrets
Exec=/bin/sh $PWD/.ci/keyring.sh
SERVICE
cat >"$bus/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <servicedir>$bus/services</servicedir>
  <include>/usr/share/dbus-1/session.conf</include>
</busconfig>
CONF
dbus-run-session --config-file="$bus/session.conf" -- bash .ci/test-services.sh "$@"
