#!/usr/bin/env bash
# Installs the system packages Cita Bridge's tests and demo need, only when one is missing.
# Debian/Ubuntu (apt). Elsewhere it says what to install and stops.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus-x11)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
# npm: the driver tests fetch a real scheduler's CDN assets as npm packages (tests/drivers/cdn_assets.py).
command -v npm >/dev/null 2>&1 || need+=(npm)
# Qt's xcb platform plugin (a real window under Xvfb) and its GL/EGL libraries.
for lib in libxcb-cursor.so.0 libEGL.so.1 libxkbcommon-x11.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || { need+=(libxcb-cursor0 libegl1 libgl1 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libxcb-render-util0 libxcb-image0); break; }
done

[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${need[*]}. Install them with your package manager and run again." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Missing system packages: ${need[*]}. Run as root: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
echo "Installing system packages: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
