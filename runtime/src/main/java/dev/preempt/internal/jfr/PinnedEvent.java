package dev.preempt.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A process's yield was refused by the VM (it is pinned to its carrier) and it runs on. Committed
 * inside the process, so the stack trace shows where it was.
 */
@Name("dev.preempt.Pinned")
@Label("Process Pinned")
@Description("A process could not yield its carrier (class initializer, native frame, or monitor)")
@Category("Preempt")
final class PinnedEvent extends jdk.jfr.Event {

    @Label("Pid")
    String pid;

    @Label("Carrier")
    @Description("The index of the carrier it stays on")
    int carrier;

    @Label("Reason")
    @Description("Why, as far as a look at the stack tells: class initializer, native frame, or monitor held or VM refused")
    String reason;

    @Label("Scheduler")
    String scheduler;
}
