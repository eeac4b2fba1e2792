package dev.preempt.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** Periodic: one event per carrier of every live scheduler, with the scheduler-wide figures repeated. */
@Name("dev.preempt.SchedulerSample")
@Label("Scheduler Sample")
@Description("A carrier's queue and counters, and its scheduler's global queue, live processes and timers")
@Category("Preempt")
@Period("1 s")
@StackTrace(false)
final class SchedulerSampleEvent extends jdk.jfr.Event {

    @Label("Scheduler")
    String scheduler;

    @Label("Carrier")
    @Description("The carrier's index in its scheduler")
    int carrier;

    @Label("Run Queue Length")
    @Description("Processes queued on this carrier (its run queue and runnext slot)")
    int runQueueLength;

    @Label("Running")
    @Description("The process mounted on the carrier now, if any")
    String running;

    @Label("Slices")
    @Description("Slices this carrier has run since it started")
    long slices;

    @Label("Steals")
    @Description("Times it took work from another carrier")
    long steals;

    @Label("Parks")
    @Description("Times it parked for want of work")
    long parks;

    @Label("Global Queue Length")
    int globalQueueLength;

    @Label("Live Processes")
    int liveProcesses;

    @Label("Pending Timers")
    int pendingTimers;
}
