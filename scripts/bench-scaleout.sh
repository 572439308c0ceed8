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
# DEVICES is per replica; SIMS=2 splits each replica's devices over two
# simulators (needed for 10,000 per replica in this sandbox); NICE="nice
# -n -10" runs the servers and simulators at a higher priority; LOA_BIN=path
# uses a built loa instead of building one.
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
SIMS=${SIMS:-1}
NICE=${NICE:-}

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

if [ -n "${LOA_BIN:-}" ]; then cp "$LOA_BIN" "$work/loa"; else go build -o "$work/loa" ./cmd/loa; fi
wait_up() {
	for _ in $(seq 1 240); do
		curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "replica on port $1 did not start" >&2
	exit 1
}
$NICE "$work/loa" serve --demo --db "$db" --data "$work/a" --addr "127.0.0.1:$PORT_A" --log-level warn 2>"$work/a.log" >/dev/null &
pid_a=$!
pids+=("$pid_a")
wait_up "$PORT_A"
$NICE "$work/loa" serve --db "$db" --data "$work/b" --addr "127.0.0.1:$PORT_B" --log-level warn 2>"$work/b.log" >/dev/null &
pid_b=$!
pids+=("$pid_b")
wait_up "$PORT_B"

# SIMS simulators per replica, each from its own loopback address (A:
# 127.0.0.2, 127.0.0.4, …; B: 127.0.0.3, 127.0.0.5, …), DEVICES/SIMS
# devices each: one process holds at most 20,000 files here, and a device
# needs its push connection plus its polls'. Simulator a1 issues the
# emergency (on replica A) and measures from its request; the others
# measure from the order's creation instant (the same clock).
per=$((DEVICES / SIMS))
sims=()
for r in a b; do
	for i in $(seq 1 "$SIMS"); do
		if [ "$r" = a ]; then port=$PORT_A; src=127.0.0.$((2 * i)); else port=$PORT_B; src=127.0.0.$((2 * i + 1)); fi
		[ "$SIMS" = 1 ] && { [ "$r" = a ] && src=$SRC_A || src=$SRC_B; }
		extra=()
		[ "$r$i" = a1 ] && extra=(--emergency-after "$EMERGENCY_AFTER" --media-id 1)
		$NICE "$work/loa" device-sim --server "http://127.0.0.1:$port" --devices "$per" --duration "$DURATION" --poll "$POLL" \
			--demo-json "$work/a/demo.json" --source-addr "$src" --start-spread "$SPREAD" --report 30s \
			"${extra[@]}" >"$work/sim-$r$i.log" 2>&1 &
		sims+=($!)
		pids+=($!)
	done
done
buckets() { # the schedule route's latency histogram of a replica: "le count" lines
	curl -fs "http://127.0.0.1:$1/metrics" | awk '
		/^loa_http_request_duration_seconds_bucket/ && /route="GET \/api\/v1\/device\/\{id\}\/schedule"/ {
			match($0, /le="[^"]*"/); le = substr($0, RSTART+4, RLENGTH-5); n[le] += $NF
		}
		END { for (le in n) print le, n[le] }'
}
# The steady state: the histogram from STEADY_FROM after the simulators
# started until just before the emergency (the cold start and the refetch
# after the emergency left out).
# Times count from the end of the enrolment (when the simulators' timers
# start), read from their logs.
STEADY_FROM=${STEADY_FROM:-$(( ${EMERGENCY_AFTER%s} * 2 / 3 ))}
(
	until [ "$(cat "$work"/sim-*.log 2>/dev/null | grep -c '^enrolled')" -ge $((2 * SIMS)) ]; do sleep 1; done
	sleep "$STEADY_FROM"; buckets "$PORT_A" >"$work/a.h0"; buckets "$PORT_B" >"$work/b.h0"
	sleep "$(( ${EMERGENCY_AFTER%s} - STEADY_FROM - 1 ))"; buckets "$PORT_A" >"$work/a.h1"; buckets "$PORT_B" >"$work/b.h1"
) &
pids+=($!)
for s in "${sims[@]}"; do wait "$s" || true; done

p99of() { # p99 (upper bucket bound) of a histogram, or of the difference of two
	awk '
		FNR == NR && NF == 2 && FILENAME != "-" && ARGC == 3 { base[$1] = $2; next }
		{ n[$1] = $2 - base[$1]; if ($1 == "+Inf") total = n[$1] }
		END {
			split(".001 .0025 .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 +Inf", les, " ")
			for (i = 1; i <= 14; i++) if (n[les[i]] >= 0.99 * total) { printf "p99 <= %s s of %d polls", les[i], total; exit }
		}' "$@"
}
p99() {
	buckets "$1" >"$work/end.h"
	echo "all polls $(p99of "$work/end.h"); steady state ($STEADY_FROM s to the emergency) $(p99of "$work/$2.h0" "$work/$2.h1" 2>/dev/null)"
}
rsscur() { awk '/VmRSS/{printf "%d MB", $2/1024}' "/proc/$1/status"; }
rss() { awk '/VmHWM/{printf "%d MB", $2/1024}' "/proc/$1/status"; echo -n " (now $(rsscur "$1"))"; }
echo "== $DEVICES devices per replica, poll $POLL, start spread $SPREAD, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "-- replica A (emergency issued here): $(p99 "$PORT_A" a), peak RSS $(rss "$pid_a")"
for f in "$work"/sim-a*.log; do grep -E "enrolled|emergency|^final|refused|poll error|enrol" "$f" | tail -6 || true; done
echo "-- replica B: $(p99 "$PORT_B" b), peak RSS $(rss "$pid_b")"
for f in "$work"/sim-b*.log; do grep -E "enrolled|^final|refused|poll error|enrol" "$f" | tail -5 || true; done
echo "-- server errors logged: A $(grep -c 'level=ERROR' "$work/a.log" || true), B $(grep -c 'level=ERROR' "$work/b.log" || true)"
grep 'level=ERROR' "$work/a.log" "$work/b.log" | head -5 || true
