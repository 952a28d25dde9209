#!/usr/bin/env bash
# Makes sure the programs fix401 and its tests need are there: a Chromium
# (FIX401_CHROME, or chromium on PATH), chromium-headless-shell where the
# package exists (check prefers it: the same engine at less than half the CPU
# per check; optional), on Linux libnss_wrapper (the lab's
# stale-dns scenario gives its browser a resolver of its own with it),
# xmllint (JUnit schema checks), promtool (metrics checks), and for the
# enterprise sign-in tests an MIT KDC, Apache with mod_auth_gssapi,
# Tomcat 10, squid and Samba's ntlm_auth, and for single sign-on Apache's
# mod_auth_openidc, certutil and libfaketime. As root on Debian/Ubuntu it installs what is
# missing with apt-get; otherwise it stops with one line saying what to
# install.
set -euo pipefail
need=()
chrome_ok=false
if [ -n "${FIX401_CHROME:-}" ]; then
  [ -x "$FIX401_CHROME" ] || { echo "fix401: FIX401_CHROME=$FIX401_CHROME is not an executable"; exit 1; }
  chrome_ok=true
fi
# A headless shell alone will do: fix401 falls back to it.
for c in chromium chromium-browser google-chrome google-chrome-stable chromium-headless-shell chrome-headless-shell; do
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
  # The upstream HAR validator runs on Node.js with ajv from npm.
  command -v npm >/dev/null 2>&1 || need+=(npm)
  # Enterprise sign-in against real servers: an MIT KDC and Apache httpd
  # with mod_auth_gssapi (the tests start them from private folders).
  on_path() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
  on_path krb5kdc || need+=(krb5-kdc)
  on_path kadmin.local || need+=(krb5-admin-server)
  on_path kinit || need+=(krb5-user)
  on_path apache2 || need+=(apache2-bin)
  [ -e /usr/lib/apache2/modules/mod_auth_gssapi.so ] || need+=(libapache2-mod-auth-gssapi)
  # Roles: Tomcat 10 answers 403 after a good sign-in without the role.
  [ -x /usr/share/tomcat10/bin/catalina.sh ] || need+=(tomcat10)
  # Proxies: squid with basic_ncsa_auth (openssl writes its password file).
  on_path squid || need+=(squid)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  on_path nginx || need+=(nginx-light)
  # The secrets test reads the screenshots back with OCR.
  command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
  # NTLM: Samba's ntlm_auth checks the NTLMv2 handshake (no domain needed).
  command -v ntlm_auth >/dev/null 2>&1 || need+=(winbind)
  # An NTLM acceptor that cannot decode Chromium's NEGOTIATE (mod_auth_gssapi).
  ls /usr/lib/*/gssntlmssp/gssntlmssp.so >/dev/null 2>&1 || need+=(gss-ntlmssp)
  # Single sign-on: Apache's mod_auth_openidc as the app (the provider,
  # npm's oidc-provider, comes with make test), certutil to make the test
  # browser trust the test's own authority, libfaketime to skew a clock.
  [ -e /usr/lib/apache2/modules/mod_auth_openidc.so ] || need+=(libapache2-mod-auth-openidc)
  command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
  ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 || need+=(faketime)
  # SAML: SimpleSAMLphp as the identity provider (on an Apache of its own
  # with mod_php; its SAML library needs PHP's DOM), mod_auth_mellon as
  # the app.
  [ -e /usr/share/simplesamlphp/www/_include.php ] || need+=(simplesamlphp)
  [ -e /usr/lib/apache2/modules/mod_auth_mellon.so ] || need+=(libapache2-mod-auth-mellon)
  [ -e /usr/lib/apache2/modules/libphp8.2.so ] || need+=(libapache2-mod-php8.2)
  [ -e /etc/php/8.2/apache2/conf.d/20-dom.ini ] || need+=(php8.2-xml)
fi
# Only make release-snapshot needs these: podman builds serve's image
# without a Docker engine, debootstrap its Debian base (no registry here).
if [ "${1:-}" = "--release" ]; then
  command -v podman >/dev/null 2>&1 || need+=(podman)
  command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
  command -v unshare >/dev/null 2>&1 || need+=(util-linux)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  # image-check.sh picks free ports with it.
  command -v python3 >/dev/null 2>&1 || need+=(python3-minimal)
fi
# shell_available: the package lists have it (Debian 12 and later).
shell_available() { command -v apt-cache >/dev/null 2>&1 && apt-cache show chromium-headless-shell >/dev/null 2>&1; }
# shell_fits: its version is the installed chromium's, so that installing
# it upgrades nothing (both need the same chromium-common).
shell_fits() {
  local want have
  want=$(apt-cache policy chromium-headless-shell 2>/dev/null | awk '/Candidate:/ {print $2}')
  have=$(dpkg-query -W -f='${Version}' chromium 2>/dev/null || true)
  [ -n "$want" ] && [ "$want" = "$have" ]
}
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq >/dev/null
    # One transaction: the shell comes at chromium's version.
    if $shell_missing && shell_available; then need+=(chromium-headless-shell); fi
    echo "fix401: installing ${need[*]} (Debian packages)…"
    # Servers' packages start their service on install; the tests start
    # their own, so none is started (policy-rc.d, only while installing).
    own_policy=false
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=true
    fi
    rc=0
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || rc=$?
    if $own_policy; then rm -f /usr/sbin/policy-rc.d; fi
    [ $rc -eq 0 ] || { echo "fix401: apt-get install ${need[*]} failed"; exit 1; }
  elif $shell_missing && shell_available && shell_fits; then
    # Only from package lists that already have it: no apt-get update on
    # every run of a machine whose distribution lacks it (Ubuntu).
    echo "fix401: installing chromium-headless-shell (optional; check prefers it)…"
    apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null \
      || echo "fix401: could not install chromium-headless-shell; check will use chromium"
  fi
  exit 0
fi
if [ ${#need[@]} -eq 0 ]; then
  if $shell_missing && shell_available; then
    echo "fix401: optional: 'sudo apt-get install chromium-headless-shell' makes check cheaper per page"
  fi
  exit 0
fi
echo "fix401: missing ${need[*]}: install with 'sudo apt-get install ${need[*]}' (or set FIX401_CHROME to a Chrome binary)"
exit 1
