#!/usr/bin/env python3
"""Lines the spinner's long gaps up with what the CPUs ran meanwhile.

Input: a TailGap --dump/--trace file (start ns on CLOCK_MONOTONIC, length ns, carrier before, carrier
after, mounts seen), `perf script` output of a `perf record -a -k CLOCK_MONOTONIC -e sched:sched_switch`
trace taken around it, the JVM's pid, and optionally a -Xlog:safepoint file decorated with timenanos.

  tail_gap_explain.py GAPS PERF_SCRIPT JVM_PID [SAFEPOINT_LOG] [--min-us 1000]

For each gap of at least --min-us: whether the spinner stayed mounted (its carrier was stopped) or
waited in a queue; how long its carrier thread was off the CPU inside the gap; what ran on the CPUs
meanwhile (JVM threads by name, other processes by name); how much of it overlapped a safepoint. Then
a summary over those gaps.
"""
import re
import sys
from collections import defaultdict

args = [a for a in sys.argv[1:]]
min_us = 1000
if '--min-us' in args:
    i = args.index('--min-us')
    min_us = int(args[i + 1])
    del args[i:i + 2]
gaps_file, perf_file, jvm_pid = args[0], args[1], int(args[2])
sp_file = args[3] if len(args) > 3 else None

# ---- gaps
gaps = []
for line in open(gaps_file):
    f = line.split()
    g = {'s': int(f[0]), 'len': int(f[1])}
    if len(f) >= 5:
        g['before'], g['after'], g['mounts'] = f[2], f[3], int(f[4])
    gaps.append(g)

# ---- perf sched_switch: per-CPU run intervals; tid -> (tgid, comm)
sw = re.compile(r'^\s*(.+?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:sched_switch:\s+prev_comm=(.*?) prev_pid=(\d+) '
                r'prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)')
tgid_of = {}
comm_of = {}
runs = defaultdict(list)  # cpu -> [(t, tid)] the tid running from t
for line in open(perf_file):
    m = sw.match(line)
    if not m:
        continue
    pid, tid, cpu, t = int(m.group(2)), int(m.group(3)), int(m.group(4)), float(m.group(5))
    tgid_of[tid] = pid
    prev, nxt = int(m.group(7)), int(m.group(10))
    comm_of[prev] = m.group(6)
    comm_of[nxt] = m.group(9)
    runs[cpu].append((int(round(t * 1e9)), nxt, prev, m.group(8)))
for cpu in runs:
    runs[cpu].sort()

# carriers of the JVM: preempt-carrier (two of them: sorted tids are carrier-0, carrier-1), preempt-spare-N
carriers = sorted(t for t, c in comm_of.items() if c.startswith('preempt-carrier') and tgid_of.get(t) == jvm_pid)
tid_of_name = {f'preempt-carrier-{i}': t for i, t in enumerate(carriers)}
for t, c in comm_of.items():
    if c.startswith('preempt-spare') and tgid_of.get(t) == jvm_pid:
        tid_of_name[c] = t


def label(tid):
    if tid == 0:
        return 'idle'
    c = comm_of.get(tid, '?')
    if tgid_of.get(tid) == jvm_pid:
        if tid in carriers:
            return f'carrier-{carriers.index(tid)}'
        return 'jvm:' + re.sub(r'#?\d+$', '', c)
    return 'other:' + c


def ran_in(s, e):
    """tid -> ns on any CPU within [s, e]."""
    out = defaultdict(int)
    for cpu, rs in runs.items():
        for i, (t, tid, _, _) in enumerate(rs):
            t2 = rs[i + 1][0] if i + 1 < len(rs) else e
            a, b = max(s, t), min(e, t2)
            if b > a:
                out[tid] += b - a
    return out


# ---- safepoints: "[<timenanos>ns] Safepoint "X", Time since last: .. ns, Reaching safepoint: R ns, ..., Total: T ns"
safepoints = []
if sp_file:
    spre = re.compile(r'\[(\d+)ns\].*Safepoint "([^"]+)".*Reaching safepoint: (\d+) ns.*Total: (\d+) ns')
    for line in open(sp_file):
        m = spre.search(line)
        if m:
            end, total = int(m.group(1)), int(m.group(4))
            safepoints.append((end - total, end, m.group(2)))


def safepoint_overlap(s, e):
    return sum(max(0, min(e, b) - max(s, a)) for a, b, _ in safepoints)


long_gaps = [g for g in gaps if g['len'] >= min_us * 1000]
print(f'{len(gaps)} gaps over 20 us, {len(long_gaps)} of at least {min_us} us; carriers {tid_of_name}')
summary = defaultdict(int)
kinds = defaultdict(int)
for g in long_gaps:
    s, e = g['s'], g['s'] + g['len']
    ran = ran_in(s, e)
    by_label = defaultdict(int)
    for tid, ns in ran.items():
        by_label[label(tid)] += ns
    mounted = g.get('mounts') == 0
    kind = 'mounted' if mounted else ('queued' if 'mounts' in g else '?')
    kinds[kind] += 1
    off = None
    ctid = tid_of_name.get(g.get('before', ''))
    if ctid is not None:
        off = g['len'] - ran.get(ctid, 0)
    sp = safepoint_overlap(s, e)
    for k, v in by_label.items():
        summary[k] += v
    summary['(safepoint overlap)'] += sp
    top = sorted(by_label.items(), key=lambda kv: -kv[1])[:6]
    print(f"gap {g['len'] / 1e3:7.0f} us at {s / 1e9:.4f}: {kind:7s} {g.get('before', '?')}->{g.get('after', '?')}"
          f" ({g.get('mounts', '?')} mounts)"
          + (f", its carrier off-CPU {off / 1e3:.0f} us" if off is not None else '')
          + (f", safepoint {sp / 1e3:.0f} us" if sp else '')
          + '; ran: ' + ', '.join(f'{k} {v / 1e3:.0f}' for k, v in top))
total = sum(g['len'] for g in long_gaps)
print(f'kinds: {dict(kinds)}; CPU time inside these gaps (2 CPUs, {2 * total / 1e6:.1f} ms in all):')
for k, v in sorted(summary.items(), key=lambda kv: -kv[1])[:15]:
    print(f'  {k:32s} {v / 1e6:8.2f} ms')
