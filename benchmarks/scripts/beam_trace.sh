#!/usr/bin/env bash
# BEAM's side of the evidence: tail_gap.erl under a system-wide perf sched_switch trace, then how often
# and by whom the OS took a CPU from a scheduler thread inside the measuring window (os_preemptions.py).
#   benchmarks/scripts/beam_trace.sh HOGS OUTDIR      (root or perf_event_paranoid <= -1; erl, erlc, perf)
set -euo pipefail
hogs=$1 out=$2
mkdir -p "$out"
erlc -o "$out" "$(dirname "$0")/../erlang/tail_gap.erl"
perf record -q -a -k CLOCK_MONOTONIC -e sched:sched_switch -o "$out/perf.data" 2>"$out/perf.err" &
perf_pid=$!
sleep 1
erl +S 2 -noshell -pa "$out" -s tail_gap main "$hogs" -s init stop >"$out/result.txt" &
erl_pid=$!
sleep 0.5
beam_pid=$(pgrep -n beam.smp)
wait $erl_pid
kill -INT $perf_pid 2>/dev/null || true
wait $perf_pid 2>/dev/null || true
cat "$out/result.txt"
perf script -i "$out/perf.data" -F comm,pid,tid,cpu,time,event,trace >"$out/perf.txt" 2>/dev/null
window=$(sed -n 's/.*windowStartNs=\([0-9]*\) windowEndNs=\([0-9]*\).*/\1 \2/p' "$out/result.txt")
python3 "$(dirname "$0")/os_preemptions.py" "$out/perf.txt" "$beam_pid" 1_scheduler,2_scheduler \
    --from "$(echo "$window" | awk '{printf "%.6f", $1 / 1e9}')" --to "$(echo "$window" | awk '{printf "%.6f", $2 / 1e9}')" \
    --min-us "${MIN_US:-1000}"
