#!/usr/bin/env bash
# Benchmark (not a CI test): two `loa serve` replicas sharing one
# PostgreSQL database, SIMS `loa device-sim` processes per replica, each
# connecting from its own loopback address (A: 127.0.0.2, 127.0.0.4, …;
# B: 127.0.0.3, 127.0.0.5, …) so that ephemeral ports do not run out, a
# randomised cold start, and an emergency issued on replica A that must
# reach the devices of both replicas (issue 17). 20,000 devices:
#
#   LOA_PG=postgres://loa@127.0.0.1:55432/postgres?sslmode=disable \
#     DEVICES=10000 SIMS=2 DURATION=300s EMERGENCY_AFTER=240s SPREAD=60s scripts/bench-scaleout.sh
#
# DEVICES is per replica, split over its SIMS simulators (one process holds
# at most 20,000 files in this sandbox and a device needs about two: keep
# DEVICES/SIMS ≤ 7,500). DURATION and EMERGENCY_AFTER count from the end of
# each simulator's enrolment. NICE="nice -n -10" runs the servers and
# simulators at a higher priority; LOA_BIN=path uses a built loa.
#
# LOA_PG is an administrator URL: a fresh database loa_bench_scaleout is
# created (and dropped at the end). Printed: the enrolment time of each
# simulator; per replica its peak RSS and, from its own latency histogram,
# the schedule-poll p99 (as a bucket bound) over all polls and over the
# steady state; the simulators' own poll latencies (p50/p99/max, measured
# until the answer's headers) during the cold start (the first SPREAD +
# 2 × POLL) and in the steady state (from then to the emergency); the
# emergency's reach over both replicas and its latency (the simulators
# other than the issuer's measure from the order's issue time, truncated
# to the second: over-estimated by up to 1 s).
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
: "${LOA_PG:?set LOA_PG to a PostgreSQL administrator URL}"
DEVICES=${DEVICES:-10000}
SIMS=${SIMS:-2}
DURATION=${DURATION:-300s}
EMERGENCY_AFTER=${EMERGENCY_AFTER:-240s}
SPREAD=${SPREAD:-60s}
POLL=${POLL:-30s}
PORT_A=${PORT_A:-18401}
PORT_B=${PORT_B:-18402}
NICE=${NICE:-}
OUT=${OUT:-}

