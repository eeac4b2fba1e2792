#!/usr/bin/env bash
# One traced TailGap run under the agent: a system-wide scheduler trace (perf, CLOCK_MONOTONIC) around
# it, its gaps with --trace, a safepoint log on the same clock, then tail_gap_explain.py over them (what
# ran while the spinner waited) and os_preemptions.py (every time the OS took a CPU from a carrier).
#   benchmarks/scripts/tail_gap_trace.sh HOGS OUTDIR [extra JVM options...]
# Needs root (or perf_event_paranoid <= -1) and perf; run from the repository root after a build.
# AGENT: the agent jar (agent/target/preempt-agent.jar; its runtime is the one measured: the class path
# holds the benchmark classes only); PREEMPT_AGENT_OPTS: agent options (carriers=2); MIN_US: shortest gap (1000).
set -euo pipefail
hogs=$1 out=$2
shift 2
mkdir -p "$out"
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
perf record -q -a -k CLOCK_MONOTONIC -e sched:sched_switch -o "$out/perf.data" 2>"$out/perf.err" &
perf_pid=$!
sleep 1
"$java" -javaagent:${AGENT:-agent/target/preempt-agent.jar}=${PREEMPT_AGENT_OPTS:-carriers=2},include=dev.preempt.bench \
    -Xlog:safepoint=info,gc=info:file="$out/vm.log":timenanos,tid,tags "$@" \
    -cp benchmarks/target/classes dev.preempt.bench.TailGap preempt "$hogs" --dump "$out/gaps.txt" --trace \
    >"$out/result.txt" &
jvm=$!
sleep 3
for t in /proc/$jvm/task/*; do read -r c <"$t/comm"; echo "${t##*/} $c"; done >"$out/threads.txt" 2>/dev/null || true
wait $jvm
kill -INT $perf_pid
wait $perf_pid || true
cat "$out/result.txt"
perf script -i "$out/perf.data" -F comm,pid,tid,cpu,time,event,trace >"$out/perf.txt" 2>/dev/null
python3 "$(dirname "$0")/tail_gap_explain.py" "$out/gaps.txt" "$out/perf.txt" "$jvm" "$out/vm.log" --min-us "${MIN_US:-1000}"
window=$(sed -n 's/.*windowStartNs=\([0-9]*\) windowEndNs=\([0-9]*\).*/\1 \2/p' "$out/result.txt")
python3 "$(dirname "$0")/os_preemptions.py" "$out/perf.txt" "$jvm" preempt-carrier,preempt-spare \
    --from "$(echo "$window" | awk '{printf "%.6f", $1 / 1e9}')" --to "$(echo "$window" | awk '{printf "%.6f", $2 / 1e9}')" \
    --min-us "${MIN_US:-1000}"
