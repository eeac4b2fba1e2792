package dev.preempt.internal.sched;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time a thread has used, for the {@link Watchdog}'s judgement of a long slice. The management
 * classes are loaded on first use only (they cost start-up time), and a JVM without {@code java.management}
 * or without thread CPU clocks answers -1.
 */
final class CpuClock {

    private CpuClock() {}

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
    static long threadCpuNanos(Thread t) {
        try {
            ThreadMXBean b = Bean.THREADS;
            return b == null ? -1 : b.getThreadCpuTime(t.threadId());
        } catch (Throwable e) {
            return -1;
        }
    }
}
