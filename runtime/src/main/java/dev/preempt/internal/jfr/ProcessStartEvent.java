package dev.preempt.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A process was spawned (committed by the spawner, before the process first runs). */
@Name("dev.preempt.ProcessStart")
@Label("Process Start")
@Description("A Preempt process was spawned")
@Category("Preempt")
@StackTrace(false)
final class ProcessStartEvent extends jdk.jfr.Event {

    @Label("Pid")
    @Description("The new process, as <0.N.0>")
    String pid;

    @Label("Parent Pid")
    @Description("The process that spawned it; null if a plain thread did")
    String parentPid;

    @Label("Entry")
    @Description("The class of the process's body (for a lambda, the class that wrote it)")
    String entry;

    @Label("Scheduler")
    @Description("The scheduler's name")
    String scheduler;
}
