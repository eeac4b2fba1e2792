package dev.preempt.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A supervisor restarted one of its children. */
@Name("dev.preempt.SupervisorRestart")
@Label("Supervisor Restart")
@Description("A supervisor restarted a child")
@Category("Preempt")
@StackTrace(false)
final class SupervisorRestartEvent extends jdk.jfr.Event {

    @Label("Supervisor")
    String supervisor;

    @Label("Child Id")
    String childId;

    @Label("Old Pid")
    @Description("The child that ended (null when it was restarted because a sibling ended)")
    String oldPid;

    @Label("New Pid")
    String newPid;

    @Label("Reason")
    @Description("Why the old child ended")
    String reason;
}
