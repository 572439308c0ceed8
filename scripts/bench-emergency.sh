#!/usr/bin/env bash
# Benchmark (not a CI test): one `loa serve --demo` (SQLite by default, or
# the PostgreSQL database of LOA_DB) and DEVICES simulated devices spread
# over SIMS `loa device-sim` processes, each connecting from its own
# loopback address (127.0.0.2, 127.0.0.3, …: ephemeral ports and the
# 20,000 open files of one process are per simulator), all devices starting
# at once (a cold start: push connection, first fetch and heartbeat), then
# an emergency to all of them (issue 17).
#
#   DEVICES=10000 SIMS=2 DURATION=120s EMERGENCY_AFTER=70s scripts/bench-emergency.sh
#
# Simulator 1 issues the emergency and measures from its request; it
# writes the request's instant to $OUT/click, and the others measure from
# that same instant (one machine, one clock): every latency is from the
# operator's request. Prints each simulator's summary (poll errors,
# emergency received, latency p50/p99/max), the server's timing of the
# emergency (wait for the database writer, transaction, push to the
# connections; its log at LOG_LEVEL, default info), the server's peak RSS
# and open files, and the errors it logged. LOA_BIN=path uses a built loa instead of
# building one. With PROFILE=1 an 8 s CPU profile of the
# server around the emergency is saved to $OUT/cpu.pprof; with TRACE=1
# its Go execution trace to $OUT/trace.out; with SIM_PROFILE=1 a 30 s
# CPU profile of each simulator to $OUT/sim-N.pprof; with PERF=1, `perf record -a
# -g` samples the whole machine around it into $OUT/perf.data.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
DEVICES=${DEVICES:-10000}
SIMS=${SIMS:-2}
DURATION=${DURATION:-120s}
EMERGENCY_AFTER=${EMERGENCY_AFTER:-70s}
POLL=${POLL:-30s}
SPREAD=${SPREAD:-0s}
PORT=${PORT:-18501}
DEBUG_PORT=${DEBUG_PORT:-18502}
OUT=${OUT:-$(mktemp -d)}
NICE=${NICE:-}
# One simulator process stands for thousands of devices. After each
# collection the Go runtime shrinks the stacks of their idle goroutines,
# and when the emergency arrives thousands of them grow back at once, in
# one process; a real device (one process, a few goroutines) grows one.
# The simulators run without the shrinking (docs/benchmarks.md, round 8:
# the slower simulator's p99 0.72-0.76 s with it, median ~0.53 s
# without, same build); SIM_GODEBUG= puts it back.
SIM_GODEBUG=${SIM_GODEBUG-gcshrinkstackoff=1}
# A simulator's collection costs it 0.5-1.1 s of CPU (5,000 devices'
# goroutines and buffers) and came every 50-100 s: when one lands on the
# emergency, the simulator's assists and mark workers take the cores from
# the 5,000 devices it stands for (round 9: a simulator's p99 1.18 s
# against 0.58 s for the other, same run). The simulators collect when
# their heap grows by 400 % instead of 100 % (GOGC=400: the collections
# come about 4 times further apart); SIM_GOGC=100 puts it back.
SIM_GOGC=${SIM_GOGC-400}
# SERVER_GODEBUG is the server's GODEBUG (e.g. gctrace=1: its collections
# in $OUT/server.log).

mkdir -p "$OUT"
rm -f "$OUT/click"
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
if [ -n "${LOA_BIN:-}" ]; then cp "$LOA_BIN" "$work/loa"; else go build -o "$work/loa" ./cmd/loa; fi
dbargs=()
[ -n "${LOA_DB:-}" ] && dbargs=(--db "$LOA_DB")
GODEBUG="${SERVER_GODEBUG:-}" $NICE "$work/loa" serve --demo "${dbargs[@]}" --data "$work/data" --addr "127.0.0.1:$PORT" --debug-addr "127.0.0.1:$DEBUG_PORT" \
	--log-level "${LOG_LEVEL:-info}" 2>"$OUT/server.log" >/dev/null &
pid=$!
pids+=("$pid")
for _ in $(seq 1 240); do
	curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
	sleep 0.5
