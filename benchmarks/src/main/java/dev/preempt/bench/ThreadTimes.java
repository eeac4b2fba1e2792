package dev.preempt.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this JVM's threads and the rest of the machine did between two snapshots, from Linux's
 * {@code /proc}: per kind of thread (carriers, spare carriers, JIT compilers, GC, the watchdog, the
 * rest of the JVM) the CPU time and, for carriers, the time they were runnable but waiting for a CPU
 * ({@code /proc/self/task/N/schedstat}: the OS had given their core to another thread) and their
 * number of OS time slices; and the share of the machine's CPU that other processes used
 * ({@code /proc/stat} minus this JVM). {@link TailGap} prints it beside the gaps. Elsewhere than Linux
 * it prints nothing.
 */
final class ThreadTimes {

    /** Per thread id: kind, CPU ns, run-queue wait ns, time slices. */
    private final Map<String, long[]> tasks;
    private final Map<String, String> kinds;
    private final long machineBusyTicks, machineTicks, at;

    private ThreadTimes(Map<String, long[]> tasks, Map<String, String> kinds, long busy, long total, long at) {
        this.tasks = tasks;
        this.kinds = kinds;
        this.machineBusyTicks = busy;
        this.machineTicks = total;
        this.at = at;
    }

    static ThreadTimes now() {
        Map<String, long[]> tasks = new HashMap<>();
        Map<String, String> kinds = new HashMap<>();
        long busy = 0, total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : ds) {
                try {
                    String[] s = Files.readString(t.resolve("schedstat")).trim().split(" ");
                    tasks.put(t.getFileName().toString(), new long[] {Long.parseLong(s[0]), Long.parseLong(s[1]), Long.parseLong(s[2])});
                    kinds.put(t.getFileName().toString(), kind(Files.readString(t.resolve("comm")).trim()));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            for (int i = 1; i < cpu.length && i <= 8; i++) {
                long v = Long.parseLong(cpu[i]);
                total += v;
                if (i != 4 && i != 5) busy += v; // not idle, not iowait
            }
        } catch (IOException | RuntimeException notLinux) {
            return new ThreadTimes(Map.of(), Map.of(), 0, 0, System.nanoTime());
        }
        return new ThreadTimes(tasks, kinds, busy, total, System.nanoTime());
    }

    static String kind(String comm) {
        if (comm.contains("-spare")) return "spare";
        if (comm.contains("carrier") || comm.startsWith("ForkJoinPool")) return "carrier";
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) return "jit";
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) return "gc";
        if (comm.contains("watchdo")) return "watchdog";
        return "jvm";
    }

    /** key=value pairs: {@code <kind>CpuMs}, carrier {@code WaitMs} and {@code Slices}, {@code outsideCpu} (0-1). */
    String since(ThreadTimes before) {
        if (before == null || tasks.isEmpty()) return "";
        Map<String, long[]> byKind = new LinkedHashMap<>();
        for (String k : new String[] {"carrier", "spare", "jit", "gc", "watchdog", "jvm"}) byKind.put(k, new long[3]);
        long own = 0;
        for (Map.Entry<String, long[]> e : tasks.entrySet()) {
            long[] b = before.tasks.getOrDefault(e.getKey(), new long[3]);
            long[] sum = byKind.get(kinds.get(e.getKey()));
            for (int i = 0; i < 3; i++) sum[i] += e.getValue()[i] - b[i];
            own += e.getValue()[0] - b[0];
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, long[]> e : byKind.entrySet()) {
            out.append(String.format("%sCpuMs=%.1f ", e.getKey(), e.getValue()[0] / 1e6));
        }
        long[] c = byKind.get("carrier"), s = byKind.get("spare");
        out.append(String.format("carrierWaitMs=%.1f carrierSlices=%d spareWaitMs=%.1f ", c[1] / 1e6, c[2], s[1] / 1e6));
        long ticks = machineTicks - before.machineTicks;
        if (ticks > 0) {
            // /proc/stat counts in USER_HZ (100 a second on Linux), summed over CPUs
            double busyNs = (machineBusyTicks - before.machineBusyTicks) * 1e7;
            double allNs = ticks * 1e7;
            out.append(String.format("outsideCpu=%.3f", Math.max(0, busyNs - own) / allNs));
        }
        return out.toString().trim();
    }
}
