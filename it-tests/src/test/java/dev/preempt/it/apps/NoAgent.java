package dev.preempt.it.apps;

import dev.preempt.Process;

/** Run without the agent: {@code @Process} methods are plain calls. */
public final class NoAgent {

    private NoAgent() {}

    @Process
    static void work(String what) {
        System.out.println("work " + what + " on " + Thread.currentThread().getName());
    }

    @Process
    public static void main(String[] args) throws Exception {
        work("a");
        work("b");
        // the runtime starts here (a plain thread runs a root process); this is where it warns, once
        dev.preempt.Scheduler.defaultScheduler().run(() -> System.out.println("root ran"));
        dev.preempt.Scheduler.defaultScheduler().run(() -> System.out.println("root ran again"));
        System.out.println("main returns");
    }
}
