#!/usr/bin/env bash
# Benchmark (not a CI test): schedule polls answered 304 by `loa serve`
# against a bare Go handler that answers 304, on the same machine in the
# same run (issue 17: target at least half the bare handler's throughput).
#
#   scripts/bench-poll304.sh                                   # SQLite only
#   LOA_PG=postgres://loa@127.0.0.1:55432/postgres?sslmode=disable \
#     scripts/bench-poll304.sh                                 # SQLite and PostgreSQL
#   LOA_DB=postgres://…/somedb scripts/bench-poll304.sh        # that database only
#
# With LOA_PG (an administrator URL) a fresh database loa_bench_poll304 is
# created (and dropped at the end) and both engines are measured in the
# same run, between bare-handler runs: bare, SQLite, bare, PostgreSQL, bare.
# Each engine's ratio is against the mean of the bare runs on either side
# of it. Also printed per engine: the server's CPU time per poll (µs of
# user+system CPU of the loa process during its wrk run, divided by the
# requests): a figure of the code's own cost that the machine's load
# disturbs much less than requests/s.
# Tunables: DUR (wrk duration, 15s), CONNS (64), THREADS (2), LOA_BIN (a
# built loa), PROFILE=DIR (write a CPU profile of each engine's run,
# DIR/cpu-ENGINE.pprof, through --debug-addr).
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
DUR=${DUR:-15s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
LOA_PORT=${LOA_PORT:-18301}
BARE_PORT=${BARE_PORT:-18302}
DEBUG_PORT=${DEBUG_PORT:-18303}
PROFILE=${PROFILE:-}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed: apt-get install -y jq" >&2; exit 1; }

work=$(mktemp -d)
pids=()
dbname=loa_bench_poll304
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [[ -n "${LOA_PG:-}" ]]; then psql "$LOA_PG" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

engines=(sqlite)
pgdb=${LOA_DB:-}
if [[ -n "${LOA_PG:-}" ]]; then
	PGOPTIONS="-c client_min_messages=warning" psql "$LOA_PG" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" -c "CREATE DATABASE $dbname" >/dev/null
	pgdb=$(sed -E "s#/[^/?]*(\?|$)#/$dbname\1#" <<<"${LOA_PG#*://}")
	pgdb="${LOA_PG%%://*}://$pgdb"
	engines=(sqlite postgres)
elif [[ -n "$pgdb" ]]; then
	engines=(postgres)
fi
if [[ -n "${ENGINES:-}" ]]; then read -ra engines <<<"$ENGINES"; fi
[[ -n "$PROFILE" ]] && mkdir -p "$PROFILE"

if [[ -n "${LOA_BIN:-}" ]]; then cp "$LOA_BIN" "$work/loa"; else go build -o "$work/loa" ./cmd/loa; fi
mkdir -p "$work/bare"
cat > "$work/bare/main.go" <<'GO'
package main

import (
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"bare"`)
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusNotModified)
	})
	_ = http.ListenAndServe(os.Args[1], nil)
}
GO
(cd "$work/bare" && go mod init bare >/dev/null 2>&1 && go build -o bare .)
"$work/bare/bare" "127.0.0.1:$BARE_PORT" &
pids+=($!)

rps() { awk '/Requests\/sec/{print $2}' "$1"; }
requests() { awk '/requests in/{print $1}' "$1"; }
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pgticks() { # CPU ticks of the PostgreSQL backends serving the benchmark's database
	local t=0 p
	for p in $(pgrep -f "postgres: .* ${pgdb_name:-none} " || true); do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
pgdb_name=$(sed -E 's#^.*/([^/?]*)(\?.*)?$#\1#' <<<"$pgdb")
bare() { # one bare-handler run; prints its requests/s
	wrk -t"$THREADS" -c"$CONNS" -d"$DUR" -H 'If-None-Match: "bare"' "http://127.0.0.1:$BARE_PORT/" >"$work/bare.txt"
	rps "$work/bare.txt"
}

echo "wrk -t$THREADS -c$CONNS -d$DUR, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
bares=("$(bare)")
declare -A loa cpu dbcpu non304
for engine in "${engines[@]}"; do
	db_args=()
	[[ "$engine" = postgres ]] && db_args=(--db "$pgdb")
	dbg_args=()
	[[ -n "$PROFILE" ]] && dbg_args=(--debug-addr "127.0.0.1:$DEBUG_PORT")
	"$work/loa" serve --demo --data "$work/data-$engine" "${db_args[@]}" "${dbg_args[@]}" --addr "127.0.0.1:$LOA_PORT" --log-level error >/dev/null &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 1 240); do
		curl -fs "http://127.0.0.1:$LOA_PORT/healthz" >/dev/null 2>&1 && break
		sleep 0.5
	done
	key=$(jq -r .enrolment_key "$work/data-$engine/demo.json")
	enrol=$(curl -fs -X POST -H 'Content-Type: application/json' \
		-d "{\"key\":\"$key\",\"name\":\"wrk poller\"}" "http://127.0.0.1:$LOA_PORT/api/v1/device/enrol")
	id=$(jq -r .device_id <<<"$enrol")
	cred=$(jq -r .credential <<<"$enrol")
	url="http://127.0.0.1:$LOA_PORT/api/v1/device/$id/schedule"
	etag=$(curl -fs -D - -o /dev/null -H "Authorization: Bearer $cred" "$url" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $cred" -H "If-None-Match: $etag" "$url")
	[[ "$code" == 304 ]] || { echo "$engine: the schedule poll answered $code, not 304" >&2; exit 1; }
	sleep 2 # the demo loader's background work settles
	if [[ -n "$PROFILE" ]]; then
		secs=$(( ${DUR%s} > 2 ? ${DUR%s} - 2 : 1 ))
		curl -fs -o "$PROFILE/cpu-$engine.pprof" "http://127.0.0.1:$DEBUG_PORT/debug/pprof/profile?seconds=$secs" &
		prof=$!
	fi
	t0=$(cputicks "$pid") d0=$(pgticks)
	wrk -t"$THREADS" -c"$CONNS" -d"$DUR" -H "Authorization: Bearer $cred" -H "If-None-Match: $etag" "$url" >"$work/wrk-$engine.txt"
	t1=$(cputicks "$pid") d1=$(pgticks)
	[[ -n "$PROFILE" ]] && { wait "$prof" || true; }
	loa[$engine]=$(rps "$work/wrk-$engine.txt")
	n=$(requests "$work/wrk-$engine.txt")
	cpu[$engine]=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN{printf "%.0f", t / hz * 1e6 / n}')
	dbcpu[$engine]=$(awk -v t=$((d1 - d0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')
	non304[$engine]=$(awk '/Non-2xx or 3xx/{print $NF}' "$work/wrk-$engine.txt")
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	bares+=("$(bare)")
done

echo "bare Go 304 handler: ${bares[*]} req/s (before, between and after the Loa runs)"
i=0
for engine in "${engines[@]}"; do
	db=""
	[[ "$engine" = postgres ]] && db=" + ${dbcpu[$engine]} µs in PostgreSQL"
	printf "loa schedule poll (304), %-9s %s req/s, %s µs server CPU per poll%s%s, ratio loa / bare %s\n" \
		"$engine:" "${loa[$engine]}" "${cpu[$engine]}" "$db" "${non304[$engine]:+ (${non304[$engine]} answers were not 304)}" \
		"$(awk -v l="${loa[$engine]}" -v a="${bares[$i]}" -v b="${bares[$((i + 1))]}" 'BEGIN{printf "%.2f", l / ((a + b) / 2)}')"
	i=$((i + 1))
done
