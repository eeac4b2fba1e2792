package dev.preempt.internal.sched;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a carrier's OS thread is doing, as far as can be seen from another thread: the CPU time it has
 * used (the JDK's thread CPU clock, through {@code java.management}, loaded on first use) and, on Linux,
 * whether the OS has it asleep in a system call ({@code /proc/self/task/<tid>/stat}, state {@code S} or
 * {@code D}) or runnable. The {@link Watchdog} uses both to tell a slice blocked in native code or busy in
 * a long call (a spare helps) from a thread the OS merely took the CPU from (a spare would only add to
 * the crowd). Every answer may be "unknown" (-1, or false), and the watchdog then judges by time alone.
 */
final class ThreadUse {

    private ThreadUse() {}

    private static final class Bean {
        static final ThreadMXBean THREADS = threads();

        private static ThreadMXBean threads() {
            try {
                ThreadMXBean b = ManagementFactory.getThreadMXBean();
                return b.isThreadCpuTimeSupported() ? b : null;
            } catch (Throwable t) { // LinkageError without java.management, or a JVM without thread CPU clocks
                return null;
            }
        }
    }

    /** CPU nanoseconds {@code t} has used, or -1 when unknown. */
    static long cpuNanos(Thread t) {
        try {
            ThreadMXBean b = Bean.THREADS;
            return b == null ? -1 : b.getThreadCpuTime(t.threadId());
        } catch (Throwable e) {
            return -1;
        }
    }

    /** The calling thread's OS id (Linux: from {@code /proc/thread-self}), or -1 elsewhere. */
    static long currentOsThreadId() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
            return Long.parseLong(self.getFileName().toString());
        } catch (IOException | RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /** True if the OS thread {@code tid} of this JVM is asleep in the kernel (state S or D); false if runnable or unknown. */
    static boolean asleepInKernel(long tid) {
        if (tid < 0) return false;
        try {
            String stat = new String(Files.readAllBytes(Path.of("/proc/self/task/" + tid + "/stat")), StandardCharsets.US_ASCII);
            int end = stat.lastIndexOf(')'); // the name, in parentheses, may hold spaces
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state == 'S' || state == 'D';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
