package dev.preempt;

import dev.preempt.internal.sched.SchedulerCore;

/** For tests of the internals in other packages: a scheduler's core. */
public final class SchedulerCores {
    private SchedulerCores() {}

    /** {@code s}'s core. */
    public static SchedulerCore of(Scheduler s) {
        return s.core;
    }
}
