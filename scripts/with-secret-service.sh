#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (SecretService),
# in throw-away folders: how the one real-keyring test runs on a machine with no desktop.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data" "$tmp/runtime" && chmod 700 "$tmp/runtime"
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/runtime" HOME="${HOME:-$tmp}"
unset PYTHON_KEYRING_BACKEND
exec dbus-run-session -- sh -c 'printf "cita-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' sh "$@"