done
per=$((DEVICES / SIMS))
sims=()
for i in $(seq 1 "$SIMS"); do
	extra=()
	extra=(--click-file "$OUT/click")
	[ "$i" = 1 ] && extra+=(--emergency-after "$EMERGENCY_AFTER" --media-id 1)
	GOGC="$SIM_GOGC" GODEBUG="$SIM_GODEBUG" $NICE "$work/loa" device-sim --server "http://127.0.0.1:$PORT" --devices "$per" --duration "$DURATION" --poll "$POLL" \
		--demo-json "$work/data/demo.json" --source-addr "127.0.0.$((i + 1))" --start-spread "$SPREAD" --report 10s \
		--debug-addr "127.0.0.1:$((DEBUG_PORT + i))" "${extra[@]}" >"$OUT/sim-$i.log" 2>&1 &
	sims+=($!)
	pids+=($!)
done
maxfd=0
(
	while kill -0 "$pid" 2>/dev/null; do
		n=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
		echo "$(date +%s) $n"
		sleep 1
	done
) >"$OUT/fds.log" &
pids+=($!)
# before_emergency LEAD: returns LEAD seconds before simulator 1 issues
# the emergency (EMERGENCY_AFTER counts from the end of its enrolment).
before_emergency() {
	for _ in $(seq 1 6000); do grep -q '^enrolled' "$OUT/sim-1.log" 2>/dev/null && break; sleep 0.1; done
	sleep "$(( ${EMERGENCY_AFTER%s} - $1 ))"
}
if [ "${PROFILE:-0}" = 1 ]; then
	(
		before_emergency 3
		curl -fs "http://127.0.0.1:$DEBUG_PORT/debug/pprof/profile?seconds=8" -o "$OUT/cpu.pprof" || true
	) &
	pids+=($!)
fi
if [ "${SIM_PROFILE:-0}" = 1 ]; then
	# A 30 s CPU profile of every simulator around the emergency
	# ($OUT/sim-N.pprof).
	for i in $(seq 1 "$SIMS"); do
		(
			before_emergency 15
			curl -fs "http://127.0.0.1:$((DEBUG_PORT + i))/debug/pprof/profile?seconds=30" -o "$OUT/sim-$i.pprof" || true
		) &
		pids+=($!)
	done
fi
if [ "${TRACE:-0}" = 1 ]; then
	# The Go execution trace of the server for 70 s from about 40 s
	# before the emergency (go tool trace $OUT/trace.out; starting a
	# trace stops the world, so it begins well before): how its
	# goroutines were scheduled.
	(
		before_emergency 40
		curl -fs "http://127.0.0.1:$DEBUG_PORT/debug/pprof/trace?seconds=70" -o "$OUT/trace.out" || true
	) &
	pids+=($!)
fi
if [ "${PERF:-0}" = 1 ]; then
	# System-wide samples (server, simulators, kernel), wall-clock
	# stamped like $OUT/click, from 3 s before the emergency for 6 s:
	# where the fan-out's CPU goes.
	(
		before_emergency 20
		perf record -q -a -g -F 999 -k CLOCK_REALTIME -o "$OUT/perf.data" -- sleep 40 >/dev/null 2>&1 || true
	) &
	pids+=($!)
fi
for s in "${sims[@]}"; do wait "$s" || true; done
echo "== $DEVICES devices in $SIMS simulators, poll $POLL, start spread $SPREAD, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$SIMS"); do
	echo "-- simulator $i"
	grep -E "enrolled|emergency|^final|refused|too many|error" "$OUT/sim-$i.log" | grep -v '^\[' | sort | uniq -c | sort -rn | head -8 || true
done
echo "-- server: peak RSS $(awk '/VmHWM/{printf "%d MB", $2/1024}' "/proc/$pid/status"), peak open files $(sort -k2 -n "$OUT/fds.log" | tail -1 | cut -d' ' -f2)"
echo "-- server: $(grep -o 'msg="emergency issued".*' "$OUT/server.log" | grep -oE '(devices|connections_here|checks_ms|writer_wait_ms|tx_ms|push_ms|fanout_ms|plays_ms|total_ms)=[^ ]+' | tr '\n' ' ')"
echo "-- server: requests refused (503/429): $(grep -cE 'status=(503|429)' "$OUT/server.log" || true)"
echo "-- server errors logged: $(grep -c 'level=ERROR' "$OUT/server.log" || true), warnings: $(grep -c 'level=WARN' "$OUT/server.log" || true)"
grep -E 'level=(ERROR|WARN)' "$OUT/server.log" | sed -E 's/time=[^ ]+ //' | cut -c1-200 | sort | uniq -c | sort -rn | head -5 || true
