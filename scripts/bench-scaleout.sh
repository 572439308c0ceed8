#!/usr/bin/env bash
# Benchmark (not a CI test): two `loa serve` replicas sharing one
# PostgreSQL database, one `loa device-sim` per replica connecting from its
# own loopback address (127.0.0.2, 127.0.0.3) so that ephemeral ports do not
# run out, a randomised cold start, and an emergency issued on replica A
# that must reach the devices of both replicas (issue 17).
#
#   LOA_PG=postgres://loa@127.0.0.1:55432/postgres?sslmode=disable \
#     DEVICES=10000 DURATION=180s EMERGENCY_AFTER=120s SPREAD=60s scripts/bench-scaleout.sh
#
# LOA_PG is an administrator URL: a fresh database loa_bench_scaleout is
# created (and dropped at the end). Prints, per replica: devices, polls,
# poll errors, emergency received and its latency (the simulator of
# replica B measures from the order's issue time, which is truncated to the
# second: its latencies are over-estimated by up to 1 s), the schedule-poll
# p99 from the server's latency histogram, and the peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
: "${LOA_PG:?set LOA_PG to a PostgreSQL administrator URL}"
DEVICES=${DEVICES:-10000}
DURATION=${DURATION:-180s}
EMERGENCY_AFTER=${EMERGENCY_AFTER:-120s}
SPREAD=${SPREAD:-60s}
POLL=${POLL:-30s}
PORT_A=${PORT_A:-18401}
PORT_B=${PORT_B:-18402}
SRC_A=${SRC_A:-127.0.0.2}
SRC_B=${SRC_B:-127.0.0.3}

work=$(mktemp -d)
pids=()
dbname=loa_bench_scaleout
db=$(sed -E "s#/[^/?]*(\?|$)#/$dbname\1#" <<<"${LOA_PG#*://}")
db="${LOA_PG%%://*}://$db"
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	psql "$LOA_PG" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
psql "$LOA_PG" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" -c "CREATE DATABASE $dbname" >/dev/null

go build -o "$work/loa" ./cmd/loa
wait_up() {
	for _ in $(seq 1 240); do
		curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "replica on port $1 did not start" >&2
	exit 1
}
"$work/loa" serve --demo --db "$db" --data "$work/a" --addr "127.0.0.1:$PORT_A" --log-level warn 2>"$work/a.log" >/dev/null &
pid_a=$!
pids+=("$pid_a")
wait_up "$PORT_A"
"$work/loa" serve --db "$db" --data "$work/b" --addr "127.0.0.1:$PORT_B" --log-level warn 2>"$work/b.log" >/dev/null &
pid_b=$!
pids+=("$pid_b")
wait_up "$PORT_B"

"$work/loa" device-sim --server "http://127.0.0.1:$PORT_B" --devices "$DEVICES" --duration "$DURATION" --poll "$POLL" \
	--demo-json "$work/a/demo.json" --source-addr "$SRC_B" --start-spread "$SPREAD" --report 30s >"$work/sim-b.log" 2>&1 &
sim_b=$!
pids+=("$sim_b")
"$work/loa" device-sim --server "http://127.0.0.1:$PORT_A" --devices "$DEVICES" --duration "$DURATION" --poll "$POLL" \
	--demo-json "$work/a/demo.json" --source-addr "$SRC_A" --start-spread "$SPREAD" --report 30s \
	--emergency-after "$EMERGENCY_AFTER" --media-id 1 >"$work/sim-a.log" 2>&1 || true
wait "$sim_b" || true

p99() { # schedule-poll p99 (upper bucket bound) from a replica's histogram
	curl -fs "http://127.0.0.1:$1/metrics" | awk '
		/^loa_http_request_duration_seconds_bucket/ && /route="GET \/api\/v1\/device\/\{id\}\/schedule"/ {
			match($0, /le="[^"]*"/); le = substr($0, RSTART+4, RLENGTH-5); n[le] += $NF; if (le == "+Inf") total += $NF
		}
		END {
			split(".001 .0025 .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 +Inf", les, " ")
			for (i = 1; i <= 14; i++) if (n[les[i]] >= 0.99 * total) { printf "p99 <= %s s of %d polls", les[i], total; exit }
		}'
}
rss() { awk '/VmHWM/{printf "%d MB", $2/1024}' "/proc/$1/status"; }
echo "== $DEVICES devices per replica, poll $POLL, start spread $SPREAD, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "-- replica A (emergency issued here): $(p99 "$PORT_A"), peak RSS $(rss "$pid_a")"
grep -E "enrolled|emergency|^final|refused" "$work/sim-a.log" | tail -4
echo "-- replica B: $(p99 "$PORT_B"), peak RSS $(rss "$pid_b")"
grep -E "enrolled|emergency|^final|refused" "$work/sim-b.log" | tail -3
echo "-- server errors logged: A $(grep -c 'level=ERROR' "$work/a.log" || true), B $(grep -c 'level=ERROR' "$work/b.log" || true)"
grep 'level=ERROR' "$work/a.log" "$work/b.log" | head -5 || true
