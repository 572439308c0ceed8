#!/usr/bin/env bash
# Benchmark (not a CI test): schedule polls answered 304 by `loa serve`
# against a bare Go handler that answers 304, on the same machine in the
# same run (issue 17: target at least half the bare handler's throughput).
#
#   scripts/bench-poll304.sh                  # SQLite
#   LOA_DB=postgres://… scripts/bench-poll304.sh
# Tunables: DUR (wrk duration, 15s), CONNS (64), THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
DUR=${DUR:-15s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
LOA_PORT=${LOA_PORT:-18301}
BARE_PORT=${BARE_PORT:-18302}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed: apt-get install -y jq" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/loa" ./cmd/loa
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

db_args=()
if [[ -n "${LOA_DB:-}" ]]; then db_args=(--db "$LOA_DB"); fi
"$work/loa" serve --demo --data "$work/data" "${db_args[@]}" --addr "127.0.0.1:$LOA_PORT" --log-level error &
pids+=($!)
"$work/bare/bare" "127.0.0.1:$BARE_PORT" &
pids+=($!)
for _ in $(seq 1 120); do
	curl -fs "http://127.0.0.1:$LOA_PORT/healthz" >/dev/null 2>&1 && break
	sleep 0.5
done

key=$(jq -r .enrolment_key "$work/data/demo.json")
enrol=$(curl -fs -X POST -H 'Content-Type: application/json' \
	-d "{\"key\":\"$key\",\"name\":\"wrk poller\"}" "http://127.0.0.1:$LOA_PORT/api/v1/device/enrol")
id=$(jq -r .device_id <<<"$enrol")
cred=$(jq -r .credential <<<"$enrol")
url="http://127.0.0.1:$LOA_PORT/api/v1/device/$id/schedule"
etag=$(curl -fs -D - -o /dev/null -H "Authorization: Bearer $cred" "$url" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $cred" -H "If-None-Match: $etag" "$url")
[[ "$code" == 304 ]] || { echo "the schedule poll answered $code, not 304" >&2; exit 1; }

rps() { awk '/Requests\/sec/{print $2}'; }
echo "wrk -t$THREADS -c$CONNS -d$DUR, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
bare=$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" -H 'If-None-Match: "bare"' "http://127.0.0.1:$BARE_PORT/" | rps)
loa=$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" -H "Authorization: Bearer $cred" -H "If-None-Match: $etag" "$url" | tee "$work/wrk.txt" | rps)
non304=$(awk '/Non-2xx or 3xx/{print $NF}' "$work/wrk.txt")
bare2=$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" -H 'If-None-Match: "bare"' "http://127.0.0.1:$BARE_PORT/" | rps)
echo "bare Go 304 handler:     $bare req/s (again after loa: $bare2 req/s)"
echo "loa schedule poll (304): $loa req/s${non304:+ ($non304 answers were not 304)}"
awk -v l="$loa" -v a="$bare" -v b="$bare2" 'BEGIN{m=(a+b)/2; printf "ratio loa / bare (mean of both bare runs): %.2f\n", l/m}'
