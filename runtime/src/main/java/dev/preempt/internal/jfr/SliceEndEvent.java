package dev.preempt.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A carrier finished running a process for one slice. There can be millions a second, so it is off
 * unless a recording enables it; while one does, carriers time their slices (two clock reads each).
 * The event thread is the carrier.
 */
@Name("dev.preempt.SliceEnd")
@Label("Slice End")
@Description("A process's slice on a carrier ended (it yielded, parked, was preempted or exited)")
@Category("Preempt")
@Enabled(false)
@StackTrace(false)
final class SliceEndEvent extends jdk.jfr.Event {

    @Label("Pid")
    String pid;

    @Label("Carrier")
    @Description("The carrier's index in its scheduler")
    int carrier;

    @Label("Reductions")
    @Description("Reductions spent in this slice")
    int reductions;

    @Label("Slice Time")
    @Description("How long the process ran in this slice")
    @Timespan(Timespan.NANOSECONDS)
    long sliceTime;

    @Label("Preempted")
    @Description("True if the slice ended because the budget ran out and another process wanted the carrier")
    boolean preempted;

    @Label("Scheduler")
    String scheduler;
}
