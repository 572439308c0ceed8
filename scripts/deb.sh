#!/usr/bin/env bash
# Builds loa_VERSION_amd64.deb with dpkg-deb (`make deb`): the static
# binary, the systemd unit, /etc/loa/loa.toml as a conffile and the
# maintainer scripts of packaging/debian. VERSION and COMMIT come from the
# Makefile; OUT names the output directory (default: the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${VERSION:?set VERSION (make deb sets it)}"
COMMIT="${COMMIT:-unknown}"
OUT="${OUT:-.}"
command -v dpkg-deb >/dev/null || { echo "deb.sh: dpkg-deb is missing; install it with: apt-get install dpkg" >&2; exit 1; }
root=$(mktemp -d /tmp/loa-deb.XXXXXX)
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"

install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/loa" "$root/usr/share/doc/loa"
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath \
  -ldflags "-s -w -X github.com/loa-project/loa/internal/cli.Version=$VERSION -X github.com/loa-project/loa/internal/cli.Commit=$COMMIT" \
  -o "$root/usr/bin/loa" ./cmd/loa
install -m 0644 packaging/loa.service "$root/lib/systemd/system/loa.service"
install -m 0640 packaging/loa.toml "$root/etc/loa/loa.toml"
install -m 0644 README.md "$root/usr/share/doc/loa/README.md"
for s in postinst prerm postrm; do
  install -m 0755 "packaging/debian/$s" "$root/DEBIAN/$s"
done
echo /etc/loa/loa.toml >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: loa
Version: $VERSION
Architecture: amd64
Maintainer: ${MAINTAINER:-Loa project <loa@localhost>}
Installed-Size: $size
Depends: adduser, ffmpeg, espeak-ng, poppler-utils, fonts-liberation2, tzdata
Section: net
Priority: optional
Homepage: https://github.com/loa-project/loa
Description: information source system for grassroots public communication
 Loa keeps official documents and registers, sends directives from the
 province to the communes, and runs loudspeaker clusters, bulletin boards
 and SMS/e-mail channels. One binary (loa serve) with SQLite or PostgreSQL.
CONTROL
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
deb="$OUT/loa_${VERSION}_amd64.deb"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
echo "$deb"
