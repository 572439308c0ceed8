#!/usr/bin/env bash
# Runs Loa's whole test suite: installs missing tools, starts a private
# PostgreSQL on 127.0.0.1 (temporary directory, free port), runs every Go
# test with the race detector against SQLite and PostgreSQL (browser tests
# included), then a short fuzz pass, and stops PostgreSQL again.
set -euo pipefail
cd "$(dirname "$0")/.."
# .ci/run sets CI=true: tests that would skip for a missing tool fail instead.
export CI="${CI:-}"

bash scripts/deps.sh

pgbin=/usr/lib/postgresql/15/bin
[ -x "$pgbin/postgres" ] || pgbin=$(dirname "$(command -v postgres)")
pgdir=$(mktemp -d /tmp/loa-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
runas=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$pgdir" 2>/dev/null || { useradd -r -M postgres && chown postgres: "$pgdir"; }
  runas=(runuser -u postgres --)
fi
cleanup() {
  "${runas[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
"${runas[@]}" "$pgbin/initdb" -D "$pgdir/data" -A trust -U loa -E UTF8 --locale=C.UTF-8 >/dev/null
"${runas[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off -c max_connections=300" start >/dev/null
export LOA_TEST_POSTGRES="postgres://loa@127.0.0.1:$port/postgres?sslmode=disable"
echo "PostgreSQL for tests: $LOA_TEST_POSTGRES"

go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted" >&2; exit 1; fi

# The race detector runs on every test: Loa's workers, schedulers and
# HTTP handlers share state across goroutines.
go test -race -count=1 -timeout 40m ./... 2>&1 | tee "$pgdir/test.log"
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || exit "$status"

# In CI as root: build the Debian package, install it, start the installed
# service the way its systemd unit does, check /healthz, remove it.
if [ "$(id -u)" = 0 ] && [ "$CI" = true ]; then
  bash scripts/deb-smoke.sh
fi

# A brief fuzz pass over each fuzz target (the corpus seeds them).
bash scripts/fuzz.sh 10s