work=$(mktemp -d)
pids=()
dbname=loa_bench_scaleout
db=$(sed -E "s#/[^/?]*(\?|$)#/$dbname\1#" <<<"${LOA_PG#*://}")
db="${LOA_PG%%://*}://$db"
psqlq() { PGOPTIONS="-c client_min_messages=warning" psql "$LOA_PG" -q "$@"; }
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	psqlq -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true
	if [[ -n "$OUT" ]]; then mkdir -p "$OUT" && cp "$work"/*.log "$OUT"/ 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
psqlq -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" -c "CREATE DATABASE $dbname" >/dev/null

if [ -n "${LOA_BIN:-}" ]; then cp "$LOA_BIN" "$work/loa"; else go build -o "$work/loa" ./cmd/loa; fi
wait_up() {
	for _ in $(seq 1 240); do
		curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "replica on port $1 did not start" >&2
	exit 1
}
began=$(date +%s)
$NICE "$work/loa" serve --demo --db "$db" --data "$work/a" --addr "127.0.0.1:$PORT_A" --log-level warn 2>"$work/a.log" >/dev/null &
pid_a=$!
pids+=("$pid_a")
wait_up "$PORT_A"
$NICE "$work/loa" serve --db "$db" --data "$work/b" --addr "127.0.0.1:$PORT_B" --log-level warn 2>"$work/b.log" >/dev/null &
pid_b=$!
pids+=("$pid_b")
wait_up "$PORT_B"

# Simulator a1 issues the emergency (on replica A) and measures from its
# request; the others measure from the order's creation instant.
per=$((DEVICES / SIMS))
sims=()
for r in a b; do
	for i in $(seq 1 "$SIMS"); do
		if [ "$r" = a ]; then port=$PORT_A; src=127.0.0.$((2 * i)); else port=$PORT_B; src=127.0.0.$((2 * i + 1)); fi
		extra=()
		[ "$r$i" = a1 ] && extra=(--emergency-after "$EMERGENCY_AFTER" --media-id 1)
		$NICE "$work/loa" device-sim --server "http://127.0.0.1:$port" --devices "$per" --duration "$DURATION" --poll "$POLL" \
			--demo-json "$work/a/demo.json" --source-addr "$src" --start-spread "$SPREAD" --report 30s \
			--steady-until "$EMERGENCY_AFTER" "${extra[@]}" >"$work/sim-$r$i.log" 2>&1 &
		sims+=($!)
		pids+=($!)
	done
done
buckets() { # the schedule route's latency histogram of a replica: "le count" lines
	{ curl -fs --max-time 30 --retry 3 "http://127.0.0.1:$1/metrics" || true; } | awk '
		/^loa_http_request_duration_seconds_bucket/ && /route="GET \/api\/v1\/device\/\{id\}\/schedule"/ {
			match($0, /le="[^"]*"/); le = substr($0, RSTART+4, RLENGTH-5); n[le] += $NF
		}
		END { for (le in n) print le, n[le] }'
}
# The server's steady state: its histogram from the end of the cold start
# (SPREAD + 2 × POLL after the last simulator's enrolment) to just before
# the emergency.
STEADY_FROM=${STEADY_FROM:-$(( ${SPREAD%s} + 2 * ${POLL%s} ))}
(
	until [ "$(cat "$work"/sim-*.log 2>/dev/null | grep -c '^enrolled')" -ge $((2 * SIMS)) ]; do sleep 1; done
	if [ "$STEADY_FROM" -lt "$(( ${EMERGENCY_AFTER%s} - 1 ))" ]; then
		sleep "$STEADY_FROM"; buckets "$PORT_A" >"$work/a.h0"; buckets "$PORT_B" >"$work/b.h0"
		sleep "$(( ${EMERGENCY_AFTER%s} - STEADY_FROM - 1 ))"; buckets "$PORT_A" >"$work/a.h1"; buckets "$PORT_B" >"$work/b.h1"
	fi
) &
pids+=($!)
for s in "${sims[@]}"; do wait "$s" || true; done

p99of() { # p99 (upper bucket bound) of a histogram, or of the difference of two
	awk '
		FNR == NR && NF == 2 && ARGC == 3 { base[$1] = $2; next }
		{ n[$1] = $2 - base[$1]; if ($1 == "+Inf") total = n[$1] }
		END {
			if (total == 0) { printf "no polls"; exit }
			best = "+Inf"
			for (le in n) if (le != "+Inf" && n[le] >= 0.99 * total && (best == "+Inf" || le + 0 < best + 0)) best = le
			printf "p99 %s of %d polls", best == "+Inf" ? "> 10 s" : "<= " best * 1000 " ms", total
		}' "$@"
}
p99() {
	buckets "$1" >"$work/end.h"
	local steady="not measured (the emergency came before the end of the cold start)"
	[ -s "$work/$2.h1" ] && steady=$(p99of "$work/$2.h0" "$work/$2.h1")
	echo "server histogram: all polls $(p99of "$work/end.h"); steady state $steady"
}
rss() { awk '/VmHWM/{h=$2} /VmRSS/{r=$2} END{printf "peak RSS %d MB (now %d MB)", h/1024, r/1024}' "/proc/$1/status"; }
field() { grep '^final:' "$1" | grep -oE "$2=[^ ]+( [a-z_]*p50=[^ ]+ p99=[^ ]+ max=[^ ]+)?" | head -1; }
num() { grep '^final:' "$1" | grep -oE " $2=[0-9]+" | head -1 | cut -d= -f2; }
echo "== $((2 * DEVICES)) devices ($DEVICES per replica, $SIMS simulators each), poll $POLL, start spread $SPREAD, emergency after $EMERGENCY_AFTER, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(( $(date +%s) - began )) s in all"
reached=0
for r in a b; do
	if [ "$r" = a ]; then pid=$pid_a port=$PORT_A name="replica A (emergency issued here)"; else pid=$pid_b port=$PORT_B name="replica B"; fi
	echo "-- $name: $(rss "$pid"); $(p99 "$port" "$r")"
	for f in "$work"/sim-$r*.log; do
		s=$(basename "$f" .log)
		if ! grep -q '^final:' "$f"; then echo "   $s: no final report:"; tail -5 "$f" | sed 's/^/     /'; continue; fi
		echo "   $s: $(grep -oE '^enrolled .*' "$f" | head -1)"
		echo "   $s: devices=$(num "$f" devices) polls=$(num "$f" polls) poll_errors=$(num "$f" poll_errors) busy_retried=$(num "$f" busy_retried) upload_errors=$(num "$f" upload_errors)"
		echo "   $s: $(field "$f" poll_latency_cold); $(field "$f" poll_latency_steady)"
		echo "   $s: $(field "$f" emergency_received)"
		grep -E '^emergency|^poll error' "$f" | sed "s/^/   $s: /" || true
		v=$(num "$f" emergency_received || true)
		reached=$((reached + ${v:-0}))
	done
done
echo "-- emergency issued on A reached $reached of $((2 * DEVICES)) devices (both replicas)"
echo "-- server errors logged: A $(grep -c 'level=ERROR' "$work/a.log" || true), B $(grep -c 'level=ERROR' "$work/b.log" || true)"
grep -h 'level=ERROR' "$work/a.log" "$work/b.log" | head -5 || true
