package dev.preempt;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Test helpers: run a body as a process and surface its failure as the test's. */
final class Procs {

    private Procs() {}

    /** Runs {@code body} as a root process of {@code s}; fails the test with whatever escaped it. */
    static void run(Scheduler s, Runnable body) {
        ExitReason r = s.run(body);
        if (!r.isNormal()) {
            Throwable t = r.exceptionCause().orElse(null);
            if (t instanceof Error e) throw e;
            if (t instanceof RuntimeException e) throw e;
            throw new AssertionError("process ended with " + r, t);
        }
    }

    /** Polls {@code condition} (from a plain thread) until true or {@code timeout}. */
    static void await(Duration timeout, BooleanSupplier condition, String what) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) fail("timed out after " + timeout + " waiting for " + what);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** Inside a process: the Down of {@code ref}, or a failure if none comes within {@code within}. */
    static Down down(Ref ref, Duration within) {
        return (Down) Preempt.receive(m -> m instanceof Down d && d.ref().equals(ref), within)
                .orElseThrow(() -> new AssertionError("no Down within " + within));
    }

    /** Until process {@code p} is parked in a wait (a JDK call's or Preempt's own): its stack shows a park. */
    static void untilParked(Pid p) {
        await(Duration.ofSeconds(5), () -> Preempt.processInfo(p).map(i -> i.stack().stream()
                .anyMatch(e -> e.getClassName().equals("java.lang.VirtualThread") && e.getMethodName().contains("park"))).orElse(false),
                "the process to park in its wait");
    }

    static Scheduler twoCarriers() {
        return Scheduler.builder().carriers(2).build();
    }
}
