package dev.preempt.it.apps;

import dev.preempt.Preempt;
import dev.preempt.Process;

/**
 * Prints where the runtime was loaded from and how many carrier threads run, from inside a process
 * that also spawns a few: run with {@code preempt-runtime} on the class path beside the agent, there
 * must still be one scheduler.
 */
public final class OneScheduler {

    private OneScheduler() {}

    @Process
    public static void main(String[] args) {
        for (int i = 0; i < 10; i++) Preempt.spawn(() -> Preempt.sleep(java.time.Duration.ofMillis(50)));
        long carriers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getClass().getName().startsWith("dev.preempt.internal.sched.")
                        && t.getName().contains("-carrier-")).count();
        System.out.println("runtime from=" + Preempt.class.getProtectionDomain().getCodeSource().getLocation()
                + " inProcess=" + Preempt.inProcess() + " carriers=" + carriers);
    }
}
