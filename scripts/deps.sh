#!/usr/bin/env bash
# Installs the Debian packages Loa's tests need, where missing. As root it
# runs apt-get; otherwise it names the packages to install and fails.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg_for() { # command package
  have "$1" || need+=("$2")
}
pkg_for pdftotext poppler-utils
pkg_for ffmpeg ffmpeg
pkg_for espeak-ng espeak-ng
pkg_for sox sox
pkg_for chromium chromium
pkg_for tesseract tesseract-ocr
[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || [ -f /usr/share/tesseract-ocr/4.00/tessdata/vie.traineddata ] || need+=(tesseract-ocr-vie)
# The mailbox intake test starts a real IMAP server.
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
# xmllint validates CAP 1.2 alerts against the OASIS schema in tests.
pkg_for xmllint libxml2-utils
# go test -race needs cgo, hence a C compiler.
pkg_for gcc gcc
# scripts/deb-smoke.sh (CI, as root): building and installing the package.
pkg_for dpkg-deb dpkg
pkg_for curl curl
pkg_for adduser adduser
[ -x /usr/lib/postgresql/15/bin/postgres ] || have postgres || need+=(postgresql)
[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || need+=(fonts-liberation2)
# fonts-liberation (1.x, no Vietnamese) is the negative case of the font coverage test.
[ -f /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf ] || need+=(fonts-liberation)
# tzdata for Asia/Ho_Chi_Minh (the binary also embeds it, tools may not).
[ -f /usr/share/zoneinfo/Asia/Ho_Chi_Minh ] || need+=(tzdata)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Loa's tests need these Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
