#!/usr/bin/env bash
# Makes sure the programs fix401 and its tests need are there: a Chromium
# (FIX401_CHROME, or chromium on PATH), chromium-headless-shell where the
# package exists (check prefers it: the same engine, several times cheaper
# per check; optional), on Linux libnss_wrapper (the lab's
# stale-dns scenario gives its browser a resolver of its own with it),
# xmllint (JUnit schema checks) and promtool (metrics checks). As root on Debian/Ubuntu it installs what is
# missing with apt-get; otherwise it stops with one line saying what to
# install.
set -euo pipefail
need=()
chrome_ok=false
if [ -n "${FIX401_CHROME:-}" ]; then
  [ -x "$FIX401_CHROME" ] || { echo "fix401: FIX401_CHROME=$FIX401_CHROME is not an executable"; exit 1; }
  chrome_ok=true
fi
for c in chromium chromium-browser google-chrome google-chrome-stable; do
  command -v "$c" >/dev/null 2>&1 && chrome_ok=true
done
$chrome_ok || need+=(chromium)
# Optional: without it check uses chromium, only slower.
shell_missing=false
if [ -z "${FIX401_CHROME:-}" ] && ! command -v chromium-headless-shell >/dev/null 2>&1; then
  shell_missing=true
fi
if [ "$(uname -s)" = Linux ]; then
  nss_ok=false
  for f in /usr/lib/*/libnss_wrapper.so /usr/lib64/libnss_wrapper.so /usr/lib/libnss_wrapper.so /usr/local/lib/libnss_wrapper.so; do
    [ -e "$f" ] && nss_ok=true
  done
  $nss_ok || need+=(libnss-wrapper)
fi
# Only the tests need these two.
if [ "${1:-}" = "--test" ]; then
  command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
fi
# shell_available: the distribution has the package (Debian 12 and later).
shell_available() { command -v apt-cache >/dev/null 2>&1 && apt-cache show chromium-headless-shell >/dev/null 2>&1; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if [ ${#need[@]} -gt 0 ]; then
    echo "fix401: installing ${need[*]} (Debian packages)…"
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  # Only where the package lists already say it exists: no apt-get update
  # on every run of a machine whose distribution lacks it (Ubuntu).
  if $shell_missing && shell_available; then
    echo "fix401: installing chromium-headless-shell (optional; check prefers it)…"
    apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null \
      || echo "fix401: could not install chromium-headless-shell; check will use chromium"
  fi
  exit 0
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "fix401: missing ${need[*]}: install with 'sudo apt-get install ${need[*]}' (or set FIX401_CHROME to a Chrome binary)"
exit 1
