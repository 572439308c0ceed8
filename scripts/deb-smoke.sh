#!/usr/bin/env bash
# Installs the Debian package on this machine and checks the installed
# service works, then removes it again (scripts/test.sh runs it as root in
# CI). The machine may have no running systemd, so the installed binary is
# started the way the unit does: ExecStart of the installed unit, as user
# loa, in /var/lib/loa, with the unit's open-file limit; only the listen
# address is moved to a free loopback port (LOA_ADDR, as an operator's
# environment file could). Also runs `systemd-analyze verify` on the unit
# where the command exists.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "deb-smoke: run as root (dpkg -i)" >&2; exit 1; }
if dpkg-query -W -f='${Status}' loa 2>/dev/null | grep -q 'install ok'; then
  echo "deb-smoke: a loa package is already installed here; not touching it" >&2
  exit 1
fi
had_user=0; getent passwd loa >/dev/null && had_user=1
had_data=0; [ -e /var/lib/loa ] && had_data=1
work=$(mktemp -d /tmp/loa-debsmoke.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  dpkg --purge loa >/dev/null 2>&1 || true
  [ "$had_data" = 1 ] || rm -rf /var/lib/loa
  [ "$had_user" = 1 ] || { userdel loa 2>/dev/null || true; groupdel loa 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

deb=$(make -s deb OUT="$work" | tail -1)
version=$(dpkg-deb -f "$deb" Version)
echo "deb-smoke: built $deb ($version)"
dpkg -i "$deb" >/dev/null
unit=/lib/systemd/system/loa.service
[ -x /usr/bin/loa ] && [ -f "$unit" ] && [ -f /etc/loa/loa.toml ] || { echo "deb-smoke: package files missing" >&2; exit 1; }
getent passwd loa >/dev/null || { echo "deb-smoke: postinst did not create user loa" >&2; exit 1; }
[ "$(stat -c %U /var/lib/loa)" = loa ] || { echo "deb-smoke: /var/lib/loa is not owned by loa" >&2; exit 1; }
dpkg-query -W -f='${Conffiles}\n' loa | grep -q /etc/loa/loa.toml || { echo "deb-smoke: /etc/loa/loa.toml is not a conffile" >&2; exit 1; }
/usr/bin/loa version | grep -qF "loa $version " || { echo "deb-smoke: loa version does not print $version" >&2; exit 1; }
/usr/bin/loa config check /etc/loa/loa.toml >/dev/null

if command -v systemd-analyze >/dev/null; then
  # Only problems of loa.service itself fail the check (a container may
  # lack units the host has).
  if ! out=$(systemd-analyze verify "$unit" 2>&1); then
    if echo "$out" | grep -q 'loa.service'; then echo "$out" >&2; exit 1; fi
  fi
  echo "deb-smoke: systemd-analyze verify: ${out:-ok}"
fi

exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
nofile=$(sed -n 's/^LimitNOFILE=//p' "$unit")
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$nofile" ]; then
  echo "deb-smoke: this machine caps open files at $hard (the unit asks $nofile); using $hard"
  nofile=$hard
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086 # ExecStart is a command line to split
(cd /var/lib/loa && ulimit -n "$nofile" && exec env -i PATH=/usr/bin:/bin LOA_ADDR="127.0.0.1:$port" \
  setpriv --reuid=loa --regid=loa --init-groups --no-new-privs -- $exec_start) >"$work/out" 2>&1 &
pid=$!
health=""
for _ in $(seq 1 150); do
  if health=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null); then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "deb-smoke: loa exited:" >&2; cat "$work/out" >&2; exit 1; }
  health=""
  sleep 0.2
done
[ -n "$health" ] || { echo "deb-smoke: /healthz did not answer within 30 s:" >&2; cat "$work/out" >&2; exit 1; }
health=$(echo "$health" | tr -d ' \n')
echo "$health" | grep -qF "\"version\":\"$version\"" && echo "$health" | grep -qF '"status":"ok"' || { echo "deb-smoke: /healthz: $health (want version $version)" >&2; exit 1; }
[ -f /var/lib/loa/loa.db ] || { echo "deb-smoke: no database in /var/lib/loa" >&2; exit 1; }
[ "$(stat -c %U /var/lib/loa/loa.db)" = loa ] || { echo "deb-smoke: the database is not owned by loa" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid" || { echo "deb-smoke: loa did not stop cleanly:" >&2; cat "$work/out" >&2; exit 1; }
pid=""
dpkg -r loa >/dev/null
[ ! -e /usr/bin/loa ] || { echo "deb-smoke: /usr/bin/loa left after dpkg -r" >&2; exit 1; }
dpkg --purge loa >/dev/null
[ ! -e /etc/loa/loa.toml ] || { echo "deb-smoke: /etc/loa/loa.toml left after purge" >&2; exit 1; }
echo "deb-smoke: ok ($health)"
