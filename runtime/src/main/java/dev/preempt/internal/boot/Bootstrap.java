package dev.preempt.internal.boot;

import dev.preempt.Schedule;
import dev.preempt.internal.jfr.JfrSupport;
import dev.preempt.internal.jmx.SchedulerBean;
import dev.preempt.internal.sched.SchedulerCore;

/**
 * Where a scheduler is put together with the layers that observe it: the JFR layer is installed once,
 * before the first scheduler exists (it registers through {@link SchedulerCore#onCreate}, and attaches
 * its observer only while a recording wants Preempt's events), and each scheduler but a deterministic
 * one gets its JMX bean. The scheduler knows neither layer: they depend on it, through its
 * {@code Observer} interface and accessors, not the reverse. Thread-safe: any thread may start schedulers.
 */
public final class Bootstrap {

    private Bootstrap() {}

    static {
        JfrSupport.install();
    }

    /**
     * A new scheduler, running, with its observers attached.
     *
     * @param config its configuration
     * @param schedule the deterministic schedule, or null for a normal scheduler
     * @return the scheduler's core
     */
    public static SchedulerCore newScheduler(SchedulerCore.Config config, Schedule schedule) {
        SchedulerCore core = new SchedulerCore(config, schedule);
        // A deterministic scheduler lives for one test run, often one of thousands: no MBean (a thread each).
        if (schedule == null) SchedulerBean.registerLater(core);
        return core;
    }
}
