#!/usr/bin/env bash
# Makes sure a Chromium is there for fix401 and its tests: FIX401_CHROME, or
# chromium on PATH, or Debian's chromium package installed when we are root.
# Anything else stops with one line saying what to install.
set -euo pipefail
if [ -n "${FIX401_CHROME:-}" ]; then
  [ -x "$FIX401_CHROME" ] || { echo "fix401: FIX401_CHROME=$FIX401_CHROME is not an executable"; exit 1; }
  exit 0
fi
for c in chromium chromium-browser google-chrome google-chrome-stable; do
  command -v "$c" >/dev/null 2>&1 && exit 0
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "fix401: installing Chromium (Debian package chromium)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  command -v chromium >/dev/null && exit 0
fi
echo "fix401: Chromium is missing: install it with 'sudo apt-get install chromium' (or set FIX401_CHROME to a Chrome binary)"
exit 1
