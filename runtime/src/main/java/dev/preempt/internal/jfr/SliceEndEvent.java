package dev.preempt.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.SettingDefinition;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A carrier finished running a process for one slice. There can be millions a second, so it is off
 * unless a recording enables it; while one does, carriers time their slices (two clock reads each).
 * Its {@code minSliceTime} setting keeps only the slices at least that long. The event is committed
 * by the {@code preempt-jfr-slices} thread ({@link SliceCommitter}), so its start time is up to about a
 * millisecond after the slice ended, and its event thread is that thread: the carrier is a field.
 */
@Name("dev.preempt.SliceEnd")
@Label("Slice End")
@Description("A process's slice on a carrier ended (it yielded, parked, was preempted or exited); committed by the preempt-jfr-slices thread")
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

    /** The {@code minSliceTime} setting: JFR calls this at commit; false drops the event. */
    @Name("minSliceTime")
    @Label("Minimum Slice Time")
    @Description("Record only slices at least this long (0 ns: every slice)")
    @SettingDefinition
    protected boolean minSliceTime(SliceTimeThreshold threshold) {
        return sliceTime >= threshold.nanos();
    }
}
