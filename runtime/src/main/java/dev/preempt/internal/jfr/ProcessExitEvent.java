package dev.preempt.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A process ended (committed inside it, after its exit signals went out). */
@Name("dev.preempt.ProcessExit")
@Label("Process Exit")
@Description("A Preempt process ended")
@Category("Preempt")
@StackTrace(false)
final class ProcessExitEvent extends jdk.jfr.Event {

    @Label("Pid")
    String pid;

    @Label("Reason")
    @Description("The exit reason: normal, killed, shutdown, noproc, exception ..., or a user's reason")
    String reason;

    @Label("Abnormal")
    @Description("True unless the reason is normal, shutdown or {shutdown, _} (an orderly stop by a supervisor)")
    boolean abnormal;

    @Label("Reductions")
    @Description("Reductions the process spent in its life")
    long reductions;

    @Label("Lifetime")
    @Description("Time from spawn to exit")
    @Timespan(Timespan.NANOSECONDS)
    long lifetime;

    @Label("Preemptions")
    @Description("Slices at which its budget ran out and it yielded to another process")
    long preemptions;

    @Label("Pins")
    @Description("Yields the VM refused")
    long pins;

    @Label("Stack")
    @Description("For a crash, the exception's stack trace, top frames first (else null)")
    String stack;

    @Label("Scheduler")
    String scheduler;
}
