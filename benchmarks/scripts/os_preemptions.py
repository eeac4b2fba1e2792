#!/usr/bin/env python3
"""Times the OS took a CPU away from a runtime's scheduler threads, from a perf sched_switch trace.

  os_preemptions.py PERF_SCRIPT PID NAME_PREFIX[,PREFIX...] [--min-us 1000] [--from T] [--to T]

PERF_SCRIPT: `perf script -F comm,pid,tid,cpu,time,event,trace` of `perf record -a -e sched:sched_switch`.
For every thread of process PID whose name starts with a prefix (Preempt: preempt-carrier,preempt-spare;
BEAM: 1_scheduler,2_scheduler), each stretch from being switched out while still runnable (prev_state R:
preempted, not blocked) to running again. Prints those of at least --min-us per second of trace, the
longest, and who ran on the CPU it left meanwhile. --from/--to (perf's seconds) keep the stretches that
begin inside that window (a TailGap --dump file's first and last gap bound its measuring window).
"""
import re
import sys
from collections import defaultdict

args = sys.argv[1:]
opts = {'--min-us': 1000.0, '--from': 0.0, '--to': 1e18}
for k in list(opts):
    if k in args:
        i = args.index(k)
        opts[k] = float(args[i + 1])
        del args[i:i + 2]
min_us, t_from, t_to = opts['--min-us'], opts['--from'], opts['--to']
perf_file, pid, prefixes = args[0], int(args[1]), args[2].split(',')
sw = re.compile(r'^\s*(.+?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:sched_switch:\s+prev_comm=(.*?) prev_pid=(\d+) '
                r'prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)')
tgid = {}
events = []
for line in open(perf_file):
    m = sw.match(line)
    if not m:
        continue
    tgid[int(m.group(3))] = int(m.group(2))
    events.append((float(m.group(5)), int(m.group(4)), int(m.group(7)), m.group(6), m.group(8), int(m.group(10)), m.group(9)))
events.sort()
comm = {}
out_since = {}  # tid -> (time, cpu) switched out runnable
episodes = []
running = {}  # cpu -> (tid, comm, since)
ran_by_cpu = defaultdict(list)  # cpu -> [(start, end, label)]
for t, cpu, prev, pcomm, pstate, nxt, ncomm in events:
    comm[prev], comm[nxt] = pcomm, ncomm
    if cpu in running:
        rt, rc, since = running[cpu]
        ran_by_cpu[cpu].append((since, t, rc if tgid.get(rt) != pid else 'own:' + rc))
    running[cpu] = (nxt, ncomm, t)
    if tgid.get(prev) == pid and any(pcomm.startswith(p) for p in prefixes) and pstate.startswith('R'):
        out_since[prev] = (t, cpu)
    if nxt in out_since:
        t0, c0 = out_since.pop(nxt)
        if t_from <= t0 <= t_to:
            episodes.append((t - t0, t0, nxt, c0))
seconds = min(t_to, events[-1][0]) - max(t_from, events[0][0])
long_ones = sorted((e for e in episodes if e[0] * 1e6 >= min_us), reverse=True)
print(f'{seconds:.1f} s: {len(episodes)} preemptions of {",".join(prefixes)} threads; {len(long_ones)} of at least {min_us:.0f} us '
      f'({len(long_ones) / seconds:.2f}/s); longest:')
who = defaultdict(float)
for d, t0, tid, cpu in long_ones:
    here = defaultdict(float)
    for a, b, lab in ran_by_cpu[cpu]:
        x, y = max(a, t0), min(b, t0 + d)
        if y > x:
            here[lab] += y - x
    for k, v in here.items():
        who[k] += v
    if d == long_ones[0][0] or len(long_ones) <= 12 or d * 1e6 >= 2000:
        top = ', '.join(f'{k} {v * 1e6:.0f}' for k, v in sorted(here.items(), key=lambda kv: -kv[1])[:3])
        print(f'  {d * 1e6:7.0f} us at {t0:.4f} {comm.get(tid, "?")} {tid} on cpu {cpu}; ran there: {top}')
print('what ran instead, over all of them (ms):', ', '.join(f'{k} {v * 1e3:.1f}' for k, v in sorted(who.items(), key=lambda kv: -kv[1])[:8]))
